/**
 * Attempts counted per bucket (a sign-in from an address, a mail to an email) for the objects that
 * throttle: the email index and the address throttle. Anyone on the internet reaches these objects
 * with a single request, so a bucket lives in memory until it holds `PERSIST_FROM` attempts within
 * the longest window; only then is it written to SQLite (and the table created, if this is the
 * object's first write). A single miss, or a single stranger's request, stores nothing. Losing the
 * in-memory part when the object is evicted only forgives an attempt or two.
 */
import { LONGEST_WINDOW_MS, PERSIST_FROM, verdict, type RuleName, type Verdict } from '../domain/throttle';
import type { Sql } from './sql';

/** The table, for the migrations of the objects that use this store. */
export const ATTEMPTS_SCHEMA = `
  CREATE TABLE attempts (bucket TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX attempts_bucket ON attempts (bucket, at);
`;

/** Past this many buckets in memory (one object hammered from very many addresses), new ones go straight to storage. */
const MEMORY_BUCKETS = 1_000;

interface Attempt {
  id: string;
  at: number;
}

/** How the store reaches its object's schema, which the object creates on its first write. */
export interface LazySchema {
  /** Whether the object has its tables yet (reading this writes nothing). */
  exists(): boolean;
  /** Creates or upgrades the object's tables. */
  create(): void;
}

export class Attempts {
  readonly #memory = new Map<string, Attempt[]>();

  constructor(
    private readonly sql: Sql,
    private readonly schema: LazySchema,
  ) {}

  /**
   * Counts attempt `id` in every bucket at `now`, unless one of the buckets' rules refuses it: then
   * nothing is counted and the refusal says how long to wait. One synchronous step, so parallel
   * attempts are counted one after another and never slip past a limit together.
   */
  count(id: string, buckets: readonly { bucket: string; rule: RuleName }[], now: number): Verdict {
    for (const { bucket, rule } of buckets) {
      const decided = verdict(this.#times(bucket, now), rule, now);
      if (!decided.ok) return decided;
    }
    for (const { bucket } of buckets) this.#add(bucket, { id, at: now }, now);
    return { ok: true };
  }

  /** Takes back one attempt (it succeeded). */
  forget(bucket: string, id: string): void {
    const kept = this.#memory.get(bucket)?.filter((attempt) => attempt.id !== id);
    if (kept) this.#memory.set(bucket, kept);
    if (this.schema.exists()) this.sql.run('DELETE FROM attempts WHERE bucket = ? AND id = ?', bucket, id);
  }

  /** Forgets every attempt in a bucket. */
  clear(bucket: string): void {
    this.#memory.delete(bucket);
    if (this.schema.exists()) this.sql.run('DELETE FROM attempts WHERE bucket = ?', bucket);
  }

  /** The times of a bucket's attempts within the longest window before `now`. */
  #times(bucket: string, now: number): number[] {
    return [...this.#recentInMemory(bucket, now), ...this.#stored(bucket, now)].map((attempt) => attempt.at);
  }

  #add(bucket: string, attempt: Attempt, now: number): void {
    const inMemory = this.#recentInMemory(bucket, now);
    const stored = this.#stored(bucket, now);
    if (stored.length === 0 && inMemory.length + 1 < PERSIST_FROM && this.#roomInMemory(now)) {
      this.#memory.set(bucket, [...inMemory, attempt]);
      return;
    }
    // Someone keeps trying: from now on this bucket is kept where a restart cannot forget it.
    this.schema.create();
    this.sql.run('DELETE FROM attempts WHERE at <= ?', now - LONGEST_WINDOW_MS);
    for (const { id, at } of [...inMemory, attempt]) this.sql.run('INSERT INTO attempts (bucket, id, at) VALUES (?, ?, ?)', bucket, id, at);
    this.#memory.delete(bucket);
  }

  #recentInMemory(bucket: string, now: number): Attempt[] {
    return (this.#memory.get(bucket) ?? []).filter((attempt) => attempt.at > now - LONGEST_WINDOW_MS);
  }

  #stored(bucket: string, now: number): Attempt[] {
    if (!this.schema.exists()) return [];
    return this.sql.all<{ id: string; at: number }>('SELECT id, at FROM attempts WHERE bucket = ? AND at > ?', bucket, now - LONGEST_WINDOW_MS);
  }

  /** Whether memory may take one more bucket, after dropping buckets whose attempts all expired. */
  #roomInMemory(now: number): boolean {
    if (this.#memory.size < MEMORY_BUCKETS) return true;
    for (const [bucket, attempts] of this.#memory) {
      if (attempts.every((attempt) => attempt.at <= now - LONGEST_WINDOW_MS)) this.#memory.delete(bucket);
    }
    return this.#memory.size < MEMORY_BUCKETS;
  }
}
