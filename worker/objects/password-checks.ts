/**
 * Throttling a signed-in user's current-password checks (changing the password, confirming it is
 * them before creating a token or passkey) like sign-in: 10 failures in 15 minutes, then
 * `rate_limited` with when to try again. The check and the count are one step: `checkPassword`
 * refuses before comparing once the limit is reached, and the caller counts a mismatch with
 * `countFailedCheck` (write-path `onRefusal`) before any other request runs, so parallel guesses
 * cannot try more than the limit. The count is its own (`password_checks`), apart from sign-in's:
 * someone holding a stolen device cannot lock its owner out of signing in.
 */
import { constantTimeEqual } from '../crypto';
import { fail, ok, type Failure, type Result } from '../domain/result';
import { storedPassword } from './credentials';
import type { Sql } from './sql';

export const PASSWORD_CHECK_WINDOW_MS = 15 * 60_000;
export const PASSWORD_CHECK_MAX_FAILURES = 10;

/**
 * Whether `hashed` (the password the user typed, hashed by the Worker with their stored salt) is
 * their password: `invalid_credentials` if not, `rate_limited` without comparing once they failed
 * too often in the window before `now`.
 */
export function checkPassword(sql: Sql, userId: string, hashed: string, now: number): Result<null> {
  const throttled = checkThrottle(sql, userId, now);
  if (throttled) return throttled;
  const stored = storedPassword(sql, userId);
  return stored && constantTimeEqual(hashed, stored.hash) ? ok(null) : fail('invalid_credentials', {});
}

/** Counts a failed check at `now` (and forgets those older than the window). For write-path `onRefusal`. */
export function countFailedCheck(sql: Sql, userId: string, failure: Failure, now: number): void {
  if (failure.code !== 'invalid_credentials') return;
  sql.run('DELETE FROM password_checks WHERE at < ?', now - PASSWORD_CHECK_WINDOW_MS);
  sql.run('INSERT INTO password_checks (user_id, at) VALUES (?, ?)', userId, now);
}

/** After a check that passed, or a new password: earlier failures no longer count. */
export function forgetFailedChecks(sql: Sql, userId: string): void {
  sql.run('DELETE FROM password_checks WHERE user_id = ?', userId);
}

function checkThrottle(sql: Sql, userId: string, now: number): Failure | null {
  const failures = sql.all<{ at: number }>(
    'SELECT at FROM password_checks WHERE user_id = ? AND at >= ? ORDER BY at',
    userId,
    now - PASSWORD_CHECK_WINDOW_MS,
  );
  if (failures.length < PASSWORD_CHECK_MAX_FAILURES) return null;
  const retryAfterSeconds = Math.max(1, Math.ceil((failures[0]!.at + PASSWORD_CHECK_WINDOW_MS - now) / 1000));
  return fail('rate_limited', {
    retryAfterSeconds,
    detail:
      `Too many wrong passwords. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes, or, if you forgot it, ` +
      'sign out and use "Forgot password?".',
  });
}
