/**
 * Team pools through the real Worker and Subscription object: reserves, borrowing, maximums,
 * the refusals that explain them, SQLite's own refusal, team managers' reach, and races.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { elapse, MINUTE, sql } from './clock';
import { Api, ORIGIN, PASSWORD, problem, signup, uniqueEmail, type Reply } from './helpers';

type Admin = Api;

async function pool(admin: Admin, name: string, reserved: number, maximum: number): Promise<{ id: string }> {
  const reply = await admin.post('/v1/pools', { name, reserved, maximum });
  if (reply.status !== 201) throw new Error(`create pool failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.pool;
}

async function member(admin: Admin, name: string, poolId: string | null, fields: { role?: string; pools?: string[]; assignSeat?: boolean } = {}) {
  const reply = await admin.post('/v1/users', {
    name,
    email: uniqueEmail(name.split(' ')[0]!.toLowerCase()),
    role: fields.role ?? 'technician',
    assignSeat: fields.assignSeat ?? false,
    poolId,
    pools: fields.pools ?? [],
  });
  if (reply.status !== 201) throw new Error(`create user failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as { user: { id: string; name: string; poolId: string | null; pools: string[]; role: string }; invitation: { token: string } };
}

async function signedIn(invitation: { token: string }): Promise<Api> {
  const api = new Api();
  const reply = await api.post('/v1/invitations/accept', { token: invitation.token, password: PASSWORD });
  if (reply.status !== 200) throw new Error(`accept failed: ${JSON.stringify(reply.body)}`);
  return api;
}

const seat = (api: Api, userId: string) => api.put(`/v1/users/${userId}/seat`, {});
const pools = async (admin: Admin) => (await admin.get('/v1/pools')).body.items as { id: string; reserved: number; maximum: number; assigned: number }[];

describe('Team pools', () => {
  it('creates, lists, renames and deletes pools; members carry poolId', async () => {
    const { admin } = await signup(6);
    const desk = await pool(admin, 'Service desk', 2, 4);
    expect(await pools(admin)).toEqual([{ id: desk.id, name: 'Service desk', reserved: 2, maximum: 4, assigned: 0 }]);
    problem(await admin.post('/v1/pools', { name: 'service DESK', reserved: 0, maximum: 1 }), 409, 'already_exists');
    problem(await admin.post('/v1/pools', { name: 'Field', reserved: 3, maximum: 2 }), 400, 'validation_failed');
    const ann = await member(admin, 'Ann', desk.id, { assignSeat: true });
    expect(ann.user.poolId).toBe(desk.id);
    expect((await admin.patch(`/v1/pools/${desk.id}`, { name: 'Desk' })).body.pool).toMatchObject({ name: 'Desk', assigned: 1 });
    expect((await admin.delete(`/v1/pools/${desk.id}`)).status).toBe(204);
    const after = (await admin.get(`/v1/users/${ann.user.id}`)).body;
    expect(after.poolId).toBeNull();
    expect(after.seat).not.toBeNull();
    problem(await admin.patch(`/v1/pools/${desk.id}`, { name: 'Gone' }), 404, 'not_found');
  });

  it('keeps reserved seats for the pool: shared users are refused, pool members get them even when the rest is full', async () => {
    const { admin } = await signup(5);
    const desk = await pool(admin, 'Service desk', 3, 4);
    const shared = [await member(admin, 'Sam', null), await member(admin, 'Sue', null), await member(admin, 'Sid', null)];
    expect((await seat(admin, shared[0]!.user.id)).status).toBe(200);
    expect((await seat(admin, shared[1]!.user.id)).status).toBe(200);
    // 5 purchased − 3 reserved − 2 shared holders: nothing unreserved is free.
    const refused = problem(await seat(admin, shared[2]!.user.id), 409, 'no_seats_available');
    expect(refused).toMatchObject({ reserved: 3, seats: { purchased: 5, assigned: 2 } });
    expect(refused.detail).toContain('reserved');
    for (const name of ['Ann', 'Ben', 'Cat']) expect((await seat(admin, (await member(admin, name, desk.id)).user.id)).status).toBe(200);
    // The reserve is used up and nothing is free to borrow: the pool is full at its reserve.
    const dan = await member(admin, 'Dan', desk.id);
    const full = problem(await seat(admin, dan.user.id), 409, 'pool_full');
    expect(full).toMatchObject({ limit: 'reserve', pool: { id: desk.id, assigned: 3 } });
    expect(full.holders.map((h: { name: string }) => h.name).sort()).toEqual(['Ann', 'Ben', 'Cat']);
  });

  it('lets a pool borrow unreserved seats up to its maximum, then refuses with its holders', async () => {
    const { admin } = await signup(6);
    const desk = await pool(admin, 'Service desk', 1, 3);
    const names = ['Ann', 'Ben', 'Cat', 'Dan'];
    const users = [];
    for (const name of names) users.push((await member(admin, name, desk.id)).user);
    for (const user of users.slice(0, 3)) expect((await seat(admin, user.id)).status).toBe(200);
    const full = problem(await seat(admin, users[3]!.id), 409, 'pool_full');
    expect(full).toMatchObject({ limit: 'maximum', pool: { reserved: 1, maximum: 3, assigned: 3 } });
    expect(full.detail).toContain('maximum');
    expect(full.holders).toHaveLength(3);
    // A shared user still gets one of the 3 seats left outside the pool.
    expect((await seat(admin, (await member(admin, 'Sam', null)).user.id)).status).toBe(200);
    // Moving a seat within the pool works at its maximum.
    expect((await admin.post('/v1/seats/transfer', { from: users[0]!.id, to: users[3]!.id })).status).toBe(200);
  });

  it('refuses to move a seat into a full pool, and moves a holder between pools only with room', async () => {
    const { admin } = await signup(4);
    const desk = await pool(admin, 'Desk', 1, 1);
    const field = await pool(admin, 'Field', 1, 2);
    const ann = await member(admin, 'Ann', desk.id, { assignSeat: true });
    const ben = await member(admin, 'Ben', desk.id);
    const cat = await member(admin, 'Cat', field.id, { assignSeat: true });
    problem(await admin.post('/v1/seats/transfer', { from: cat.user.id, to: ben.user.id }), 409, 'pool_full');
    problem(await admin.patch(`/v1/users/${cat.user.id}`, { poolId: desk.id }), 409, 'pool_full');
    const moved = await admin.patch(`/v1/users/${ann.user.id}`, { poolId: field.id });
    expect(moved.body).toMatchObject({ poolId: field.id, seat: expect.anything() });
    expect((await pools(admin)).map((p) => p.assigned)).toEqual([0, 2]);
  });

  it('refuses purchased seats, a maximum or a reserve below what is held, listing the holders', async () => {
    const { admin } = await signup(6);
    const desk = await pool(admin, 'Desk', 2, 4);
    const a = await member(admin, 'Ann', desk.id, { assignSeat: true });
    await member(admin, 'Ben', desk.id, { assignSeat: true });
    await member(admin, 'Cat', desk.id, { assignSeat: true });
    const sam = await member(admin, 'Sam', null, { assignSeat: true });
    // 3 held in the pool + 1 shared = 4 committed.
    const seats = problem(await admin.patch('/v1/subscription', { seats: 3 }), 409, 'seats_in_use');
    expect(seats).toMatchObject({ requested: 3, toFree: 1 });
    expect((await admin.patch('/v1/subscription', { seats: 4 })).status).toBe(200);
    const maximum = problem(await admin.patch(`/v1/pools/${desk.id}`, { maximum: 2 }), 409, 'pool_in_use');
    expect(maximum).toMatchObject({ toFree: 1 });
    expect(maximum.holders.map((h: { id: string }) => h.id)).toContain(a.user.id);
    // A reserve of 4 would need Sam's seat: refused, naming him.
    const reserve = problem(await admin.patch(`/v1/pools/${desk.id}`, { reserved: 4 }), 409, 'pool_in_use');
    expect(reserve.holders.map((h: { id: string }) => h.id)).toEqual([sam.user.id]);
    // With a 3-seat reserve and 3 held, purchased seats cannot drop below 4 either.
    expect((await admin.patch(`/v1/pools/${desk.id}`, { reserved: 3 })).status).toBe(200);
    expect((await admin.delete(`/v1/users/${a.user.id}/seat`)).status).toBe(200);
    const reserved = problem(await admin.patch('/v1/subscription', { seats: 3 }), 409, 'seats_in_use');
    expect(reserved).toMatchObject({ reserved: 1 });
    expect(reserved.detail).toContain('reserve');
  });

  it('is enforced by SQLite itself: a seat row that would use a pool\'s reserve is refused', async () => {
    const { admin, subscription } = await signup(3);
    await pool(admin, 'Desk', 2, 2);
    const sam = await member(admin, 'Sam', null, { assignSeat: true });
    const sid = await member(admin, 'Sid', null);
    await expect(sql(subscription.id, "INSERT INTO seats (user_id, assigned_at) VALUES (?, '2026-01-01')", sid.user.id)).rejects.toThrow(/pool reserve/);
    await expect(sql(subscription.id, 'UPDATE subscription SET purchased = 2')).rejects.toThrow(/pool reserve/);
    await expect(sql(subscription.id, 'UPDATE pools SET maximum = 0, reserved = 0 WHERE 0')).resolves.toEqual([]);
    expect((await admin.get(`/v1/users/${sam.user.id}`)).body.seat).not.toBeNull();
  });

  it('a freed seat goes to the waitlist only where the pools leave room (controlled clock)', async () => {
    const { admin, subscription } = await signup(3);
    await admin.patch('/v1/subscription', { autoAssignRequests: true });
    const desk = await pool(admin, 'Desk', 1, 2);
    const ann = await member(admin, 'Ann', desk.id, { assignSeat: true });
    const sam = await member(admin, 'Sam', null, { assignSeat: true });
    const sue = await member(admin, 'Sue', null, { assignSeat: true });
    const ben = await member(admin, 'Ben', desk.id);
    const sid = await member(admin, 'Sid', null);
    // Ann's seat is lent to Ben for an hour, inside the pool; then it returns to her.
    expect((await admin.post('/v1/seats/transfer', { from: ann.user.id, to: ben.user.id, until: new Date(Date.now() + 60 * MINUTE).toISOString() })).status).toBe(200);
    await elapse(subscription.id, 61 * MINUTE);
    expect((await admin.get(`/v1/users/${ann.user.id}`)).body.seat).not.toBeNull();
    expect((await admin.get(`/v1/users/${ben.user.id}`)).body.seat).toBeNull();
    // Sid (shared) asks first, then Ben (desk): every seat is held.
    const sidApi = await signedIn(sid.invitation);
    const benApi = await signedIn(ben.invitation);
    expect((await sidApi.post('/v1/seat-requests', { reason: 'Weekend shift' })).status).toBe(201);
    expect((await benApi.post('/v1/seat-requests', { reason: 'Weekend shift' })).status).toBe(201);
    // Ann's pool seat freed: Sid (shared) waited longer, but it is the desk's reserve, so Ben gets it.
    expect((await admin.delete(`/v1/users/${ann.user.id}/seat`)).status).toBe(200);
    expect((await admin.get(`/v1/users/${ben.user.id}`)).body.seat).not.toBeNull();
    expect((await admin.get(`/v1/users/${sid.user.id}`)).body.seat).toBeNull();
    // A shared seat freed: Sid gets it.
    expect((await admin.delete(`/v1/users/${sue.user.id}/seat`)).status).toBe(200);
    expect((await admin.get(`/v1/users/${sid.user.id}`)).body.seat).not.toBeNull();
    expect(sam.user.poolId).toBeNull();
  });
});

describe('The per-pool report', () => {
  it("gives each pool's utilisation and idle seats, then the shared remainder's, as JSON and CSV", async () => {
    const { admin, subscription } = await signup(5);
    const desk = await pool(admin, 'Desk', 2, 3);
    const ann = await member(admin, 'Ann', desk.id, { assignSeat: true });
    await member(admin, 'Ben', desk.id, { assignSeat: true });
    await member(admin, 'Sam', null, { assignSeat: true });
    // Ann has held her seat for 30 days without a console session: idle at 14 days.
    await sql(subscription.id, 'UPDATE seats SET assigned_at = ? WHERE user_id = ?', new Date(Date.now() - 30 * 86_400_000).toISOString(), ann.user.id);
    const report = (await admin.get('/v1/reports/pools?days=14')).body;
    expect(report.items).toEqual([
      { pool: { id: desk.id, name: 'Desk' }, reserved: 2, capacity: 3, assigned: 2, utilisationPercent: 67, idleSeats: 1 },
      { pool: null, reserved: 0, capacity: 3, assigned: 1, utilisationPercent: 33, idleSeats: 0 },
    ]);
    const csv = await exports.default.fetch(`${ORIGIN}/api/v1/reports/pools?days=14&format=csv`, { headers: { cookie: admin.cookie } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('pool_id,pool,reserved,capacity,assigned,utilisation_percent,idle_seats');
    expect(lines[1]).toBe(`${desk.id},Desk,2,3,2,67,1`);
    expect(lines[2]).toBe(',Shared,0,3,1,33,0');
  });
});

describe('Team managers', () => {
  /** A subscription with two pools, a team manager of the first, and members of each with and without seats. */
  async function teams() {
    const { admin } = await signup(10);
    const desk = await pool(admin, 'Desk', 2, 4);
    const field = await pool(admin, 'Field', 2, 4);
    const manager = await member(admin, 'Mia', desk.id, { role: 'team_manager', pools: [desk.id] });
    expect(manager.user).toMatchObject({ role: 'team_manager', pools: [desk.id] });
    const mine = { held: await member(admin, 'Ann', desk.id, { assignSeat: true }), free: await member(admin, 'Ben', desk.id) };
    const theirs = { held: await member(admin, 'Fay', field.id, { assignSeat: true }), free: await member(admin, 'Gus', field.id) };
    const shared = { held: await member(admin, 'Sam', null, { assignSeat: true }), free: await member(admin, 'Sid', null) };
    return { admin, desk, field, api: await signedIn(manager.invitation), mine, theirs, shared };
  }

  type Team = Awaited<ReturnType<typeof teams>>;
  type Side = Team['mine'];
  /** Every seat action, on a pair of users (one holding a seat, one without). */
  const actions: [string, (api: Api, side: Side, team: Team) => Promise<Reply>][] = [
    ['give a seat', (api, side) => seat(api, side.free.user.id)],
    ['take a seat back', (api, side) => api.delete(`/v1/users/${side.held.user.id}/seat?onActiveSessions=end_now`)],
    ['move a seat', (api, side) => api.post('/v1/seats/transfer', { from: side.held.user.id, to: side.free.user.id })],
    ['lend a seat', (api, side) => api.post('/v1/seats/transfer', { from: side.held.user.id, to: side.free.user.id, until: new Date(Date.now() + 3_600_000).toISOString() })],
    ['move a seat from their own pool to another', (api, side, team) => api.post('/v1/seats/transfer', { from: team.mine.held.user.id, to: side.free.user.id })],
    ['approve a request', async (api, side) => {
      const requester = await signedIn(side.free.invitation);
      const asked = await requester.post('/v1/seat-requests', { reason: 'Covering' });
      return api.post(`/v1/seat-requests/${asked.body.id}/approve`, {});
    }],
    ['decline a request', async (api, side) => {
      const requester = await signedIn(side.free.invitation);
      const asked = await requester.post('/v1/seat-requests', { reason: 'Covering' });
      return api.post(`/v1/seat-requests/${asked.body.id}/decline`, {});
    }],
  ];

  for (const [what, act] of actions) {
    it(`may ${what} within their pool, and get 403 forbidden for another pool and for shared users`, async () => {
      const team = await teams();
      for (const side of [team.theirs, team.shared]) {
        const refused = problem(await act(team.api, side, team), 403, 'forbidden');
        expect(refused.detail).toContain('not in a pool you manage');
      }
      if (!what.includes('another')) expect((await act(team.api, team.mine, team)).status).toBeLessThan(300);
      // Nothing changed outside their pool.
      expect((await team.admin.get(`/v1/users/${team.theirs.held.user.id}`)).body.seat).not.toBeNull();
      expect((await team.admin.get(`/v1/users/${team.shared.free.user.id}`)).body.seat).toBeNull();
    });
  }

  it('see their team in the user list and its requests, and cannot change pools or users', async () => {
    const team = await teams();
    const listed = (await team.api.get('/v1/users')).body.items.map((u: { name: string }) => u.name).sort();
    expect(listed).toEqual(['Ann', 'Ben', 'Mia']);
    expect((await team.api.get('/v1/pools')).status).toBe(200);
    problem(await team.api.post('/v1/pools', { name: 'Mine', reserved: 0, maximum: 1 }), 403, 'forbidden');
    problem(await team.api.patch(`/v1/pools/${team.desk.id}`, { maximum: 9 }), 403, 'forbidden');
    problem(await team.api.patch(`/v1/users/${team.mine.free.user.id}`, { poolId: null }), 403, 'forbidden');
    const fay = await signedIn(team.theirs.free.invitation);
    await fay.post('/v1/seat-requests', { reason: 'Covering' });
    const ben = await signedIn(team.mine.free.invitation);
    await ben.post('/v1/seat-requests', { reason: 'Covering' });
    const requests = (await team.api.get('/v1/seat-requests')).body.items.map((r: { user: { name: string } }) => r.user.name);
    expect(requests).toEqual(['Ben']);
    problem(await team.api.get(`/v1/seat-requests?userId=${team.theirs.free.user.id}`), 403, 'forbidden');
  });

  it('are named team managers in the reports too', async () => {
    const team = await teams();
    const activity = (await team.admin.get('/v1/reports/console-activity?days=30')).body.items as { user: { name: string; role: string } }[];
    expect(activity.find((row) => row.user.name.startsWith('Mia'))?.user.role).toBe('team_manager');
  });

  it('a team manager with no pool left manages nobody; an unknown pool is refused', async () => {
    const team = await teams();
    problem(await team.admin.patch(`/v1/users/${team.mine.free.user.id}`, { role: 'team_manager', pools: ['pool_aaaaaaaaaaaaaaaaaaaa'] }), 400, 'validation_failed');
    expect((await team.admin.delete(`/v1/pools/${team.desk.id}`)).status).toBe(204);
    problem(await seat(team.api, team.mine.free.user.id), 403, 'forbidden');
  });
});

describe('Team pools under concurrency', () => {
  it('parallel assigns into two pools never exceed a maximum nor eat the other pool\'s reserve', async () => {
    const { admin, subscription } = await signup(8);
    const desk = await pool(admin, 'Desk', 2, 5);
    const field = await pool(admin, 'Field', 3, 4);
    const users: { id: string; pool: string | null }[] = [];
    for (let i = 0; i < 12; i++) users.push({ id: (await member(admin, `Desk ${i}`, desk.id)).user.id, pool: desk.id });
    for (let i = 0; i < 3; i++) users.push({ id: (await member(admin, `Shared ${i}`, null)).user.id, pool: null });
    const replies = await Promise.all(users.map((u) => seat(admin, u.id)));
    expect(replies.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const after = await pools(admin);
    const deskNow = after.find((p) => p.id === desk.id)!;
    const fieldNow = after.find((p) => p.id === field.id)!;
    expect(deskNow.assigned).toBeLessThanOrEqual(5);
    expect(fieldNow.assigned).toBe(0);
    // Field's 3 reserved seats stayed free: 8 − 3 = 5 seats for everyone else, and all 5 were taken.
    const held = await sql<{ n: number }>(subscription.id, 'SELECT COUNT(*) AS n FROM seats');
    expect(held[0]!.n).toBe(5);
    // Field members still get their reserve, in parallel too.
    const fielders = [];
    for (let i = 0; i < 6; i++) fielders.push((await member(admin, `Field ${i}`, field.id)).user.id);
    const fieldReplies = await Promise.all(fielders.map((id) => seat(admin, id)));
    expect(fieldReplies.filter((r) => r.status === 200)).toHaveLength(3);
    expect(fieldReplies.filter((r) => r.status === 409).every((r) => r.body.code === 'pool_full')).toBe(true);
    const stored = await sql<{ assigned: number; purchased: number }>(subscription.id, 'SELECT assigned, purchased FROM subscription');
    expect(stored[0]).toEqual({ assigned: 8, purchased: 8 });
  });
});
