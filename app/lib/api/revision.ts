/**
 * The subscription's revision, as the server's answers tell it: every signed-in answer (and every
 * sign-in's) carries `SetMe-Revision: <n>`, one more for each committed change. Live updates (live.svelte.ts) compare
 * their messages with it, so a change made here is not fetched again when its own live message
 * arrives. An answer without the header (an older server) counts as "unknown": null.
 */
const REVISION_HEADER = 'SetMe-Revision';

/** What a write (any method but GET) was answered: its revision, and whether it was done or refused. */
export interface WriteAnswer {
  revision: number | null;
  ok: boolean;
}

export interface RevisionListener {
  /** A write was answered (not called when it got no answer at all, e.g. offline). */
  wrote(answer: WriteAnswer): void;
  /** An answer came from the offline copy: what is on screen may be older than any revision seen. */
  servedFromCache(): void;
}

/** The revision in an answer's headers, or null. */
export function revisionOf(headers: Headers): number | null {
  const value = Number(headers.get(REVISION_HEADER) ?? NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

class Revisions {
  /** The highest revision any answer from the server carried; null before the first (or after sign-out). */
  highest: number | null = null;
  #writes = 0;
  #idle: (() => void)[] = [];
  #listener: RevisionListener | null = null;

  /** Tells `listener` about every write's answer and every answer from the offline copy. */
  listen(listener: RevisionListener): void {
    this.#listener = listener;
  }

  /** Records an answer from the server itself. */
  saw(revision: number | null): void {
    if (revision !== null && (this.highest === null || revision > this.highest)) this.highest = revision;
  }

  servedFromCache(): void {
    this.#listener?.servedFromCache();
  }

  /**
   * Marks a write as on its way. Call the returned function once with its answer (or with null when
   * there was none); the listener hears of it before `settled()` resolves.
   */
  writing(): (answer: WriteAnswer | null) => void {
    this.#writes++;
    let finished = false;
    return (answer) => {
      if (finished) return;
      finished = true;
      this.#writes--;
      if (answer) this.#listener?.wrote(answer);
      if (this.#writes === 0) for (const resolve of this.#idle.splice(0)) resolve();
    };
  }

  /** Resolves when no write is on its way: at once, or when the last one has been answered. */
  settled(): Promise<void> {
    if (this.#writes === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Forgets the revisions seen (on sign-out: the next account may be another subscription). */
  forget(): void {
    this.highest = null;
  }
}

export const revisions = new Revisions();
