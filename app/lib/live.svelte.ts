/**
 * Live updates: a WebSocket to /api/v1/live that says "changed" after every change to the
 * subscription (by anyone: another admin, another device, a script). Each open screen registers
 * a refresh with `onChange` and refetches what it shows. Reconnects with backoff; keeps the
 * connection alive with "ping" (answered by the server without waking it up).
 */
import type { SeatCounts } from '#contract';
import { session } from '#lib/session.svelte.ts';

export type LiveState = 'connecting' | 'live' | 'offline';

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;
const ACCESS_REVOKED = 4001;

class Live {
  state = $state<LiveState>('connecting');
  #socket: WebSocket | null = null;
  #listeners = new Set<() => void>();
  #ping: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #attempts = 0;
  #wanted = false;
  #pending: ReturnType<typeof setTimeout> | undefined;

  /** Registers a refresh to run after every change; returns the function that removes it. */
  onChange(refresh: () => void): () => void {
    this.#listeners.add(refresh);
    return () => this.#listeners.delete(refresh);
  }

  /** Tells every open screen to refetch (after a change made here, or a message from the server). */
  changed(): void {
    clearTimeout(this.#pending);
    this.#pending = setTimeout(() => {
      for (const refresh of this.#listeners) refresh();
    }, 50);
  }

  start(): void {
    this.#wanted = true;
    if (!this.#socket) this.#connect();
  }

  stop(): void {
    this.#wanted = false;
    clearTimeout(this.#retry);
    this.#close();
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

  #connect(): void {
    this.state = this.#attempts === 0 ? 'connecting' : 'offline';
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/live`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempts = 0;
      this.state = 'live';
      clearInterval(this.#ping);
      this.#ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('ping'), PING_MS);
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string' || event.data === 'pong') return;
      try {
        const message = JSON.parse(event.data) as { type?: string; seats?: SeatCounts };
        if (message.type !== 'changed') return;
        if (message.seats) session.updateSeats(message.seats);
        this.changed();
      } catch {
        // Not a message of ours.
      }
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
      this.state = 'offline';
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.#attempts) * (0.75 + Math.random() / 2);
      this.#attempts++;
      this.#retry = setTimeout(() => this.#connect(), delay);
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
    window.addEventListener('online', () => {
      this.reconnect();
      this.changed();
    });
    // A phone that wakes up may have missed changes while its socket slept.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.reconnect();
    });
  }
}

export const live = new Live();
