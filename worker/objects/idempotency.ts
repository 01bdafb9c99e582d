/**
 * Answers to POST requests that carried an `Idempotency-Key`, per user, kept 48 hours. The answer
 * (the call's result, as JSON) is written in the same transaction as the call's work, so a key is
 * either unused or done with its answer: after any crash a retry gets the answer, or runs for the
 * first time, never a second time. No "pending" state is stored; a request still running (only
 * possible across an await) is known to the object's memory alone, which a restart forgets.
 */
import { fail, type Failure, type Result } from '../domain/result';
import type { IdempotencyKey } from './call';
import type { Sql } from './sql';

const KEEP_MS = 48 * 3_600_000;

/** What an earlier request with the same key left. */
export type Prior =
  | { kind: 'answer'; result: Result<unknown> }
  | { kind: 'stored'; status: number; body: string }
  | { kind: 'refused'; failure: Failure };

/** The answer stored for this user's key, a refusal if the key came with another request, or null. */
export function priorAnswer(sql: Sql, userId: string, key: IdempotencyKey, now: number): Prior | null {
  sql.run('DELETE FROM idempotency_keys WHERE created_at < ?', now - KEEP_MS);
  const row = sql.one<{ fingerprint: string; result: string | null; status: number | null; response: string | null }>(
    'SELECT fingerprint, result, status, response FROM idempotency_keys WHERE user_id = ? AND key = ?',
    userId,
    key.key,
  );
  if (!row) return null;
  if (row.fingerprint !== key.fingerprint) return { kind: 'refused', failure: keyReused() };
  if (row.result !== null) return { kind: 'answer', result: JSON.parse(row.result) as Result<unknown> };
  // Stored before migration 7 as the HTTP response itself.
  return { kind: 'stored', status: row.status ?? 500, body: row.response ?? '' };
}

/** Stores the answer to a user's key; call it in the transaction that did the work. */
export function storeAnswer(sql: Sql, userId: string, key: IdempotencyKey, result: Result<unknown>, now: number): void {
  sql.run(
    'INSERT INTO idempotency_keys (user_id, key, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?)',
    userId,
    key.key,
    key.fingerprint,
    JSON.stringify(result),
    now,
  );
}

export function keyReused(): Failure {
  return fail('idempotency_key_reused', {
    detail: 'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
  });
}

export function keyInProgress(): Failure {
  return fail('idempotency_in_progress', {
    detail: 'A request with this Idempotency-Key is still being processed. Retry in a second.',
  });
}
