import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Sql } from '../../worker/objects/sql';
import { SEAT_HOLDERS_SQL } from '../../worker/objects/users';
import { session } from './clock';
import { createUser, problem, signedInUser, signup } from './helpers';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();


describe('Seat holders (what the "No free seat" chooser offers)', () => {
  it('lists each holder with open sessions, console time in 7 days, last session and loan end, least used first', async () => {
    const { admin, subscription } = await signup(4);
    const busy = (await createUser(admin, { name: 'Busy', assignSeat: true })).user;
    const light = (await createUser(admin, { name: 'Light', assignSeat: true })).user;
    const never = (await createUser(admin, { name: 'Never', assignSeat: true })).user;
    const connected = await signedInUser(admin, { name: 'Connected', assignSeat: true });

    // Busy: 5 h this week and an 8-day-old session that does not count. Light: 30 min, 3 days ago.
    await session(subscription.id, busy.id, ago(2 * DAY), ago(2 * DAY - 3 * HOUR));
    await session(subscription.id, busy.id, ago(DAY), ago(DAY - 2 * HOUR));
    await session(subscription.id, busy.id, ago(8 * DAY), ago(8 * DAY - 10 * HOUR));
    await session(subscription.id, light.id, ago(3 * DAY), ago(3 * DAY - HOUR / 2));
    // Connected: a session open since 9 days ago counts for the whole week (7 × 24 h) and makes them the most used.
    await session(subscription.id, connected.user.id, ago(9 * DAY), null);

    const reply = await admin.get('/v1/seats/holders');
    expect(reply.status).toBe(200);
    expect(reply.body.seats).toEqual({ purchased: 4, assigned: 4, available: 0 });
    expect(reply.body.holders.map((h: { name: string }) => h.name)).toEqual(['Never', 'Light', 'Busy', 'Connected']);
    const [n, l, b, c] = reply.body.holders;
    expect(n).toMatchObject({ id: never.id, openConsoleSessions: 0, consoleMinutesLast7Days: 0, lastConsoleSessionAt: null, loanEndsAt: null });
    expect(l).toMatchObject({ openConsoleSessions: 0, consoleMinutesLast7Days: 30 });
    expect(Date.parse(l.lastConsoleSessionAt)).toBeCloseTo(Date.now() - 3 * DAY + HOUR / 2, -5);
    expect(b).toMatchObject({ openConsoleSessions: 0, consoleMinutesLast7Days: 300 });
    expect(c.openConsoleSessions).toBe(1);
    expect(c.consoleMinutesLast7Days).toBeGreaterThanOrEqual(7 * 24 * 60 - 1);

    // The refusal when every seat is taken lists the same holders in the same order.
    const refused = await admin.post('/v1/users', { name: 'Extra', email: 'extra.holders@example.com', role: 'technician' });
    expect(problem(refused, 409, 'no_seats_available').holders.map((h: { id: string }) => h.id)).toEqual(
      reply.body.holders.map((h: { id: string }) => h.id),
    );
  });

  it('shows when a lent seat ends', async () => {
    const { admin } = await signup(2);
    const lender = (await createUser(admin, { name: 'Lender', assignSeat: true })).user;
    const borrower = (await createUser(admin, { name: 'Borrower', assignSeat: false })).user;
    const until = new Date(Date.now() + DAY).toISOString();
    expect((await admin.post('/v1/seats/transfer', { from: lender.id, to: borrower.id, until })).status).toBe(200);
    const holders = (await admin.get('/v1/seats/holders')).body.holders;
    expect(holders.find((h: { id: string }) => h.id === borrower.id)).toMatchObject({ loanEndsAt: until });
  });

  it('reads console sessions through their indexes, never a scan of the whole history', async () => {
    const { subscription } = await signup(2);
    const plan = await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_i, state) => {
      const at = new Date().toISOString();
      const since = new Date(Date.now() - 7 * DAY).toISOString();
      return new Sql(state.storage.sql)
        .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${SEAT_HOLDERS_SQL}`, at, since, at, since, since, at, 0, null, 50)
        .map((r) => r.detail)
        .join('; ');
    });
    expect(plan).toMatch(/console_sessions_user|console_sessions_active/);
    expect(plan).not.toMatch(/\bSCAN c\b(?! USING)|\bSCAN console_sessions\b(?! USING)/);
  });

  it('is for administrators only', async () => {
    const { admin } = await signup(2);
    const tech = await signedInUser(admin, { name: 'Tech', assignSeat: true });
    problem(await tech.api.get('/v1/seats/holders'), 403, 'forbidden');
  });
});
