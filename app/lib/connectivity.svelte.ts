/**
 * Whether the app talks to the server right now. Offline means either the browser has no network
 * or the last API answer came from the service worker's stored copy (then `asOf` says how old).
 * Changes are turned off while offline: a seat change needs the server's answer.
 */
class Connectivity {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** When the data on screen was fetched, if it came from the offline copy. */
  asOf = $state<Date | null>(null);

  get offline(): boolean {
    return !this.online || this.asOf !== null;
  }

  /** An answer came from the server itself. */
  reachedServer(): void {
    this.online = true;
    this.asOf = null;
  }

  /** An answer came from the offline copy made at `at`; keep the oldest time on screen. */
  servedFromCache(at: Date): void {
    this.online = false;
    if (!this.asOf || at < this.asOf) this.asOf = at;
  }

  /** A request failed for lack of network. */
  lost(): void {
    this.online = false;
  }

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('offline', () => (this.online = false));
    window.addEventListener('online', () => (this.online = true));
  }
}

export const connectivity = new Connectivity();

/** The sentence shown wherever a change is turned off while offline. */
export const OFFLINE_CHANGES =
  'Changes are turned off while offline: a seat change needs the server’s answer. They come back when you reconnect.';
