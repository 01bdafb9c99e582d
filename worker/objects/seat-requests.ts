/**
 * Seat requests: a user without a seat asks for one with a reason; administrators approve (by
 * assigning a free seat or transferring one) or decline with a note. Pending requests are the
 * waitlist, oldest first; with the subscription's `autoAssignRequests` setting, a free seat goes to
 * the oldest one at once.
 */
import type { Person, ReleaseChoice, SeatRequest, SeatRequestStatus } from '../contract';
import { decideAnswer, decideNewRequest } from '../domain/seat-requests';
import { decideAssign, decideTransfer } from '../domain/seats';
import { fail, ok, type Result } from '../domain/result';
import { checkUntil } from '../domain/seat-timing';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { choiceOf, releaseSeat } from './revocations';
import type { TransferOptions } from './seat-admin';
import { candidateOf, giveSeat, storedCounts, target } from './seats';
import { seatRoom } from '../domain/pools';
import { mayManageSeats, poolLedger, roomFor } from './pools';
import type { Sql } from './sql';
import { existingUser, seatHolders, subscriptionView } from './users';
import { decodeCursor, page, type Page, type User } from './views';


export type RequestRow = {
  seq: number;
  id: string;
  user_id: string;
  user_name: string | null;
  reason: string;
  status: string;
  created_at: string;
  decided_at: string | null;
  decided_by_id: string | null;
  decided_by_name: string | null;
  note: string | null;
  position: number | null;
  group_id: string | null;
  schedule_id: string | null;
};

const REQUEST_SELECT = `SELECT r.seq, r.id, r.user_id, u.name AS user_name, r.reason, r.status, r.created_at, r.decided_at,
  r.decided_by_id, r.decided_by_name, r.note, r.group_id, r.schedule_id,
  CASE WHEN r.status = 'pending'
    THEN (SELECT COUNT(*) FROM seat_requests p WHERE p.status = 'pending' AND p.seq <= r.seq) END AS position
  FROM seat_requests r LEFT JOIN users u ON u.id = r.user_id`;

export interface RequestQuery {
  status?: SeatRequestStatus;
  userId?: string;
  limit: number;
  cursor?: string;
}

/** The caller asks for a seat. */
export function createRequest(sql: Sql, actor: Actor, input: { id: string; reason: string }, now: number): Result<SeatRequest> {
  const me = candidateOf(sql, actor.id);
  const pending = sql.one<{ id: string; created_at: string }>(
    "SELECT id, created_at FROM seat_requests WHERE user_id = ? AND status = 'pending'",
    actor.id,
  );
  const decision = decideNewRequest({ id: actor.id, hasSeat: me?.hasSeat ?? false }, pending && { id: pending.id, createdAt: pending.created_at });
  if (decision !== 'create') return decision;
  sql.run(
    "INSERT INTO seat_requests (id, user_id, reason, status, created_at) VALUES (?, ?, ?, 'pending', ?)",
    input.id,
    actor.id,
    input.reason,
    new Date(now).toISOString(),
  );
  recordAudit(sql, now, actor, 'seat_request.created', target(actor), { requestId: input.id, reason: input.reason });
  // With automatic assignment and a free seat, the answer is already "approved".
  fillFromWaitlist(sql, now);
  return ok(requestById(sql, input.id)!);
}

/**
 * Requests, oldest first: all of them for administrators, their own and their pools' members' for
 * team managers, their own for everyone else.
 */
export function listRequests(sql: Sql, actor: Actor, query: RequestQuery): Result<Page<SeatRequest>> {
  const team = actor.role === 'team_manager';
  const others = query.userId !== undefined && query.userId !== actor.id;
  if (others && team) {
    const refused = mayManageSeats(sql, actor, [query.userId!]);
    if (refused) return refused;
  } else if (actor.role !== 'administrator' && others) {
    return fail('forbidden', { detail: 'Technicians can only list their own seat requests. Leave out userId.' });
  }
  const after = decodeCursor(query.cursor);
  if (after === 'invalid') return fail('validation_failed', { detail: 'The cursor is not one this API returned.' });
  const where = ['r.seq > ?'];
  const params: SqlStorageValue[] = [after ?? 0];
  const userId = actor.role === 'administrator' || team ? query.userId : actor.id;
  if (userId) {
    where.push('r.user_id = ?');
    params.push(userId);
  } else if (team) {
    where.push('(r.user_id = ? OR r.user_id IN (SELECT u.id FROM users u JOIN pool_managers m ON m.pool_id = u.pool_id WHERE m.user_id = ?))');
    params.push(actor.id, actor.id);
  }
  if (query.status) {
    where.push('r.status = ?');
    params.push(query.status);
  }
  const rows = sql.all<RequestRow>(`${REQUEST_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.seq LIMIT ?`, ...params, query.limit + 1);
  return ok(page(rows, query.limit, toRequest));
}

/** One request: any for administrators, their pools' members' for team managers, only their own for everyone else. */
function requestFor(sql: Sql, actor: Actor, requestId: string): Result<SeatRequest> {
  const request = requestById(sql, requestId);
  const visible =
    request !== null &&
    (actor.role === 'administrator' || request.user.id === actor.id || (actor.role === 'team_manager' && mayManageSeats(sql, actor, [request.user.id]) === null));
  if (!request || !visible) {
    return fail('not_found', { detail: 'No such seat request in this subscription.' });
  }
  return ok(request);
}

/** Approving a seat request: transfer `from` a holder (else assign a free seat), optionally `until` a time. */
export interface ApprovalInput extends TransferOptions {
  from?: string;
  note?: string | null;
}

/** Approves a pending request: a free seat, or one transferred `from` a holder; lent `until` a time. */
export function approveRequest(
  sql: Sql,
  actor: Actor,
  requestId: string,
  input: ApprovalInput,
  now: number,
): Result<{ request: SeatRequest; user: User; from: User | null }> {
  const until = checkUntil(input.until, now);
  if (!until.ok) return until;
  const plan = planApproval(sql, actor, requestId, input.from, now);
  if (!plan.ok) return plan;
  const options = { until: until.value, note: input.note ?? null, choice: choiceOf(input) };
  applyApproval(sql, actor, plan.value, options, now);
  const from = plan.value.kind === 'transfer' ? existingUser(sql, plan.value.from.id) : null;
  return ok({ request: requestById(sql, requestId)!, user: existingUser(sql, plan.value.request.user.id), from });
}

/** What approving a request will do, decided before anything is written. */
type ApprovalPlan =
  | { request: SeatRequest; kind: 'assign' | 'already_held' }
  | { request: SeatRequest; kind: 'transfer'; from: Person };

/**
 * Decides an approval: a transfer from `from` when given (works when every seat is taken),
 * otherwise a free seat, refused with the holders when none is free.
 */
function planApproval(sql: Sql, actor: Actor, requestId: string, from: string | undefined, now: number): Result<ApprovalPlan> {
  const request = requestFor(sql, actor, requestId);
  if (!request.ok) return request;
  const answerable = decideAnswer(request.value);
  if (answerable !== 'answer') return answerable;
  const requester = candidateOf(sql, request.value.user.id);
  if (!requester) return fail('not_found', { detail: 'The user who asked no longer exists.' });
  if (from !== undefined) {
    const holder = candidateOf(sql, from);
    if (!holder) return fail('not_found', { detail: 'No such user in this subscription to take the seat from.' });
    const decision = decideTransfer(holder, requester);
    if (decision !== 'transfer') return decision;
    const refused = roomFor(sql, now, requester.id, holder.id);
    if (refused) return refused;
    return ok({ request: request.value, kind: 'transfer', from: { id: holder.id, name: holder.name } });
  }
  const decision = decideAssign(storedCounts(sql), requester, () => seatHolders(sql, now));
  if (decision === 'noop') return ok({ request: request.value, kind: 'already_held' });
  const refused = decision === 'assign' || decision.code === 'no_seats_available' ? roomFor(sql, now, requester.id) : null;
  if (refused) return refused;
  if (decision !== 'assign') return decision;
  return ok({ request: request.value, kind: 'assign' });
}

/** Approves as planned: the request is answered and the seat assigned, or transferred as the administrator chose. */
function applyApproval(
  sql: Sql,
  actor: Actor,
  plan: ApprovalPlan,
  input: { until: string | null; note: string | null; choice: ReleaseChoice },
  now: number,
): void {
  const { request } = plan;
  answer(sql, actor, request, 'approved', input.note, now);
  const requester = request.user;
  const details = { requestId: request.id, ...(plan.kind === 'transfer' ? { from: plan.from } : {}), note: input.note };
  recordAudit(sql, now, actor, 'seat_request.approved', target(requester), details);
  if (plan.kind === 'assign') giveSeat(sql, actor, requester, now, { until: input.until, returnsTo: null }, { requestId: request.id });
  if (plan.kind === 'transfer') {
    releaseSeat(sql, actor, plan.from, { action: 'transfer', transferTo: requester, until: input.until }, input.choice, now);
  }
}

/** Declines a pending request, with an optional note for the requester. */
export function declineRequest(sql: Sql, actor: Actor, requestId: string, note: string | null, now: number): Result<SeatRequest> {
  const request = requestFor(sql, actor, requestId);
  if (!request.ok) return request;
  const answerable = decideAnswer(request.value);
  if (answerable !== 'answer') return answerable;
  answer(sql, actor, request.value, 'declined', note, now);
  recordAudit(sql, now, actor, 'seat_request.declined', target(request.value.user), { requestId, note });
  return ok(requestById(sql, requestId)!);
}

/** The requester (or an administrator) withdraws a pending request. */
export function cancelRequest(sql: Sql, actor: Actor, requestId: string, now: number): Result<null> {
  const request = requestFor(sql, actor, requestId);
  if (!request.ok) return request;
  const answerable = decideAnswer(request.value);
  if (answerable !== 'answer') return answerable;
  answer(sql, actor, request.value, 'cancelled', null, now);
  recordAudit(sql, now, actor, 'seat_request.cancelled', target(request.value.user), { requestId });
  return ok(null);
}

/** A user who is deactivated or deleted stops waiting. */
export function cancelRequestsOf(sql: Sql, actor: Actor | null, user: Person, now: number, reason: string): void {
  const pending = sql.one<RequestRow>(`${REQUEST_SELECT} WHERE r.user_id = ? AND r.status = 'pending'`, user.id);
  if (!pending) return;
  answer(sql, actor, toRequest(pending), 'cancelled', null, now);
  recordAudit(sql, now, actor, 'seat_request.cancelled', target(user), { requestId: pending.id, reason });
}

/**
 * Gives free seats to the oldest pending requests it may serve: those a directory group made
 * (members of a seat group wait for the next free seat, always), and with `autoAssignRequests` on
 * every other one too, in one queue by age. Runs at the end of every change, inside its
 * transaction, so a seat freed by anything goes straight on.
 */
export function fillFromWaitlist(sql: Sql, now: number): void {
  let available = storedCounts(sql).available;
  while (available > 0) {
    const next = nextServed(sql);
    if (!next) return;
    serveRequest(sql, next, now);
    available -= 1;
  }
}

/**
 * Gives a waiting request its seat, approved automatically: a directory's wait gets its group's
 * seat, a shift's wait the shift's (which leaves when the shift ends). `details` go to the audit.
 */
export function serveRequest(sql: Sql, next: RequestRow, now: number, details: Record<string, unknown> = {}): void {
  const request = toRequest(next);
  answer(sql, null, request, 'approved', null, now);
  recordAudit(sql, now, null, 'seat_request.approved', target(request.user), { requestId: request.id, automatic: true });
  giveSeat(sql, null, request.user, now, undefined, { requestId: request.id, automatic: true, ...details });
  if (next.group_id) sql.run('UPDATE seats SET via_group = ? WHERE user_id = ?', next.group_id, request.user.id);
  else if (next.schedule_id) sql.run('UPDATE seats SET via_schedule = ? WHERE user_id = ?', next.schedule_id, request.user.id);
}

/**
 * The oldest pending request the waitlist serves on its own (see fillFromWaitlist) and that the
 * team pools leave room for, if any. With `everyone`, people's own requests too, whatever "give
 * freed seats automatically" says (a seat the idle policy took back is freed for them).
 */
export function nextServed(sql: Sql, everyone = false): RequestRow | null {
  // Nobody waiting (almost every seat change): one look at the index (status, seq) says so.
  if (!sql.one("SELECT 1 AS waiting FROM seat_requests WHERE status = 'pending' LIMIT 1")) return null;
  const auto = everyone || subscriptionView(sql).autoAssignRequests ? 1 : 0;
  // Which pools have room, worked out once (not once per waiting request): the query then walks
  // the waitlist in order on its index (status, seq) and stops at the first request it may serve.
  const ledger = poolLedger(sql);
  const sharedRoom = seatRoom(ledger, null) === 'room';
  const poolsWithRoom = ledger.pools.filter((p) => seatRoom(ledger, p.id) === 'room').map((p) => p.id);
  return sql.one<RequestRow>(
    `${REQUEST_SELECT} LEFT JOIN seats s ON s.user_id = r.user_id
     WHERE r.status = 'pending' AND s.user_id IS NULL
       AND (((r.group_id IS NOT NULL OR r.schedule_id IS NOT NULL) AND u.status != 'deactivated') OR (? = 1 AND u.status = 'active'))
       AND CASE WHEN u.pool_id IN (SELECT id FROM pools) THEN u.pool_id IN (SELECT value FROM json_each(?)) ELSE ? END
     ORDER BY r.seq LIMIT 1`,
    auto,
    JSON.stringify(poolsWithRoom),
    sharedRoom ? 1 : 0,
  );
}

/** One request by id, as the API shows it; null when there is none. */
export function requestById(sql: Sql, requestId: string): SeatRequest | null {
  const row = sql.one<RequestRow>(`${REQUEST_SELECT} WHERE r.id = ?`, requestId);
  return row ? toRequest(row) : null;
}

function answer(sql: Sql, actor: Actor | null, request: SeatRequest, status: SeatRequestStatus, note: string | null, now: number): void {
  sql.run(
    'UPDATE seat_requests SET status = ?, decided_at = ?, decided_by_id = ?, decided_by_name = ?, note = ? WHERE id = ?',
    status,
    new Date(now).toISOString(),
    actor?.id ?? null,
    actor?.name ?? null,
    note,
    request.id,
  );
}

function toRequest(row: RequestRow): SeatRequest {
  return {
    id: row.id,
    user: { id: row.user_id, name: row.user_name ?? '' },
    reason: row.reason,
    status: row.status as SeatRequestStatus,
    createdAt: row.created_at,
    position: row.position,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by_id ? { id: row.decided_by_id, name: row.decided_by_name ?? '' } : null,
    note: row.note,
  };
}
