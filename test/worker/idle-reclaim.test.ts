/**
 * Idle-seat reclaim with a controlled wall clock: a seat nobody used is warned about two days
 * before (preview, app field, mail to the holder and the administrators), then taken back by the
 * daily check and given to the first waiting request, with "reclaimed: idle N days (policy)" in
 * the audit. Exempt and recently used seats stay. The invariant is checked in SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { realTime, setNow, sql, travelTo } from './clock';
import { Api, createUser, problem, signedInUser, signup, uniqueEmail } from './helpers';

afterEach(() => realTime());

const T0 = '2026-12-01T09:00:00Z';
const day = (n: number) => new Date(Date.parse(T0) + n * 86_400_000).toISOString();

async function setup() {
  setNow(T0);
  const signedUp = await signup(2);
  const admin = new Api((await signedUp.admin.post('/v1/tokens', { name: 'policies' })).body.token);
  return { ...signedUp, admin };
}

async function holders(admin: Api, subscriptionId: string) {
  const [stored] = await sql<{ assigned: number; purchased: number; rows: number }>(
    subscriptionId,
    'SELECT assigned, purchased, (SELECT COUNT(*) FROM seats) AS rows FROM subscription',
  );
  expect(stored!.assigned).toBe(stored!.rows);
  expect(stored!.assigned).toBeLessThanOrEqual(stored!.purchased);
  const users = (await admin.get('/v1/users?seat=assigned&limit=100')).body.items as { id: string }[];
  return users.map((u) => u.id).sort();
}

describe('Idle-seat reclaim', () => {
  it('is off by default and refuses fewer than 3 days', async () => {
    const { admin } = await setup();
    expect((await admin.get('/v1/policies/idle-reclaim')).body).toEqual({ enabled: false, days: 14, exemptions: { userIds: [], groupIds: [] }, nextCheckAt: null });
    problem(await admin.put('/v1/policies/idle-reclaim', { enabled: true, days: 2 }), 400, 'validation_failed');
    expect((await admin.get('/v1/policies/idle-reclaim')).body.enabled).toBe(false);
  });

  it('warns two days ahead, then takes the seat back and gives it to the first waiting request', async () => {
    const { admin, subscription } = await setup();
    const idle = (await createUser(admin, { name: 'Ida Idle', assignSeat: true })).user.id;
    const { api: waiter, user: waiting } = await signedInUser(admin, { name: 'Walt Waiting' });
    expect((await waiter.post('/v1/seat-requests', { reason: 'Covering nights' })).status).toBe(201);
    await createUser(admin, { name: 'Filler', assignSeat: true });

    const set = await admin.put('/v1/policies/idle-reclaim', { enabled: true, days: 5 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ enabled: true, days: 5, nextCheckAt: day(1) });
    expect((await admin.get('/v1/policies/idle-reclaim/preview')).body.items).toEqual([]);

    await travelTo(subscription.id, day(3));
    const preview = (await admin.get('/v1/policies/idle-reclaim/preview')).body.items;
    expect(preview.map((i: { user: { name: string }; action: string; reason: string; idleDays: number }) => [i.user.name, i.action, i.reason, i.idleDays])).toEqual([
      ['Ida Idle', 'warn', 'no console session since the seat was given on 1 Dec', 3],
      ['Filler', 'warn', 'no console session since the seat was given on 1 Dec', 3],
    ]);
    expect((await admin.get(`/v1/users/${idle}`)).body.seat.idleReclaimAt).toBe(day(5));
    const mails = await sql<{ target: string; event_type: string }>(subscription.id, "SELECT target, event_type FROM deliveries WHERE event_type = 'seat.idle_warning'");
    // One to the administrator per holder; the holders, still invited, get theirs once they have signed in.
    const adminId = (await admin.get('/v1/me')).body.user.id;
    expect(mails.map((m) => m.target)).toEqual([`mail:${adminId}`, `mail:${adminId}`]);

    // The check again a day later warns nobody twice.
    await travelTo(subscription.id, day(4));
    expect(await sql(subscription.id, "SELECT 1 FROM deliveries WHERE event_type = 'seat.idle_warning'")).toHaveLength(2);

    await travelTo(subscription.id, day(5));
    const now = await holders(admin, subscription.id);
    expect(now).not.toContain(idle);
    expect(now).toContain(waiting.id);
    const audit = (await admin.get(`/v1/audit?userId=${idle}&limit=20`)).body.items as { action: string; details: { summary?: string } }[];
    expect(audit.find((e) => e.action === 'seat.unassigned')?.details.summary).toBe('reclaimed: idle 5 days (policy)');
  });

  it('leaves exempt users and seats used recently alone', async () => {
    const { admin, subscription } = await setup();
    const exempt = (await createUser(admin, { name: 'Exa Empt', assignSeat: true })).user.id;
    const { user: busy, api: busyDevice } = await signedInUser(admin, { name: 'Bea Busy', assignSeat: true });
    const busyApi = new Api((await busyDevice.post('/v1/tokens', { name: 'console' })).body.token);
    await admin.put('/v1/policies/idle-reclaim', { enabled: true, days: 5, exemptions: { userIds: [exempt] } });

    setNow(day(4));
    const session = await busyApi.post('/v1/console/sessions', { computer: 'PC-1' });
    expect(session.status).toBe(201);
    expect((await busyApi.delete(`/v1/console/sessions/${session.body.id}`)).status).toBe(204);
    await travelTo(subscription.id, day(6));
    expect(await holders(admin, subscription.id)).toEqual([exempt, busy.id].sort());
    expect((await admin.get('/v1/policies/idle-reclaim/preview')).body.items).toEqual([]);
  });

  it('hands a reclaimed seat to a shift waiting for one as the shift seat, which leaves when the shift ends', async () => {
    const { admin, subscription } = await setup(); // Tuesday 09:00 UTC
    const idle = (await createUser(admin, { name: 'Ida Idle', assignSeat: true })).user.id;
    const filler = (await createUser(admin, { name: 'Filler', assignSeat: true })).user.id;
    const sam = (await createUser(admin, { name: 'Sam Shift' })).user.id;
    const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const made = await admin.post('/v1/schedules', { name: 'Day', timeZone: 'UTC', windows: [{ days: everyDay, start: '08:00', end: '20:00' }], userIds: [sam], confirm: true });
    expect(made.status).toBe(201);
    expect((await admin.put('/v1/policies/idle-reclaim', { enabled: true, days: 3, exemptions: { userIds: [filler] } })).status).toBe(200);

    await travelTo(subscription.id, day(3)); // 09:00, on shift: Ida's seat goes to Sam's wait
    expect(await holders(admin, subscription.id)).toEqual([filler, sam].sort());
    expect((await admin.get(`/v1/users/${sam}`)).body.seat.source).toMatchObject({ kind: 'schedule', schedule: { name: 'Day' } });
    expect((await admin.get(`/v1/users/${idle}`)).body.seat).toBeNull();

    await travelTo(subscription.id, new Date(Date.parse(day(3)) + 11 * 3_600_000).toISOString()); // 20:00: the shift ends
    expect(await holders(admin, subscription.id)).toEqual([filler]);
  });

  it('never hands a reclaimed seat a team pool reserves to someone outside the pool: they keep waiting', async () => {
    const { admin, subscription } = await setup();
    const pool = (await admin.post('/v1/pools', { name: 'Field team', reserved: 1, maximum: 1 })).body.pool.id as string;
    const idle = (await admin.post('/v1/users', { name: 'Ida Idle', email: uniqueEmail('ida'), poolId: pool, assignSeat: true })).body.user.id as string;
    const filler = (await createUser(admin, { name: 'Filler', assignSeat: true })).user.id;
    const { api: waiter, user: waiting } = await signedInUser(admin, { name: 'Walt Waiting' });
    expect((await waiter.post('/v1/seat-requests', { reason: 'Covering nights' })).status).toBe(201);
    expect((await admin.put('/v1/policies/idle-reclaim', { enabled: true, days: 3, exemptions: { userIds: [filler] } })).status).toBe(200);

    await travelTo(subscription.id, day(3));
    // Ida's seat is back in Field team's reserve: Walt (in no pool) may not have it.
    expect(await holders(admin, subscription.id)).toEqual([filler]);
    expect((await admin.get(`/v1/users/${idle}`)).body.seat).toBeNull();
    const pending = (await admin.get('/v1/seat-requests?status=pending')).body.items as { user: { id: string } }[];
    expect(pending.map((r) => r.user.id)).toEqual([waiting.id]);
  });
});
