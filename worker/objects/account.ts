/**
 * Signing up, signing in and accepting an invitation. Passwords are hashed and verified in the
 * Worker; these functions store the outcome and start the session. Sign-up is the one step here
 * that awaits something outside the object (the email claim), so it checks again after it.
 */
import type { PasswordHash } from '../crypto';
import type { Role } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import { insertSession, loginThrottle, recordLoginFailure, type Credential, type NewSession } from './access';
import { recordAudit } from './audit';
import type { ObjectContext } from './context';
import { setPassword, storedPassword, type StoredPassword } from './credentials';
import { claimEmail, confirmEmail, releaseEmail } from './email-index';
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
  session: NewSession;
}

/** Creates the subscription with its first user, an administrator, signed in. */
export async function initialize(object: ObjectContext, input: Signup): Promise<Result<Account>> {
  const { sql } = object;
  if (sql.one('SELECT id FROM subscription')) return fail('forbidden', { detail: 'Subscription exists.' });
  if (!(await claimEmail(object.emailIndex, input.email, input.subscriptionId, input.userId))) {
    return fail('email_taken', { email: input.email });
  }
  if (sql.one('SELECT id FROM subscription')) {
    await releaseEmail(object.emailIndex, input.email, input.subscriptionId, input.userId);
    return fail('forbidden', { detail: 'Subscription exists.' });
  }
  const now = new Date().toISOString();
  object.write(() => {
    sql.run(
      'INSERT INTO subscription (id, name, purchased, created_at) VALUES (?, ?, ?, ?)',
      input.subscriptionId,
      input.organization,
      input.seats,
      now,
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
      now,
      now,
    );
    const actor = { id: input.userId, name: input.name, role: 'administrator' as const };
    recordAudit(sql, actor, 'subscription.created', { type: 'subscription', id: input.subscriptionId, name: input.organization }, {
      seats: input.seats,
    });
    recordAudit(sql, actor, 'user.created', { type: 'user', id: input.userId, name: input.name }, { role: 'administrator' });
    if (input.assignSeat) giveSeat(sql, actor, { id: input.userId, name: input.name }, Date.now());
    insertSession(sql, input.userId, input.session);
  });
  await confirmEmail(object.emailIndex, input.email, input.subscriptionId, input.userId);
  return ok(accountOf(sql, input.userId));
}

/** The stored password of the user with this email, unless sign-ins to it are throttled. */
export function passwordFor(sql: Sql, email: string): Result<StoredPassword | null> {
  const user = sql.one<{ id: string }>('SELECT id FROM users WHERE email = ?', email);
  const stored = user ? storedPassword(sql, user.id) : null;
  if (!stored) return ok(null);
  return loginThrottle(sql, stored.userId) ?? ok(stored);
}

/** Counts a failed password check; after a match, signs the user in unless deactivated. */
export function completeLogin(object: ObjectContext, userId: string, passwordMatched: boolean, session: NewSession): Result<Account> {
  const { sql } = object;
  if (!passwordMatched) {
    recordLoginFailure(sql, userId);
    return fail('invalid_credentials', {});
  }
  const user = userRow(sql, userId);
  if (!user) return fail('invalid_credentials', {});
  if (user.status === 'deactivated') {
    return fail('forbidden', { detail: 'This account is deactivated. Ask an administrator to reactivate it.' });
  }
  object.write(() => {
    sql.run('DELETE FROM login_failures WHERE user_id = ?', userId);
    insertSession(sql, userId, session);
    sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', new Date().toISOString(), userId);
  });
  return ok(accountOf(sql, userId));
}

/** Sets an invited user's password from their invitation link, activates them and signs them in. */
export function acceptInvitation(object: ObjectContext, invitationHash: string, password: PasswordHash, session: NewSession): Result<Account> {
  const { sql } = object;
  const invitation = sql.one<{ user_id: string; expires_at: string }>(
    'SELECT user_id, expires_at FROM invitations WHERE token_hash = ?',
    invitationHash,
  );
  const user = invitation ? userRow(sql, invitation.user_id) : null;
  if (!invitation || !user || invitation.expires_at <= new Date().toISOString() || user.status !== 'invited') {
    return fail('invitation_invalid', {
      detail: 'This invitation link is invalid, already used or expired. Ask an administrator for a new one.',
    });
  }
  object.write(() => {
    sql.run('DELETE FROM invitations WHERE user_id = ?', user.id);
    setPassword(sql, user.id, password);
    sql.run("UPDATE users SET status = 'active', last_active_at = ? WHERE id = ?", new Date().toISOString(), user.id);
    const self = { id: user.id, name: user.name, role: user.role as Role };
    recordAudit(sql, self, 'user.activated', { type: 'user', id: user.id, name: user.name });
    insertSession(sql, user.id, session);
  });
  return ok(accountOf(sql, user.id));
}

/** Ends the session behind a credential; an API token stays (tokens are revoked, not signed out). */
export function logout(sql: Sql, credential: Credential): Result<null> {
  if (credential.kind === 'session') sql.run('DELETE FROM sessions WHERE token_hash = ?', credential.hash);
  return ok(null);
}
