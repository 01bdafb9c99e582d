/**
 * A user's account security: their signed-in devices, their password (changed, or reset from an
 * emailed link) and their passkeys. Hashing and WebAuthn verification happen in the Worker; these
 * functions store the outcome.
 */
import type { Passkey, Role } from '../contract';
import { constantTimeEqual, type PasswordHash } from '../crypto';
import { fail, ok, type Result } from '../domain/result';
import { addDevice, type Actor, type Credential, type NewDevice } from './access';
import { recordAudit } from './audit';
import { consumeChallenge, type UsedChallenge } from './challenges';
import {
  insertPasskey,
  insertPasswordReset,
  passwordResetUser,
  setPassword,
  storedPasskey,
  storedPassword,
  userPasskeys,
  type NewPasskey,
  type StoredPasskey,
} from './credentials';
import type { Sql } from './sql';
import { accountOf, existingUser, userRow } from './users';
import type { Account } from './views';

// ── Devices ──────────────────────────────────────────────────────────────────────────────────

/** Signs one of the actor's devices out. */
export function signOutDevice(sql: Sql, actor: Actor, deviceId: string): Result<null> {
  const ended = sql.run('DELETE FROM devices WHERE id = ? AND user_id = ?', deviceId, actor.id);
  return ended ? ok(null) : fail('not_found', { detail: 'No such device of yours.' });
}

/**
 * Ends the device whose sign-out proof hashes to `signOutHash`: one that already signed itself out
 * in the browser (deleting its key, maybe offline) and says so at its next contact. Nothing
 * happens for a proof that matches no device (ended before, or never one of ours).
 */
export function endSignedOutDevice(sql: Sql, signOutHash: string): Result<null> {
  sql.run('DELETE FROM devices WHERE sign_out_hash = ?', signOutHash);
  return ok(null);
}

/** Signs every device of the actor out except the one behind `credential`. */
export function signOutOtherDevices(sql: Sql, actor: Actor, credential: Credential): Result<{ ended: number }> {
  const ended = sql.run('DELETE FROM devices WHERE user_id = ? AND token_hash != ?', actor.id, credential.hash);
  return ok({ ended });
}

// ── Passwords ────────────────────────────────────────────────────────────────────────────────

/** A password change: the present password hashed with its stored salt, and the new one's hash. */
export interface PasswordChange {
  current: string;
  password: PasswordHash;
}

/**
 * Sets the actor's new password and signs their other devices out, if `current` is their present
 * password hashed (by the Worker) with its stored salt: checked here, in the same transaction.
 */
export function changePassword(sql: Sql, actor: Actor, credential: Credential, change: PasswordChange, now: number): Result<null> {
  const stored = storedPassword(sql, actor.id);
  if (!stored || !constantTimeEqual(change.current, stored.hash)) return fail('invalid_credentials', {});
  setPassword(sql, actor.id, change.password);
  sql.run('DELETE FROM devices WHERE user_id = ? AND token_hash != ?', actor.id, credential.hash);
  recordAudit(sql, now, actor, 'user.password_changed', { type: 'user', id: actor.id, name: actor.name });
  return ok(null);
}

/** Stores a reset token for an active user with this email; null (nothing stored) for anyone else. */
export function startPasswordReset(
  sql: Sql,
  email: string,
  tokenHash: string,
  now: number,
): Result<{ name: string; email: string; expiresAt: string } | null> {
  const user = sql.one<{ id: string; name: string; email: string }>(
    "SELECT id, name, email FROM users WHERE email = ? AND status = 'active'",
    email,
  );
  if (!user) return ok(null);
  const expiresAt = insertPasswordReset(sql, user.id, tokenHash, now);
  return ok({ name: user.name, email: user.email, expiresAt });
}

/** Sets a new password from a reset link (once), signs every device out, and signs this one in. */
export function completePasswordReset(sql: Sql, tokenHash: string, password: PasswordHash, device: NewDevice, now: number): Result<Account> {
  const userId = passwordResetUser(sql, tokenHash, now);
  const user = userId ? userRow(sql, userId) : null;
  if (!user || user.status !== 'active') {
    return fail('invitation_invalid', {
      detail: 'This password reset link is invalid, already used or expired. Ask for a new one.',
    });
  }
  sql.run('DELETE FROM password_resets WHERE user_id = ?', user.id);
  sql.run('DELETE FROM devices WHERE user_id = ?', user.id);
  sql.run('DELETE FROM login_failures WHERE user_id = ?', user.id);
  setPassword(sql, user.id, password);
  const self = { id: user.id, name: user.name, role: user.role as Role };
  recordAudit(sql, now, self, 'user.password_reset', { type: 'user', id: user.id, name: user.name });
  addDevice(sql, user.id, device, now);
  return ok(accountOf(sql, user.id));
}

// ── Passkeys ─────────────────────────────────────────────────────────────────────────────────

/** Why a passkey that is not (or no longer) an active user's passkey here signs nobody in. */
export const PASSKEY_NOT_ACCEPTED =
  'This passkey was not accepted: it may have been removed from your account. Sign in with your password.';

/** Who is registering a passkey, and the passkeys they already have. */
export function passkeyOwner(sql: Sql, actor: Actor): Result<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
  const user = existingUser(sql, actor.id);
  const passkeyIds = userPasskeys(sql, user.id).map((p) => p.id);
  return ok({ userId: user.id, name: user.name, email: user.email, passkeyIds });
}

/** What a refused challenge answers: it was used before (or is a replay of one that was). */
const challengeUsed = () =>
  fail('passkey_expired', { detail: 'This passkey request was already used. Start again to get a new one.' });

/**
 * Stores a verified passkey for the actor, using up the registration's challenge (once); answers
 * with all of theirs.
 */
export function addPasskey(sql: Sql, actor: Actor, passkey: NewPasskey, challenge: UsedChallenge, now: number): Result<Passkey[]> {
  if (!consumeChallenge(sql, challenge, now)) return challengeUsed();
  insertPasskey(sql, actor.id, passkey, now);
  recordAudit(sql, now, actor, 'passkey.added', { type: 'user', id: actor.id, name: actor.name }, { passkey: passkey.name });
  return ok(userPasskeys(sql, actor.id));
}

/** A passkey presented at sign-in, if it belongs to an active user here. */
export function passkeyForLogin(sql: Sql, userId: string, credentialId: string): Result<StoredPasskey | null> {
  const user = userRow(sql, userId);
  if (!user || user.status !== 'active') return ok(null);
  return ok(storedPasskey(sql, userId, credentialId));
}

/** A passkey sign-in the Worker verified: whose passkey, its new signature counter, and the challenge it answered. */
export interface PasskeyLogin {
  userId: string;
  credentialId: string;
  counter: number;
  challenge: UsedChallenge;
}

/**
 * Records a verified passkey sign-in (its new signature counter) and signs the device in, using up
 * the challenge it answered: the same assertion sent again is refused.
 */
export function completePasskeyLogin(sql: Sql, login: PasskeyLogin, device: NewDevice, now: number): Result<Account> {
  const { userId, credentialId, counter } = login;
  const user = userRow(sql, userId);
  if (!user || user.status !== 'active' || !storedPasskey(sql, userId, credentialId)) {
    return fail('passkey_invalid', { detail: PASSKEY_NOT_ACCEPTED });
  }
  if (!consumeChallenge(sql, login.challenge, now)) return challengeUsed();
  const at = new Date(now).toISOString();
  sql.run('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?', counter, at, credentialId);
  sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', at, userId);
  addDevice(sql, userId, device, now);
  return ok(accountOf(sql, userId));
}

/** Removes one of the actor's passkeys. */
export function deletePasskey(sql: Sql, actor: Actor, passkeyId: string, now: number): Result<null> {
  if (!sql.run('DELETE FROM passkeys WHERE id = ? AND user_id = ?', passkeyId, actor.id)) {
    return fail('not_found', { detail: 'No such passkey of yours.' });
  }
  recordAudit(sql, now, actor, 'passkey.removed', { type: 'user', id: actor.id, name: actor.name });
  return ok(null);
}
