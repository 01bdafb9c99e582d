/**
 * Remembered answers to POST requests that carried an `Idempotency-Key`, per user. A key starts
 * "pending" (so a concurrent duplicate is refused rather than run twice) and is completed with the
 * answer, which retries then replay.
 */
import { fail, ok, type Result } from '../domain/result';
import type { Credential } from './access';
import type { Sql } from './sql';

export type IdempotencyStart = { state: 'new' } | { state: 'replay'; status: number; body: string };

const KEEP_MS = 48 * 3_600_000;
/** A pending key older than this is taken to belong to a request that died. */
const PENDING_MS = 60_000;

/** Starts a keyed request, or says to replay its answer, or refuses a misuse of the key. */
export function beginIdempotent(sql: Sql, userId: string, key: string, fingerprint: string, now: number): Result<IdempotencyStart> {
  sql.run('DELETE FROM idempotency_keys WHERE created_at < ?', now - KEEP_MS);
  const row = sql.one<{ fingerprint: string; status: number | null; response: string | null; created_at: number }>(
    'SELECT fingerprint, status, response, created_at FROM idempotency_keys WHERE user_id = ? AND key = ?',
    userId,
    key,
  );
  if (row && row.fingerprint !== fingerprint) {
    return fail('idempotency_key_reused', {
      detail: 'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
    });
  }
  if (row && row.status !== null) return ok({ state: 'replay', status: row.status, body: row.response ?? '' });
  if (row && now - row.created_at < PENDING_MS) {
    return fail('idempotency_in_progress', {
      detail: 'A request with this Idempotency-Key is still being processed. Retry in a moment.',
    });
  }
  sql.run(
    `INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, key) DO UPDATE SET created_at = excluded.created_at`,
    userId,
    key,
    fingerprint,
    now,
  );
  return ok({ state: 'new' });
}

/**
 * Stores the answer. Server errors are forgotten so that a retry runs again. The request may have
 * signed the caller out or revoked their access: the key is theirs still.
 */
export function completeIdempotent(sql: Sql, credential: Credential, key: string, status: number, body: string): void {
  const table = credential.kind === 'session' ? 'sessions' : 'api_tokens';
  const userId = sql.one<{ user_id: string }>(`SELECT user_id FROM ${table} WHERE token_hash = ?`, credential.hash)?.user_id;
  if (!userId) return;
  if (status >= 500) sql.run('DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?', userId, key);
  else sql.run('UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND key = ?', status, body, userId, key);
}
