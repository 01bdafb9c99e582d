/**
 * Live updates: a WebSocket to /api/v1/live that says "changed" after every committed change to
 * the subscription (by anyone: another admin, another device, a script), with the subscription's
 * revision and seat counts, and once on connecting. Each open screen registers a refetch with
 * `onChange`. A dropped connection (a server restart, a network change) is tried again at once,
 * then less and less often; meanwhile the screen says "Reconnecting…", and the first message
 * after reconnecting refetches everything that changed while away.
 *
 * A change is fetched once. The screen that made it applies the answer it got (answers.ts); its
 * answer carried the new revision (api/revision.ts), so the change's own live message, which
 * carries the same one, fetches nothing. A message with a newer revision than every screen is
 * known to show (someone else's change) refetches what the screens show. An older server that
 * sends no revisions gets what it always got: after every change, everything is fetched again.
 */
import type { SeatCounts } from '#contract';
import { revisions, type WriteAnswer } from '#lib/api/revision.ts';
import { connectivity } from '#lib/connectivity.svelte.ts';
import { pendingRequests } from '#lib/pending-requests.svelte.ts';
import { session } from '#lib/session.svelte.ts';

/** `connecting` the first time (and while signed out); `reconnecting` after the connection was lost or refused. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

interface Changed {
  type: 'changed';
  revision?: number;
  seats?: SeatCounts;
}

const PING_MS = 25_000;
/**
 * Trying again: the first attempt at once (spread over FIRST_RETRY_MS, so a restarted server is
 * not hit by every client in the same instant), then waits growing by half each time, up to
 * MAX_RETRY_MS. Attempts come about 0.25, 1, 2, 4, 6, 10, 16 s after the connection dropped: a
 * server back within a few seconds has its clients back within about two more.
 */
const FIRST_RETRY_MS = 500;
const RETRY_GROWTH = 1.5;
const MAX_RETRY_MS = 30_000;
const ACCESS_REVOKED = 4001;
/** Refetch rounds start at once, then at most one per this long while changes keep coming. */
const ROUND_MS = 50;

/** Which refetches a round runs: those for any change, or only those that also follow changes made here. */
type Scope = 'own' | 'all';

/**
 * Whether a change made here may have done more than its answer shows. While seat requests wait,
 * a seat change can also answer one (the holder's own request, or the oldest taking a freed seat
 * when the subscription fills them automatically): then every screen fetches again, once.
 */
function answerTellsAll(): boolean {
  return !session.isAdmin || pendingRequests.count === 0;
}

/** How long to wait before attempt `n` (0: the first after losing the connection); later ones give or take a quarter. */
function retryDelay(n: number): number {
  if (n === 0) return Math.random() * FIRST_RETRY_MS;
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * RETRY_GROWTH ** n) * (0.75 + Math.random() / 2);
}

class Live {
  state = $state<LiveState>('connecting');
  #socket: WebSocket | null = null;
  /** Each refetch, and whether it also runs after changes made here (for data no answer carries). */
  #listeners = new Map<() => void, { ownChanges: boolean }>();
  /** Every screen shows this revision or a later one; null when not known. */
  #synced: number | null = null;
  #scope: Scope | null = null;
  /** The round waiting to run (null: in a moment), or undefined. */
  #round: ReturnType<typeof setTimeout> | null | undefined;
  #lastRound = -Infinity;
  #ping: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Failed attempts since the connection was last live. */
  #attempts = 0;
  #wanted = false;
  /** The next message is the first on this connection: it may follow a time away. */
  #first = false;

  /**
   * Registers a refetch; returns the function that removes it. It runs when something changed
   * that this device did not do. With `ownChanges` it also runs after changes made here: for data
   * that no answer carries (the audit log, reports).
   */
  onChange(refetch: () => void, options: { ownChanges?: boolean } = {}): () => void {
    this.#listeners.set(refetch, { ownChanges: options.ownChanges ?? false });
    return () => this.#listeners.delete(refetch);
  }

  /** Every screen fetches what it shows again (once, however many ask within a moment). */
  refresh(): void {
    this.#schedule('all');
  }

  start(): void {
    this.#wanted = true;
    // Every screen loads after the answers seen so far, so it shows at least their revision; right
    // after signing in, that is the sign-in's own (every way in answers with it).
    this.#synced = revisions.highest;
    if (this.#socket) return;
    // (Only written, never read here: `start` runs inside the signed-in layout's effect.)
    this.state = 'connecting';
    this.#connect();
  }

  stop(): void {
    this.#wanted = false;
    this.#synced = null;
    clearTimeout(this.#retry);
    this.#close();
    this.#attempts = 0;
    this.state = 'connecting';
  }

  /** Try again now (e.g. the browser says the network is back). */
  reconnect(): void {
    if (!this.#wanted || this.state === 'live') return;
    clearTimeout(this.#retry);
    this.#close();
    this.#attempts = 0;
    this.#connect();
  }

  /** A change made here was answered (api/request.ts): was it the only change since the screens loaded? */
  #wrote({ revision, ok }: WriteAnswer): void {
    if (!this.#wanted) return;
    if (revision === null) {
      if (ok) this.refresh();
      return;
    }
    // A refusal changes nothing, so a newer revision on it is someone else's change.
    const onlyOurs = ok && this.#synced !== null && revision === this.#synced + 1;
    if (this.#synced !== null && revision <= this.#synced) return;
    this.#synced = revision;
    this.#schedule(onlyOurs ? 'own' : 'all');
  }

  async #message(message: Changed): Promise<void> {
    const first = this.#first;
    this.#first = false;
    if (message.seats) session.updateSeats(message.seats);
    // A change made here may be answered after its own message arrives: judge it after the answer.
    await revisions.settled();
    const revision = message.revision;
    if (typeof revision !== 'number') {
      this.refresh();
      return;
    }
    // On a new connection an older revision means the server started over: nothing is known.
    const known = this.#synced !== null && (first ? revision === this.#synced : revision <= this.#synced);
    if (known) return;
    this.#synced = revision;
    this.refresh();
  }

  #schedule(scope: Scope): void {
    if (this.#scope !== 'all') this.#scope = scope;
    if (this.#round !== undefined) return;
    const wait = this.#lastRound + ROUND_MS - performance.now();
    if (wait <= 0) {
      this.#round = null;
      queueMicrotask(() => this.#runRound());
    } else {
      this.#round = setTimeout(() => this.#runRound(), wait);
    }
  }

  #runRound(): void {
    this.#round = undefined;
    this.#lastRound = performance.now();
    const scope = this.#scope === 'own' && answerTellsAll() ? 'own' : 'all';
    this.#scope = null;
    for (const [refetch, { ownChanges }] of this.#listeners) if (scope === 'all' || ownChanges) refetch();
  }

  #connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/live`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempts = 0;
      this.#first = true;
      // Requests failed while away (the app says "Offline"): only fresh answers can say otherwise,
      // so the first message refetches even when nothing changed.
      if (connectivity.offline) this.#synced = null;
      this.state = 'live';
      clearInterval(this.#ping);
      this.#ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('ping'), PING_MS);
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string' || event.data === 'pong') return;
      let message: Partial<Changed>;
      try {
        message = JSON.parse(event.data) as Partial<Changed>;
      } catch {
        return; // Not a message of ours.
      }
      if (message.type === 'changed') void this.#message(message as Changed);
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      clearInterval(this.#ping);
      if (event.code === ACCESS_REVOKED) {
        this.#wanted = false;
        void session.signOut('Your access was revoked by an administrator.');
        return;
      }
      if (!this.#wanted) return;
      this.state = 'reconnecting';
      this.#retry = setTimeout(() => this.#connect(), retryDelay(this.#attempts++));
    });
  }

  #close(): void {
    const socket = this.#socket;
    this.#socket = null;
    clearInterval(this.#ping);
    socket?.close(1000);
  }

  constructor() {
    if (typeof window === 'undefined') return;
    revisions.listen({
      wrote: (answer) => this.#wrote(answer),
      // What is on screen may be older than any revision seen: the next message refetches.
      servedFromCache: () => (this.#synced = null),
    });
    window.addEventListener('online', () => {
      this.reconnect();
      this.refresh();
    });
    // A phone that wakes up may have missed changes while its socket slept.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.reconnect();
    });
  }
}

export const live = new Live();
