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
import type { ObjectContext } from './context';
import { choiceOf, releaseSeat, setSeatTerm } from './revocations';
import { giveSeat } from './seats';
import { existingUser, findUser, seatHolders, subscriptionView } from './users';
import type { SubscriptionView, User } from './views';

/** A transfer's options: lend the seat `until` a time; what happens to the holder's console sessions. */
export interface TransferOptions extends Partial<ReleaseChoice> {
  until?: string | null;
}

/** Renames the subscription, changes its purchased seats (never below those held), or its auto-assign setting. */
export function updateSubscription(
  object: ObjectContext,
  actor: Actor,
  change: { seats?: number; name?: string; autoAssignRequests?: boolean },
): Result<SubscriptionView> {
  const { sql } = object;
  const before = subscriptionView(sql);
  if (change.seats !== undefined) {
    const decision = decidePurchased(before.seats, change.seats);
    if (decision !== 'change') return decision;
  }
  const details: Record<string, unknown> = {};
  if (change.seats !== undefined && change.seats !== before.seats.purchased) {
    details.seats = { from: before.seats.purchased, to: change.seats };
  }
  if (change.name !== undefined && change.name !== before.name) details.name = { from: before.name, to: change.name };
  const auto = change.autoAssignRequests ?? before.autoAssignRequests;
  if (auto !== before.autoAssignRequests) details.autoAssignRequests = { from: before.autoAssignRequests, to: auto };
  if (Object.keys(details).length > 0) {
    object.write(() => {
      sql.run(
        'UPDATE subscription SET purchased = ?, name = ?, auto_assign_requests = ?',
        change.seats ?? before.seats.purchased,
        change.name ?? before.name,
        auto ? 1 : 0,
      );
      const target = { type: 'subscription' as const, id: before.id, name: change.name ?? before.name };
      recordAudit(sql, actor, 'subscription.updated', target, details);
    });
  }
  return ok(subscriptionView(sql));
}

/**
 * Gives a user a free seat, optionally `until` a time. A user who holds one keeps it, with its end
 * set to `until`, and a revocation waiting on it is cancelled.
 */
export function assignSeat(object: ObjectContext, actor: Actor, userId: string, options: { until?: string | null }): Result<User> {
  const { sql } = object;
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  const now = Date.now();
  const until = checkUntil(options.until, now);
  if (!until.ok) return until;
  const decision = decideAssign(subscriptionView(sql).seats, candidate(user.value), () => seatHolders(sql));
  if (decision === 'noop') {
    const seat = user.value.seat!;
    if (seat.revocation === null && (seat.loan?.until ?? null) === until.value) return user;
    object.write(() => setSeatTerm(sql, actor, user.value, until.value));
    return findUser(sql, userId);
  }
  if (decision !== 'assign') return decision;
  object.write(() => giveSeat(sql, actor, user.value, now, { until: until.value, returnsTo: null }));
  return findUser(sql, userId);
}

/** Takes a user's seat back (if they hold one), now or as `choice` says when they are connected. */
export function unassignSeat(object: ObjectContext, actor: Actor, userId: string, choice: ReleaseChoice): Result<User> {
  const { sql } = object;
  const user = findUser(sql, userId);
  if (!user.ok) return user;
  const change = { action: 'unassign' as const, transferTo: null, until: null };
  if (user.value.seat) object.write(() => releaseSeat(sql, actor, user.value, change, choice, Date.now()));
  return findUser(sql, userId);
}

/** Moves (or lends, with `until`) a seat from one user to another; works when every seat is taken. */
export function transferSeat(
  object: ObjectContext,
  actor: Actor,
  fromId: string,
  toId: string,
  options: TransferOptions,
): Result<{ from: User; to: User }> {
  const { sql } = object;
  const from = findUser(sql, fromId);
  if (!from.ok) return from;
  const to = findUser(sql, toId);
  if (!to.ok) return to;
  const decision = decideTransfer(candidate(from.value), candidate(to.value));
  if (decision !== 'transfer') return decision;
  const now = Date.now();
  const until = checkUntil(options.until, now);
  if (!until.ok) return until;
  const change = { action: 'transfer' as const, transferTo: to.value, until: until.value };
  object.write(() => releaseSeat(sql, actor, from.value, change, choiceOf(options), now));
  return ok({ from: existingUser(sql, fromId), to: existingUser(sql, toId) });
}

/** Ends a time-boxed seat early: back to its lender if they can take it, otherwise freed. */
export function returnSeat(object: ObjectContext, actor: Actor, userId: string, choice: ReleaseChoice): Result<User> {
  const { sql } = object;
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
  object.write(() => releaseSeat(sql, actor, user.value, change, choice, Date.now()));
  return findUser(sql, userId);
}

function candidate(user: User) {
  return { id: user.id, name: user.name, status: user.status, hasSeat: user.seat !== null };
}
