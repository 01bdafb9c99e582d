/**
 * The one message at the bottom of the screen, e.g. "Seat taken back from Alex Moreno. Undo".
 * Every seat change offers Undo for a few seconds; the timer pauses while the pointer or the
 * keyboard focus is on the message (WCAG 2.2.1), so nobody loses the chance to undo.
 */
import { messageOf } from '#lib/api/request.ts';

const UNDO_SECONDS = 8;

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error';
  undo?: () => Promise<unknown>;
  undoing?: boolean;
}

class Toasts {
  current = $state<Toast | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #next = 1;

  /** Shows a message; with `undo`, an Undo button that runs it (the inverse call). */
  show(message: string, options: { undo?: () => Promise<unknown>; tone?: Toast['tone'] } = {}): void {
    this.current = { id: this.#next++, message, tone: options.tone ?? 'info', undo: options.undo };
    this.resume();
  }

  error(error: unknown): void {
    this.show(messageOf(error), { tone: 'error' });
  }

  pause(): void {
    clearTimeout(this.#timer);
  }

  resume(): void {
    clearTimeout(this.#timer);
    const id = this.current?.id;
    this.#timer = setTimeout(() => {
      if (this.current?.id === id) this.current = null;
    }, UNDO_SECONDS * 1000);
  }

  dismiss(): void {
    clearTimeout(this.#timer);
    this.current = null;
  }

  async undo(): Promise<void> {
    const toast = this.current;
    if (!toast?.undo || toast.undoing) return;
    toast.undoing = true;
    this.pause();
    try {
      await toast.undo();
      this.show('Undone.');
    } catch (error) {
      this.error(error);
    }
  }
}

export const toasts = new Toasts();
