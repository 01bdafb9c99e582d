/**
 * "Install app": Chromium-based browsers fire `beforeinstallprompt` when the app can be installed;
 * we keep the event and show our own button, which opens the browser's install dialog.
 */
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class Install {
  #event = $state<InstallPromptEvent | null>(null);

  get available(): boolean {
    return this.#event !== null;
  }

  async prompt(): Promise<void> {
    const event = this.#event;
    if (!event) return;
    await event.prompt();
    await event.userChoice;
    this.#event = null;
  }

  constructor() {
    if (typeof window === 'undefined') return;
    // An offer that came before this code ran was kept by the script in app.html.
    const early = (window as { __setmeInstallPrompt?: InstallPromptEvent }).__setmeInstallPrompt;
    if (early) this.#event = early;
    window.addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.#event = event as InstallPromptEvent;
    });
    window.addEventListener('appinstalled', () => (this.#event = null));
  }
}

export const install = new Install();
