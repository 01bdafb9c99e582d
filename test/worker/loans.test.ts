import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { elapse, MINUTE, sql, timers } from './clock';
import { createUser, problem, signedInUser, signup, type Api } from './helpers';

const HOUR = 60 * MINUTE;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

/** Lends Lena's seat to Bo until `until`, in a subscription of `seats` seats. */
async function lent(seats = 2, hours = 2) {
  const home = await signup(seats);
  const lender = (await createUser(home.admin, { name: 'Lena Lender', assignSeat: true })).user;
  const borrower = (await createUser(home.admin, { name: 'Bo Borrower' })).user;
  const until = inHours(hours);
  const reply = await home.admin.post('/v1/seats/transfer', { from: lender.id, to: borrower.id, until });
  expect(reply.status).toBe(200);
  return { ...home, lender, borrower, until, reply, subscriptionId: home.subscription.id as string };
}

const seatOf = async (admin: Api, id: string) => (await admin.get(`/v1/users/${id}`)).body.seat;
const latest = async (admin: Api) => (await admin.get('/v1/audit?limit=1')).body.items[0];

describe('Time-boxed seats (loans)', () => {
  it('a transfer with `until` lends the seat: it shows when and to whom it returns, and comes back then', async () => {
    const { admin, lender, borrower, until, reply, subscriptionId } = await lent();
    expect(reply.body.from.seat).toBeNull();
    expect(reply.body.to.seat).toMatchObject({
      expiresAt: until,
      loan: { until, returnsTo: { id: lender.id, name: 'Lena Lender' } },
      revocation: null,
    });
    expect((await latest(admin)).details).toMatchObject({ until, returnsTo: lender.id });

    await elapse(subscriptionId, HOUR);
    expect(await seatOf(admin, borrower.id)).not.toBeNull();
    await elapse(subscriptionId, HOUR + MINUTE);
    expect(await seatOf(admin, borrower.id)).toBeNull();
    expect(await seatOf(admin, lender.id)).toMatchObject({ expiresAt: null, loan: null });
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ purchased: 2, assigned: 1 });
    expect(await latest(admin)).toMatchObject({
      action: 'seat.loan_ended',
      actor: null,
      target: { id: borrower.id },
      details: { outcome: 'returned', returnedTo: { id: lender.id } },
    });
    expect((await timers(subscriptionId)).alarm).toBeNull();
  });

  it('a seat given with `until` is freed then', async () => {
    const { admin, subscription } = await signup(2);
    const user = (await createUser(admin, { name: 'Temp' })).user;
    const until = new Date(Date.now() + 3 * HOUR).toISOString().replace('Z', '+00:00');
    const given = await admin.put(`/v1/users/${user.id}/seat`, { until });
    expect(given.status).toBe(200);
    expect(given.body.seat).toMatchObject({ expiresAt: new Date(until).toISOString(), loan: { returnsTo: null } });
    expect(await latest(admin)).toMatchObject({ action: 'seat.assigned', details: { until: new Date(until).toISOString() } });
    await elapse(subscription.id, 3 * HOUR);
    expect(await seatOf(admin, user.id)).toBeNull();
    expect(await latest(admin)).toMatchObject({ action: 'seat.loan_ended', details: { outcome: 'freed' } });
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(0);
  });

  it("ends the borrower's console sessions at the loan's end", async () => {
    const home = await signup(1);
    const { user: lender } = await signedInUser(home.admin, { name: 'Lena Lender', assignSeat: true });
    const { api: bo, user: borrower } = await signedInUser(home.admin, { name: 'Bo Borrower' });
    // A loan shorter than a heartbeat deadline, so the session is still running when it ends.
    const until = new Date(Date.now() + 40_000).toISOString();
    await home.admin.post('/v1/seats/transfer', { from: lender.id, to: borrower.id, until });
    const session = (await bo.post('/v1/console/sessions', { computer: 'LOANER' })).body;
    expect(session).toMatchObject({ status: 'active', endsAt: until });
    expect((await bo.post(`/v1/console/sessions/${session.id}/heartbeat`)).body).toEqual({ status: 'active', endsAt: until });
    await elapse(home.subscription.id, 45_000);
    problem(await bo.post(`/v1/console/sessions/${session.id}/heartbeat`), 403, 'seat_revoked');
    expect(await seatOf(home.admin, lender.id)).not.toBeNull();
    const log = (await home.admin.get('/v1/audit?limit=2')).body.items;
    expect(log.map((e: any) => e.action)).toEqual(['seat.loan_ended', 'console.session_ended']);
    expect(log[1].details.reason).toBe('loan_ended');
    expect(log[0].details.endedSessions).toEqual([{ id: session.id, computer: 'LOANER' }]);
  });

  it('is freed when the previous holder was deleted meanwhile', async () => {
    const { admin, lender, borrower, subscriptionId } = await lent();
    expect((await admin.delete(`/v1/users/${lender.id}`)).status).toBe(204);
    expect((await seatOf(admin, borrower.id)).loan.returnsTo).toBeNull();
    await elapse(subscriptionId, 3 * HOUR);
    expect(await seatOf(admin, borrower.id)).toBeNull();
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(0);
    expect(await latest(admin)).toMatchObject({ action: 'seat.loan_ended', details: { outcome: 'freed', notReturnedTo: { id: lender.id } } });
  });

  it('goes back to the lender at once when the borrower is deleted', async () => {
    const { admin, lender, borrower, subscriptionId } = await lent();
    expect((await admin.delete(`/v1/users/${borrower.id}`)).status).toBe(204);
    expect(await seatOf(admin, lender.id)).toMatchObject({ loan: null });
    expect((await admin.get('/v1/audit?limit=2')).body.items[1]).toMatchObject({
      action: 'seat.loan_ended',
      details: { outcome: 'returned', reason: 'deleted', returnedTo: { id: lender.id } },
    });
    expect((await timers(subscriptionId)).timers).toEqual([]);
  });

  it('is freed when the previous holder was deactivated, or holds another seat by then', async () => {
    const first = await lent(3);
    await first.admin.patch(`/v1/users/${first.lender.id}`, { status: 'deactivated' });
    await elapse(first.subscriptionId, 3 * HOUR);
    expect(await seatOf(first.admin, first.lender.id)).toBeNull();
    expect(await seatOf(first.admin, first.borrower.id)).toBeNull();

    const second = await lent(3);
    await second.admin.put(`/v1/users/${second.lender.id}/seat`);
    await elapse(second.subscriptionId, 3 * HOUR);
    expect(await seatOf(second.admin, second.borrower.id)).toBeNull();
    expect((await second.admin.get('/v1/subscription')).body.seats.assigned).toBe(1);
  });

  it('returns the seat even when purchased seats shrank to the seats held: it is a one-for-one move', async () => {
    const { admin, lender, borrower, subscriptionId } = await lent(4);
    await createUser(admin, { assignSeat: true });
    expect((await admin.patch('/v1/subscription', { seats: 2 })).body.seats).toEqual({ purchased: 2, assigned: 2, available: 0 });
    await elapse(subscriptionId, 3 * HOUR);
    expect(await seatOf(admin, lender.id)).not.toBeNull();
    expect(await seatOf(admin, borrower.id)).toBeNull();
    const stored = await sql<{ purchased: number; assigned: number; held: number }>(
      subscriptionId,
      'SELECT purchased, assigned, (SELECT COUNT(*) FROM seats) AS held FROM subscription',
    );
    expect(stored).toEqual([{ purchased: 2, assigned: 2, held: 2 }]);
  });

  it('can be extended (keeping whom it returns to) or made permanent', async () => {
    const { admin, lender, borrower, subscriptionId } = await lent(2, 1);
    const later = inHours(5);
    const extended = await admin.put(`/v1/users/${borrower.id}/seat`, { until: later });
    expect(extended.body.seat).toMatchObject({ expiresAt: later, loan: { until: later, returnsTo: { id: lender.id } } });
    expect(await latest(admin)).toMatchObject({ action: 'seat.loan_updated', details: { until: { to: later }, returnsTo: lender.id } });
    await elapse(subscriptionId, 2 * HOUR);
    expect(await seatOf(admin, borrower.id)).not.toBeNull();

    const permanent = await admin.put(`/v1/users/${borrower.id}/seat`);
    expect(permanent.body.seat).toMatchObject({ expiresAt: null, loan: null });
    expect((await timers(subscriptionId)).timers).toEqual([]);
    await elapse(subscriptionId, 10 * HOUR);
    expect(await seatOf(admin, borrower.id)).not.toBeNull();
  });

  it('can be ended early: back to the lender now, or after the grace period if the borrower is connected', async () => {
    const { admin, lender, borrower } = await lent();
    const ended = await admin.post(`/v1/users/${borrower.id}/seat/return`);
    expect(ended.status).toBe(200);
    expect(ended.body.seat).toBeNull();
    expect(await seatOf(admin, lender.id)).not.toBeNull();

    const home = await signup(1);
    const { user: lena } = await signedInUser(home.admin, { name: 'Lena', assignSeat: true });
    const { api: bo, user: boUser } = await signedInUser(home.admin, { name: 'Bo' });
    await home.admin.post('/v1/seats/transfer', { from: lena.id, to: boUser.id, until: inHours(4) });
    await bo.post('/v1/console/sessions', { computer: 'PC' });
    const ending = await home.admin.post(`/v1/users/${boUser.id}/seat/return?graceMinutes=10`);
    expect(ending.body.seat.revocation).toMatchObject({ action: 'return', onActiveSessions: 'grace', transferTo: { id: lena.id } });
    expect(Date.parse(ending.body.seat.expiresAt)).toBeLessThan(Date.now() + 11 * MINUTE);
    await elapse(home.subscription.id, 11 * MINUTE);
    expect(await seatOf(home.admin, lena.id)).not.toBeNull();
    expect(await seatOf(home.admin, boUser.id)).toBeNull();
  });

  it('seat_not_lent 409 when ending a loan that is not one', async () => {
    const { admin } = await signup(2);
    const user = (await createUser(admin, { name: 'Perm', assignSeat: true })).user;
    const refused = problem(await admin.post(`/v1/users/${user.id}/seat/return`), 409, 'seat_not_lent');
    expect(refused).toMatchObject({ userId: user.id });
    expect(refused.detail).toMatch(/remove it instead/);
    const seatless = (await createUser(admin, { name: 'None' })).user;
    problem(await admin.post(`/v1/users/${seatless.id}/seat/return`), 409, 'seat_not_lent');
  });

  it('refuses an `until` in the past, too far ahead, or not a date and time', async () => {
    const { admin } = await signup(3);
    const a = (await createUser(admin, { name: 'A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'B' })).user;
    expect(problem(await admin.put(`/v1/users/${b.id}/seat`, { until: new Date(Date.now() - MINUTE).toISOString() }), 400, 'validation_failed').detail).toMatch(/future/);
    problem(await admin.put(`/v1/users/${b.id}/seat`, { until: inHours(24 * 400) }), 400, 'validation_failed');
    problem(await admin.put(`/v1/users/${b.id}/seat`, { until: 'tomorrow at five' }), 400, 'validation_failed');
    problem(await admin.put(`/v1/users/${b.id}/seat`, { until: inHours(1), extra: true }), 400, 'validation_failed');
    problem(await admin.post('/v1/seats/transfer', { from: a.id, to: b.id, until: '2020-01-01T00:00:00Z' }), 400, 'validation_failed');
    expect(await seatOf(admin, b.id)).toBeNull();
    expect(await seatOf(admin, a.id)).not.toBeNull();
  });

  it('survives eviction: the alarm and the loan are stored', async () => {
    const { admin, lender, subscriptionId } = await lent();
    await evictDurableObject(env.SUBSCRIPTION.getByName(subscriptionId));
    const stored = await timers(subscriptionId);
    // The loan's end, and 15 minutes before it the reminder for administrators (alerts.ts).
    expect(stored.timers.map((t) => t.kind)).toEqual(['loan_reminder', 'loan']);
    expect(stored.alarm).toBe(stored.timers[0]!.due_at);
    await elapse(subscriptionId, 3 * HOUR);
    expect(await seatOf(admin, lender.id)).not.toBeNull();
  });

  it('many loans ending in one alarm, with changes racing it, keep assigned ≤ purchased', async () => {
    const { admin, subscription } = await signup(4);
    const lenders = [];
    const borrowers = [];
    for (let i = 0; i < 4; i++) lenders.push((await createUser(admin, { name: `Lender ${i}`, assignSeat: true })).user);
    for (let i = 0; i < 6; i++) borrowers.push((await createUser(admin, { name: `Borrower ${i}` })).user);
    for (let i = 0; i < 4; i++) await admin.post('/v1/seats/transfer', { from: lenders[i]!.id, to: borrowers[i]!.id, until: inHours(1) });
    const racing = [
      elapse(subscription.id, 2 * HOUR),
      admin.put(`/v1/users/${borrowers[4]!.id}/seat`),
      admin.put(`/v1/users/${lenders[0]!.id}/seat`),
      admin.post('/v1/seats/transfer', { from: borrowers[1]!.id, to: borrowers[5]!.id }),
      admin.delete(`/v1/users/${lenders[2]!.id}`),
    ];
    await Promise.all(racing);
    const [stored] = await sql<{ purchased: number; assigned: number; held: number; users: number }>(
      subscription.id,
      'SELECT purchased, assigned, (SELECT COUNT(*) FROM seats) AS held, (SELECT COUNT(DISTINCT user_id) FROM seats) AS users FROM subscription',
    );
    expect(stored!.assigned).toBe(stored!.held);
    expect(stored!.users).toBe(stored!.held);
    expect(stored!.assigned).toBeLessThanOrEqual(stored!.purchased);
  });
});
