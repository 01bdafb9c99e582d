/**
 * What administrators do with users: invite them (with a seat unless told otherwise), renew an
 * invitation, rename them, change their role or status, and delete them. Deactivating or deleting
 * someone ends every way they had of acting. Creating and deleting a user also claim and free the
 * email in the EmailIndex; creating re-checks everything after that `await`.
 */
import type { Role } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import { decideAdminChange, decideAssign } from '../domain/seats';
import { authenticate, endAccess, type Actor, type Credential } from './access';
import { recordAudit } from './audit';
import { endSessionsOf } from './console';
import type { ObjectContext } from './context';
import { claimEmail, confirmEmail, releaseEmail } from './email-index';
import { closeSockets } from './live';
import { seatLeavesWithUser } from './revocations';
import { cancelRequestsOf } from './seat-requests';
import { giveSeat } from './seats';
import type { Sql } from './sql';
import { activeAdministrators, existingUser, findUser, notFound, seatHolders, subscriptionView, userRow } from './users';
import { toUser, type User } from './views';

export interface NewUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  assignSeat: boolean;
  invitationHash: string;
  invitationExpiresAt: string;
}

/**
 * Creates a user with an invitation, and a seat unless `assignSeat` is false. The email is claimed
 * service-wide first; that `await` lets other requests in, so the caller and the seat are checked
 * again before writing, and a refusal then frees the email.
 */
export async function createUser(
  object: ObjectContext,
  credential: Credential,
  input: NewUser,
): Promise<Result<{ user: User; invitationExpiresAt: string }>> {
  const { sql } = object;
  const before = checkCreate(sql, credential, input);
  if (!before.ok) return before;
  const subscriptionId = subscriptionView(sql).id;
  if (!(await claimEmail(object.emailIndex, input.email, subscriptionId, input.id))) return fail('email_taken', { email: input.email });
  // The claim let other requests in: decide again on what holds now.
  const actor = checkCreate(sql, credential, input);
  if (!actor.ok) {
    await releaseEmail(object.emailIndex, input.email, subscriptionId, input.id);
    return actor;
  }
  object.write(() => {
    sql.run(
      `INSERT INTO users (id, name, email, role, status, created_at) VALUES (?, ?, ?, ?, 'invited', ?)`,
      input.id,
      input.name,
      input.email,
      input.role,
      new Date().toISOString(),
    );
    recordAudit(sql, actor.value, 'user.created', { type: 'user', id: input.id, name: input.name }, { role: input.role, email: input.email });
    if (input.assignSeat) giveSeat(sql, actor.value, { id: input.id, name: input.name }, Date.now());
    insertInvitation(sql, input.id, input.invitationHash, input.invitationExpiresAt);
  });
  await confirmEmail(object.emailIndex, input.email, subscriptionId, input.id);
  return ok({ user: existingUser(sql, input.id), invitationExpiresAt: input.invitationExpiresAt });
}

/** Replaces an invited user's invitation link with a new one (the old link stops working). */
export function renewInvitation(object: ObjectContext, userId: string, invitation: { hash: string; expiresAt: string }): Result<User> {
  const { sql } = object;
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  if (user.value.status !== 'invited') {
    return fail('validation_failed', { detail: `${user.value.name} has already accepted their invitation.` });
  }
  object.write(() => insertInvitation(sql, userId, invitation.hash, invitation.expiresAt));
  return user;
}

/**
 * Renames a user, changes their role or status. Deactivating revokes their access; the last
 * active administrator keeps their role and status.
 */
export function updateUser(
  object: ObjectContext,
  actor: Actor,
  userId: string,
  change: { name?: string; role?: Role; status?: 'active' | 'deactivated' },
): Result<User> {
  const { sql } = object;
  const row = userRow(sql, userId);
  if (!row) return notFound('user');
  const user = toUser(row);
  const removesAdministrator =
    (change.role !== undefined && change.role !== 'administrator') || change.status === 'deactivated';
  const allowed = decideAdminChange({ ...user, activeAdministrators: activeAdministrators(sql), removesAdministrator });
  if (allowed !== 'allow') return allowed;

  const details: Record<string, unknown> = {};
  if (change.name !== undefined && change.name !== user.name) details.name = { from: user.name, to: change.name };
  if (change.role !== undefined && change.role !== user.role) details.role = { from: user.role, to: change.role };
  // Reactivating someone who never set a password returns them to "invited".
  const status =
    change.status === 'active' && user.status === 'deactivated' ? (row.has_password ? 'active' : 'invited') : change.status;
  if (status !== undefined && status !== user.status && !(status === 'active' && user.status === 'invited')) {
    details.status = { from: user.status, to: status };
  }
  if (Object.keys(details).length === 0) return ok(user);
  object.write(() => {
    sql.run(
      'UPDATE users SET name = ?, role = ?, status = ? WHERE id = ?',
      change.name ?? user.name,
      change.role ?? user.role,
      details.status ? status! : user.status,
      userId,
    );
    recordAudit(sql, actor, 'user.updated', { type: 'user', id: userId, name: change.name ?? user.name }, details);
    if (status === 'deactivated' && user.status !== 'deactivated') revokeAccess(object, actor, user, 'deactivated');
  });
  return findUser(sql, userId);
}

/** Deletes a user, revoking their access, then frees their email in the EmailIndex. */
export async function deleteUser(object: ObjectContext, actor: Actor, userId: string): Promise<Result<null>> {
  const { sql } = object;
  const row = userRow(sql, userId);
  if (!row) return notFound('user');
  const user = toUser(row);
  const allowed = decideAdminChange({ ...user, activeAdministrators: activeAdministrators(sql), removesAdministrator: true });
  if (allowed !== 'allow') return allowed;
  object.write(() => {
    revokeAccess(object, actor, user, 'deleted');
    sql.run('DELETE FROM invitations WHERE user_id = ?', userId);
    sql.run('DELETE FROM login_failures WHERE user_id = ?', userId);
    sql.run('DELETE FROM users WHERE id = ?', userId);
    recordAudit(sql, actor, 'user.deleted', { type: 'user', id: userId, name: user.name }, { email: user.email });
  });
  await releaseEmail(object.emailIndex, user.email, subscriptionView(sql).id, userId);
  return ok(null);
}

/** Whether an administrator may create this user now: the email is free here, and a seat if one is asked for. */
function checkCreate(sql: Sql, credential: Credential, input: NewUser): Result<Actor> {
  const actor = authenticate(sql, credential, 'administrator');
  if (!actor.ok) return actor;
  if (sql.one('SELECT id FROM users WHERE email = ?', input.email)) return fail('email_taken', { email: input.email });
  if (input.assignSeat) {
    const decision = decideAssign(
      subscriptionView(sql).seats,
      { id: input.id, name: input.name, status: 'invited', hasSeat: false },
      () => seatHolders(sql),
    );
    if (decision !== 'assign' && decision !== 'noop') return decision;
  }
  return actor;
}

function insertInvitation(sql: Sql, userId: string, hash: string, expiresAt: string): void {
  sql.run('DELETE FROM invitations WHERE user_id = ?', userId);
  sql.run(
    'INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    hash,
    userId,
    new Date().toISOString(),
    expiresAt,
  );
}

/** Frees the user's seat and ends every way they had of acting: sessions, tokens, live sockets. */
function revokeAccess(object: ObjectContext, actor: Actor, user: User, reason: 'deactivated' | 'deleted'): void {
  const { sql } = object;
  const now = Date.now();
  endSessionsOf(sql, user.id, reason, actor, now);
  seatLeavesWithUser(sql, actor, user, reason, now);
  cancelRequestsOf(sql, actor, user, now, reason);
  endAccess(sql, user.id);
  closeSockets(object.liveSockets(user.id));
}
