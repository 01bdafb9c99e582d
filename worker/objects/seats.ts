/**
 * Writing seat rows. Every seat that is given, taken or moved goes through these functions, so the
 * things that belong to a seat follow it in the same transaction: its loan timer, a revocation
 * waiting on it, and the holder's pending seat request (answered once they have a seat).
 *
 * The rules (may this happen?) live in worker/domain; callers decide first, then call these.
 */
import type { Person } from '../contract';
import type { Actor } from './access';
import { recordAudit } from './audit';
import type { Sql } from './sql';
import { scheduleLoanReminder } from './alerts';
import { clearTimers, setTimer } from './timers';
import { userKey } from './users';
import type { UserRow } from './views';


/** How long a seat is held: until a time (null: no end), then back to `returnsTo` (null: freed). */
export interface SeatTerm {
  until: string | null;
  returnsTo: string | null;
}

const OPEN_ENDED: SeatTerm = { until: null, returnsTo: null };

/** The timers that belong to a held seat: its loan's end and reminder, a revocation's grace period. */
const SEAT_TIMERS = ['loan', 'grace', 'loan_reminder'] as const;

/** Gives `user` a seat and records `seat.assigned`. The caller has checked that one is free. */
export function giveSeat(sql: Sql, actor: Actor | null, user: Person, now: number, term = OPEN_ENDED, details: Record<string, unknown> = {}): void {
  addSeat(sql, actor, user, now, term);
  recordAudit(sql, now, actor, 'seat.assigned', target(user), term.until ? { ...details, until: term.until } : details);
}

/** Takes `user`'s seat and records `seat.unassigned`. */
export function takeSeat(sql: Sql, actor: Actor | null, user: Person, now: number, details: Record<string, unknown> = {}): void {
  dropSeat(sql, user.id);
  recordAudit(sql, now, actor, 'seat.unassigned', target(user), details);
}

/** Moves a seat from one user to another in one step and records `seat.transferred`. */
export function moveSeat(sql: Sql, actor: Actor | null, from: Person, to: Person, now: number, term = OPEN_ENDED, details: Record<string, unknown> = {}): void {
  dropSeat(sql, from.id);
  addSeat(sql, actor, to, now, term);
  const loan = term.until ? { until: term.until, returnsTo: term.returnsTo } : {};
  recordAudit(sql, now, actor, 'seat.transferred', target(to), { from: person(from), to: person(to), ...loan, ...details });
}

/** Inserts the seat row with its term; a time-boxed seat sets its loan timer. */
export function addSeat(sql: Sql, actor: Actor | null, user: Person, now: number, term: SeatTerm): void {
  sql.run(
    'INSERT INTO seats (user_id, assigned_at, expires_at, returns_to, given_by_id, given_by_name) VALUES (?, ?, ?, ?, ?, ?)',
    user.id,
    new Date(now).toISOString(),
    term.until,
    term.until ? term.returnsTo : null,
    actor?.id ?? null,
    actor?.name ?? null,
  );
  // A new seat (the primary key refuses a second): only a loan has timers to set; none of an earlier
  // seat is left to clear, since dropSeat cleared them with it.
  if (term.until) {
    setTimer(sql, 'loan', user.id, Date.parse(term.until));
    scheduleLoanReminder(sql, user.id, term.until, term.returnsTo);
  }
  answerRequestOnSeat(sql, actor, user, now);
}

/**
 * Deletes the seat row, with the revocation, idle warning and timers that belonged to it. When
 * this call read the holder's row with nothing written since (`Sql.kept`; a seat change reads its
 * users first), that row says which of them exist: most seats have none, and each DELETE that finds
 * nothing is still a statement. Without such a row (or one that shows no seat), all are deleted.
 */
export function dropSeat(sql: Sql, userId: string): void {
  const seen = sql.peek<UserRow | null>(userKey(userId));
  const row = seen?.seat_assigned_at ? seen : null;
  sql.run('DELETE FROM seats WHERE user_id = ?', userId);
  if (!row || row.revocation_action !== null) sql.run('DELETE FROM seat_revocations WHERE user_id = ?', userId);
  if (!row || row.seat_idle_reclaim_at !== null) sql.run('DELETE FROM idle_warnings WHERE user_id = ?', userId);
  // A loan's end and reminder exist only with an end (`expires_at`), a grace period only with a revocation.
  if (!row || row.seat_expires_at !== null || row.revocation_action !== null) clearTimers(sql, SEAT_TIMERS, userId);
}

/** A user's seat: when it was given, when it ends, and to whom it returns. Null without one. */
export function seatOf(sql: Sql, userId: string): { assignedAt: string; until: string | null; returnsTo: string | null } | null {
  const row = sql.one<{ assigned_at: string; expires_at: string | null; returns_to: string | null }>(
    'SELECT assigned_at, expires_at, returns_to FROM seats WHERE user_id = ?',
    userId,
  );
  return row ? { assignedAt: row.assigned_at, until: row.expires_at, returnsTo: row.returns_to } : null;
}

/** What the seat rules need to know about a user, or null when they no longer exist (`+?`: see sql.ts). */
export function candidateOf(sql: Sql, userId: string): { id: string; name: string; status: 'invited' | 'active' | 'deactivated'; hasSeat: boolean } | null {
  // The user's row this call already read with nothing written since, if it did (a transfer reads both users first).
  const kept = sql.peek<UserRow | null>(userKey(userId));
  if (kept !== undefined) return kept && { id: kept.id, name: kept.name, status: kept.status as 'invited' | 'active' | 'deactivated', hasSeat: kept.seat_assigned_at !== null };
  const row = sql.one<{ id: string; name: string; status: string; held: number }>(
    'SELECT u.id, u.name, u.status, s.user_id IS NOT NULL AS held FROM users u LEFT JOIN seats s ON s.user_id = u.id WHERE u.id = +?',
    userId,
  );
  return row ? { id: row.id, name: row.name, status: row.status as 'invited' | 'active' | 'deactivated', hasSeat: row.held === 1 } : null;
}

/** The seat counts as stored, kept with the subscription's row while a call writes nothing (users.ts). */
export { storedCounts } from './users';

/** Someone who got a seat no longer waits for one: their pending request is approved. */
function answerRequestOnSeat(sql: Sql, actor: Actor | null, user: Person, now: number): void {
  const pending = sql.one<{ id: string }>("SELECT id FROM seat_requests WHERE user_id = ? AND status = 'pending'", user.id);
  if (!pending) return;
  sql.run(
    "UPDATE seat_requests SET status = 'approved', decided_at = ?, decided_by_id = ?, decided_by_name = ? WHERE id = ?",
    new Date(now).toISOString(),
    actor?.id ?? null,
    actor?.name ?? null,
    pending.id,
  );
  recordAudit(sql, now, actor, 'seat_request.approved', target(user), { requestId: pending.id, seatGiven: true });
}

export const target = (user: Person) => ({ type: 'user' as const, id: user.id, name: user.name });
export const person = (user: Person) => ({ id: user.id, name: user.name });
