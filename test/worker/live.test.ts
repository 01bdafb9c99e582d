import { env, exports } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createUser, ORIGIN, problem, signedInUser, signup, type Api } from './helpers';

/** Opens the live-update socket as the app does and collects its messages. */
async function openLive(api: Api) {
  const res = await exports.default.fetch(`${ORIGIN}/api/v1/live`, {
    headers: { upgrade: 'websocket', cookie: api.cookie, origin: ORIGIN },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: any[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener('message', (event) => {
    messages.push(typeof event.data === 'string' && event.data.startsWith('{') ? JSON.parse(event.data) : event.data);
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (event) => resolve(event.code)));
  ws.accept();
  const next = async (count: number) => {
    while (messages.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return messages[count - 1];
  };
  return { ws, messages, next, closed };
}

describe('Live updates', () => {
  it('tells every open screen about a change made elsewhere', async () => {
    const { admin } = await signup(3);
    const { api: tech } = await signedInUser(admin, { name: 'Watcher' });
    const live = await openLive(tech);
    expect(await live.next(1)).toMatchObject({ type: 'changed', seats: { purchased: 3, assigned: 0 } });

    const user = (await createUser(admin, { name: 'New', assignSeat: true })).user;
    expect(await live.next(2)).toMatchObject({ type: 'changed', seats: { assigned: 1 } });
    await admin.delete(`/v1/users/${user.id}/seat`);
    expect(await live.next(3)).toMatchObject({ type: 'changed', seats: { assigned: 0 } });

    live.ws.send('ping');
    expect(await live.next(4)).toBe('pong');
    live.ws.close(1000, 'done');
  });

  it("says which revision each change made, the one the change's own answer reported", async () => {
    const { admin } = await signup(3);
    const live = await openLive(admin);
    const first = await live.next(1);
    expect(first).toEqual({ type: 'changed', revision: expect.any(Number), seats: expect.any(Object), at: expect.any(String) });
    expect(Number((await admin.get('/v1/me')).headers.get('setme-revision'))).toBe(first.revision);

    const created = await createUser(admin, { name: 'Counted', assignSeat: true });
    expect(created.user.seat).not.toBeNull();
    const changed = await live.next(2);
    const reported = Number((await admin.get('/v1/subscription')).headers.get('setme-revision'));
    expect(changed).toMatchObject({ type: 'changed', revision: first.revision + 1, seats: { assigned: 1 } });
    expect(changed.revision).toBe(reported);
    live.ws.close(1000, 'done');
  });

  it('a timer that finds nothing to change raises no revision and tells no socket', async () => {
    const { admin, subscription } = await signup(3);
    const live = await openLive(admin);
    const first = await live.next(1);
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    // Due timers whose work is already done: a heartbeat of no open session, a loan and a grace
    // period of someone holding no seat, a seat decrease that billing no longer asks for.
    await runInDurableObject(stub, async (_instance, state) => {
      for (const [kind, ref] of [['heartbeat', 'con_gone'], ['loan', 'usr_gone'], ['grace', 'usr_gone'], ['billing', 'decrease']]) {
        state.storage.sql.exec('INSERT INTO timers (kind, ref, due_at) VALUES (?, ?, ?)', kind, ref, Date.now() - 1000);
      }
      await state.storage.setAlarm(Date.now() + 60_000); // run below by runDurableObjectAlarm, not by the clock
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("SELECT kind FROM timers WHERE ref IN ('con_gone', 'usr_gone', 'decrease')").toArray());
    expect(left).toEqual([]);
    expect(Number((await admin.get('/v1/subscription')).headers.get('setme-revision'))).toBe(first.revision);

    // The next message is the next real change's, one revision on.
    await createUser(admin, { name: 'After The Timers', assignSeat: true });
    expect(await live.next(2)).toMatchObject({ type: 'changed', revision: first.revision + 1, seats: { assigned: 1 } });
    live.ws.close(1000, 'done');
  });

  it('closes the socket when the user loses access, and refuses strangers', async () => {
    const { admin } = await signup(3);
    const { api: tech, user } = await signedInUser(admin, { name: 'Leaving' });
    const live = await openLive(tech);
    await live.next(1);
    await admin.patch(`/v1/users/${user.id}`, { status: 'deactivated' });
    expect(await live.closed).toBe(4001);

    const plain = await exports.default.fetch(`${ORIGIN}/api/v1/live`, { headers: { cookie: admin.cookie } });
    problem({ status: plain.status, headers: plain.headers, body: await plain.json() }, 400, 'validation_failed');
    const anonymous = await exports.default.fetch(`${ORIGIN}/api/v1/live`, { headers: { upgrade: 'websocket' } });
    expect(anonymous.status).toBe(401);
    const crossSite = await exports.default.fetch(`${ORIGIN}/api/v1/live`, {
      headers: { upgrade: 'websocket', cookie: admin.cookie, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
  });
});
