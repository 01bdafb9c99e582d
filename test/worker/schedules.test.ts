/**
 * Shift schedules in a real Subscription object with a controlled wall clock (clock.ts `setNow`,
 * `travelTo`): seats arrive when a shift starts and leave when it ends, the seat freed by the shift
 * that ends goes to the one that starts, DST weekends in Berlin and New York keep local times, an
 * alarm that runs late (the object away over a boundary) comes out right, and a plan that wants
 * more seats than purchased is refused until confirmed. The invariant is checked in SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { realTime, setNow, sql, travelTo } from './clock';
import { allUsers, Api, createUser, problem, signedInUser, signup } from './helpers';
import { connected, provision } from './scim-helpers';

const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

afterEach(() => realTime());

/** An administrator who stays signed in across days of fake time (a device signs out after 12 idle hours; a token does not). */
async function signupWithToken(seats: number) {
  const signedUp = await signup(seats);
  const token = new Api((await signedUp.admin.post('/v1/tokens', { name: 'shifts' })).body.token);
  return { ...signedUp, admin: token };
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
const euDay = (userIds: string[], extra: Record<string, unknown> = {}) => ({
  name: 'EU day',
  timeZone: 'Europe/Berlin',
  windows: [{ days: weekdays, start: '07:00', end: '15:00' }],
  userIds,
  ...extra,
});
const usDay = (userIds: string[], extra: Record<string, unknown> = {}) => ({
  name: 'US day',
  timeZone: 'America/New_York',
  windows: [{ days: weekdays, start: '09:00', end: '17:00' }],
  userIds,
  ...extra,
});

/** Who holds a seat (with its source) and who waits; plus the invariant, read from SQLite. */
async function seats(admin: Api, subscriptionId: string) {
  const users = await allUsers(admin);
  const [stored] = await sql<{ assigned: number; purchased: number; rows: number }>(
    subscriptionId,
    'SELECT assigned, purchased, (SELECT COUNT(*) FROM seats) AS rows FROM subscription',
  );
  expect(stored!.assigned).toBe(stored!.rows);
  expect(stored!.assigned).toBeLessThanOrEqual(stored!.purchased);
  const waiting = (await admin.get('/v1/seat-requests?status=pending&limit=100')).body.items;
  return {
    holders: users.filter((u) => u.seat).map((u) => u.id as string).sort(),
    sourceOf: (id: string) => users.find((u) => u.id === id)?.seat?.source,
    revoking: (id: string) => users.find((u) => u.id === id)?.seat?.revocation ?? null,
    waiting: waiting.map((r: { user: { id: string }; reason: string }) => ({ id: r.user.id, reason: r.reason })),
  };
}

describe('Shift schedules', () => {
  it('gives a seat when the shift starts and takes it back when it ends', async () => {
    setNow('2026-12-07T05:00:00Z'); // Monday, 06:00 in Berlin
    const { admin, subscription } = await signupWithToken(2);
    const tech = (await createUser(admin, { name: 'Erika Early' })).user.id;
    const created = await admin.post('/v1/schedules', euDay([tech]));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'EU day', users: [{ id: tech, name: 'Erika Early' }], onShift: 0, nextChangeAt: '2026-12-07T06:00:00.000Z' });
    expect((await seats(admin, subscription.id)).holders).toEqual([]);

    await travelTo(subscription.id, '2026-12-07T06:00:00Z');
    const during = await seats(admin, subscription.id);
    expect(during.holders).toEqual([tech]);
    expect(during.sourceOf(tech)).toEqual({ kind: 'schedule', schedule: { id: created.body.id, name: 'EU day' } });
    expect((await admin.get(`/v1/schedules/${created.body.id}`)).body).toMatchObject({ onShift: 1, nextChangeAt: '2026-12-07T14:00:00.000Z' });

    await travelTo(subscription.id, '2026-12-07T14:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([]);
    const audit = (await admin.get(`/v1/audit?userId=${tech}&limit=10`)).body.items.map((e: { action: string; details: object }) => [e.action, e.details]);
    expect(audit).toContainEqual(['seat.unassigned', expect.objectContaining({ reason: 'shift_ended' })]);
  });

  it('hands the seat of the shift that ends to the shift that starts, in one alarm run', async () => {
    setNow('2026-12-07T12:00:00Z');
    const { admin, subscription } = await signupWithToken(1);
    const eu = (await createUser(admin, { name: 'Berlin Tech' })).user.id;
    const us = (await createUser(admin, { name: 'Boston Tech' })).user.id;
    expect((await admin.post('/v1/schedules', euDay([eu]))).status).toBe(201);
    expect((await admin.post('/v1/schedules', usDay([us]))).status).toBe(201);
    expect((await seats(admin, subscription.id)).holders).toEqual([eu]);

    // 15:00 in Berlin is 09:00 in New York: both boundaries are due at once.
    await travelTo(subscription.id, '2026-12-07T14:00:00Z');
    const after = await seats(admin, subscription.id);
    expect(after.holders).toEqual([us]);
    expect(after.waiting).toEqual([]);
  });

  it('lets a connected technician finish within the grace period while the next shift waits, then hands over', async () => {
    setNow('2026-12-07T12:00:00Z');
    const { admin, subscription } = await signupWithToken(1);
    const { api: euTech, user } = await signedInUser(admin, { name: 'Berlin Tech' });
    const us = (await createUser(admin, { name: 'Boston Tech' })).user.id;
    await admin.post('/v1/schedules', euDay([user.id]));
    await admin.post('/v1/schedules', usDay([us]));
    setNow('2026-12-07T13:59:30Z');
    expect((await euTech.post('/v1/console/sessions', { computer: 'PC-1' })).status).toBe(201);

    await travelTo(subscription.id, '2026-12-07T14:00:00Z');
    const during = await seats(admin, subscription.id);
    expect(during.holders).toEqual([user.id]);
    expect(during.revoking(user.id)).toMatchObject({ action: 'unassign', onActiveSessions: 'grace' });
    expect(during.waiting).toEqual([{ id: us, reason: 'Shift US day' }]);

    await travelTo(subscription.id, '2026-12-07T14:06:00Z');
    const after = await seats(admin, subscription.id);
    expect(after.holders).toEqual([us]);
    expect(after.waiting).toEqual([]);
  });

  it('keeps 07:00 Berlin across the spring DST weekend (06:00 UTC before, 05:00 UTC after)', async () => {
    setNow('2026-03-27T05:00:00Z'); // Friday, CET
    const { admin, subscription } = await signupWithToken(2);
    const tech = (await createUser(admin)).user.id;
    const created = (await admin.post('/v1/schedules', euDay([tech]))).body;
    expect(created.nextChangeAt).toBe('2026-03-27T06:00:00.000Z');
    await travelTo(subscription.id, '2026-03-27T06:00:00Z');
    await travelTo(subscription.id, '2026-03-27T14:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([]);
    expect((await admin.get(`/v1/schedules/${created.id}`)).body.nextChangeAt).toBe('2026-03-30T05:00:00.000Z'); // Monday, CEST
    await travelTo(subscription.id, '2026-03-30T04:59:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([]);
    await travelTo(subscription.id, '2026-03-30T05:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([tech]);
  });

  it('keeps 09:00–17:00 New York across the autumn DST weekend', async () => {
    setNow('2026-10-30T12:00:00Z'); // Friday, EDT (UTC−4)
    const { admin, subscription } = await signupWithToken(2);
    const tech = (await createUser(admin)).user.id;
    const created = (await admin.post('/v1/schedules', usDay([tech]))).body;
    expect(created.nextChangeAt).toBe('2026-10-30T13:00:00.000Z');
    await travelTo(subscription.id, '2026-10-30T13:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([tech]);
    await travelTo(subscription.id, '2026-10-30T21:00:00Z');
    expect((await admin.get(`/v1/schedules/${created.id}`)).body.nextChangeAt).toBe('2026-11-02T14:00:00.000Z'); // Monday, EST
    await travelTo(subscription.id, '2026-11-02T14:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([tech]);
  });

  it('comes out right when the alarm runs hours late, in the middle of a window', async () => {
    setNow('2026-12-07T05:00:00Z');
    const { admin, subscription } = await signupWithToken(2);
    const tech = (await createUser(admin)).user.id;
    const created = (await admin.post('/v1/schedules', euDay([tech]))).body;
    // The object was away from 06:00 (the start) until 09:30.
    await travelTo(subscription.id, '2026-12-07T09:30:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([tech]);
    expect((await admin.get(`/v1/schedules/${created.id}`)).body.nextChangeAt).toBe('2026-12-07T14:00:00.000Z');
    // Away again across the end and the next start: still one seat, no double.
    await travelTo(subscription.id, '2026-12-08T07:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([tech]);
  });

  it('refuses a plan that wants more seats than purchased until confirmed, naming who would wait', async () => {
    setNow('2026-12-07T08:00:00Z');
    const { admin, subscription } = await signupWithToken(1);
    const a = (await createUser(admin, { name: 'Anna First' })).user.id;
    const b = (await createUser(admin, { name: 'Bert Second' })).user.id;
    const refused = await admin.post('/v1/schedules', euDay([a, b]));
    problem(refused, 409, 'schedule_oversubscribed');
    expect(refused.body.waiting).toEqual([{ id: b, name: 'Bert Second' }]);
    expect(refused.body.hours[0]).toEqual({ at: '2026-12-07T08:00:00.000Z', wanted: 2, purchased: 1 });
    expect(refused.body.detail).toContain('Bert Second would wait');
    expect((await admin.get('/v1/schedules')).body.items).toEqual([]);
    expect((await seats(admin, subscription.id)).holders).toEqual([]);

    const confirmed = await admin.post('/v1/schedules', euDay([a, b], { confirm: true }));
    expect(confirmed.status).toBe(201);
    const now = await seats(admin, subscription.id);
    expect(now.holders).toEqual([a]);
    expect(now.waiting).toEqual([{ id: b, reason: 'Shift EU day' }]);
    // At the end of the shift both are off: the wait is withdrawn too.
    await travelTo(subscription.id, '2026-12-07T14:00:00Z');
    const after = await seats(admin, subscription.id);
    expect(after.holders).toEqual([]);
    expect(after.waiting).toEqual([]);
  });

  it('refuses putting a user on a schedule that then wants more seats than purchased until confirmed, naming who would wait', async () => {
    setNow('2026-12-07T08:00:00Z'); // Monday, 09:00 in Berlin: on shift
    const { admin, subscription } = await signupWithToken(1);
    const a = (await createUser(admin, { name: 'Anna First' })).user.id;
    const b = (await createUser(admin, { name: 'Bert Second' })).user.id;
    const schedule = (await admin.post('/v1/schedules', euDay([a]))).body;
    expect((await seats(admin, subscription.id)).holders).toEqual([a]);

    // A rename in the same PATCH is answered as it would be, and rolled back with the rest.
    const refused = await admin.patch(`/v1/users/${b}`, { scheduleId: schedule.id, name: 'Bert Renamed' });
    problem(refused, 409, 'schedule_oversubscribed');
    expect(refused.body.waiting).toEqual([{ id: b, name: 'Bert Renamed' }]);
    expect(refused.body.hours[0]).toEqual({ at: '2026-12-07T08:00:00.000Z', wanted: 2, purchased: 1 });
    expect(refused.body.detail).toContain('Bert Renamed would wait');
    expect((await admin.get(`/v1/users/${b}`)).body).toMatchObject({ name: 'Bert Second', scheduleId: null });
    expect((await admin.get(`/v1/schedules/${schedule.id}`)).body.users).toEqual([{ id: a, name: 'Anna First' }]);
    expect((await seats(admin, subscription.id)).waiting).toEqual([]);

    const confirmed = await admin.patch(`/v1/users/${b}`, { scheduleId: schedule.id, confirm: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ scheduleId: schedule.id, seat: null });
    const now = await seats(admin, subscription.id);
    expect(now.holders).toEqual([a]);
    expect(now.waiting).toEqual([{ id: b, reason: 'Shift EU day' }]);
    // Off the schedule again: never refused, and the wait is withdrawn.
    expect((await admin.patch(`/v1/users/${b}`, { scheduleId: null })).status).toBe(200);
    expect((await seats(admin, subscription.id)).waiting).toEqual([]);
  });

  it('shows hourly coverage, red where the schedules want more than purchased', async () => {
    setNow('2026-12-07T00:00:00Z');
    const { admin } = await signupWithToken(1);
    const a = (await createUser(admin)).user.id;
    const b = (await createUser(admin)).user.id;
    await admin.post('/v1/schedules', euDay([a]));
    await admin.post('/v1/schedules', { ...usDay([b]), windows: [{ days: weekdays, start: '08:00', end: '16:00' }], confirm: true });
    const reply = await admin.get('/v1/schedules/coverage?from=2026-12-07T12:00:00Z&to=2026-12-07T15:00:00Z');
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((h: { at: string; wanted: number; purchased: number }) => [h.at, h.wanted, h.purchased])).toEqual([
      ['2026-12-07T12:00:00.000Z', 1, 1],
      ['2026-12-07T13:00:00.000Z', 2, 1],
      ['2026-12-07T14:00:00.000Z', 1, 1],
    ]);
    problem(await admin.get('/v1/schedules/coverage?from=2026-12-07T00:00:00Z&to=2026-12-20T00:00:00Z'), 400, 'validation_failed');
  });

  it('follows a user put on and taken off a schedule, and never touches a seat given by hand', async () => {
    setNow('2026-12-07T08:00:00Z');
    const { admin, subscription } = await signupWithToken(3);
    const shift = (await createUser(admin)).user.id;
    const manual = (await createUser(admin, { assignSeat: true })).user.id;
    const schedule = (await admin.post('/v1/schedules', euDay([manual]))).body;
    expect((await admin.patch(`/v1/users/${shift}`, { scheduleId: schedule.id })).body).toMatchObject({ scheduleId: schedule.id, seat: { source: { kind: 'schedule' } } });
    expect((await seats(admin, subscription.id)).holders).toEqual([shift, manual].sort());
    await travelTo(subscription.id, '2026-12-07T14:00:00Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([manual]);
    await travelTo(subscription.id, '2026-12-08T06:00:00Z');
    expect((await admin.patch(`/v1/users/${shift}`, { scheduleId: null })).body).toMatchObject({ scheduleId: null, seat: null });
    problem(await admin.patch(`/v1/users/${shift}`, { scheduleId: 'sch_nope' }), 400, 'validation_failed');
  });

  it('refuses an unknown time zone, a duplicate name and an "on" exception without times', async () => {
    const { admin } = await signupWithToken(2);
    problem(await admin.post('/v1/schedules', { ...euDay([]), timeZone: 'Mars/Olympus' }), 400, 'validation_failed');
    expect((await admin.post('/v1/schedules', euDay([]))).status).toBe(201);
    problem(await admin.post('/v1/schedules', euDay([])), 409, 'already_exists');
    problem(await admin.post('/v1/schedules', { ...euDay([]), name: 'X', exceptions: [{ date: '2026-12-24', kind: 'on' }] }), 400, 'validation_failed');
  });

  it('deleting a schedule takes back the seats its shifts gave', async () => {
    setNow('2026-12-07T08:00:00Z');
    const { admin, subscription } = await signupWithToken(2);
    const tech = (await createUser(admin)).user.id;
    const schedule = (await admin.post('/v1/schedules', euDay([tech]))).body;
    expect((await seats(admin, subscription.id)).holders).toEqual([tech]);
    expect((await admin.delete(`/v1/schedules/${schedule.id}`)).status).toBe(204);
    expect((await seats(admin, subscription.id)).holders).toEqual([]);
    expect((await admin.get(`/v1/users/${tech}`)).body.scheduleId).toBeNull();
  });

  it('puts the members of a directory group on its schedule: shifts, joining and leaving mid-shift, and a schedule of their own wins', async () => {
    setNow('2026-12-07T05:00:00Z'); // Monday, 06:00 in Berlin
    const { admin: browser, subscription, directory } = await connected(3);
    const admin = new Api((await browser.post('/v1/tokens', { name: 'shifts' })).body.token);
    const [anna, bert, cleo] = [await provision(directory), await provision(directory), await provision(directory)];
    const group = (await directory.post('/Groups', { displayName: 'Support EU', members: [anna, bert].map((value) => ({ value })) })).body.id as string;
    const schedule = (await admin.post('/v1/schedules', euDay([], { groupIds: [group] }))).body;
    expect(schedule.groups).toEqual([{ id: group, name: 'Support EU' }]);
    expect(schedule.nextChangeAt).toBe('2026-12-07T06:00:00.000Z');
    expect((await seats(admin, subscription.id)).holders).toEqual([]);

    await travelTo(subscription.id, '2026-12-07T06:00:00Z'); // 07:00 in Berlin: the shift starts
    let now = await seats(admin, subscription.id);
    expect(now.holders).toEqual([anna, bert].sort());
    expect(now.sourceOf(anna)).toMatchObject({ kind: 'schedule', schedule: { id: schedule.id, name: 'EU day' } });

    // Cleo joins mid-shift: she is on shift at once; Bert leaves: the shift's seat goes back at once.
    setNow('2026-12-07T08:00:00Z');
    const members = (op: string, id: string) => directory.patch(`/Groups/${group}`, { schemas: [SCIM_PATCH], Operations: [{ op, path: 'members', value: [{ value: id }] }] });
    expect((await members('add', cleo)).status).toBe(204);
    expect((await seats(admin, subscription.id)).holders).toEqual([anna, bert, cleo].sort());
    expect((await members('remove', bert)).status).toBe(204);
    expect((await seats(admin, subscription.id)).holders).toEqual([anna, cleo].sort());

    // Anna's own schedule (US day, 14:00–22:00 UTC) wins over her group's: at 15:00 Berlin she keeps a seat, Cleo's leaves.
    expect((await admin.patch(`/v1/users/${anna}`, { scheduleId: (await admin.post('/v1/schedules', usDay([]))).body.id })).status).toBe(200);
    expect((await seats(admin, subscription.id)).holders).toEqual([cleo]); // off her group's shift, not yet on her own
    await travelTo(subscription.id, '2026-12-07T14:00:00Z');
    now = await seats(admin, subscription.id);
    expect(now.holders).toEqual([anna]);
    expect(now.sourceOf(anna)).toMatchObject({ kind: 'schedule', schedule: { name: 'US day' } });
    expect((await admin.get(`/v1/schedules/${schedule.id}`)).body.nextChangeAt).toBe('2026-12-08T06:00:00.000Z');
  });

  it('never gives a shift a seat reserved for a team pool: the person waits instead', async () => {
    setNow('2026-12-07T08:00:00Z'); // Monday, 09:00 in Berlin: on shift
    const { admin, subscription } = await signupWithToken(2);
    const byHand = (await createUser(admin, { assignSeat: true })).user.id;
    expect((await admin.post('/v1/pools', { name: 'Field team', reserved: 1, maximum: 1 })).status).toBe(201);
    const shift = (await createUser(admin, { name: 'Sam Shift' })).user.id;
    // One seat is free, but it is the pool's reserve: Sam (in no pool) may not have it.
    const created = await admin.post('/v1/schedules', euDay([shift], { confirm: true }));
    expect(created.status).toBe(201);
    const now = await seats(admin, subscription.id);
    expect(now.holders).toEqual([byHand]);
    expect(now.waiting).toEqual([{ id: shift, reason: 'Shift EU day' }]);
  });

  it('a shift boundary that changes no seat raises no revision (nothing for live clients to fetch)', async () => {
    setNow('2026-12-07T05:00:00Z'); // Monday, 06:00 in Berlin
    const { admin, subscription } = await signupWithToken(2);
    // Erika holds a seat given by hand, which her shifts never touch.
    const erika = (await createUser(admin, { name: 'Erika Early', assignSeat: true })).user.id;
    const schedule = (await admin.post('/v1/schedules', euDay([erika]))).body;
    const revision = async () => Number((await admin.get('/v1/subscription')).headers.get('SetMe-Revision'));
    const before = await revision();

    await travelTo(subscription.id, '2026-12-07T06:00:00Z'); // the shift starts: nothing to give
    expect((await admin.get(`/v1/schedules/${schedule.id}`)).body.nextChangeAt).toBe('2026-12-07T14:00:00.000Z');
    expect(await revision()).toBe(before);

    // A boundary that does change a seat still raises it.
    const sam = (await createUser(admin, { name: 'Sam Shift' })).user.id;
    expect((await admin.patch(`/v1/users/${sam}`, { scheduleId: schedule.id })).status).toBe(200);
    const withSam = await revision();
    await travelTo(subscription.id, '2026-12-07T14:00:00Z'); // Sam's shift seat leaves
    expect(await revision()).toBe(withSam + 1);
  });
});
