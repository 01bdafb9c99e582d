/**
 * A tiny typed layer over a Durable Object's SQLite storage. Rows come back as the column names
 * in the query (snake_case); the object maps them to API shapes at its edge.
 */
export type Row = Record<string, SqlStorageValue>;

export class Sql {
  #written = 0;

  constructor(private readonly storage: SqlStorage) {}

  /**
   * How many rows every statement so far has written. The object compares it before and after a
   * call's work to know whether the call changed anything (and so whether live clients are told).
   */
  get written(): number {
    return this.#written;
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
