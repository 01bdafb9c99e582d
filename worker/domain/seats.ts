/**
 * The seat rules, pure and synchronous. The Subscription object reads the facts, asks these
 * functions what to do, and applies the answer in the same transaction, so nothing can change
 * between the decision and the write.
 *
 * The invariant they guard: assigned ≤ purchased, and a user holds at most one seat.
 */
import { MAX_SEATS, MIN_SEATS, type Role, type SeatCounts, type SeatHolder, type UserStatus } from '../contract';
import { fail, type Failure } from './result';

/** What the rules need to know about one user. */
export interface SeatCandidate {
  id: string;
  name: string;
  status: UserStatus;
  hasSeat: boolean;
}

/** Derives the counts a subscription shows from what it stores. */
export function seatCounts(purchased: number, assigned: number): SeatCounts {
  return { purchased, assigned, available: Math.max(0, purchased - assigned) };
}

/**
 * Decides whether `user` may be given a seat. `noop` means they already hold one (assigning is
 * idempotent). `holders` is only consulted when the answer is "no free seat", to explain the refusal.
 *
 * @example decideAssign(seatCounts(3, 3), alice, () => holders) // → no_seats_available
 */
export function decideAssign(
  counts: SeatCounts,
  user: SeatCandidate,
  holders: () => SeatHolder[],
): 'assign' | 'noop' | Failure {
  if (user.hasSeat) return 'noop';
  if (user.status === 'deactivated') return deactivated(user);
  if (counts.assigned >= counts.purchased) return fail('no_seats_available', { seats: counts, holders: holders() });
  return 'assign';
}

/**
 * Decides a transfer: the seat moves from one user to another in one step, so it works when every
 * seat is taken and nobody can grab the seat in between.
 */
export function decideTransfer(from: SeatCandidate, to: SeatCandidate): 'transfer' | Failure {
  if (from.id === to.id) {
    return fail('validation_failed', { detail: '"from" and "to" must be two different users.' });
  }
  if (!from.hasSeat) {
    return fail('seat_not_held', { userId: from.id, detail: `${from.name} does not hold a seat to transfer.` });
  }
  if (to.hasSeat) {
    return fail('seat_already_held', { userId: to.id, detail: `${to.name} already holds a seat.` });
  }
  if (to.status === 'deactivated') return deactivated(to);
  return 'transfer';
}

/** Decides a change of the purchased seat count: never below the seats currently held. */
export function decidePurchased(counts: SeatCounts, requested: number): 'change' | Failure {
  if (!Number.isInteger(requested) || requested < MIN_SEATS || requested > MAX_SEATS) {
    return fail('validation_failed', { detail: `Seats must be a whole number from ${MIN_SEATS} to ${MAX_SEATS}.` });
  }
  if (requested < counts.assigned) {
    return fail('seats_in_use', { seats: counts, requested, toFree: counts.assigned - requested });
  }
  return 'change';
}

/** What the last-administrator rule needs to know about a change to one user. */
export interface AdminChange {
  role: Role;
  status: UserStatus;
  /** Active administrators in the subscription, this user included. */
  activeAdministrators: number;
  /** Whether the change would stop this user being an active administrator. */
  removesAdministrator: boolean;
}

/** A subscription always keeps one active administrator: otherwise nobody could manage it. */
export function decideAdminChange(change: AdminChange): 'allow' | Failure {
  const isActiveAdmin = change.role === 'administrator' && change.status === 'active';
  if (isActiveAdmin && change.removesAdministrator && change.activeAdministrators <= 1) {
    return fail('last_administrator', {
      detail: 'This is the last active administrator. Make another user an administrator first.',
    });
  }
  return 'allow';
}

function deactivated(user: SeatCandidate): Failure {
  return fail('user_deactivated', {
    userId: user.id,
    detail: `${user.name} is deactivated. Reactivate them before giving them a seat.`,
  });
}
