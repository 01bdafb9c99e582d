/**
 * A tiny typed layer over a Durable Object's SQLite storage. Rows come back as the column names
 * in the query (snake_case); the object maps them to API shapes at its edge.
 */
export type Row = Record<string, SqlStorageValue>;

export class Sql {
  constructor(private readonly storage: SqlStorage) {}

  /** All rows of a query. @example sql.all<{ id: string }>('SELECT id FROM users') */
  all<T extends Row>(query: string, ...params: SqlStorageValue[]): T[] {
    return this.storage.exec<T>(query, ...params).toArray();
  }

  /** The first row of a query, or null. */
  one<T extends Row>(query: string, ...params: SqlStorageValue[]): T | null {
    return this.all<T>(query, ...params)[0] ?? null;
  }

  /** A single number, e.g. a COUNT(*). */
  count(query: string, ...params: SqlStorageValue[]): number {
    const row = this.storage.exec(query, ...params).toArray()[0];
    return row ? Number(Object.values(row)[0]) : 0;
  }

  /** Runs a statement; returns how many rows it wrote. */
  run(query: string, ...params: SqlStorageValue[]): number {
    return this.storage.exec(query, ...params).rowsWritten;
  }
}
