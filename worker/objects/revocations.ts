/**
 * Seats that leave their holder at a chosen moment. Taking a seat from someone who is connected
 * (unassign, transfer, or ending a loan early) follows the administrator's `onActiveSessions`:
 * at once, after a grace period, or when the last session ends. Until then the seat stays theirs
 * and counted (a `seat_revocations` row shows what will happen), so no seat is ever used twice.
 * Time-boxed seats end at `seats.expires_at` and return to their previous holder if they can
 * still take it. The object's alarm runs the `grace` and `loan` timers set here.
 */
import type { Person, ReleaseChoice } from '../contract';
import { decideHandOver, planRelease, type SessionEndReason } from '../domain/seat-timing';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { activeSessions, endSessionsOf } from './console';
import { hasRoom } from './pools';
import { addSeat, candidateOf, dropSeat, moveSeat, person, seatOf, storedCounts, takeSeat, target } from './seats';
import type { Sql } from './sql';
import { scheduleLoanReminder } from './alerts';
import { clearTimer, setTimer } from './timers';

export type RevocationAction = 'unassign' | 'transfer' | 'return';

/** What happens to the seat: freed, moved to `transferTo` (lent `until`), or a loan's return. */
export interface SeatChange {
  action: RevocationAction;
  transferTo: Person | null;
  until: string | null;
}

/** When the administrator does not say: a grace period for the holder's console sessions. */
export const DEFAULT_CHOICE: ReleaseChoice = { onActiveSessions: 'grace' };

/** The administrator's choice for the holder's console sessions, with the default filled in. */
export function choiceOf(options: Partial<ReleaseChoice>): ReleaseChoice {
  return { onActiveSessions: options.onActiveSessions ?? DEFAULT_CHOICE.onActiveSessions, graceMinutes: options.graceMinutes };
}

interface Revocation extends SeatChange {
  userId: string;
  mode: 'grace' | 'after_session';
  endsAt: string | null;
  actor: Actor | null;
}

/**
 * Takes the seat from `holder` as the administrator chose. With no active console session, or
 * with `end_now`, it happens now; otherwise it is scheduled (or, asked again the same way, left as
 * it was), and the seat still counts as the holder's until then.
 */
export function releaseSeat(
  sql: Sql,
  actor: Actor | null,
  holder: Person,
  change: SeatChange,
  choice: ReleaseChoice,
  now: number,
  details: Record<string, unknown> = {},
): void {
  const sessions = activeSessions(sql, holder.id);
  const plan = planRelease(sessions.length, choice, now);
  if (plan.when === 'now') {
    const ended = sessions.length > 0 ? endSessionsOf(sql, holder.id, 'seat_revoked', actor, now) : [];
    completeChange(sql, actor, holder, change, now, ended.length > 0 ? { ...details, onActiveSessions: choice.onActiveSessions, endedSessions: ended } : details);
    return;
  }
  const existing = revocationOf(sql, holder.id);
  if (
    existing &&
    existing.mode === plan.when &&
    existing.action === change.action &&
    existing.transferTo?.id === change.transferTo?.id &&
    existing.until === change.until
  ) {
    return; // Asked again the same way: the first deadline stands.
  }
  const endsAt = plan.when === 'grace' ? new Date(plan.endsAt).toISOString() : null;
  sql.run(
    `INSERT OR REPLACE INTO seat_revocations (user_id, action, mode, ends_at, transfer_to, until, actor_id, actor_name, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    holder.id,
    change.action,
    plan.when,
    endsAt,
    change.transferTo?.id ?? null,
    change.until,
    actor?.id ?? null,
    actor?.name ?? null,
    new Date(now).toISOString(),
  );
  if (plan.when === 'grace') setTimer(sql, 'grace', holder.id, plan.endsAt);
  else clearTimer(sql, 'grace', holder.id);
  recordAudit(sql, now, actor, 'seat.revocation_scheduled', target(holder), {
    ...details,
    action: change.action,
    onActiveSessions: plan.when,
    endsAt,
    transferTo: change.transferTo ? person(change.transferTo) : null,
    until: change.until,
    activeSessions: sessions,
  });
}

/** Keeps the seat with its holder after all: a waiting revocation is dropped. */
export function cancelRevocation(sql: Sql, actor: Actor | null, holder: Person, reason: string, now: number): void {
  if (!sql.run('DELETE FROM seat_revocations WHERE user_id = ?', holder.id)) return;
  clearTimer(sql, 'grace', holder.id);
  recordAudit(sql, now, actor, 'seat.revocation_cancelled', target(holder), { reason });
}

/**
 * Sets when a held seat ends (`until`; null: no end, and no return to a lender). The holder keeps
 * the seat, so a revocation waiting on it is cancelled. Returns whether anything changed.
 */
export function setSeatTerm(sql: Sql, actor: Actor, holder: Person, until: string | null, now: number): boolean {
  const seat = seatOf(sql, holder.id);
  if (!seat) return false;
  const wasRevoking = revocationOf(sql, holder.id) !== null;
  if (wasRevoking) cancelRevocation(sql, actor, holder, 'seat_kept', now);
  if (seat.until === until) return wasRevoking;
  const returnsTo = until ? seat.returnsTo : null;
  sql.run('UPDATE seats SET expires_at = ?, returns_to = ? WHERE user_id = ?', until, returnsTo, holder.id);
  if (until) setTimer(sql, 'loan', holder.id, Date.parse(until));
  else clearTimer(sql, 'loan', holder.id);
  scheduleLoanReminder(sql, holder.id, until, returnsTo);
  recordAudit(sql, now, actor, 'seat.loan_updated', target(holder), { until: { from: seat.until, to: until }, returnsTo });
  return true;
}

/** The `grace` timer: the grace period is over, so the holder's sessions end and the change happens. */
export function graceEnded(sql: Sql, userId: string, now: number): void {
  clearTimer(sql, 'grace', userId);
  const revocation = revocationOf(sql, userId);
  if (revocation?.mode === 'grace') finishRevocation(sql, revocation, 'grace_ended', now);
}

/**
 * The `loan` timer: a time-boxed seat ends. Its sessions end, and the seat returns to its previous
 * holder if they can still take it, otherwise it is freed. A revocation waiting on the seat is the
 * administrator's later word, so it happens now instead.
 */
export function loanEnded(sql: Sql, userId: string, now: number): void {
  clearTimer(sql, 'loan', userId);
  const seat = seatOf(sql, userId);
  const holder = candidateOf(sql, userId);
  if (!seat?.until || !holder) return;
  const revocation = revocationOf(sql, userId);
  if (revocation) return finishRevocation(sql, revocation, 'loan_ended', now);
  const ended = endSessionsOf(sql, userId, 'loan_ended', null, now);
  completeChange(sql, null, holder, { action: 'return', transferTo: null, until: null }, now, ended.length > 0 ? { endedSessions: ended } : {});
}

/** After a session ended: a revocation that waited for the holder's sessions happens once none is left. */
export function sessionsChanged(sql: Sql, userId: string, now: number): void {
  const revocation = revocationOf(sql, userId);
  if (revocation && activeSessions(sql, userId).length === 0) finishRevocation(sql, revocation, null, now);
}

/**
 * The seat of a user who is deactivated or deleted leaves at once (their sessions have ended): as
 * a waiting revocation said, else back to its lender if it was lent and they can take it, else freed.
 */
export function seatLeavesWithUser(sql: Sql, actor: Actor, holder: Person, reason: 'deactivated' | 'deleted', now: number): void {
  const seat = seatOf(sql, holder.id);
  if (!seat) return;
  const change: SeatChange = revocationOf(sql, holder.id) ?? { action: seat.returnsTo ? 'return' : 'unassign', transferTo: null, until: null };
  completeChange(sql, actor, holder, change, now, { reason });
}

/** The revocation waiting on a user's seat, if any. */
function revocationOf(sql: Sql, userId: string): Revocation | null {
  const row = sql.one<{
    action: string;
    mode: string;
    ends_at: string | null;
    transfer_to: string | null;
    target_name: string | null;
    until: string | null;
    actor_id: string | null;
    actor_name: string | null;
  }>(
    `SELECT r.action, r.mode, r.ends_at, r.transfer_to, t.name AS target_name, r.until, r.actor_id, r.actor_name
     FROM seat_revocations r LEFT JOIN users t ON t.id = r.transfer_to WHERE r.user_id = ?`,
    userId,
  );
  if (!row) return null;
  return {
    userId,
    action: row.action as RevocationAction,
    mode: row.mode as 'grace' | 'after_session',
    endsAt: row.ends_at,
    transferTo: row.transfer_to ? { id: row.transfer_to, name: row.target_name ?? '' } : null,
    until: row.until,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '', role: 'administrator' } : null,
  };
}

function finishRevocation(sql: Sql, revocation: Revocation, reason: SessionEndReason | null, now: number): void {
  const holder = candidateOf(sql, revocation.userId);
  if (!holder) return;
  const ended = reason ? endSessionsOf(sql, holder.id, reason, revocation.actor, now) : [];
  const details = { onActiveSessions: revocation.mode, ...(ended.length > 0 ? { endedSessions: ended } : {}) };
  completeChange(sql, revocation.actor, holder, revocation, now, details);
}

/** Makes the change: frees the seat, moves it, or ends a loan (back to the lender, or freed). */
function completeChange(sql: Sql, actor: Actor | null, holder: Person, change: SeatChange, now: number, details: Record<string, unknown>): void {
  if (change.action === 'unassign') return takeSeat(sql, actor, holder, now, details);
  if (change.action === 'return') {
    const lender = seatOf(sql, holder.id)?.returnsTo ?? null;
    const next = lender ? candidateOf(sql, lender) : null;
    if (next && decideHandOver(next, storedCounts(sql)) === 'hand_over' && hasRoom(sql, next.id, holder.id)) {
      dropSeat(sql, holder.id);
      recordAudit(sql, now, actor, 'seat.loan_ended', target(holder), { outcome: 'returned', returnedTo: person(next), ...details });
      // One entry says the seat moved back; a move changes no count, so no second `seat.assigned`.
      addSeat(sql, actor, next, now, { until: null, returnsTo: null });
      return;
    }
    dropSeat(sql, holder.id);
    const why = lender ? { notReturnedTo: next ? person(next) : { id: lender, name: null } } : {};
    recordAudit(sql, now, actor, 'seat.loan_ended', target(holder), { outcome: 'freed', ...why, ...details });
    return;
  }
  const next = change.transferTo ? candidateOf(sql, change.transferTo.id) : null;
  if (change.until && Date.parse(change.until) <= now) {
    // The loan this transfer was for ran out while the holder's sessions were finishing.
    return cancelRevocation(sql, actor, holder, 'loan_elapsed', now);
  }
  if (next && decideHandOver(next, storedCounts(sql)) === 'hand_over' && hasRoom(sql, next.id, holder.id)) {
    return moveSeat(sql, actor, holder, next, now, { until: change.until, returnsTo: change.until ? holder.id : null }, details);
  }
  takeSeat(sql, actor, holder, now, { ...details, transferFailed: change.transferTo ? person(change.transferTo) : null });
}
