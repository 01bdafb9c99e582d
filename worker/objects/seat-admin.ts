/**
 * What administrators do with seats: change how many are purchased (and whether freed seats go to
 * the waitlist), assign one, take one back, transfer or lend one, and end a loan early. Each one
 * decides with the pure rules in worker/domain, then writes through seats.ts and revocations.ts.
 */
import type { ReleaseChoice } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import { decideAssign, decidePurchased, decideTransfer } from '../domain/seats';
import { checkUntil } from '../domain/seat-timing';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { choiceOf, releaseSeat, setSeatTerm } from './revocations';
import { checkPurchased, roomFor } from './pools';
import { fillFromWaitlist } from './seat-requests';
import { giveSeat } from './seats';
import type { Sql } from './sql';
import { existingUser, findUser, seatHolders, subscriptionView } from './users';
import type { SubscriptionView, User } from './views';

/** A transfer's options: lend the seat `until` a time; what happens to the holder's console sessions. */
export interface TransferOptions extends Partial<ReleaseChoice> {
  until?: string | null;
}

/** What an administrator may change about the subscription. */
export interface SubscriptionChange {
  seats?: number;
  name?: string;
  autoAssignRequests?: boolean;
  maxConsoleSessionsPerSeat?: number;
}

/**
 * Renames the subscription, changes its purchased seats (never below those held), its auto-assign
 * setting, or how many console sessions a seat may have open (sessions already open stay).
 */
export function updateSubscription(sql: Sql, actor: Actor, change: SubscriptionChange, now: number): Result<SubscriptionView> {
  const before = subscriptionView(sql);
  if (change.seats !== undefined) {
    const decision = decidePurchased(before.seats, change.seats);
    if (decision !== 'change') return decision;
    // Team pools' reserves count too: purchased seats never go below what is held or reserved.
    const reserved = checkPurchased(sql, change.seats, now);
    if (reserved) return reserved;
  }
  const details: Record<string, unknown> = {};
  if (change.seats !== undefined && change.seats !== before.seats.purchased) {
    details.seats = { from: before.seats.purchased, to: change.seats };
  }
  if (change.name !== undefined && change.name !== before.name) details.name = { from: before.name, to: change.name };
  const auto = change.autoAssignRequests ?? before.autoAssignRequests;
  if (auto !== before.autoAssignRequests) details.autoAssignRequests = { from: before.autoAssignRequests, to: auto };
  const sessions = change.maxConsoleSessionsPerSeat ?? before.maxConsoleSessionsPerSeat;
  if (sessions !== before.maxConsoleSessionsPerSeat) details.maxConsoleSessionsPerSeat = { from: before.maxConsoleSessionsPerSeat, to: sessions };
  if (Object.keys(details).length > 0) {
    sql.run(
      'UPDATE subscription SET purchased = ?, name = ?, auto_assign_requests = ?, max_console_sessions_per_seat = ?',
      change.seats ?? before.seats.purchased,
      change.name ?? before.name,
      auto ? 1 : 0,
      sessions,
    );
    const target = { type: 'subscription' as const, id: before.id, name: change.name ?? before.name };
    recordAudit(sql, now, actor, 'subscription.updated', target, details);
    // More seats, or automatic assignment turned on: waiting requests get the free seats at once.
    fillFromWaitlist(sql, now);
  }
  return ok(subscriptionView(sql));
}

/**
 * Gives a user a free seat, optionally `until` a time. A user who holds one keeps it, with its end
 * set to `until`, and a revocation waiting on it is cancelled.
 */
export function assignSeat(sql: Sql, actor: Actor, userId: string, options: { until?: string | null }, now: number): Result<User> {
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  const until = checkUntil(options.until, now);
  if (!until.ok) return until;
  const decision = decideAssign(subscriptionView(sql).seats, candidate(user.value), () => seatHolders(sql, now));
  if (decision === 'noop') {
    const seat = user.value.seat!;
    if (seat.revocation === null && (seat.loan?.until ?? null) === until.value) return user;
    setSeatTerm(sql, actor, user.value, until.value, now);
    return findUser(sql, userId);
  }
  // A pool's own limit explains a refusal better than the total (a full subscription leaves no pool room either).
  const refused = decision === 'assign' || decision.code === 'no_seats_available' ? roomFor(sql, now, userId, undefined, user.value.poolId) : null;
  if (refused) return refused;
  if (decision !== 'assign') return decision;
  giveSeat(sql, actor, user.value, now, { until: until.value, returnsTo: null });
  return findUser(sql, userId);
}

/** Takes a user's seat back (if they hold one), now or as `choice` says when they are connected. */
export function unassignSeat(sql: Sql, actor: Actor, userId: string, choice: ReleaseChoice, now: number): Result<User> {
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  const change = { action: 'unassign' as const, transferTo: null, until: null };
  if (user.value.seat) releaseSeat(sql, actor, user.value, change, choice, now);
  return findUser(sql, userId);
}

/** Moves (or lends, with `until`) a seat from one user to another; works when every seat is taken. */
export function transferSeat(
  sql: Sql,
  actor: Actor,
  move: { from: string; to: string } & TransferOptions,
  now: number,
): Result<{ from: User; to: User }> {
  const { from: fromId, to: toId, ...options } = move;
  const from = findUser(sql, fromId);
  if (!from.ok) return from;
  const to = findUser(sql, toId);
  if (!to.ok) return to;
  const decision = decideTransfer(candidate(from.value), candidate(to.value));
  if (decision !== 'transfer') return decision;
  // A seat moving into another pool needs room there: the seat it leaves is counted as freed.
  const refused = roomFor(sql, now, toId, fromId, to.value.poolId);
  if (refused) return refused;
  const until = checkUntil(options.until, now);
  if (!until.ok) return until;
  const change = { action: 'transfer' as const, transferTo: to.value, until: until.value };
  releaseSeat(sql, actor, from.value, change, choiceOf(options), now);
  return ok({ from: existingUser(sql, fromId), to: existingUser(sql, toId) });
}

/** Ends a time-boxed seat early: back to its lender if they can take it, otherwise freed. */
export function returnSeat(sql: Sql, actor: Actor, userId: string, choice: ReleaseChoice, now: number): Result<User> {
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  const loan = user.value.seat?.loan;
  if (!loan) {
    return fail('seat_not_lent', {
      userId,
      detail: `${user.value.name} does not hold a time-boxed seat. To take their seat back, remove it instead.`,
    });
  }
  const change = { action: 'return' as const, transferTo: loan.returnsTo, until: null };
  releaseSeat(sql, actor, user.value, change, choice, now);
  return findUser(sql, userId);
}

function candidate(user: User) {
  return { id: user.id, name: user.name, status: user.status, hasSeat: user.seat !== null };
}
