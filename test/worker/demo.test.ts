/**
 * The local demo (`POST /api/demo`): 60 days of history replayed through the product's own code,
 * so every report has something true to show; refused (404) unless the Worker runs locally.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { Api, problem, signup, uniqueEmail, type Reply } from './helpers';

const LOCAL = { ENVIRONMENT: 'development', PUBLIC_ORIGIN: 'http://127.0.0.1:8787' };
const PASSWORD = 'setme-demo-2026';
const HABITS = ['daily', 'regular', 'part_time', 'regular', 'idle', 'occasional', 'no_seat', 'no_seat'] as const;

/** The demo as `npm start` asks for it, with addresses no other test uses. */
function demoBody() {
  return {
    organization: 'SetMe Demo',
    seats: 6,
    password: PASSWORD,
    administrator: { name: 'Dana Whitfield', email: uniqueEmail('dana') },
    technicians: HABITS.map((habit, i) => ({ name: `Tech ${i} ${habit}`, email: uniqueEmail(`tech${i}`), habit })),
  };
}

/** POST /api/demo to the Worker running with these settings (the test server's own are not local). */
async function seed(body: unknown, settings: Record<string, string> = LOCAL, origin = 'http://127.0.0.1:8787'): Promise<Reply> {
  const ctx = createExecutionContext();
  const request = new Request(`${origin}/api/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // An incoming request as the runtime hands it over (the test builds it, so it has no `cf` facts).
  const res = await worker.fetch(request as Parameters<typeof worker.fetch>[0], { ...env, ...settings }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function signIn(email: string): Promise<Api> {
  const api = new Api();
  const reply = await api.post('/v1/auth/login', { email, password: PASSWORD });
  expect(reply.status).toBe(200);
  return api;
}

describe('Demo seeding (local development only)', () => {
  it('should replay 60 days that every report shows, once', async () => {
    const body = demoBody();
    const created = await seed(body);
    expect(created.status).toBe(201);
    expect(created.body.created).toBe(true);
    expect(created.body.story.sessions).toBeGreaterThan(150);
    console.log(`demo seeded: ${JSON.stringify(created.body.story)}`);

    const admin = await signIn(body.administrator.email);
    const subscription = (await admin.get('/v1/subscription')).body;
    expect(subscription.seats).toMatchObject({ purchased: 6, assigned: 6 });
    const users = (await admin.get('/v1/users?limit=100')).body.items;
    expect(users).toHaveLength(9);
    expect(users.filter((u: { seat: unknown }) => u.seat !== null)).toHaveLength(6);

    // Utilisation: from the first day, with the day the seats ran out and the leave's dip.
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    const days = (await admin.get(`/v1/reports/utilisation?from=${from}&to=${to}`)).body.items;
    expect(days).toHaveLength(61);
    expect(days[0]).toMatchObject({ purchased: 6, assigned: 4 });
    expect(days.some((d: { peakAssigned: number }) => d.peakAssigned === 6)).toBe(true);
    expect(days.filter((d: { assigned: number }) => d.assigned === 5).length).toBeGreaterThanOrEqual(7);

    // Activity: everyone with a seat connected, the daily technician most.
    const activity = (await admin.get('/v1/reports/console-activity?days=60')).body.items;
    const byName = new Map(activity.map((row: { user: { name: string } }) => [row.user.name, row]));
    expect(activity[0].user.name).toBe('Tech 0 daily');
    for (const [i, habit] of HABITS.entries()) expect((byName.get(`Tech ${i} ${habit}`) as { sessions: number }).sessions).toBeGreaterThan(0);
    expect((byName.get('Dana Whitfield') as { sessions: number }).sessions).toBe(0);

    // Sessions on most working days of the 60.
    const started = await auditActions(admin, 'console.session_started');
    const sessionDays = new Set(started.map((e) => e.at.slice(0, 10)));
    expect(sessionDays.size).toBeGreaterThanOrEqual(40);

    // The idle seat: no session for three weeks, suggested for the technician waiting.
    const idle = (await admin.get('/v1/reports/idle-seats?days=14')).body.items;
    const idleSeat = idle.find((row: { user: { name: string } }) => row.user.name === 'Tech 4 idle');
    expect(idleSeat.idleDays).toBeGreaterThanOrEqual(21);
    expect(idleSeat.suggestion).toMatchObject({ action: 'approve_request', to: { name: 'Tech 7 no_seat' } });

    // The audit log tells the story: a request approved with a loan, loans that returned.
    const approved = await auditActions(admin, 'seat_request.approved');
    expect(approved).toHaveLength(1);
    const returned = await auditActions(admin, 'seat.loan_ended');
    expect(returned.map((e) => e.details.outcome)).toEqual(['returned', 'returned']);
    expect(await auditActions(admin, 'seat_request.created')).toHaveLength(2);

    // Only this sign-in is a device of the administrator.
    expect((await admin.get('/v1/devices')).body.items).toHaveLength(1);

    // Again: nothing is added.
    const entries = (await auditActions(admin)).length;
    const again = await seed({ ...body, technicians: body.technicians.map((t) => ({ ...t, email: uniqueEmail('other') })) });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ created: false, story: null });
    expect((await auditActions(admin)).length).toBe(entries);
  });

  it('should answer 404 where the Worker does not run locally', async () => {
    const body = demoBody();
    problem(await seed(body, { ENVIRONMENT: 'production', PUBLIC_ORIGIN: 'http://127.0.0.1:8787' }), 404, 'not_found');
    problem(await seed(body, { ENVIRONMENT: 'development', PUBLIC_ORIGIN: 'https://seats.example.com' }), 404, 'not_found');
    // A deployment left with the local defaults is still asked at its own hostname.
    problem(await seed(body, LOCAL, 'https://seats.example.com'), 404, 'not_found');
    // The test server itself (https://seats.test) is not local either.
    problem(await new Api().post('/demo', body), 404, 'not_found');
    // Nothing was created: the administrator cannot sign in.
    expect((await new Api().post('/v1/auth/login', { email: body.administrator.email, password: PASSWORD })).status).toBe(401);
  });

  it('should create nothing, and keep no email, when one of its people has an account already', async () => {
    const { email: taken } = await signup();
    const body = demoBody();
    const clash = { ...body, technicians: body.technicians.map((t, i) => (i === 3 ? { ...t, email: taken } : t)) };
    expect(problem(await seed(clash), 409, 'email_taken').email).toBe(taken);
    expect((await new Api().post('/v1/auth/login', { email: body.administrator.email, password: PASSWORD })).status).toBe(401);
    // Every address it claimed is free again: the same demo with another address is created.
    expect((await seed(body)).status).toBe(201);
  });

  it('should refuse a demo whose story cannot be told', async () => {
    const body = { ...demoBody(), technicians: [{ name: 'Solo', email: uniqueEmail('solo'), habit: 'daily' }] };
    const reply = await seed(body);
    expect(reply.status).toBe(400);
  });
});

/** Every audit entry (of one action), oldest first. */
async function auditActions(admin: Api, action?: string): Promise<{ at: string; action: string; details: Record<string, unknown> }[]> {
  const entries = [];
  let cursor: string | null = null;
  do {
    const page: Reply = await admin.get(`/v1/audit?limit=100${action ? `&action=${action}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    entries.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return entries.reverse();
}
