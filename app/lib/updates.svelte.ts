/**
 * New versions announce themselves: when a new service worker has installed and waits, we show
 * "Update available — reload"; reloading lets it take over and load the new app.
 */
class Updates {
  available = $state(false);
  #registration: ServiceWorkerRegistration | null = null;

  async watch(): Promise<void> {
    if (!('serviceWorker' in navigator)) return;
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) {
      // SvelteKit registers the worker on load; look again once it has.
      navigator.serviceWorker.ready.then(() => this.watch(), () => {});
      return;
    }
    if (this.#registration) return;
    this.#registration = registration;
    const check = () => {
      // A waiting worker while another one controls the page is a new version.
      if (registration.waiting && navigator.serviceWorker.controller) this.available = true;
    };
    check();
    registration.addEventListener('updatefound', () => {
      registration.installing?.addEventListener('statechange', check);
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void registration.update().catch(() => {});
    });
  }

  /** Asks the server for a newer service worker now (SvelteKit noticed a new version). */
  check(): void {
    void this.#registration?.update().catch(() => {});
  }

  /** Lets the waiting worker take over, then reloads into the new version. */
  apply(): void {
    const waiting = this.#registration?.waiting;
    if (!waiting) {
      location.reload();
      return;
    }
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    waiting.postMessage({ type: 'skip-waiting' });
  }
}

export const updates = new Updates();
