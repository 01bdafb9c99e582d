/**
 * Numbered, append-only schema migrations for a Durable Object's SQLite storage, shared by every
 * object class. Never edit a shipped migration: add the next one. An object runs `migrate` once,
 * in its constructor under blockConcurrencyWhile; the pending migrations run in one transaction
 * together with the bump of the stored version.
 */
import type { Sql } from './sql';

/**
 * Brings the storage up to the newest of `migrations` (or up to `target`, which only tests use, to
 * build an older schema). Returns the version it found. Safe to call on every construction.
 * The pending migrations and the bump of the stored version are one transaction: all or none. A
 * new object (an email's index, made by the user's creation) so builds its tables in one step.
 * @example migrate(sql, ctx.storage, SUBSCRIPTION_MIGRATIONS)
 */
export function migrate(sql: Sql, storage: DurableObjectStorage, migrations: readonly string[], target = migrations.length): number {
  return storage.transactionSync(() => {
    sql.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const stored = sql.one<{ version: number }>('SELECT version FROM schema_version');
    const found = stored?.version ?? 0;
    for (let version = found + 1; version <= target; version++) sql.run(migrations[version - 1]!);
    if (!stored) sql.run('INSERT INTO schema_version (version) VALUES (?)', target);
    else if (target > found) sql.run('UPDATE schema_version SET version = ?', target);
    return found;
  });
}

/**
 * Whether an object's storage holds any table of ours yet. Objects that must not keep anything for
 * a stranger (the email index, the throttles) create their tables on their first write, not in the
 * constructor: reading this writes nothing, so an object that was only asked leaves no storage.
 */
export function hasSchema(sql: Sql): boolean {
  return sql.one("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") !== null;
}
