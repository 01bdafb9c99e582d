import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { session, sql } from './clock';
import { createUser, ORIGIN, problem, signedInUser, signup, type Api } from './helpers';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Writes an audit entry with a chosen time, as the object would have. */
async function audit(subscriptionId: string, at: string, action: string, details: Record<string, unknown> = {}) {
  await sql(
    subscriptionId,
    "INSERT INTO audit (at, actor_id, actor_name, action, target_type, target_id, target_name, details) VALUES (?, NULL, NULL, ?, 'user', 'usr_x', 'X', ?)",
    at,
    action,
    JSON.stringify(details),
  );
}


/** GET a report as CSV: the raw text and headers. */
async function csv(api: Api, path: string) {
  const res = await exports.default.fetch(`${ORIGIN}/api/v1${path}`, { headers: { cookie: api.cookie } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
}

describe('Seat utilisation report', () => {
  it('replays the audit log into assigned against purchased per day, with the peak', async () => {
    const { admin, subscription } = await signup(3);
    await sql(subscription.id, 'DELETE FROM audit');
    await audit(subscription.id, '2026-03-01T09:00:00.000Z', 'subscription.created', { seats: 3 });
    await audit(subscription.id, '2026-03-01T10:00:00.000Z', 'seat.assigned');
    await audit(subscription.id, '2026-03-01T11:00:00.000Z', 'seat.assigned');
    await audit(subscription.id, '2026-03-02T08:00:00.000Z', 'seat.unassigned');
    await audit(subscription.id, '2026-03-02T09:00:00.000Z', 'seat.transferred');
    await audit(subscription.id, '2026-03-02T10:00:00.000Z', 'user.updated', { name: { from: 'a', to: 'b' } });
    await audit(subscription.id, '2026-03-03T12:00:00.000Z', 'subscription.updated', { seats: { from: 3, to: 5 } });
    for (let i = 0; i < 3; i++) await audit(subscription.id, `2026-03-03T13:0${i}:00.000Z`, 'seat.assigned');
    await audit(subscription.id, '2026-03-03T18:00:00.000Z', 'seat.loan_ended', { outcome: 'freed' });
    await audit(subscription.id, '2026-03-04T09:00:00.000Z', 'seat.loan_ended', { outcome: 'returned' });
    await audit(subscription.id, '2026-03-06T09:00:00.000Z', 'seat.assigned'); // after the period

    const reply = await admin.get('/v1/reports/utilisation?from=2026-02-28&to=2026-03-05');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      from: '2026-02-28',
      to: '2026-03-05',
      items: [
        { date: '2026-03-01', purchased: 3, assigned: 2, peakAssigned: 2 },
        { date: '2026-03-02', purchased: 3, assigned: 1, peakAssigned: 2 },
        { date: '2026-03-03', purchased: 5, assigned: 3, peakAssigned: 4 },
        { date: '2026-03-04', purchased: 5, assigned: 3, peakAssigned: 3 },
        { date: '2026-03-05', purchased: 5, assigned: 3, peakAssigned: 3 },
      ],
    });

    const download = await csv(admin, '/reports/utilisation?from=2026-03-01&to=2026-03-02&format=csv');
    expect(download.status).toBe(200);
    expect(download.type).toBe('text/csv; charset=utf-8');
    expect(download.disposition).toBe('attachment; filename="utilisation-2026-03-01-2026-03-02.csv"');
    expect(download.text).toBe('date,purchased,assigned,peak_assigned\r\n2026-03-01,3,2,2\r\n2026-03-02,3,1,2\r\n');
  });

  it("agrees with the subscription's own counts for what really happened today", async () => {
    const { admin, subscription } = await signup(4);
    const a = (await createUser(admin, { name: 'A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'B', assignSeat: true })).user;
    const c = (await createUser(admin, { name: 'C' })).user;
    await admin.post('/v1/seats/transfer', { from: a.id, to: c.id, until: new Date(Date.now() + HOUR).toISOString() });
    await admin.delete(`/v1/users/${b.id}/seat`);
    await admin.patch('/v1/subscription', { seats: 6 });
    await admin.post(`/v1/users/${c.id}/seat/return`);
    const today = (await admin.get('/v1/reports/utilisation')).body;
    expect(today.items).toHaveLength(1); // the subscription began today
    expect(today.to).toBe(new Date().toISOString().slice(0, 10));
    const seats = (await admin.get('/v1/subscription')).body.seats;
    expect(today.items[0]).toEqual({ date: today.to, purchased: seats.purchased, assigned: seats.assigned, peakAssigned: 2 });
    expect(subscription.seats.purchased).toBe(4);
  });

  it('refuses periods that are backwards, too long or not days', async () => {
    const { admin } = await signup();
    problem(await admin.get('/v1/reports/utilisation?from=2026-03-05&to=2026-03-01'), 400, 'validation_failed');
    problem(await admin.get('/v1/reports/utilisation?from=2024-01-01&to=2026-03-01'), 400, 'validation_failed');
    problem(await admin.get('/v1/reports/utilisation?from=yesterday'), 400, 'validation_failed');
    problem(await admin.get('/v1/reports/utilisation?format=pdf'), 400, 'validation_failed');
  });
});

describe('Console activity report', () => {
  it('counts sessions and connected time in the period, cut at its edges, and the last connection ever', async () => {
    const { admin, subscription, user: owner } = await signup(5);
    const alice = (await createUser(admin, { name: 'Alice', assignSeat: true })).user;
    const bob = (await createUser(admin, { name: 'Bob', assignSeat: true })).user;
    const carol = (await createUser(admin, { name: 'Carol' })).user;
    const aliceLast = ago(3 * DAY);
    await session(subscription.id, alice.id, aliceLast, ago(3 * DAY - 2 * HOUR));
    await session(subscription.id, alice.id, ago(40 * DAY), ago(40 * DAY - HOUR)); // before the period
    await session(subscription.id, bob.id, ago(31 * DAY), ago(29 * DAY)); // one day of it inside
    await session(subscription.id, bob.id, ago(HOUR), null); // still connected

    const reply = await admin.get('/v1/reports/console-activity?days=30');
    expect(reply.status).toBe(200);
    const rows = reply.body.items;
    expect(rows.map((r: any) => r.user.name)).toEqual(['Bob', 'Alice', 'Ada Admin', 'Carol']);
    const [bobRow, aliceRow, ownerRow, carolRow] = rows;
    expect(bobRow).toMatchObject({ hasSeat: true, sessions: 2, lastConnectionAt: expect.any(String) });
    expect(bobRow.connectedSeconds).toBeGreaterThanOrEqual(DAY / 1000 + 3600 - 10);
    expect(bobRow.connectedSeconds).toBeLessThanOrEqual(DAY / 1000 + 3600 + 10);
    expect(aliceRow).toEqual({
      user: { id: alice.id, name: 'Alice', email: alice.email, role: 'technician' },
      hasSeat: true,
      sessions: 1,
      connectedSeconds: 7200,
      lastConnectionAt: aliceLast,
    });
    expect(ownerRow).toMatchObject({ user: { id: owner.id }, sessions: 0, connectedSeconds: 0, lastConnectionAt: null });
    expect(carolRow).toMatchObject({ user: { id: carol.id }, hasSeat: false, sessions: 0 });

    // A shorter period leaves Alice's session out but keeps her last connection.
    const week = (await admin.get('/v1/reports/console-activity?days=2')).body.items;
    expect(week.find((r: any) => r.user.id === alice.id)).toMatchObject({ sessions: 0, connectedSeconds: 0, lastConnectionAt: aliceLast });
  });

  it('exports CSV with a header row and escapes commas, quotes and would-be formulas', async () => {
    const { admin, subscription } = await signup(3);
    const awkward = (await createUser(admin, { name: 'Jo', assignSeat: true })).user;
    const formula = (await createUser(admin, { name: 'Hy' })).user;
    await admin.patch(`/v1/users/${awkward.id}`, { name: 'Smith, "Jo"' });
    await admin.patch(`/v1/users/${formula.id}`, { name: '=HYPERLINK("http://x")' });
    await session(subscription.id, awkward.id, ago(2 * HOUR), ago(HOUR));
    const download = await csv(admin, '/reports/console-activity?format=csv');
    expect(download.status).toBe(200);
    expect(download.type).toBe('text/csv; charset=utf-8');
    expect(download.disposition).toMatch(/^attachment; filename="console-activity-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = download.text.split('\r\n');
    expect(lines[0]).toBe('user_id,name,email,role,has_seat,sessions,connected_seconds,last_connection_at');
    expect(lines[1]).toMatch(new RegExp(`^${awkward.id},"Smith, ""Jo""",${awkward.email.replace(/\./g, '\\.')},technician,true,1,3600,\\d{4}-`));
    expect(lines).toContain(`${formula.id},"'=HYPERLINK(""http://x"")",${formula.email},technician,false,0,0,`);
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(5);
  });

  it('quotes a field holding a semicolon, the separator many spreadsheets use', async () => {
    const { admin } = await signup(3);
    const user = (await createUser(admin, { name: 'Jo', assignSeat: true })).user;
    await admin.patch(`/v1/users/${user.id}`, { name: 'Smith; Jo' });
    const download = await csv(admin, '/reports/console-activity?format=csv');
    expect(download.text.split('\r\n')).toContain(`${user.id},"Smith; Jo",${user.email},technician,true,0,0,`);
  });
});

describe('Idle seats report', () => {
  it('lists holders with no session in N days, longest idle first, each with a one-tap suggestion', async () => {
    const { admin, subscription } = await signup(8);
    const make = async (name: string, heldDays: number) => {
      const user = (await createUser(admin, { name, assignSeat: true })).user;
      await sql(subscription.id, 'UPDATE seats SET assigned_at = ? WHERE user_id = ?', ago(heldDays * DAY), user.id);
      return user;
    };
    const dave = await make('Dave Never', 20);
    const erin = await make('Erin Recent', 20);
    const frank = await make('Frank Faded', 30);
    const gina = await make('Gina New', 3);
    const hank = await make('Hank Connected', 60);
    await session(subscription.id, erin.id, ago(2 * DAY), ago(2 * DAY - HOUR));
    await session(subscription.id, frank.id, ago(16 * DAY), ago(15 * DAY));
    await session(subscription.id, hank.id, ago(20 * DAY), null);
    const ivy = await signedInUser(admin, { name: 'Ivy Waiting' });
    const request = (await ivy.api.post('/v1/seat-requests', { reason: 'New starter' })).body;

    const reply = await admin.get('/v1/reports/idle-seats?days=14');
    expect(reply.status).toBe(200);
    expect(reply.body.days).toBe(14);
    expect(reply.body.items).toEqual([
      {
        user: { id: dave.id, name: 'Dave Never', email: dave.email },
        seatAssignedAt: expect.any(String),
        lastConnectionAt: null,
        idleDays: 20,
        suggestion: { action: 'approve_request', requestId: request.id, to: { id: ivy.user.id, name: 'Ivy Waiting' } },
      },
      {
        user: { id: frank.id, name: 'Frank Faded', email: frank.email },
        seatAssignedAt: expect.any(String),
        lastConnectionAt: expect.any(String),
        idleDays: 15,
        suggestion: { action: 'unassign' },
      },
    ]);
    expect(gina.id).not.toBe(erin.id);

    // The one tap: approve Ivy's request with a transfer from Dave.
    const tapped = await admin.post(`/v1/seat-requests/${request.id}/approve`, { from: dave.id });
    expect(tapped.status).toBe(200);
    expect(tapped.body.user.seat).not.toBeNull();
    expect((await admin.get('/v1/reports/idle-seats?days=14')).body.items.map((i: any) => i.user.id)).toEqual([frank.id]);

    const download = await csv(admin, '/reports/idle-seats?days=14&format=csv');
    const lines = download.text.split('\r\n');
    expect(lines[0]).toBe(
      'user_id,name,email,seat_assigned_at,last_connection_at,idle_days,suggestion,request_id,suggested_user_id,suggested_user_name',
    );
    expect(lines[1]).toMatch(new RegExp(`^${frank.id},Frank Faded,.*,15,unassign,,,$`));
  });

  it('is for administrators only, and checks its parameters', async () => {
    const { admin } = await signup(2);
    const { api: tech } = await signedInUser(admin, { name: 'Tess Tech' });
    for (const path of ['/v1/reports/utilisation', '/v1/reports/console-activity', '/v1/reports/idle-seats']) {
      problem(await tech.get(path), 403, 'forbidden');
    }
    problem(await admin.get('/v1/reports/idle-seats?days=0'), 400, 'validation_failed');
    problem(await admin.get('/v1/reports/console-activity?days=367'), 400, 'validation_failed');
    problem(await admin.get('/v1/reports/idle-seats?since=2026-01-01'), 400, 'validation_failed');
  });
});
