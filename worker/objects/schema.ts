/**
 * The Subscription object's schema, as numbered, append-only migrations. Never edit a shipped
 * migration: add the next one. They run once, in the object's constructor, under
 * blockConcurrencyWhile, and each runs in its own transaction together with the version bump.
 */
import type { Sql } from './sql';

export const MIGRATIONS: readonly string[] = [
  // 1: the subscription, its users and seats, how they sign in, and what they did.
  `
  CREATE TABLE subscription (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    purchased INTEGER NOT NULL CHECK (purchased >= 1),
    -- Kept equal to COUNT(*) FROM seats by the triggers below; the CHECK makes SQLite itself refuse
    -- any write that would hand out more seats than were bought.
    assigned INTEGER NOT NULL DEFAULT 0 CHECK (assigned >= 0 AND assigned <= purchased),
    created_at TEXT NOT NULL
  );
  CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'technician')),
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    password_hash TEXT,
    password_salt TEXT,
    password_iterations INTEGER,
    created_at TEXT NOT NULL,
    last_active_at TEXT
  );
  -- One row per held seat; the primary key is what makes "one user, at most one seat" hold.
  CREATE TABLE seats (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    expires_at TEXT
  );
  CREATE TRIGGER seats_count_insert AFTER INSERT ON seats
    BEGIN UPDATE subscription SET assigned = assigned + 1; END;
  CREATE TRIGGER seats_count_delete AFTER DELETE ON seats
    BEGIN UPDATE subscription SET assigned = assigned - 1; END;
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE INDEX api_tokens_user ON api_tokens(user_id);
  CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE login_failures (
    user_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX login_failures_user ON login_failures(user_id, at);
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_name TEXT,
    details TEXT NOT NULL DEFAULT '{}'
  );
  `,
  // 2: remembered answers to POST requests that carried an Idempotency-Key, so a retry replays them.
  `
  CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    response TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
  );
  CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);
  `,
  // 3: Expert Console sessions started by seat holders.
  `
  CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    computer TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE INDEX console_sessions_user ON console_sessions(user_id, started_at);
  `,
];

/** The version a fully migrated object is at. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the storage up to the newest schema (or up to `target`, which only tests use to build an
 * older schema). Returns the version it found. Safe to call on every construction.
 */
export function migrate(sql: Sql, storage: DurableObjectStorage, target = SCHEMA_VERSION): number {
  sql.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const found = sql.one<{ version: number }>('SELECT version FROM schema_version')?.version ?? 0;
  if (found === 0) sql.run('INSERT INTO schema_version (version) VALUES (0)');
  for (let version = found + 1; version <= target; version++) {
    storage.transactionSync(() => {
      sql.run(MIGRATIONS[version - 1]!);
      sql.run('UPDATE schema_version SET version = ?', version);
    });
  }
  return found;
}
