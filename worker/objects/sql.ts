/**
 * A tiny typed layer over a Durable Object's SQLite storage. Rows come back as the column names
 * in the query (snake_case); the object maps them to API shapes at its edge.
 *
 * Statements on a call's hot path (a join, or ORDER BY, with a bound parameter) write the
 * parameter `+?`, not `?`: workerd keeps each statement prepared, but the SQLite in wrangler
 * 4.16x's workerd (source id 2026-10-16) marks such a statement to be compiled again whenever a
 * bare `?` in it is bound, so every execution was parsed and planned anew (a seat change
 * re-prepared its user-row join 2–3 times and the credential check once; perf: ~10 % of the
 * Worker process). `+?` is the same value with the same index use (EXPLAIN QUERY PLAN), and the
 * statement stays prepared.
 */
export type Row = Record<string, SqlStorageValue>;

export class Sql {
  #written = 0;
  /** Reads kept while the running call's work writes nothing (see `keepingReads`); null outside one. */
  #kept: { written: number; reads: Map<string, unknown> } | null = null;

  constructor(private readonly storage: SqlStorage) {}

  /**
   * How many rows every statement so far has written. The object compares it before and after a
   * call's work to know whether the call changed anything (and so whether live clients are told).
   */
  get written(): number {
    return this.#written;
  }

  /**
   * Runs one call's work keeping the reads it names (`kept`) while it writes nothing: a seat change
   * reads the same user for its checks, its answer and its webhook event, and the seat counts and
   * pools for its decision, the waitlist, the thresholds and the event. Any row written in between
   * (`written` moved) drops what was kept; nothing outlives the work, so a rollback after it or
   * another call never sees a kept read.
   */
  keepingReads<T>(work: () => T): T {
    const outer = this.#kept;
    this.#kept = { written: this.#written, reads: new Map() };
    try {
      return work();
    } finally {
      this.#kept = outer;
    }
  }

  /**
   * What `read` returns, read once per `key` while the running call writes nothing (see
   * `keepingReads`); outside a call's work, read every time. Callers must not change what it returns.
   * @example sql.kept('subscription', () => sql.one('SELECT purchased, assigned FROM subscription'))
   */
  kept<T>(key: string, read: () => T): T {
    const reads = this.#keptReads();
    if (!reads) return read();
    if (reads.has(key)) return reads.get(key) as T;
    const value = read();
    reads.set(key, value);
    return value;
  }

  /** What `kept` holds for `key` right now, without reading; undefined when nothing is kept. */
  peek<T>(key: string): T | undefined {
    return this.#keptReads()?.get(key) as T | undefined;
  }

  #keptReads(): Map<string, unknown> | null {
    const kept = this.#kept;
    if (!kept) return null;
    if (kept.written !== this.#written) {
      kept.reads.clear();
      kept.written = this.#written;
    }
    return kept.reads;
  }

  /** All rows of a query. @example sql.all<{ id: string }>('SELECT id FROM users') */
  all<T extends Row>(query: string, ...params: SqlStorageValue[]): T[] {
    const cursor = this.storage.exec<T>(query, ...params);
    const rows = cursor.toArray();
    this.#written += cursor.rowsWritten;
    return rows;
  }

  /** The first row of a query, or null. */
  one<T extends Row>(query: string, ...params: SqlStorageValue[]): T | null {
    return this.all<T>(query, ...params)[0] ?? null;
  }

  /** A single number, e.g. a COUNT(*). */
  count(query: string, ...params: SqlStorageValue[]): number {
    const row = this.all(query, ...params)[0];
    return row ? Number(Object.values(row)[0]) : 0;
  }

  /** Runs a statement; returns how many rows it wrote. */
  run(query: string, ...params: SqlStorageValue[]): number {
    const written = this.storage.exec(query, ...params).rowsWritten;
    this.#written += written;
    return written;
  }
}
