/**
 * One seat, a bounded number of console sessions (issue 9, item 14): the subscription's
 * `maxConsoleSessionsPerSeat` (5 by default) caps how many a user has open at once, under any
 * concurrency; beyond it, 409 `session_limit` lists the open ones and says what to do.
 */
import { describe, expect, it } from 'vitest';
import { problem, signedInUser, signup } from './helpers';

describe('Console sessions per seat', () => {
  it('a seat opens at most maxConsoleSessionsPerSeat sessions at once, even when asked all at once', async () => {
    const { admin, subscription } = await signup(3);
    expect(subscription.maxConsoleSessionsPerSeat).toBe(5);
    const { api: tech } = await signedInUser(admin, { name: 'Connie Console', assignSeat: true });

    const starts = await Promise.all(Array.from({ length: 8 }, (_, i) => tech.post('/v1/console/sessions', { computer: `PC-${i}` })));
    const started = starts.filter((r) => r.status === 201);
    expect(started).toHaveLength(5);
    const refused = starts.filter((r) => r.status !== 201).map((r) => problem(r, 409, 'session_limit'));
    expect(refused).toHaveLength(3);
    expect(refused[0].limit).toBe(5);
    expect(refused[0].sessions.map((s: { id: string }) => s.id).sort()).toEqual(started.map((r) => r.body.id).sort());
    expect(refused[0].sessions[0]).toEqual({ id: expect.any(String), computer: expect.stringMatching(/^PC-/), startedAt: expect.any(String) });
    expect(refused[0].detail).toMatch(/End one you no longer use.*ask an administrator to raise the limit/);
    expect((await tech.get('/v1/console/sessions')).body.items).toHaveLength(5);

    // Ending one makes room for one.
    expect((await tech.delete(`/v1/console/sessions/${started[0]!.body.id}`)).status).toBe(204);
    expect((await tech.post('/v1/console/sessions', { computer: 'PC-NEW' })).status).toBe(201);
    problem(await tech.post('/v1/console/sessions', { computer: 'PC-MORE' }), 409, 'session_limit');
  });

  it('administrators set the limit; sessions already open stay, new ones wait for room', async () => {
    const { admin } = await signup(3, { assignSeat: true });
    for (const computer of ['A', 'B', 'C']) expect((await admin.post('/v1/console/sessions', { computer })).status).toBe(201);
    const changed = await admin.patch('/v1/subscription', { maxConsoleSessionsPerSeat: 2 });
    expect(changed.status).toBe(200);
    expect(changed.body.maxConsoleSessionsPerSeat).toBe(2);
    expect((await admin.get('/v1/console/sessions')).body.items).toHaveLength(3);
    expect(problem(await admin.post('/v1/console/sessions', { computer: 'D' }), 409, 'session_limit').limit).toBe(2);

    problem(await admin.patch('/v1/subscription', { maxConsoleSessionsPerSeat: 0 }), 400, 'validation_failed');
    problem(await admin.patch('/v1/subscription', { maxConsoleSessionsPerSeat: 101 }), 400, 'validation_failed');
    expect((await admin.get('/v1/audit?action=subscription.updated')).body.items[0].details).toEqual({
      maxConsoleSessionsPerSeat: { from: 5, to: 2 },
    });
  });
});
