/**
 * The current time for countdowns ("returns at 17:00 · in 2 h 5 min"). Ticks every 15 seconds,
 * and only while some screen shows a countdown (`watch` in an effect returns its stop).
 */
const TICK_MS = 15_000;

class Now {
  current = $state(Date.now());
  #watchers = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Keeps `current` fresh until the returned function is called. */
  watch(): () => void {
    if (this.#watchers++ === 0) {
      this.current = Date.now();
      this.#timer = setInterval(() => (this.current = Date.now()), TICK_MS);
    }
    return () => {
      if (--this.#watchers === 0) clearInterval(this.#timer);
    };
  }
}

export const now = new Now();
