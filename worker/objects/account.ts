/**
 * Signing up, signing in and accepting an invitation. Passwords are hashed and verified in the
 * Worker; these functions store the outcome and sign the device in. Sign-up also claims the email
 * in the EmailIndex, which the Subscription object does around `createSubscription` (it awaits).
 */
import type { PasswordHash } from '../crypto';
import type { Role } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import { addDevice, type Credential, type NewDevice } from './access';
import { recordAudit } from './audit';
import { invitationLinkInvalid, invitedUser, setPassword, storedPassword, type StoredPassword } from './credentials';
import { giveSeat } from './seats';
import type { Sql } from './sql';
import { accountOf, userRow } from './users';
import type { Account } from './views';

export interface Signup {
  subscriptionId: string;
  organization: string;
  name: string;
  email: string;
  userId: string;
  password: PasswordHash;
  seats: number;
  assignSeat: boolean;
  device: NewDevice;
}

/**
 * A refusal when this object already holds a subscription. Its id comes from a sign-up
 * confirmation link, so this is that link used a second time.
 */
export function checkNewSubscription(sql: Sql): Result<null> {
  return sql.one('SELECT id FROM subscription')
    ? fail('confirmation_invalid', { detail: 'This confirmation link was already used: the subscription exists. Sign in with your email and password.' })
    : ok(null);
}

/** Creates the subscription with its first user, an administrator, signed in. */
export function createSubscription(sql: Sql, input: Signup, now: number): Result<Account> {
  const fresh = checkNewSubscription(sql);
  if (!fresh.ok) return fresh;
  const at = new Date(now).toISOString();
  sql.run(
    'INSERT INTO subscription (id, name, purchased, created_at) VALUES (?, ?, ?, ?)',
    input.subscriptionId,
    input.organization,
    input.seats,
    at,
  );
  sql.run(
    `INSERT INTO users (id, name, email, role, status, password_hash, password_salt, password_iterations,
       created_at, last_active_at) VALUES (?, ?, ?, 'administrator', 'active', ?, ?, ?, ?, ?)`,
    input.userId,
    input.name,
    input.email,
    input.password.hash,
    input.password.salt,
    input.password.iterations,
    at,
    at,
  );
  const actor = { id: input.userId, name: input.name, role: 'administrator' as const };
  recordAudit(sql, now, actor, 'subscription.created', { type: 'subscription', id: input.subscriptionId, name: input.organization }, {
    seats: input.seats,
  });
  recordAudit(sql, now, actor, 'user.created', { type: 'user', id: input.userId, name: input.name }, { role: 'administrator' });
  if (input.assignSeat) giveSeat(sql, actor, { id: input.userId, name: input.name }, now);
  addDevice(sql, input.userId, input.device, now);
  return ok(accountOf(sql, input.userId));
}

/**
 * The stored password of the active user with this email, for the Worker to verify; null for
 * anyone else. A deactivated user's password is not handed out, so the Worker checks it against
 * its decoy and answers exactly as for a wrong password: whether an account is deactivated shows
 * to no one. (Sign-in throttling happens before this, in the email index.)
 */
export function passwordFor(sql: Sql, email: string): Result<StoredPassword | null> {
  const user = sql.one<{ id: string }>("SELECT id FROM users WHERE email = ? AND status = 'active'", email);
  return ok(user ? storedPassword(sql, user.id) : null);
}

/** Signs a user in whose password matched; one deactivated meanwhile gets the wrong-password answer. */
export function completeLogin(sql: Sql, userId: string, device: NewDevice, now: number): Result<Account> {
  const user = userRow(sql, userId);
  if (!user || user.status !== 'active') return fail('invalid_credentials', {});
  addDevice(sql, userId, device, now);
  sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', new Date(now).toISOString(), userId);
  return ok(accountOf(sql, userId));
}

/** Sets an invited user's password from their invitation link, activates them and signs them in. */
export function acceptInvitation(sql: Sql, invitationHash: string, password: PasswordHash, device: NewDevice, now: number): Result<Account> {
  const at = new Date(now).toISOString();
  const userId = invitedUser(sql, invitationHash, now);
  const user = userId ? userRow(sql, userId) : null;
  if (!user || user.status !== 'invited') return invitationLinkInvalid();
  sql.run('DELETE FROM invitations WHERE user_id = ?', user.id);
  setPassword(sql, user.id, password);
  sql.run("UPDATE users SET status = 'active', last_active_at = ? WHERE id = ?", at, user.id);
  const self = { id: user.id, name: user.name, role: user.role as Role };
  recordAudit(sql, now, self, 'user.activated', { type: 'user', id: user.id, name: user.name });
  addDevice(sql, user.id, device, now);
  return ok(accountOf(sql, user.id));
}

/** Signs out the device behind a credential; an API token stays (tokens are revoked, not signed out). */
export function logout(sql: Sql, credential: Credential): Result<null> {
  if (credential.kind === 'device') sql.run('DELETE FROM devices WHERE token_hash = ?', credential.hash);
  return ok(null);
}
