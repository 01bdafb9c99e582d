/**
 * The one message at the bottom of the screen, e.g. "Seat taken back from Alex Moreno. Undo".
 * Every seat change offers Undo, and nobody may lose the chance to use it (WCAG 2.2.1):
 * - it stays as long as the pointer or focus is on it, or focus is still in the part of the page
 *   the change came from (the Manage user panel, the list of requests): the time only runs once
 *   you have moved on, and then for the time chosen on the Me page (8 s, 20 s, or until closed);
 * - Ctrl+Z (⌘Z on a Mac), shown on the message, undoes from wherever focus is, so a keyboard
 *   user never has to travel to it. Focus is not moved to the message: it stays where the person
 *   is working (a screen reader hears the message through the live region).
 */
import { messageOf } from '#lib/api/request.ts';
import { focused, focusSoon } from '#lib/focus.ts';

/** How long a message stays once you have moved on, in seconds; 0 = until closed. */
export const TOAST_DURATIONS = [8, 20, 0] as const;
export type ToastDuration = (typeof TOAST_DURATIONS)[number];
const STORAGE_KEY = 'setme.toast-seconds';

let stored: ToastDuration | undefined;

/**
 * The choice stored on this device, read when first needed (the first message, or the Me page),
 * not while the app's code is evaluated: a page's first localStorage read waits for the browser
 * process, and belongs in a shorter task than that one.
 */
function storedDuration(): ToastDuration {
  stored ??= readDuration();
  return stored;
}

function readDuration(): ToastDuration {
  if (typeof localStorage === 'undefined') return 8;
  try {
    const value = Number(localStorage.getItem(STORAGE_KEY));
    return (TOAST_DURATIONS as readonly number[]).includes(value) && localStorage.getItem(STORAGE_KEY) !== null
      ? (value as ToastDuration)
      : 8;
  } catch {
    return 8;
  }
}

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error';
  undo?: () => Promise<unknown>;
  undoing?: boolean;
}

class Toasts {
  current = $state<Toast | null>(null);
  #chosen = $state<ToastDuration | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #next = 1;
  /** Where focus was when the change was made, and the part of the page around it. */
  #origin: HTMLElement | null = null;
  #region: Element | null = null;
  #pointerOn = false;
  #running = false;

  /** The part of the page the change came from (a panel, a section), whose controls the message keeps clear of. */
  get region(): Element | null {
    return this.#region;
  }

  /** The setting on the Me page, kept on this device. */
  get duration(): ToastDuration {
    return this.#chosen ?? storedDuration();
  }

  /** Chooses how long messages stay (saved on this device). */
  setDuration(seconds: ToastDuration): void {
    this.#chosen = seconds;
    try {
      localStorage.setItem(STORAGE_KEY, String(seconds));
    } catch {
      // Private mode without storage: the choice lasts until the page is closed.
    }
    this.#stop();
    this.#update();
  }

  /** Shows a message; with `undo`, an Undo button (and Ctrl+Z) that runs it (the inverse call). */
  show(message: string, options: { undo?: () => Promise<unknown>; tone?: Toast['tone'] } = {}): void {
    const here = focused();
    // A focus inside the message itself (Undo just pressed) keeps the change's own origin.
    if (!here?.closest('.toast')) {
      this.#origin = here;
      // The widest part that is about one thing: a whole panel (Manage user) before its section.
      this.#region = here?.closest('article') ?? here?.closest('section, [role=region], main') ?? null;
    }
    this.current = { id: this.#next++, message, tone: options.tone ?? 'info', undo: options.undo };
    this.#stop();
    this.#update();
  }

  error(error: unknown): void {
    this.show(messageOf(error), { tone: 'error' });
  }

  /** The pointer entered (true) or left (false) the message. */
  pointer(on: boolean): void {
    this.#pointerOn = on;
    this.#update();
  }

  /** Call when focus moved anywhere: the timer holds while focus is on the message or its region. */
  focusMoved(): void {
    this.#update();
  }

  dismiss(): void {
    this.#stop();
    this.current = null;
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#running = false;
  }

  /** Runs the message's Undo (the button or Ctrl+Z); focus on the button goes back to where the change was made. */
  async undo(): Promise<void> {
    const toast = this.current;
    if (!toast?.undo || toast.undoing) return;
    toast.undoing = true;
    const fromButton = !!focused()?.closest('.toast');
    this.#stop();
    try {
      await toast.undo();
      this.show('Undone.');
    } catch (error) {
      this.error(error);
    }
    // The Undo button is gone: back to the control the change came from (or the view's heading).
    if (fromButton) void focusSoon(() => this.#origin);
  }

  #isHeld(): boolean {
    if (this.#pointerOn) return true;
    const here = document.activeElement;
    if (!here || here === document.body) return false;
    return !!here.closest('.toast') || (this.#region?.contains(here) ?? false);
  }

  /** Holds the timer while something holds the message; once nothing does, starts it afresh. */
  #update(): void {
    if (!this.current) return;
    if (this.#isHeld()) {
      clearTimeout(this.#timer);
      this.#running = false;
    } else if (!this.#running) {
      this.#running = this.duration !== 0;
      const id = this.current.id;
      if (this.#running) {
        this.#timer = setTimeout(() => {
          this.#running = false;
          if (this.current?.id === id) this.current = null;
        }, this.duration * 1000);
      }
    }
  }
}

export const toasts = new Toasts();

/** Whether a key press is the undo shortcut (Ctrl+Z, ⌘Z) and not meant for a text field's own undo. */
export function isUndoShortcut(event: KeyboardEvent): boolean {
  if (event.key.toLowerCase() !== 'z' || event.shiftKey || event.altKey || !(event.ctrlKey || event.metaKey)) return false;
  const target = event.target;
  if (!(target instanceof HTMLElement)) return true;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return false;
  return !(target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type));
}
