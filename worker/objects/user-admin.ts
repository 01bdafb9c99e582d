/**
 * What administrators do with users: invite them (with a seat unless told otherwise), renew an
 * invitation, rename them, change their role or status, and delete them. Deactivating or deleting
 * someone ends every way they had of acting. Creating and deleting a user also claim and free the
 * email in the EmailIndex: the Subscription object does that around these functions (it awaits),
 * and `createUser` checks everything again after the claim.
 */
import type { Role } from '../contract';
import { fail, ok, type Failure, type Result } from '../domain/result';
import { decideAdminChange, decideAssign } from '../domain/seats';
import { endAccess, type Actor } from './access';
import { recordAudit } from './audit';
import { storeLink } from './credentials';
import { endSessionsOf } from './console';
import { seatLeavesWithUser } from './revocations';
import { cancelRequestsOf } from './seat-requests';
import { giveSeat } from './seats';
import type { Sql } from './sql';
import { activeAdministrators, existingUser, findUser, notFound, seatHolders, subscriptionView, userRow } from './users';
import { toUser, type User } from './views';
import { poolById, roomFor, setManagedPools, setUserPool } from './pools';

export interface NewUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  assignSeat: boolean;
  /** The team pool whose seats they use (null: shared). */
  poolId: string | null;
  /** For a team manager: the pools they manage. */
  pools: string[];
  invitationHash: string;
  invitationExpiresAt: string;
}

/** What an administrator may change about a user. */
export interface UserChange {
  name?: string;
  role?: Role;
  status?: 'active' | 'deactivated';
  /** Handled by schedules.ts (setUserSchedule), in the same call. */
  scheduleId?: string | null;
  /** With `scheduleId`: put them on it even if some hour of the coming week then wants more seats than purchased. */
  confirm?: boolean;
  poolId?: string | null;
  pools?: string[];
}

/**
 * Creates a user with an invitation, and a seat unless `assignSeat` is false. The email was
 * claimed service-wide first, which let other requests run: everything is checked again here.
 */
export function createUser(sql: Sql, actor: Actor, input: NewUser, now: number): Result<{ user: User; invitationExpiresAt: string }> {
  const allowed = checkCreate(sql, input, now);
  if (!allowed.ok) return allowed;
  sql.run(
    `INSERT INTO users (id, name, email, role, status, created_at, pool_id, team_manager) VALUES (?, ?, ?, ?, 'invited', ?, ?, ?)`,
    input.id,
    input.name,
    input.email,
    storedRole(input.role),
    new Date(now).toISOString(),
    input.poolId,
    input.role === 'team_manager' ? 1 : 0,
  );
  const managed = setManagedPools(sql, input.id, input.role === 'team_manager' ? input.pools : []);
  if (!managed.ok) return managed;
  const pool = input.poolId ? { poolId: input.poolId } : {};
  const pools = input.role === 'team_manager' ? { pools: input.pools } : {};
  recordAudit(sql, now, actor, 'user.created', { type: 'user', id: input.id, name: input.name }, { role: input.role, email: input.email, ...pool, ...pools });
  if (input.assignSeat) giveSeat(sql, actor, { id: input.id, name: input.name }, now);
  storeLink(sql, 'invitations', { userId: input.id, hash: input.invitationHash, expiresAt: input.invitationExpiresAt }, now);
  return ok({ user: existingUser(sql, input.id), invitationExpiresAt: input.invitationExpiresAt });
}

/**
 * What a retry of a user's creation answers: the invitation link was shown once and is not kept,
 * so the retry says what was created and how to get a new link.
 */
export function createdOnce({ user }: { user: User }): Failure {
  return fail('idempotency_replay_secret', {
    resource: { type: 'user', id: user.id },
    detail:
      `The first request with this Idempotency-Key created ${user.name} (${user.id}). Its invitation link was shown ` +
      `only in that answer: for a new link, renew the invitation (POST /api/v1/users/${user.id}/invitation).`,
  });
}

/** What a retry of an invitation's renewal answers: the new link was shown once and is not kept. */
export function renewedOnce(user: User): Failure {
  return fail('idempotency_replay_secret', {
    resource: { type: 'user', id: user.id },
    detail:
      `The first request with this Idempotency-Key renewed the invitation of ${user.name} (${user.id}). Its link was ` +
      'shown only in that answer: renew the invitation again (with a new key) for a new link.',
  });
}

/** Replaces an invited user's invitation link with a new one (the old link stops working). */
export function renewInvitation(sql: Sql, userId: string, invitation: { hash: string; expiresAt: string }, now: number): Result<User> {
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  if (user.value.status !== 'invited') {
    return fail('validation_failed', { detail: `${user.value.name} has already accepted their invitation.` });
  }
  storeLink(sql, 'invitations', { userId, ...invitation }, now);
  return user;
}

/**
 * Renames a user, changes their role or status. Deactivating revokes their access; the last
 * active administrator keeps their role and status.
 */
export function updateUser(sql: Sql, actor: Actor, userId: string, change: UserChange, now: number): Result<User> {
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
  const role = change.role ?? user.role;
  const pools = role === 'team_manager' ? (change.pools ?? user.pools) : [];
  if (pools.join() !== user.pools.join()) {
    const managed = setManagedPools(sql, userId, pools);
    if (!managed.ok) return managed;
    details.pools = { from: user.pools, to: pools };
  }
  if (change.poolId !== undefined && change.poolId !== user.poolId) {
    const moved = setUserPool(sql, actor, { id: userId, name: user.name, hasSeat: user.seat !== null }, change.poolId, now);
    if (!moved.ok) return moved;
  }
  if (Object.keys(details).length === 0) return findUser(sql, userId);
  sql.run(
    'UPDATE users SET name = ?, role = ?, team_manager = ?, status = ? WHERE id = ?',
    change.name ?? user.name,
    storedRole(role),
    role === 'team_manager' ? 1 : 0,
    details.status ? status! : user.status,
    userId,
  );
  recordAudit(sql, now, actor, 'user.updated', { type: 'user', id: userId, name: change.name ?? user.name }, details);
  if (status === 'deactivated' && user.status !== 'deactivated') revokeAccess(sql, actor, user, 'deactivated', now);
  return findUser(sql, userId);
}

/**
 * Deletes a user, revoking their access. Answers with the user as they were: the Subscription
 * object frees their email in the EmailIndex once this has committed.
 */
export function deleteUser(sql: Sql, actor: Actor, userId: string, now: number): Result<User> {
  const row = userRow(sql, userId);
  if (!row) return notFound('user');
  const user = toUser(row);
  const allowed = decideAdminChange({ ...user, activeAdministrators: activeAdministrators(sql), removesAdministrator: true });
  if (allowed !== 'allow') return allowed;
  revokeAccess(sql, actor, user, 'deleted', now);
  sql.run('DELETE FROM users WHERE id = ?', userId);
  recordAudit(sql, now, actor, 'user.deleted', { type: 'user', id: userId, name: user.name }, { email: user.email });
  return ok(user);
}

/** Whether this user may be created now: the email is free here, and a seat if one is asked for. */
export function checkCreate(sql: Sql, input: NewUser, now: number): Result<null> {
  if (sql.one('SELECT id FROM users WHERE email = ?', input.email)) return fail('email_taken', { email: input.email });
  if (input.poolId !== null && !poolById(sql, input.poolId)) {
    return fail('validation_failed', { detail: `No pool ${input.poolId} in this subscription. Create it first (Policies › Team pools).` });
  }
  if (input.assignSeat) {
    const decision = decideAssign(
      subscriptionView(sql).seats,
      { id: input.id, name: input.name, status: 'invited', hasSeat: false },
      () => seatHolders(sql, now),
    );
    const refused = decision === 'assign' || (decision !== 'noop' && decision.code === 'no_seats_available') ? roomFor(sql, now, input.id, undefined, input.poolId) : null;
    if (refused) return refused;
    if (decision !== 'assign' && decision !== 'noop') return decision;
  }
  return ok(null);
}

/** Team managers are stored as technicians with `team_manager` set (the role column's CHECK predates them). */
const storedRole = (role: Role): 'administrator' | 'technician' => (role === 'team_manager' ? 'technician' : role);

/**
 * Frees the user's seat and ends every way they had of acting: console sessions, devices, tokens,
 * and the links that would let them back in: a pending invitation or password reset issued before
 * this stays void after a reactivation (an administrator renews the invitation; the user asks for
 * a new reset). (Their live sockets are closed by the object once this has committed.)
 */
function revokeAccess(sql: Sql, actor: Actor, user: User, reason: 'deactivated' | 'deleted', now: number): void {
  endSessionsOf(sql, user.id, reason, actor, now);
  seatLeavesWithUser(sql, actor, user, reason, now);
  cancelRequestsOf(sql, actor, user, now, reason);
  endAccess(sql, user.id);
  sql.run('DELETE FROM invitations WHERE user_id = ?', user.id);
  sql.run('DELETE FROM password_resets WHERE user_id = ?', user.id);
}
