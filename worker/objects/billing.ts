/**
 * Purchased seats that follow billing. The subscription is linked to a Stripe customer; the Worker
 * verifies Stripe's webhooks and hands each `customer.subscription.*` event here as a
 * `SeatPurchase`. An event id is applied once (replays are answered "duplicate"), an event older
 * than the newest one applied changes nothing ("stale"), so Stripe's retries and reordering are
 * harmless.
 *
 * More seats apply at once. Fewer seats apply when the paid period ends (the customer paid for the
 * seats until then): until that date the subscription shows "6 seats held, 4 paid from 1 Jan" and
 * administrators choose who keeps a seat. At the date, holders not kept lose theirs, least used
 * first, with the default session policy (a connected holder gets the grace period); purchased seats
 * go down as the seats free, never below those held.
 */
import type { Billing } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { DEFAULT_CHOICE, releaseSeat } from './revocations';
import { storedCounts } from './seats';
import { committedSeats } from './pools';
import type { Sql } from './sql';
import { clearTimer, setTimer } from './timers';
import { subscriptionView } from './users';

/** What a Stripe subscription event says about the seats, as the Worker read it. */
export interface SeatPurchase {
  eventId: string;
  /** The event's `created`, seconds since the epoch: the order events are applied in. */
  created: number;
  customerId: string;
  /** The seat price's quantity; null when the event has no seat price (then only recorded). */
  quantity: number | null;
  /** When the paid period ends (ms since the epoch): a decrease applies then. */
  periodEnd: number | null;
}

export type PurchaseOutcome = 'applied' | 'scheduled' | 'duplicate' | 'stale' | 'ignored';

/** Who takes seats back when a decrease falls due: billing, not a person. */
export const BILLING_ACTOR: Actor = { id: 'billing', name: 'Billing (Stripe)', role: 'administrator' };

/** If a decrease cannot finish (holders still connected in their grace period), it is checked again this often. */
const SETTLE_RETRY_MS = 60_000;

type BillingRow = {
  customer_id: string | null;
  paid_seats: number | null;
  last_event_created: number | null;
  pending_seats: number | null;
  pending_from: string | null;
  updated_at: string | null;
};

function row(sql: Sql): BillingRow | null {
  return sql.one<BillingRow>('SELECT customer_id, paid_seats, last_event_created, pending_seats, pending_from, updated_at FROM billing WHERE id = 1');
}

/** The billing link and what it implies for the seats. */
export function billingView(sql: Sql): Billing {
  const stored = row(sql);
  const seats = storedCounts(sql);
  const keep = sql.all<{ id: string; name: string }>('SELECT u.id, u.name FROM billing_keep k JOIN users u ON u.id = k.user_id JOIN seats s ON s.user_id = u.id ORDER BY u.name');
  const pending =
    stored?.pending_seats != null && stored.pending_from
      ? { seats: stored.pending_seats, from: stored.pending_from, held: seats.assigned, toRelease: Math.max(0, seats.assigned - stored.pending_seats), keep }
      : null;
  return {
    customerId: stored?.customer_id ?? null,
    paidSeats: stored?.paid_seats ?? null,
    seats,
    pendingDecrease: pending,
    lastEventAt: stored?.last_event_created ? new Date(stored.last_event_created * 1000).toISOString() : null,
  };
}

/** The linked Stripe customer, if any (the Worker frees its index entry after an unlink). */
export function linkedCustomer(sql: Sql): string | null {
  return row(sql)?.customer_id ?? null;
}

/** Links the subscription to a Stripe customer (the Worker has claimed it in the customer index). */
export function linkCustomer(sql: Sql, actor: Actor, customerId: string, now: number): Result<Billing> {
  const before = row(sql)?.customer_id ?? null;
  if (before === customerId) return ok(billingView(sql));
  sql.run(
    `INSERT INTO billing (id, customer_id, updated_at) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, paid_seats = NULL, last_event_created = NULL,
       pending_seats = NULL, pending_from = NULL, updated_at = excluded.updated_at`,
    customerId,
    new Date(now).toISOString(),
  );
  clearTimer(sql, 'billing', 'decrease');
  recordAudit(sql, now, actor, 'billing.linked', target(sql), { customerId: { from: before, to: customerId } });
  return ok(billingView(sql));
}

/** Unlinks the Stripe customer: purchased seats are typed by hand again. */
export function unlinkCustomer(sql: Sql, actor: Actor, now: number): Result<{ customerId: string | null }> {
  const before = row(sql)?.customer_id ?? null;
  if (!before) return ok({ customerId: null });
  sql.run('UPDATE billing SET customer_id = NULL, paid_seats = NULL, pending_seats = NULL, pending_from = NULL, updated_at = ? WHERE id = 1', new Date(now).toISOString());
  sql.run('DELETE FROM billing_keep');
  clearTimer(sql, 'billing', 'decrease');
  recordAudit(sql, now, actor, 'billing.unlinked', target(sql), { customerId: before });
  return ok({ customerId: before });
}

/** Who keeps a seat when a pending decrease applies (at most the new number of seats). */
export function setKeep(sql: Sql, actor: Actor, userIds: string[], now: number): Result<Billing> {
  const pending = row(sql)?.pending_seats;
  if (pending == null) return fail('validation_failed', { detail: 'No seat decrease is pending, so nobody needs to be chosen to keep a seat.' });
  const unique = [...new Set(userIds)];
  if (unique.length > pending) {
    return fail('validation_failed', { detail: `Only ${pending} seats stay paid: choose at most ${pending} people to keep theirs.` });
  }
  for (const id of unique) {
    if (!sql.one('SELECT user_id FROM seats WHERE user_id = ?', id)) return fail('not_found', { detail: `${id} holds no seat in this subscription.` });
  }
  sql.run('DELETE FROM billing_keep');
  for (const id of unique) sql.run('INSERT INTO billing_keep (user_id) VALUES (?)', id);
  recordAudit(sql, now, actor, 'billing.keep_chosen', target(sql), { keep: unique, seats: pending });
  return ok(billingView(sql));
}

/** Applies one verified Stripe event: once per id, never older over newer. */
export function applyPurchase(sql: Sql, purchase: SeatPurchase, now: number): Result<PurchaseOutcome> {
  if (sql.one('SELECT id FROM stripe_events WHERE id = ?', purchase.eventId)) return ok('duplicate');
  const stored = row(sql);
  const outcome = decide(sql, stored, purchase, now);
  sql.run('INSERT INTO stripe_events (id, created, processed_at, outcome) VALUES (?, ?, ?, ?)', purchase.eventId, purchase.created, new Date(now).toISOString(), outcome);
  return ok(outcome);
}

function decide(sql: Sql, stored: BillingRow | null, purchase: SeatPurchase, now: number): PurchaseOutcome {
  if (stored?.customer_id !== purchase.customerId || purchase.quantity === null) return 'ignored';
  if (stored.last_event_created !== null && purchase.created < stored.last_event_created) return 'stale';
  const quantity = Math.max(1, purchase.quantity);
  sql.run('UPDATE billing SET paid_seats = ?, last_event_created = ?, updated_at = ? WHERE id = 1', quantity, purchase.created, new Date(now).toISOString());
  const { purchased } = storedCounts(sql);
  const source = { source: 'stripe', stripeEventId: purchase.eventId };
  if (quantity >= purchased) {
    // More seats (or as many): at once, and any decrease that was waiting is off.
    clearPending(sql);
    if (quantity > purchased) setPurchased(sql, quantity, now, source);
    return 'applied';
  }
  const from = purchase.periodEnd && purchase.periodEnd > now ? purchase.periodEnd : now;
  sql.run('UPDATE billing SET pending_seats = ?, pending_from = ? WHERE id = 1', quantity, new Date(from).toISOString());
  setTimer(sql, 'billing', 'decrease', from);
  recordAudit(sql, now, null, 'billing.decrease_scheduled', target(sql), { seats: { from: purchased, to: quantity }, at: new Date(from).toISOString(), ...source });
  return 'scheduled';
}

/**
 * The `billing` timer: a decrease falls due. Holders not kept lose their seat, least used first
 * (no console session for longest), with the default session policy; purchased seats drop to the
 * new number once enough seats are free (checked again each minute while holders finish).
 */
export function applyDecrease(sql: Sql, now: number): void {
  const stored = row(sql);
  if (stored?.pending_seats == null) return;
  const goal = stored.pending_seats;
  const excess = storedCounts(sql).assigned - goal;
  if (excess > 0) {
    const candidates = sql.all<{ id: string; name: string; revoking: number }>(
      `SELECT u.id, u.name, r.user_id IS NOT NULL AS revoking FROM seats s JOIN users u ON u.id = s.user_id
       LEFT JOIN seat_revocations r ON r.user_id = s.user_id
       WHERE s.user_id NOT IN (SELECT user_id FROM billing_keep)
       ORDER BY (SELECT MAX(c.started_at) FROM console_sessions c WHERE c.user_id = s.user_id) IS NOT NULL,
                (SELECT MAX(c.started_at) FROM console_sessions c WHERE c.user_id = s.user_id), s.assigned_at`,
    );
    // Seats already on their way out count toward the excess.
    const leaving = candidates.filter((c) => c.revoking === 1).length;
    for (const holder of candidates.filter((c) => c.revoking === 0).slice(0, Math.max(0, excess - leaving))) {
      releaseSeat(sql, BILLING_ACTOR, holder, { action: 'unassign', transferTo: null, until: null }, DEFAULT_CHOICE, now);
    }
  }
  const { purchased } = storedCounts(sql);
  // Never below what is held or reserved for team pools: a reserve above the paid seats waits for an administrator to lower it.
  const next = Math.max(goal, committedSeats(sql));
  if (next < purchased) setPurchased(sql, next, now, { source: 'stripe', decrease: true });
  if (next > goal) {
    // Some holders are still connected within their grace period: look again in a minute.
    setTimer(sql, 'billing', 'decrease', now + SETTLE_RETRY_MS);
    return;
  }
  clearPending(sql);
}

function clearPending(sql: Sql): void {
  sql.run('UPDATE billing SET pending_seats = NULL, pending_from = NULL WHERE id = 1');
  sql.run('DELETE FROM billing_keep');
  clearTimer(sql, 'billing', 'decrease');
}

function setPurchased(sql: Sql, seats: number, now: number, details: Record<string, unknown>): void {
  const before = storedCounts(sql).purchased;
  sql.run('UPDATE subscription SET purchased = ?', seats);
  recordAudit(sql, now, null, 'subscription.updated', target(sql), { seats: { from: before, to: seats }, ...details });
}

function target(sql: Sql) {
  const view = subscriptionView(sql);
  return { type: 'subscription' as const, id: view.id, name: view.name };
}
