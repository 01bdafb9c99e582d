/**
 * Seats follow directory groups: after every directory change that could matter to someone's seat
 * (membership, a group's "Members get a seat" switch, activation, deletion), each affected user's
 * seat is decided again by the pure rule in domain/group-seats.ts and written here, through
 * seats.ts and revocations.ts, in the same transaction. Members are taken in the order they
 * joined, so when seats run out the first to join are served first and the rest wait as seat
 * requests ("Directory group Support Tier 2"), which the waitlist fills as seats free.
 */
import { decideGroupSeat } from '../domain/group-seats';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { DEFAULT_CHOICE, releaseSeat, setSeatTerm } from './revocations';
import { nextServed } from './seat-requests';
import { giveSeat, storedCounts, target } from './seats';
import { hasRoom } from './pools';
import type { Sql } from './sql';

/** The reason a directory's seat request gives. */
export const directoryReason = (groupName: string) => `Directory group ${groupName}`;

/** Decides and writes the seat of each of these users (in this order) as their seat groups say. */
export function followGroups(sql: Sql, actor: Actor, userIds: Iterable<string>, now: number): void {
  for (const userId of userIds) followGroupsOf(sql, actor, userId, now);
}

type UserState = {
  id: string;
  name: string;
  status: string;
  held: number;
  via_group: string | null;
  seat_until: string | null;
  revoking: number;
  request_id: string | null;
  request_group: string | null;
  request_reason: string | null;
};

function followGroupsOf(sql: Sql, actor: Actor, userId: string, now: number): void {
  const user = sql.one<UserState>(
    `SELECT u.id, u.name, u.status, s.user_id IS NOT NULL AS held, s.via_group, s.expires_at AS seat_until,
       v.user_id IS NOT NULL AS revoking, r.id AS request_id, r.group_id AS request_group, r.reason AS request_reason
     FROM users u LEFT JOIN seats s ON s.user_id = u.id LEFT JOIN seat_revocations v ON v.user_id = s.user_id
       LEFT JOIN seat_requests r ON r.user_id = u.id AND r.status = 'pending'
     WHERE u.id = ?`,
    userId,
  );
  if (!user) return;
  const groups = seatGroupsOf(sql, userId);
  const decision = decideGroupSeat({
    status: user.status as 'invited' | 'active' | 'deactivated',
    seat: user.held ? { viaGroup: user.via_group } : null,
    seatGroups: groups.map((g) => g.id),
    waiting: user.request_group !== null,
    seatFree: storedCounts(sql).available > 0 && hasRoom(sql, userId) && nextServed(sql) === null,
  });
  const person = { id: user.id, name: user.name };
  const groupOf = (id: string) => groups.find((g) => g.id === id)!;
  switch (decision.action) {
    case 'none':
      // Back in a seat group while their group seat was being taken: they keep it after all.
      if (user.held && user.revoking && user.via_group && groups.length > 0) setSeatTerm(sql, actor, person, user.seat_until, now);
      return;
    case 'give': {
      const group = groupOf(decision.group);
      giveSeat(sql, actor, person, now, undefined, { group: { id: group.id, name: group.name } });
      sql.run('UPDATE seats SET via_group = ? WHERE user_id = ?', group.id, user.id);
      return;
    }
    case 'wait':
      return wait(sql, actor, user, groupOf(decision.group), now);
    case 'regroup': {
      const group = groupOf(decision.group);
      sql.run('UPDATE seats SET via_group = ? WHERE user_id = ?', group.id, user.id);
      recordAudit(sql, now, actor, 'seat.source_changed', target(person), { group: { id: group.id, name: group.name } });
      return;
    }
    case 'take_back':
      releaseSeat(sql, actor, person, { action: 'unassign', transferTo: null, until: null }, DEFAULT_CHOICE, now);
      return;
    case 'stop_waiting':
      return stopWaiting(sql, actor, user, now);
  }
}

/** The seat groups a user belongs to, the one they joined first first. */
function seatGroupsOf(sql: Sql, userId: string): { id: string; name: string }[] {
  return sql.all<{ id: string; name: string }>(
    `SELECT g.id, g.display_name AS name FROM group_members m JOIN groups g ON g.id = m.group_id
     WHERE m.user_id = ? AND g.grants_seat = 1 ORDER BY m.seq`,
    userId,
  );
}

/**
 * No seat is free: the user waits for one as a directory request, which the waitlist serves before
 * anyone who joins later. A request they made themselves becomes the directory's (keeping its place).
 */
function wait(sql: Sql, actor: Actor, user: UserState, group: { id: string; name: string }, now: number): void {
  if (user.request_id) {
    sql.run('UPDATE seat_requests SET group_id = ? WHERE id = ?', group.id, user.request_id);
    return;
  }
  const reason = directoryReason(group.name);
  const id = sql.one<{ id: string }>(
    `INSERT INTO seat_requests (id, user_id, reason, status, created_at, group_id)
     VALUES ('req_' || lower(hex(randomblob(10))), ?, ?, 'pending', ?, ?) RETURNING id`,
    user.id,
    reason,
    new Date(now).toISOString(),
    group.id,
  )!.id;
  recordAudit(sql, now, actor, 'seat_request.created', target(user), { requestId: id, reason, group: { id: group.id, name: group.name } });
}

/** In no seat group any more: a directory request is withdrawn; one they made themselves is theirs again. */
function stopWaiting(sql: Sql, actor: Actor, user: UserState, now: number): void {
  if (!user.request_id) return;
  if (!user.request_reason?.startsWith(directoryReason(''))) {
    sql.run('UPDATE seat_requests SET group_id = NULL WHERE id = ?', user.request_id);
    return;
  }
  sql.run(
    "UPDATE seat_requests SET status = 'cancelled', decided_at = ?, decided_by_id = ?, decided_by_name = ? WHERE id = ?",
    new Date(now).toISOString(),
    actor.id,
    actor.name,
    user.request_id,
  );
  recordAudit(sql, now, actor, 'seat_request.cancelled', target(user), { requestId: user.request_id, reason: 'left_seat_groups' });
}
