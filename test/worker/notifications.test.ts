/**
 * What administrators are told: seat thresholds (once per crossing), mail alerts and the daily
 * digest through the mailer, and push messages to a local push service (web-push-testing, in Node)
 * that checks the VAPID signature and decrypts the RFC 8291 payload with the subscription's keys.
 */
import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { elapse, MINUTE, timers } from './clock';
import { createUser, problem, signedInUser, signup, type Api } from './helpers';
import { pushSubscription, until, webhookReceiver } from './receivers';

const HOUR = 60 * MINUTE;

async function thresholdEvents(admin: Api) {
  const receiver = webhookReceiver('thresholds');
  expect((await admin.post('/v1/webhooks', { url: receiver.url, eventTypes: ['seats.threshold'] })).status).toBe(201);
  return receiver;
}

/** Turns push on for the admin at the local push service; returns the subscription there. */
async function pushDevice(admin: Api, device = 'Test phone') {
  const settings = (await admin.get('/v1/notifications')).body;
  expect(settings.vapidPublicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/);
  const subscription = await pushSubscription(settings.vapidPublicKey);
  const added = await admin.post('/v1/push-subscriptions', { ...subscription.json, device });
  expect(added.status).toBe(201);
  return { ...subscription, id: added.body.id as string };
}

describe('Seat thresholds', () => {
  it('each threshold fires once when seats in use reach it, and again only after falling below', async () => {
    const { admin } = await signup(5);
    const receiver = await thresholdEvents(admin);
    const users = [];
    for (let i = 0; i < 3; i++) users.push((await createUser(admin, { name: `U${i}`, assignSeat: true })).user);
    await createUser(admin, { name: 'U3', assignSeat: true }); // 4 of 5: 80 %
    let got = await until(() => receiver.events(), (e) => e.length === 1);
    expect(got[0]).toMatchObject({ type: 'seats.threshold', actor: null, data: { percent: 80, subscription: { seats: { assigned: 4, purchased: 5 } } } });
    await createUser(admin, { name: 'Quiet', assignSeat: false }); // no seat change: nothing
    const fifth = (await createUser(admin, { name: 'U4', assignSeat: true })).user; // 5 of 5: 95 % and 100 %
    got = await until(() => receiver.events(), (e) => e.length === 3);
    expect(got.slice(1).map((e) => e.data.percent)).toEqual([95, 100]);
    // Moving a seat between people changes nothing; freeing one re-arms 95 and 100, not 80.
    await admin.post('/v1/seats/transfer', { from: fifth.id, to: users[0]!.id === fifth.id ? users[1]!.id : (await createUser(admin, { name: 'X' })).user.id });
    await admin.delete(`/v1/users/${fifth.id}/seat`);
    await admin.delete(`/v1/users/${users[0]!.id}/seat`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await receiver.events()).length).toBe(3);
    await admin.put(`/v1/users/${users[0]!.id}/seat`); // back to 5 of 5
    got = await until(() => receiver.events(), (e) => e.length === 5);
    expect(got.slice(3).map((e) => e.data.percent)).toEqual([95, 100]);
  });

  it('more purchased seats re-arm them; thresholds are the subscription’s to change', async () => {
    const { admin } = await signup(2);
    const receiver = await thresholdEvents(admin);
    await createUser(admin, { name: 'A', assignSeat: true });
    await createUser(admin, { name: 'B', assignSeat: true });
    await until(() => receiver.events(), (e) => e.length === 3);
    await admin.patch('/v1/subscription', { seats: 4 }); // 50 %
    const changed = await admin.patch('/v1/notifications', { thresholds: [50, 75] });
    expect(changed.body.thresholds).toEqual([50, 75]);
    await createUser(admin, { name: 'C', assignSeat: true }); // 75 %; 50 % was already reached when set, so it stays quiet
    const got = await until(() => receiver.events(), (e) => e.length === 4);
    expect(got[3].data.percent).toBe(75);
    problem(await admin.patch('/v1/notifications', { thresholds: [101] }), 400, 'validation_failed');
  });

  it('mails an administrator who opted in, as text and HTML, through the mailer', async () => {
    const { admin, user } = await signup(1);
    await admin.patch('/v1/notifications', { mail: { thresholds: true } });
    const before = outbox.length;
    await createUser(admin, { name: 'Only Seat', assignSeat: true });
    const mail = await until(async () => outbox.slice(before).filter((m) => m.to === user.email), (m) => m.length === 3);
    expect(mail.map((m) => m.subject)).toEqual([
      '80 % of the seats of Acme Support are in use',
      '95 % of the seats of Acme Support are in use',
      'All 1 seats of Acme Support are in use',
    ]);
    expect(mail[2]!.text).toContain('1 of 1 seats are assigned now: nobody else can get one');
    expect(mail[2]!.html).toContain('<p>1 of 1 seats are assigned now');
  });
});

describe('Push notifications', () => {
  it('a seat request reaches the administrator’s device, encrypted for it, with what Approve needs', async () => {
    const { admin } = await signup(2);
    const device = await pushDevice(admin);
    const { api: tech, user: tina } = await signedInUser(admin, { name: 'Tina Tech' });
    const request = (await tech.post('/v1/seat-requests', { reason: 'On call this weekend' })).body;
    const [message] = await until(() => device.messages(), (m) => m.length === 1);
    expect(message).toEqual({
      kind: 'seat_request',
      title: 'Tina Tech asks for a seat',
      body: 'On call this weekend',
      url: '/requests',
      tag: `request-${request.id}`,
      requestId: request.id,
      seatsFull: false,
    });
    expect(tina.id).toBe(request.user.id);
    const settings = (await admin.get('/v1/notifications')).body;
    expect(settings.devices).toEqual([expect.objectContaining({ id: device.id, device: 'Test phone', lastSentAt: expect.any(String) })]);
  });

  it('with every seat taken the message says so, and Approve will open the chooser', async () => {
    const { admin } = await signup(1, { assignSeat: true });
    const device = await pushDevice(admin);
    const { api: tech } = await signedInUser(admin, { name: 'Waiting Wes' });
    await tech.post('/v1/seat-requests', { reason: 'Need it' });
    const messages = await until(() => device.messages(), (m) => m.some((x) => x.kind === 'seat_request'));
    expect(messages.find((m) => m.kind === 'seat_request')).toMatchObject({ seatsFull: true, body: expect.stringContaining('No seat is free (1 of 1)') });
  });

  it('choices are per administrator; a device the push service forgot (410) is removed', async () => {
    const { admin } = await signup(3);
    const device = await pushDevice(admin);
    await admin.patch('/v1/notifications', { push: { seatRequests: false } });
    const { api: tech } = await signedInUser(admin, { name: 'Muted' });
    await tech.post('/v1/seat-requests', { reason: 'Quietly' });
    expect((await admin.post('/v1/push-subscriptions/test')).status).toBe(202);
    const got = await until(() => device.messages(), (m) => m.length === 1);
    expect(got[0]).toMatchObject({ kind: 'test' }); // the test, not the muted request

    await device.expire();
    await admin.post('/v1/push-subscriptions/test');
    await until(() => admin.get('/v1/notifications'), (r) => r.body.devices.length === 0);
  });

  it('tells the administrators 15 minutes before a lent seat returns', async () => {
    const { admin, subscription } = await signup(2);
    const device = await pushDevice(admin);
    const lender = (await createUser(admin, { name: 'Lena Lender', assignSeat: true })).user;
    const borrower = (await createUser(admin, { name: 'Bo Borrower' })).user;
    const until2h = new Date(Date.now() + 2 * HOUR).toISOString();
    await admin.post('/v1/seats/transfer', { from: lender.id, to: borrower.id, until: until2h });
    const reminder = (await timers(subscription.id)).timers.find((t) => t.kind === 'loan_reminder')!;
    expect(Date.parse(until2h) - reminder.due_at).toBe(15 * MINUTE);
    await elapse(subscription.id, HOUR + 44 * MINUTE);
    expect(await device.messages()).toEqual([]);
    await elapse(subscription.id, 2 * MINUTE);
    const [message] = await until(() => device.messages(), (m) => m.length === 1);
    expect(message).toMatchObject({ kind: 'loan_returning', title: expect.stringMatching(/^Bo Borrower's seat returns to Lena Lender at \d\d:\d\d UTC$/), url: `/users/${borrower.id}` });
  });

  it('is for administrators; a technician gets 403 and nothing is stored', async () => {
    const { admin } = await signup(2);
    const { api: tech } = await signedInUser(admin, { name: 'Tina' });
    problem(await tech.get('/v1/notifications'), 403, 'forbidden');
    problem(await tech.post('/v1/push-subscriptions', { endpoint: 'https://push.example.com/x', keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) } }), 403, 'forbidden');
  });
});

describe('Daily digest', () => {
  it('mails pending requests and idle seats each morning to administrators who opted in', async () => {
    const { admin, user, subscription } = await signup(3);
    const { api: tech } = await signedInUser(admin, { name: 'Pat Pending' });
    await tech.post('/v1/seat-requests', { reason: 'Berlin rota' });
    await admin.patch('/v1/notifications', { mail: { digest: true } });
    const digest = (await timers(subscription.id)).timers.find((t) => t.kind === 'digest')!;
    expect(new Date(digest.due_at).getUTCHours()).toBe(7);
    const before = outbox.length;
    await elapse(subscription.id, digest.due_at - Date.now() + 1000);
    const [mail] = await until(async () => outbox.slice(before).filter((m) => m.to === user.email), (m) => m.length === 1);
    expect(mail!.subject).toBe('Acme Support: 1 seat request waiting, 0 idle seats');
    expect(mail!.text).toContain('Pat Pending, since');
    expect(mail!.html).toContain('<li>Pat Pending, since');
    // The next one is a day after this one was due (the clock moved this one to "now").
    const next = (await timers(subscription.id)).timers.find((t) => t.kind === 'digest')!;
    expect(next.due_at - Date.now()).toBeGreaterThan(23 * HOUR);
  });
});
