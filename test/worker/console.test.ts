import { env, exports } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { elapse, MINUTE, timers } from './clock';
import { createUser, ORIGIN, problem, signedInUser, signup, type Api } from './helpers';

/** A subscription whose technician holds a seat and is connected to `computers` computers. */
async function connected(computers = 2, seats = 3) {
  const home = await signup(seats);
  const { api: tech, user } = await signedInUser(home.admin, { name: 'Connie Console', assignSeat: true });
  const sessions: string[] = [];
  for (let i = 1; i <= computers; i++) {
    const started = await tech.post('/v1/console/sessions', { computer: `PC-${i}` });
    expect(started.status).toBe(201);
    sessions.push(started.body.id);
  }
  return { ...home, tech, techUser: user, sessions, subscriptionId: home.subscription.id as string };
}

/** Lets `ms` pass in 30-second steps while the Console keeps sending heartbeats for `sessions`. */
async function passConnected(subscriptionId: string, ms: number, tech: Api, sessions: string[]) {
  for (let left = ms; left > 0; left -= 30_000) {
    await elapse(subscriptionId, Math.min(30_000, left));
    for (const id of sessions) await tech.post(`/v1/console/sessions/${id}/heartbeat`);
  }
}

async function auditActions(admin: Api, limit = 20): Promise<{ action: string; details: any; target: any }[]> {
  return (await admin.get(`/v1/audit?limit=${limit}`)).body.items;
}

describe('Console sessions', () => {
  it('a seat holder starts a session, sends heartbeats, lists and ends it', async () => {
    const { admin, tech, techUser, sessions } = await connected(1);
    const [id] = sessions;
    const beat = await tech.post(`/v1/console/sessions/${id}/heartbeat`);
    expect(beat.status).toBe(200);
    expect(beat.body).toEqual({ status: 'active', endsAt: null });

    const mine = await tech.get('/v1/console/sessions');
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id, computer: 'PC-1', user: { id: techUser.id, name: 'Connie Console' }, status: 'active', endsAt: null }),
    ]);
    expect((await admin.get(`/v1/console/sessions?userId=${techUser.id}`)).body.items).toHaveLength(1);

    expect((await tech.delete(`/v1/console/sessions/${id}`)).status).toBe(204);
    expect((await tech.delete(`/v1/console/sessions/${id}`)).status).toBe(204);
    expect((await tech.get('/v1/console/sessions')).body.items).toEqual([]);
    const ended = problem(await tech.post(`/v1/console/sessions/${id}/heartbeat`), 409, 'session_ended');
    expect(ended).toMatchObject({ reason: 'closed', endedAt: expect.any(String) });
    expect(ended.detail).toMatch(/Start a new session/);

    const actions = (await auditActions(admin)).map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['console.session_ended', 'console.session_started']);
    expect((await auditActions(admin))[0]!.details).toMatchObject({ sessionId: id, computer: 'PC-1', reason: 'closed' });
  });

  it('starts with the heartbeat interval and a deadline of two intervals, which each heartbeat moves', async () => {
    const { tech, sessions, subscriptionId } = await connected(0);
    const started = await tech.post('/v1/console/sessions', { computer: 'PC-9' });
    expect(started.body).toMatchObject({ heartbeatSeconds: 30, status: 'active', endsAt: null, computer: 'PC-9' });
    const first = (await timers(subscriptionId)).timers.find((t) => t.ref === started.body.id)!;
    expect(first.kind).toBe('heartbeat');
    expect(first.due_at - Date.parse(started.body.startedAt)).toBe(60_000);
    expect(sessions).toEqual([]);
    await new Promise((wake) => setTimeout(wake, 5));
    await tech.post(`/v1/console/sessions/${started.body.id}/heartbeat`);
    const moved = await timers(subscriptionId);
    expect(moved.timers[0]!.due_at).toBeGreaterThan(first.due_at);
    expect(moved.alarm).toBe(moved.timers[0]!.due_at);
  });

  it('a session with no heartbeat for two intervals ends; the seat stays', async () => {
    const { admin, tech, techUser, sessions, subscriptionId } = await connected(1);
    const [id] = sessions;
    expect(await elapse(subscriptionId, 55_000)).toBe(true);
    expect((await tech.post(`/v1/console/sessions/${id}/heartbeat`)).status).toBe(200);

    expect(await elapse(subscriptionId, 61_000)).toBe(true);
    expect((await tech.get('/v1/console/sessions')).body.items).toEqual([]);
    expect(problem(await tech.post(`/v1/console/sessions/${id}/heartbeat`), 409, 'session_ended').reason).toBe('heartbeat_timeout');
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).not.toBeNull();
    expect((await auditActions(admin))[0]).toMatchObject({ action: 'console.session_ended', details: { reason: 'heartbeat_timeout' } });
    expect((await timers(subscriptionId)).alarm).toBeNull();
  });

  it('technicians list only their own sessions; others get 404 on them, administrators can end them', async () => {
    const { admin, tech, techUser, sessions } = await connected(1);
    const { api: other, user: otherUser } = await signedInUser(admin, { name: 'Otto Other', assignSeat: true });
    await other.post('/v1/console/sessions', { computer: 'OTTO-1' });
    expect((await other.get('/v1/console/sessions')).body.items.map((s: any) => s.user.id)).toEqual([otherUser.id]);
    problem(await other.get(`/v1/console/sessions?userId=${techUser.id}`), 403, 'forbidden');
    expect((await admin.get('/v1/console/sessions')).body.items).toHaveLength(2);
    problem(await other.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 404, 'not_found');
    problem(await other.delete(`/v1/console/sessions/${sessions[0]}`), 404, 'not_found');
    problem(await admin.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 404, 'not_found');
    expect((await admin.delete(`/v1/console/sessions/${sessions[0]}`)).status).toBe(204);
    expect(problem(await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 409, 'session_ended').reason).toBe('ended_by_administrator');
  });

  it('refuses ids of another subscription with 404', async () => {
    const { sessions } = await connected(1);
    const { admin: intruder } = await signup(2, { assignSeat: true });
    problem(await intruder.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 404, 'not_found');
    problem(await intruder.delete(`/v1/console/sessions/${sessions[0]}`), 404, 'not_found');
    expect((await intruder.get('/v1/console/sessions')).body.items).toEqual([]);
  });
});

describe('Taking a seat from someone who is connected', () => {
  it('with no active session the seat frees at once, whatever the choice', async () => {
    const { admin, techUser } = await connected(0);
    const reply = await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=after_session`);
    expect(reply.status).toBe(200);
    expect(reply.body.seat).toBeNull();
    expect((await auditActions(admin))[0]).toMatchObject({ action: 'seat.unassigned', details: {} });
  });

  it('end_now: their sessions end at once, the seat is freed, and the audit log says which and why', async () => {
    const { admin, tech, techUser, sessions } = await connected(2);
    const reply = await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=end_now`);
    expect(reply.body.seat).toBeNull();
    const refused = problem(await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 403, 'seat_revoked');
    expect(refused.detail).toMatch(/Ask an administrator/);
    problem(await tech.post('/v1/console/sessions', { computer: 'PC-3' }), 403, 'seat_required');

    const log = await auditActions(admin);
    expect(log[0]).toMatchObject({
      action: 'seat.unassigned',
      details: { onActiveSessions: 'end_now', endedSessions: [{ id: sessions[0], computer: 'PC-1' }, { id: sessions[1], computer: 'PC-2' }] },
    });
    expect(log.slice(1, 3).map((e) => [e.action, e.details.reason])).toEqual([
      ['console.session_ended', 'seat_revoked'],
      ['console.session_ended', 'seat_revoked'],
    ]);
  });

  it('grace (the default): the seat stays held and counted until the grace period ends, then the alarm frees it', async () => {
    const { admin, tech, techUser, sessions, subscriptionId } = await connected(2, 2);
    const waiting = (await createUser(admin, { name: 'Walter Waiting' })).user;
    await admin.put(`/v1/users/${(await createUser(admin)).user.id}/seat`);
    const before = Date.now();
    const reply = await admin.delete(`/v1/users/${techUser.id}/seat`);
    expect(reply.status).toBe(200);
    const seat = reply.body.seat;
    expect(seat.revocation).toMatchObject({ action: 'unassign', onActiveSessions: 'grace', transferTo: null });
    const endsAt = Date.parse(seat.revocation.endsAt);
    expect(endsAt - before).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(endsAt - before).toBeLessThan(5 * MINUTE + 5_000);
    expect(seat.expiresAt).toBe(seat.revocation.endsAt);

    // Still held: the seat is not free for anyone else, and the holder is told to finish up.
    expect((await admin.get('/v1/subscription')).body.seats).toEqual({ purchased: 2, assigned: 2, available: 0 });
    problem(await admin.put(`/v1/users/${waiting.id}/seat`), 409, 'no_seats_available');
    expect((await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`)).body).toEqual({ status: 'ending', endsAt: seat.revocation.endsAt });
    expect(problem(await tech.post('/v1/console/sessions', { computer: 'PC-3' }), 403, 'seat_revoked').detail).toMatch(/being taken back/);
    expect((await admin.get('/v1/console/sessions')).body.items.every((s: any) => s.status === 'ending')).toBe(true);

    // Asked again the same way, the first deadline stands.
    expect((await admin.delete(`/v1/users/${techUser.id}/seat`)).body.seat.revocation.endsAt).toBe(seat.revocation.endsAt);

    await passConnected(subscriptionId, 4 * MINUTE, tech, sessions);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).not.toBeNull();
    expect((await tech.get('/v1/console/sessions')).body.items).toHaveLength(2);
    await passConnected(subscriptionId, 90_000, tech, []);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toBeNull();
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(1);
    problem(await tech.post(`/v1/console/sessions/${sessions[1]}/heartbeat`), 403, 'seat_revoked');

    const log = await auditActions(admin);
    expect(log[0]).toMatchObject({
      action: 'seat.unassigned',
      details: { onActiveSessions: 'grace', endedSessions: [{ id: sessions[0] }, { id: sessions[1] }] },
    });
    expect(log.filter((e) => e.action === 'console.session_ended').map((e) => e.details.reason)).toEqual(['grace_ended', 'grace_ended']);
    expect(log.find((e) => e.action === 'seat.revocation_scheduled')).toMatchObject({
      details: { action: 'unassign', onActiveSessions: 'grace', activeSessions: [{ computer: 'PC-1' }, { computer: 'PC-2' }] },
    });
  });

  it('grace with graceMinutes, then "end it now" while it runs', async () => {
    const { admin, techUser } = await connected(1);
    const before = Date.now();
    const graced = await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=grace&graceMinutes=1`);
    expect(Date.parse(graced.body.seat.revocation.endsAt) - before).toBeLessThan(MINUTE + 5_000);
    const now = await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=end_now`);
    expect(now.body.seat).toBeNull();
  });

  it('giving the seat again during the grace period keeps it: the revocation is cancelled', async () => {
    const { admin, tech, techUser, sessions, subscriptionId } = await connected(1);
    await admin.delete(`/v1/users/${techUser.id}/seat`);
    const kept = await admin.put(`/v1/users/${techUser.id}/seat`);
    expect(kept.body.seat).toMatchObject({ revocation: null, expiresAt: null });
    expect((await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`)).body.status).toBe('active');
    expect((await timers(subscriptionId)).timers.map((t) => t.kind)).toEqual(['heartbeat']);
    expect((await auditActions(admin))[0]).toMatchObject({ action: 'seat.revocation_cancelled', details: { reason: 'seat_kept' } });
  });

  it('after_session: the seat frees when the last session ends, by the Console or by a missed heartbeat', async () => {
    const { admin, tech, techUser, sessions, subscriptionId } = await connected(2);
    const reply = await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=after_session`);
    expect(reply.body.seat).toMatchObject({ expiresAt: null, revocation: { onActiveSessions: 'after_session', endsAt: null } });
    expect((await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`)).body).toEqual({ status: 'ending', endsAt: null });

    expect((await tech.delete(`/v1/console/sessions/${sessions[0]}`)).status).toBe(204);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).not.toBeNull();

    // The second session goes quiet: its heartbeat deadline ends it, and with it the seat.
    await elapse(subscriptionId, 2 * MINUTE);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toBeNull();
    expect((await auditActions(admin))[0]).toMatchObject({ action: 'seat.unassigned', details: { onActiveSessions: 'after_session' } });
    problem(await tech.post(`/v1/console/sessions/${sessions[1]}/heartbeat`), 403, 'seat_revoked');
  });

  it('grace ends early when the holder disconnects from everything', async () => {
    const { admin, tech, techUser, sessions } = await connected(1);
    await admin.delete(`/v1/users/${techUser.id}/seat`);
    await tech.delete(`/v1/console/sessions/${sessions[0]}`);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toBeNull();
  });

  it('a transfer from a connected holder completes when the grace period ends; the seat is never used twice', async () => {
    const { admin, tech, techUser, sessions, subscriptionId } = await connected(1, 1);
    const next = (await createUser(admin, { name: 'Nina Next' })).user;
    const reply = await admin.post('/v1/seats/transfer', { from: techUser.id, to: next.id, graceMinutes: 2 });
    expect(reply.status).toBe(200);
    expect(reply.body.to.seat).toBeNull();
    expect(reply.body.from.seat.revocation).toMatchObject({ action: 'transfer', transferTo: { id: next.id, name: 'Nina Next' } });
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ purchased: 1, assigned: 1 });

    await passConnected(subscriptionId, 90_000, tech, sessions);
    expect((await admin.get(`/v1/users/${next.id}`)).body.seat).toBeNull();
    await passConnected(subscriptionId, 60_000, tech, []);
    expect((await admin.get(`/v1/users/${next.id}`)).body.seat).not.toBeNull();
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toBeNull();
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ purchased: 1, assigned: 1 });
    problem(await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 403, 'seat_revoked');
    expect((await auditActions(admin))[0]).toMatchObject({
      action: 'seat.transferred',
      target: { id: next.id },
      details: { from: { id: techUser.id }, to: { id: next.id }, onActiveSessions: 'grace', endedSessions: [{ id: sessions[0] }] },
    });
  });

  it('a transfer with end_now moves the seat at once and ends the sessions', async () => {
    const { admin, tech, techUser, sessions } = await connected(1, 1);
    const next = (await createUser(admin, { name: 'Nina Next' })).user;
    const reply = await admin.post('/v1/seats/transfer', { from: techUser.id, to: next.id, onActiveSessions: 'end_now' });
    expect(reply.body.from.seat).toBeNull();
    expect(reply.body.to.seat).not.toBeNull();
    problem(await tech.post(`/v1/console/sessions/${sessions[0]}/heartbeat`), 403, 'seat_revoked');
  });

  it('a waiting transfer whose recipient was deleted meanwhile frees the seat instead', async () => {
    const { admin, techUser, subscriptionId } = await connected(1, 2);
    const next = (await createUser(admin, { name: 'Gone Soon' })).user;
    await admin.post('/v1/seats/transfer', { from: techUser.id, to: next.id, onActiveSessions: 'after_session' });
    expect((await admin.delete(`/v1/users/${next.id}`)).status).toBe(204);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat.revocation.transferTo).toBeNull();
    await elapse(subscriptionId, 2 * MINUTE); // the session goes quiet
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toBeNull();
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(0);
    expect((await auditActions(admin))[0]).toMatchObject({ action: 'seat.unassigned', details: { transferFailed: { id: next.id } } });
  });

  it('refuses graceMinutes without grace, and unknown choices', async () => {
    const { admin, techUser } = await connected(1);
    problem(await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=end_now&graceMinutes=3`), 400, 'validation_failed');
    problem(await admin.delete(`/v1/users/${techUser.id}/seat?graceMinutes=0`), 400, 'validation_failed');
    problem(await admin.delete(`/v1/users/${techUser.id}/seat?onActiveSessions=later`), 400, 'validation_failed');
    problem(await admin.post('/v1/seats/transfer', { from: techUser.id, to: techUser.id, onActiveSessions: 'after_session', graceMinutes: 2 }), 400, 'validation_failed');
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat.revocation).toBeNull();
  });

  it('a waiting revocation survives eviction: the alarm is persistent', async () => {
    const { admin, techUser, subscriptionId } = await connected(1);
    await admin.delete(`/v1/users/${techUser.id}/seat`);
    await evictDurableObject(env.SUBSCRIPTION.getByName(subscriptionId));
    expect((await timers(subscriptionId)).alarm).toEqual(expect.any(Number));
    await elapse(subscriptionId, 6 * MINUTE);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toBeNull();
  });

  it('tells live screens when the alarm frees a seat', async () => {
    const { admin, techUser, subscriptionId } = await connected(1);
    const res = await exports.default.fetch(`${ORIGIN}/api/v1/live`, { headers: { upgrade: 'websocket', cookie: admin.cookie, origin: ORIGIN } });
    const ws = res.webSocket!;
    const messages: any[] = [];
    let wake = () => {};
    ws.addEventListener('message', (event) => {
      messages.push(JSON.parse(event.data as string));
      wake();
    });
    ws.accept();
    const next = async (count: number) => {
      while (messages.length < count) await new Promise<void>((resolve) => (wake = resolve));
      return messages[count - 1];
    };
    expect(await next(1)).toMatchObject({ seats: { assigned: 1 } });
    await admin.delete(`/v1/users/${techUser.id}/seat`);
    expect(await next(2)).toMatchObject({ seats: { assigned: 1 } });
    await elapse(subscriptionId, 6 * MINUTE);
    expect(await next(3)).toMatchObject({ type: 'changed', seats: { assigned: 0 } });
    ws.close(1000, 'done');
  });
});

describe('Losing access ends console sessions', () => {
  it('deactivating a connected user ends their sessions, with the reason', async () => {
    const { admin, techUser } = await connected(1);
    await admin.patch(`/v1/users/${techUser.id}`, { status: 'deactivated' });
    const log = await auditActions(admin);
    expect(log.find((e) => e.action === 'console.session_ended')?.details.reason).toBe('deactivated');
    expect((await admin.get('/v1/console/sessions')).body.items).toEqual([]);
  });

  it('deactivating a holder whose seat waits to move completes the move at once', async () => {
    const { admin, techUser } = await connected(1, 1);
    const next = (await createUser(admin, { name: 'Nina Next' })).user;
    await admin.post('/v1/seats/transfer', { from: techUser.id, to: next.id });
    await admin.patch(`/v1/users/${techUser.id}`, { status: 'deactivated' });
    expect((await admin.get(`/v1/users/${next.id}`)).body.seat).not.toBeNull();
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ purchased: 1, assigned: 1 });
    expect((await auditActions(admin)).find((e) => e.action === 'seat.transferred')?.details).toMatchObject({ reason: 'deactivated' });
  });

  it('deleting a user who has used the Console works, and keeps their history for reports', async () => {
    const { admin, techUser } = await connected(2);
    expect((await admin.delete(`/v1/users/${techUser.id}`)).status).toBe(204);
    const log = await auditActions(admin);
    expect(log.filter((e) => e.action === 'console.session_ended').map((e) => e.details.reason)).toEqual(['deleted', 'deleted']);
    expect((await admin.get('/v1/console/sessions')).body.items).toEqual([]);
  });
});
