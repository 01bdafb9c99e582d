/**
 * How many seat requests wait for an answer: the badge on "Requests" in the navigation of
 * administrators. Refreshed when the app starts and after every change (live updates).
 */
import { seatRequestsApi } from '#lib/api/seat-requests.ts';

/** The badge says "99+" beyond one page of requests. */
const PAGE = 99;

class PendingRequests {
  /** Null until known (or for technicians, who have no badge). */
  count = $state<number | null>(null);
  more = $state(false);
  #generation = 0;

  async refresh(): Promise<void> {
    const mine = ++this.#generation;
    try {
      const page = await seatRequestsApi.list({ status: 'pending', limit: PAGE });
      if (mine !== this.#generation) return;
      this.count = page.items.length;
      this.more = page.nextCursor !== null;
    } catch {
      // Offline or signed out: keep the last count; the next change refreshes it.
    }
  }

  clear(): void {
    this.#generation++;
    this.count = null;
    this.more = false;
  }

  get label(): string {
    return this.more ? `${this.count}+` : String(this.count ?? 0);
  }
}

export const pendingRequests = new PendingRequests();
