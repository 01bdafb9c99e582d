/**
 * A user's account security: their signed-in devices, their password (changed, or reset from an
 * emailed link) and their passkeys. Hashing and WebAuthn verification happen in the Worker; these
 * functions store the outcome. Recovery evicts whoever else got in: a reset removes every device,
 * API token and passkey of the user; a change signs out the other devices, and revokes tokens and
 * removes passkeys when asked.
 */
import type { PasswordChanged, Passkey, RecoveredAccount, RemovedAccess, Role } from '../contract';
import type { PasswordHash } from '../crypto';
import { removedSentence } from '../domain/recovery';
import { fail, ok, type Result } from '../domain/result';
import { addDevice, type Actor, type Credential, type NewDevice } from './access';
import { recordAudit } from './audit';
import { checkPassword, forgetFailedChecks } from './password-checks';
import { markAuthenticated, requireRecentSignIn } from './reauthentication';
import { challengeUsed, consumeChallenge, type UsedChallenge } from './challenges';
import {
  insertPasskey,
  insertPasswordReset,
  invitationLinkInvalid,
  invitedUser,
  passwordResetUser,
  resetLinkInvalid,
  setPassword,
  storedPasskey,
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

/**
 * A password change: the present password hashed with its stored salt, the new one's hash, and
 * whether to revoke the API tokens and remove the passkeys too.
 */
export interface PasswordChange {
  current: string;
  password: PasswordHash;
  revokeApiTokens: boolean;
  removePasskeys: boolean;
}

/**
 * Sets the actor's new password and signs their other devices out (and, if asked, revokes their
 * other API tokens and removes their passkeys), if `current` is their present password hashed (by
 * the Worker) with its stored salt: checked here, throttled, in the same transaction. A mismatch
 * is counted by the caller (`countFailedCheck` as the write path's `onRefusal`).
 */
export function changePassword(sql: Sql, actor: Actor, credential: Credential, change: PasswordChange, now: number): Result<PasswordChanged> {
  const checked = checkPassword(sql, actor.id, change.current, now);
  if (!checked.ok) return checked;
  forgetFailedChecks(sql, actor.id);
  setPassword(sql, actor.id, change.password);
  const removed = removeAccess(sql, actor.id, { apiTokens: change.revokeApiTokens, passkeys: change.removePasskeys }, credential);
  markAuthenticated(sql, credential, now);
  recordAudit(sql, now, actor, 'user.password_changed', { type: 'user', id: actor.id, name: actor.name }, { removed });
  return ok({ removed, detail: removedSentence(removed) });
}

/**
 * Removes a user's ways in: every device (but the one asking), and the API tokens (but the one
 * asking) and passkeys when told. Answers how many of each went.
 */
function removeAccess(sql: Sql, userId: string, also: { apiTokens: boolean; passkeys: boolean }, asking: Credential | null): RemovedAccess {
  const keep = (kind: Credential['kind']) => (asking?.kind === kind ? asking.hash : '');
  return {
    devices: sql.run('DELETE FROM devices WHERE user_id = ? AND token_hash != ?', userId, keep('device')),
    apiTokens: also.apiTokens ? sql.run('DELETE FROM api_tokens WHERE user_id = ? AND token_hash != ?', userId, keep('token')) : 0,
    passkeys: also.passkeys ? sql.run('DELETE FROM passkeys WHERE user_id = ?', userId) : 0,
  };
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

/**
 * The user a still-valid reset link (or invitation) belongs to: whose password is being chosen, for
 * the Worker's password policy. The write that uses the link checks it again.
 */
export function passwordLinkOwner(sql: Sql, link: 'reset' | 'invitation', tokenHash: string, now: number): Result<{ name: string; email: string }> {
  const userId = link === 'reset' ? passwordResetUser(sql, tokenHash, now) : invitedUser(sql, tokenHash, now);
  const user = userId ? userRow(sql, userId) : null;
  if (user && user.status === (link === 'reset' ? 'active' : 'invited')) return ok({ name: user.name, email: user.email });
  return link === 'reset' ? resetLinkInvalid() : invitationLinkInvalid();
}

/**
 * Sets a new password from a reset link (once) and evicts whoever else got in: every device is
 * signed out, every API token revoked, every passkey and push device removed; then this device is
 * signed in.
 * The answer says what was removed.
 */
export function completePasswordReset(
  sql: Sql,
  tokenHash: string,
  password: PasswordHash,
  device: NewDevice,
  now: number,
): Result<RecoveredAccount> {
  const userId = passwordResetUser(sql, tokenHash, now);
  const user = userId ? userRow(sql, userId) : null;
  if (!user || user.status !== 'active') return resetLinkInvalid();
  sql.run('DELETE FROM password_resets WHERE user_id = ?', user.id);
  forgetFailedChecks(sql, user.id);
  setPassword(sql, user.id, password);
  const removed = removeAccess(sql, user.id, { apiTokens: true, passkeys: true }, null);
  // Push devices are not signed in, but they are told about seat requests (names, reasons): one an
  // intruder registered must stop with the rest. The owner turns push on again on their own device.
  sql.run('DELETE FROM push_subscriptions WHERE user_id = ?', user.id);
  const self = { id: user.id, name: user.name, role: user.role as Role };
  recordAudit(sql, now, self, 'user.password_reset', { type: 'user', id: user.id, name: user.name }, { removed });
  addDevice(sql, user.id, device, now);
  return ok({ ...accountOf(sql, user.id), removed, detail: removedSentence(removed) });
}

// ── Passkeys ─────────────────────────────────────────────────────────────────────────────────

/** Why a passkey that is not (or no longer) an active user's passkey here signs nobody in. */
export const PASSKEY_NOT_ACCEPTED =
  'This passkey was not accepted: it may have been removed from your account. Sign in with your password.';

/**
 * Who is registering a passkey, and the passkeys they already have; refused unless the credential
 * asking signed in recently (a passkey is a lasting way in).
 */
export function passkeyOwner(
  sql: Sql,
  actor: Actor,
  credential: Credential,
  now: number,
): Result<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
  const stale = requireRecentSignIn(sql, credential, now, 'add a passkey');
  if (stale) return stale;
  const user = existingUser(sql, actor.id);
  const passkeyIds = userPasskeys(sql, user.id).map((p) => p.id);
  return ok({ userId: user.id, name: user.name, email: user.email, passkeyIds });
}

/**
 * Stores a verified passkey for the actor, if the credential asking signed in recently, using up
 * the registration's challenge (once); answers with all of theirs.
 */
export function addPasskey(sql: Sql, actor: Actor, credential: Credential, passkey: NewPasskey, challenge: UsedChallenge, now: number): Result<Passkey[]> {
  const stale = requireRecentSignIn(sql, credential, now, 'add a passkey');
  if (stale) return stale;
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
