/**
 * Seat purchases from Stripe: webhooks signed with the `stripe` package's own test-header helper
 * (the same HMAC Stripe uses, see stripe.ts), sent to the real Worker route, which verifies them
 * with the package's WebCrypto provider. Replays, reordering and decreases below the seats held.
 */
import { describe, expect, it } from 'vitest';
import { elapse } from './clock';
import { createUser, problem, signup, type Api } from './helpers';
import { sendStripeEvent as send, stripeId, subscriptionEvent } from './stripe';

const DAY = 24 * 3600_000;

async function linked(seats: number, holders = 0) {
  const home = await signup(seats);
  const customer = stripeId('cus');
  const link = await home.admin.call('PUT', '/v1/billing', { customerId: customer });
  expect(link.status).toBe(200);
  expect(link.body).toMatchObject({ customerId: customer, paidSeats: null, pendingDecrease: null });
  const users = [];
  for (let i = 0; i < holders; i++) users.push((await createUser(home.admin, { name: `Holder ${i + 1}`, assignSeat: true })).user);
  return { ...home, customer, users };
}

const seats = async (admin: Api) => (await admin.get('/v1/subscription')).body.seats;
const billing = async (admin: Api) => (await admin.get('/v1/billing')).body;

describe('Billing from Stripe', () => {
  it('an unsigned, wrongly signed or stale event is 400 and changes nothing', async () => {
    const { admin, customer } = await linked(3);
    const event = subscriptionEvent(customer, 9);
    problem(await send(event, { signature: null }), 400, 'stripe_signature_invalid');
    problem(await send(event, { secret: 'whsec_not_ours' }), 400, 'stripe_signature_invalid');
    problem(await send(event, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 400, 'stripe_signature_invalid');
    problem(await send(event, { signature: 't=1,v1=deadbeef' }), 400, 'stripe_signature_invalid');
    expect(await seats(admin)).toMatchObject({ purchased: 3 });
    // The same event, signed: it applies (so the refusals above were about the signature alone).
    expect((await send(event)).body).toEqual({ received: true, outcome: 'applied' });
    expect(await seats(admin)).toMatchObject({ purchased: 9 });
  });

  it('more seats apply at once and are audited; a replayed event id changes nothing', async () => {
    const { admin, customer } = await linked(3);
    const event = subscriptionEvent(customer, 8);
    expect((await send(event)).body.outcome).toBe('applied');
    expect((await send(event)).body.outcome).toBe('duplicate');
    expect((await send(event)).body.outcome).toBe('duplicate');
    expect(await seats(admin)).toMatchObject({ purchased: 8, assigned: 0 });
    const audit = (await admin.get('/v1/audit?action=subscription.updated')).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: null, details: { seats: { from: 3, to: 8 }, source: 'stripe', stripeEventId: event.id } });
    expect(await billing(admin)).toMatchObject({ paidSeats: 8, lastEventAt: expect.any(String) });
  });

  it('an older event arriving after a newer one never overrides it', async () => {
    const { admin, customer } = await linked(3);
    const now = Math.floor(Date.now() / 1000);
    const older = subscriptionEvent(customer, 5, { created: now - 60 });
    const newer = subscriptionEvent(customer, 12, { created: now - 10 });
    expect((await send(newer)).body.outcome).toBe('applied');
    expect((await send(older)).body.outcome).toBe('stale');
    expect(await seats(admin)).toMatchObject({ purchased: 12 });
    expect(await billing(admin)).toMatchObject({ paidSeats: 12, pendingDecrease: null });
  });

  it('fewer seats than held: nothing is taken now; at the period end those not kept lose theirs', async () => {
    const { admin, customer, users, subscription } = await linked(6, 6);
    const periodEnd = Date.now() + 2 * DAY;
    expect((await send(subscriptionEvent(customer, 4, { periodEnd }))).body.outcome).toBe('scheduled');
    expect(await seats(admin)).toMatchObject({ purchased: 6, assigned: 6 });
    const pending = (await billing(admin)).pendingDecrease;
    expect(pending).toMatchObject({ seats: 4, held: 6, toRelease: 2, keep: [] });
    expect(Math.abs(Date.parse(pending.from) - periodEnd)).toBeLessThan(1000);

    // The administrator chooses who keeps theirs: holders 3 to 6. (At most 4 may be kept.)
    problem(await admin.call('PUT', '/v1/billing/keep', { userIds: users.map((u) => u.id) }), 400, 'validation_failed');
    const kept = users.slice(2).map((u) => u.id);
    expect((await admin.call('PUT', '/v1/billing/keep', { userIds: kept })).body.pendingDecrease.keep).toHaveLength(4);

    await elapse(subscription.id, DAY);
    expect(await seats(admin)).toMatchObject({ purchased: 6, assigned: 6 });
    await elapse(subscription.id, DAY + 60_000);
    expect(await seats(admin)).toMatchObject({ purchased: 4, assigned: 4 });
    const holders = (await admin.get('/v1/users?seat=assigned')).body.items.map((u: { id: string }) => u.id).sort();
    expect(holders).toEqual([...kept].sort());
    const taken = (await admin.get('/v1/audit?action=seat.unassigned')).body.items;
    expect(taken.map((e: { target: { id: string } }) => e.target.id).sort()).toEqual([users[0]!.id, users[1]!.id].sort());
    expect(taken[0].actor).toEqual({ id: 'billing', name: 'Billing (Stripe)' });
    expect(await billing(admin)).toMatchObject({ pendingDecrease: null, paidSeats: 4 });
  });

  it('without a choice, the least used seats go first; a later increase cancels a waiting decrease', async () => {
    const { admin, customer, users, subscription } = await linked(3, 3);
    const now = Math.floor(Date.now() / 1000);
    expect((await send(subscriptionEvent(customer, 2, { created: now - 5, periodEnd: Date.now() + DAY }))).body.outcome).toBe('scheduled');
    expect((await send(subscriptionEvent(customer, 5, { created: now }))).body.outcome).toBe('applied');
    expect(await billing(admin)).toMatchObject({ pendingDecrease: null });
    expect(await seats(admin)).toMatchObject({ purchased: 5, assigned: 3 });

    expect((await send(subscriptionEvent(customer, 2, { created: now + 1, periodEnd: Date.now() + DAY }))).body.outcome).toBe('scheduled');
    await elapse(subscription.id, DAY + 60_000);
    expect(await seats(admin)).toMatchObject({ purchased: 2, assigned: 2 });
    // Nobody connected yet: the seat given first (unused longest) went.
    expect((await admin.get(`/v1/users/${users[0]!.id}`)).body.seat).toBeNull();
  });

  it('a decrease that still fits the seats held applies at the period end too', async () => {
    const { admin, customer, subscription } = await linked(8, 2);
    expect((await send(subscriptionEvent(customer, 5, { periodEnd: Date.now() + DAY }))).body.outcome).toBe('scheduled');
    expect(await billing(admin)).toMatchObject({ pendingDecrease: { seats: 5, held: 2, toRelease: 0 } });
    await elapse(subscription.id, DAY + 1000);
    expect(await seats(admin)).toMatchObject({ purchased: 5, assigned: 2 });
  });

  it('a customer pays for one subscription; events for unknown customers are acknowledged and ignored', async () => {
    const { customer } = await linked(3);
    const other = await signup(3);
    problem(await other.admin.call('PUT', '/v1/billing', { customerId: customer }), 409, 'billing_customer_taken');
    problem(await other.admin.call('PUT', '/v1/billing', { customerId: 'cust_bad' }), 400, 'validation_failed');
    expect((await send(subscriptionEvent('cus_nobodyknows', 50))).body).toEqual({ received: true, outcome: 'ignored' });
    expect(await seats(other.admin)).toMatchObject({ purchased: 3 });
  });

  it('unlinking frees the customer for another subscription', async () => {
    const { admin, customer } = await linked(3);
    expect((await admin.delete('/v1/billing')).status).toBe(204);
    const other = await signup(3);
    expect((await other.admin.call('PUT', '/v1/billing', { customerId: customer })).status).toBe(200);
    expect((await send(subscriptionEvent(customer, 7))).body.outcome).toBe('applied');
    expect(await seats(other.admin)).toMatchObject({ purchased: 7 });
    expect(await seats(admin)).toMatchObject({ purchased: 3 });
  });
});
