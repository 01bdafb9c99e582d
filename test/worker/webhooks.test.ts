/**
 * Signed webhooks, end to end: the Worker's real fetch reaches a receiver in Node
 * (test/support/receivers.mjs) that verifies every signature with the `standardwebhooks`
 * package's own `Webhook.verify`. Events come from real changes through the API; retries run on a
 * moving clock (clock.ts moves the `delivery` timers like every other timer).
 */
import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { WebhookEvent } from '../../worker/contract';
import { elapse, MINUTE, sql } from './clock';
import { createUser, problem, signup, type Api } from './helpers';
import { until, webhookReceiver } from './receivers';

const HOUR = 60 * MINUTE;

/** An endpoint registered for a receiver that knows its secret. */
async function endpoint(admin: Api, body: Record<string, unknown> = {}, label?: string) {
  const receiver = webhookReceiver(label);
  const created = await admin.post('/v1/webhooks', { url: receiver.url, ...body });
  expect(created.status).toBe(201);
  await receiver.configure({ secret: created.body.secret });
  return { receiver, webhook: created.body.webhook, secret: created.body.secret as string };
}

const deliveries = async (admin: Api, id: string) => (await admin.get(`/v1/webhooks/${id}/deliveries?limit=100`)).body.items;

describe('Webhooks', () => {
  it('each change reaches the endpoint once, in order, signed so that an independent receiver verifies it', async () => {
    const { admin, subscription, user } = await signup(3);
    const { receiver, secret } = await endpoint(admin);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const grace = (await createUser(admin, { name: 'Grace Hopper', assignSeat: true })).user;
    const alan = (await createUser(admin, { name: 'Alan Turing' })).user;
    expect((await admin.post('/v1/seats/transfer', { from: grace.id, to: alan.id })).status).toBe(200);
    expect((await admin.patch(`/v1/users/${alan.id}`, { name: 'Alan M. Turing' })).status).toBe(200);

    const received = await until(() => receiver.received(), (r) => r.length === 5);
    expect(received.every((r) => r.verified)).toBe(true);
    const events = received.map((r) => WebhookEvent.parse(JSON.parse(r.body)));
    expect(events.map((e) => e.type)).toEqual(['user.created', 'seat.assigned', 'user.created', 'seat.transferred', 'user.updated']);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(events.map((e) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    for (const event of events) {
      expect(event.subscription).toEqual({ id: subscription.id, name: 'Acme Support' });
      expect(event.actor).toEqual({ id: user.id, name: 'Ada Admin' });
    }
    // The resource after the change.
    expect(events[1]).toMatchObject({ data: { user: { id: grace.id, seat: { assignedAt: expect.any(String) } }, seats: { assigned: 1 } } });
    expect(events[3]).toMatchObject({ data: { from: { id: grace.id }, user: { id: alan.id, seat: expect.any(Object) }, until: null } });
    expect(events[4]).toMatchObject({ data: { user: { name: 'Alan M. Turing' }, changes: { name: { from: 'Alan Turing', to: 'Alan M. Turing' } } } });
    // The log shows each delivery with its answer.
    const log = await deliveries(admin, (await admin.get('/v1/webhooks')).body.items[0].id);
    expect(log.map((d: { status: string }) => d.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    expect(log[0]).toMatchObject({ attempts: 1, responseStatus: 204, latencyMs: expect.any(Number), error: null, nextAttemptAt: null });
  });

  it('a receiver with the wrong secret rejects the signature (the check can fail)', async () => {
    const { admin } = await signup(3);
    const { receiver } = await endpoint(admin);
    await receiver.configure({ secret: `whsec_${btoa('a different secret of 32 bytes!!')}` });
    await createUser(admin, { name: 'Eve' });
    const [got] = await until(() => receiver.received(), (r) => r.length === 1);
    expect(got).toMatchObject({ verified: false, error: expect.stringContaining('No matching signature') });
  });

  it('an endpoint gets only the event types it asked for', async () => {
    const { admin } = await signup(3);
    const { receiver } = await endpoint(admin, { eventTypes: ['seat.assigned', 'seat.unassigned'] });
    const u = (await createUser(admin, { name: 'Uma', assignSeat: true })).user;
    await admin.delete(`/v1/users/${u.id}/seat`);
    const events = await until(() => receiver.events(), (e) => e.length === 2);
    expect(events.map((e) => e.type)).toEqual(['seat.assigned', 'seat.unassigned']);
  });

  it('retries on the Standard Webhooks schedule, respects Retry-After, and holds back only that endpoint’s later events', async () => {
    const { admin, subscription } = await signup(5);
    const slow = await endpoint(admin, {}, 'failing');
    const fine = await endpoint(admin, {}, 'fine');
    await slow.receiver.configure({ plan: [{ status: 500 }, { status: 503, retryAfter: 600 }, { status: 500 }] });
    await createUser(admin, { name: 'First' });
    await createUser(admin, { name: 'Second' });

    // The healthy endpoint has both at once; the failing one tried the first once and waits 5 s.
    await until(() => fine.receiver.received(), (r) => r.length === 2);
    await until(() => slow.receiver.received(), (r) => r.length === 1);
    let log = await until(() => deliveries(admin, slow.webhook.id), (l) => l[1]?.attempts === 1);
    expect(log.map((d: { status: string }) => d.status)).toEqual(['pending', 'pending']);
    expect(log[1]).toMatchObject({ responseStatus: 500, error: 'Answered 500' });
    const wait = Date.parse(log[1].nextAttemptAt) - Date.parse(log[1].lastAttemptAt);
    expect(wait).toBeGreaterThanOrEqual(4_000);
    expect(wait).toBeLessThanOrEqual(6_000);
    expect(log[0].nextAttemptAt).toBeNull(); // the second event waits behind the first

    await elapse(subscription.id, 5_000); // second attempt: 503, Retry-After 600 s (longer than the 5 min the schedule says)
    log = await until(() => deliveries(admin, slow.webhook.id), (l) => l[1].attempts === 2);
    const asked = Date.parse(log[1].nextAttemptAt) - Date.parse(log[1].lastAttemptAt);
    expect(asked).toBeGreaterThanOrEqual(599_000);
    expect(asked).toBeLessThanOrEqual(601_000);
    await elapse(subscription.id, 5 * MINUTE); // not yet: Retry-After said 10 minutes
    expect((await slow.receiver.received()).length).toBe(2);
    await elapse(subscription.id, 5 * MINUTE); // third attempt: 500, next in 30 min
    log = await until(() => deliveries(admin, slow.webhook.id), (l) => l[1].attempts === 3);
    await elapse(subscription.id, 30 * MINUTE); // fourth attempt succeeds, and the second event follows at once
    const got = await until(() => slow.receiver.events(), (e) => e.length === 5);
    expect(got.map((e) => e.data.user.name)).toEqual(['First', 'First', 'First', 'First', 'Second']);
    log = await deliveries(admin, slow.webhook.id);
    expect(log.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([['delivered', 1], ['delivered', 4]]);
  });

  it('gives up after the eighth attempt and moves on to the next event', async () => {
    const { admin, subscription } = await signup(5);
    const { receiver, webhook } = await endpoint(admin);
    await receiver.configure({ plan: Array.from({ length: 8 }, () => ({ status: 500 })) });
    await createUser(admin, { name: 'Doomed' });
    await until(() => receiver.received(), (r) => r.length === 1);
    await createUser(admin, { name: 'Next' });
    for (const wait of [5_000, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]) await elapse(subscription.id, wait);
    const events = await until(() => receiver.events(), (e) => e.length === 9);
    expect(events.map((e) => e.data.user.name)).toEqual([...Array(8).fill('Doomed'), 'Next']);
    const log = await until(() => deliveries(admin, webhook.id), (l) => l[0].status === 'delivered');
    expect(log[1]).toMatchObject({ status: 'failed', attempts: 8, responseStatus: 500 });
  });

  it('410 Gone disables the endpoint and cancels what was queued for it', async () => {
    const { admin } = await signup(5);
    const { receiver, webhook } = await endpoint(admin);
    await receiver.configure({ plan: [{ status: 410 }] });
    await createUser(admin, { name: 'One' });
    await until(() => admin.get(`/v1/webhooks/${webhook.id}`), (r) => r.body.enabled === false);
    const shown = (await admin.get(`/v1/webhooks/${webhook.id}`)).body;
    expect(shown.disabledReason).toMatch(/410 Gone/);
    await createUser(admin, { name: 'Two' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await receiver.received()).length).toBe(1);
    expect((await deliveries(admin, webhook.id)).map((d: { status: string }) => d.status)).toEqual(['failed']);
  });

  it('an event no target wants is not kept: with no endpoint a seat change writes no outbox row, with one it does', async () => {
    const { admin, subscription } = await signup(5);
    const first = (await createUser(admin, { name: 'First' })).user;
    const second = (await createUser(admin, { name: 'Second' })).user;
    const count = async () => (await sql<{ n: number }>(subscription.id, 'SELECT COUNT(*) AS n FROM outbox'))[0]!.n;
    const before = await count();
    expect((await admin.put(`/v1/users/${first.id}/seat`, {})).status).toBe(200);
    expect(await count()).toBe(before);

    const { receiver } = await endpoint(admin, { eventTypes: ['seat.assigned'] });
    expect((await admin.put(`/v1/users/${second.id}/seat`, {})).status).toBe(200);
    expect(await count()).toBe(before + 1);
    const got = await until(() => receiver.received(), (r) => r.length === 1);
    expect(WebhookEvent.parse(JSON.parse(got[0]!.body))).toMatchObject({ type: 'seat.assigned', data: { user: { id: second.id } } });
  });

  it('the event is written in the transaction of the change: a refused change writes none, and a restart loses nothing', async () => {
    const { admin, subscription } = await signup(1, { assignSeat: true });
    const { receiver } = await endpoint(admin);
    const count = async () => (await sql<{ n: number }>(subscription.id, 'SELECT COUNT(*) AS n FROM outbox'))[0]!.n;
    const before = await count();
    problem(await admin.post('/v1/users', { name: 'No Seat', email: 'noseat@example.com' }), 409, 'no_seats_available');
    expect(await count()).toBe(before);
    expect(await sql(subscription.id, 'SELECT id FROM deliveries')).toEqual([]);

    // The change commits with its event and delivery; the first attempt fails (come back in an hour),
    // then the object restarts.
    await receiver.configure({ plan: [{ status: 503, retryAfter: 3600 }] });
    await createUser(admin, { name: 'Kept' });
    expect(await count()).toBe(before + 1);
    await until(() => sql<{ attempts: number }>(subscription.id, 'SELECT attempts FROM deliveries'), (rows) => rows[0]?.attempts === 1);
    await evictDurableObject(env.SUBSCRIPTION.getByName(subscription.id));
    expect(await sql(subscription.id, 'SELECT status, attempts FROM deliveries')).toEqual([{ status: 'pending', attempts: 1 }]);
    await elapse(subscription.id, HOUR);
    const got = await until(() => receiver.received(), (r) => r.length === 2);
    // The same event, with the same webhook-id (receivers dedupe on it), delivered after the restart.
    expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(await sql(subscription.id, 'SELECT status, attempts FROM deliveries')).toEqual([{ status: 'delivered', attempts: 2 }]);
  });

  it('a rotated secret signs beside the previous one for 24 hours; each receiver verifies', async () => {
    const { admin } = await signup(3);
    const { receiver, webhook, secret: old } = await endpoint(admin);
    const rotated = await admin.post(`/v1/webhooks/${webhook.id}/secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(old);
    const overlap = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(24 * HOUR - MINUTE);
    expect(overlap).toBeLessThanOrEqual(24 * HOUR);
    const fresh = webhookReceiver('fresh');
    await fresh.configure({ secret: rotated.body.secret });
    await admin.patch(`/v1/webhooks/${webhook.id}`, { url: fresh.url });
    await createUser(admin, { name: 'Signed Twice' });
    const [got] = await until(() => fresh.received(), (r) => r.length === 1);
    expect(got!.verified).toBe(true);
    expect(got!.headers['webhook-signature'].split(' ')).toHaveLength(2);
    await fresh.configure({ secret: old });
    await createUser(admin, { name: 'Old Secret Too' });
    const both = await until(() => fresh.received(), (r) => r.length === 2);
    expect(both[1]!.verified).toBe(true);
    expect((await receiver.received()).length).toBe(0);
  });

  it('send a test event, read the log, redeliver with the same webhook-id', async () => {
    const { admin } = await signup(3);
    const { receiver, webhook } = await endpoint(admin);
    const test = await admin.post(`/v1/webhooks/${webhook.id}/test`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ eventType: 'webhook.test', status: 'delivered', attempts: 1, responseStatus: 204 });
    const [got] = await receiver.received();
    expect(got).toMatchObject({ verified: true });
    expect(WebhookEvent.parse(JSON.parse(got!.body))).toMatchObject({ type: 'webhook.test', actor: { name: 'Ada Admin' } });

    await receiver.configure({ plan: [{ status: 418 }] });
    const failed = await admin.post(`/v1/webhooks/${webhook.id}/test`);
    expect(failed.body).toMatchObject({ status: 'failed', responseStatus: 418, error: 'Answered 418' });

    await createUser(admin, { name: 'Again' });
    await until(() => receiver.received(), (r) => r.length === 3);
    const [latest] = await deliveries(admin, webhook.id);
    const again = await admin.post(`/v1/webhooks/${webhook.id}/deliveries/${latest.id}/redeliver`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ eventId: latest.eventId, status: 'pending' });
    const all = await until(() => receiver.received(), (r) => r.length === 4);
    expect(all[3]!.headers['webhook-id']).toBe(latest.eventId);
  });

  it('refuses what it cannot send to, and keeps endpoints to administrators', async () => {
    const { admin } = await signup(3);
    problem(await admin.post('/v1/webhooks', { url: 'ftp://example.com/hook' }), 400, 'validation_failed');
    problem(await admin.post('/v1/webhooks', { url: 'https://example.com/hook', eventTypes: ['seat.stolen'] }), 400, 'validation_failed');
    const { webhook } = await endpoint(admin);
    problem(await admin.patch(`/v1/webhooks/${webhook.id}`, { url: 'https://user:pw@example.com/' }), 400, 'destination_not_allowed');
    const deleted = await admin.delete(`/v1/webhooks/${webhook.id}`);
    expect(deleted.status).toBe(204);
    problem(await admin.get(`/v1/webhooks/${webhook.id}`), 404, 'not_found');
  });
});
