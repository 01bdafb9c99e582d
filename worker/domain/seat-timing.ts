/**
 * When a seat leaves its holder, pure and synchronous: revocations that wait for console sessions,
 * time-boxed seats (loans), and console-session heartbeats. The Subscription object reads the facts,
 * asks these functions, and applies the answer in the same transaction.
 */
import { MAX_GRACE_MINUTES, type Heartbeat, type ReleaseChoice, type SeatCounts } from '../contract';
import { fail, ok, type Failure, type Result } from './result';
import { decideAssign, type SeatCandidate } from './seats';

/** How often the Expert Console says "still here"; two missed heartbeats end a session. */
export const HEARTBEAT_SECONDS = 30;
export const HEARTBEAT_TIMEOUT_MS = 2 * HEARTBEAT_SECONDS * 1000;
export const DEFAULT_GRACE_MINUTES = 5;
/** The longest a seat can be lent for. */
const MAX_LOAN_DAYS = 366;

/** When the seat leaves: now, at the end of a grace period, or when the last session ends. */
export type ReleasePlan = { when: 'now' } | { when: 'grace'; endsAt: number } | { when: 'after_session' };

/**
 * Decides when a seat taken from a holder actually leaves. With no active console session the
 * change is immediate whatever the choice; otherwise the choice decides.
 *
 * @example planRelease(2, { onActiveSessions: 'grace' }, now) // → { when: 'grace', endsAt: now + 5 min }
 */
export function planRelease(activeSessions: number, choice: ReleaseChoice, now: number): ReleasePlan {
  if (activeSessions === 0 || choice.onActiveSessions === 'end_now') return { when: 'now' };
  if (choice.onActiveSessions === 'after_session') return { when: 'after_session' };
  const minutes = Math.min(MAX_GRACE_MINUTES, Math.max(1, choice.graceMinutes ?? DEFAULT_GRACE_MINUTES));
  return { when: 'grace', endsAt: now + minutes * 60_000 };
}

/**
 * Checks the end of a time-boxed seat: a valid time, in the future, at most MAX_LOAN_DAYS away.
 * Returns it normalised to UTC ISO, or null for "no end".
 */
export function checkUntil(until: string | null | undefined, now: number): Result<string | null> {
  if (until === undefined || until === null) return ok(null);
  const at = Date.parse(until);
  if (Number.isNaN(at)) return fail('validation_failed', { detail: '"until" must be an ISO 8601 date and time.' });
  if (at <= now) {
    return fail('validation_failed', { detail: '"until" must be in the future. To take the seat back now, remove it instead.' });
  }
  if (at > now + MAX_LOAN_DAYS * 86_400_000) {
    return fail('validation_failed', { detail: `"until" can be at most ${MAX_LOAN_DAYS} days ahead. Leave it out for a seat with no end.` });
  }
  return ok(new Date(at).toISOString());
}

/**
 * Where a seat goes when it leaves its holder towards someone (the end of a loan, or a transfer
 * that waited for sessions): to them if they can still take it, otherwise it is freed. `next` is
 * null when that user no longer exists. `counts` are the counts with the holder's seat still held:
 * the move is one-for-one, so it never needs a free seat.
 */
export function decideHandOver(next: SeatCandidate | null, counts: SeatCounts): 'hand_over' | 'free' {
  if (!next) return 'free';
  const afterRelease = { ...counts, assigned: counts.assigned - 1, available: counts.available + 1 };
  return decideAssign(afterRelease, next, () => []) === 'assign' ? 'hand_over' : 'free';
}

/** Why a console session ended. The first group ends because the seat went away. */
export type SessionEndReason =
  | 'seat_revoked'
  | 'grace_ended'
  | 'loan_ended'
  | 'deactivated'
  | 'deleted'
  | 'closed'
  | 'ended_by_administrator'
  | 'heartbeat_timeout';

const SEAT_REASONS: ReadonlySet<SessionEndReason> = new Set(['seat_revoked', 'grace_ended', 'loan_ended', 'deactivated', 'deleted']);

/**
 * The refusal a heartbeat on an ended session gets: `seat_revoked` when the seat is gone (the
 * Console must stop and say so), `session_ended` when only this session ended (it may start anew).
 */
export function endedSessionRefusal(reason: SessionEndReason, endedAt: string, holdsSeat: boolean): Failure {
  if (SEAT_REASONS.has(reason) || !holdsSeat) {
    return fail('seat_revoked', {
      detail: 'Your seat was taken back, so this session has ended. Ask an administrator for a seat to connect again.',
    });
  }
  const why =
    reason === 'heartbeat_timeout'
      ? `no heartbeat arrived for ${HEARTBEAT_TIMEOUT_MS / 1000} seconds`
      : reason === 'ended_by_administrator'
        ? 'an administrator ended it'
        : 'it was closed';
  return fail('session_ended', { endedAt, reason, detail: `This session ended because ${why}. Start a new session to connect again.` });
}


/**
 * A session's status from its holder's seat: "ending" while a revocation waits (endsAt is its end,
 * or null when it waits for the sessions themselves); "active" otherwise, with the loan's end if any.
 */
export function sessionStatus(seat: { loanUntil: string | null; revocation: { endsAt: string | null } | null }): Heartbeat {
  if (seat.revocation) return { status: 'ending', endsAt: earliest(seat.revocation.endsAt, seat.loanUntil) };
  return { status: 'active', endsAt: seat.loanUntil };
}

/** The earlier of two optional ISO times. */
export function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
