import { describe, expect, it } from 'vitest';
import { Api, createUser, problem, signedInUser, signup } from './helpers';

describe('Tenant isolation', () => {
  it("another subscription's administrator gets 404 on every user and seat route, and nothing changes", async () => {
    const home = await signup(3);
    const holder = (await createUser(home.admin, { name: 'Home Holder', assignSeat: true })).user;
    const waiting = (await createUser(home.admin, { name: 'Home Waiting' })).user;
    const token = (await home.admin.post('/v1/tokens', { name: 'home script' })).body;
    const before = await home.admin.get('/v1/users');

    const { admin: intruder } = await signup(3);
    const attempts = [
      intruder.get(`/v1/users/${holder.id}`),
      intruder.patch(`/v1/users/${holder.id}`, { name: 'Hijacked' }),
      intruder.delete(`/v1/users/${holder.id}`),
      intruder.put(`/v1/users/${waiting.id}/seat`),
      intruder.delete(`/v1/users/${holder.id}/seat`),
      intruder.post(`/v1/users/${waiting.id}/invitation`),
      intruder.post('/v1/seats/transfer', { from: holder.id, to: waiting.id }),
      intruder.delete(`/v1/tokens/${token.id}`),
    ];
    for (const reply of await Promise.all(attempts)) problem(reply, 404, 'not_found');
    expect((await intruder.get('/v1/users')).body.items.map((u: { id: string }) => u.id)).not.toContain(holder.id);
    expect(await home.admin.get('/v1/users')).toMatchObject({ body: before.body });
    expect((await new Api(token.token).get('/v1/me')).status).toBe(200);
  });

  it('a token cannot be pointed at another subscription', async () => {
    const home = await signup();
    const other = await signup();
    const token: string = (await home.admin.post('/v1/tokens', { name: 'script' })).body.token;
    const secret = token.split('.')[1];
    problem(await new Api(`setme_${other.subscription.id}.${secret}`).get('/v1/users'), 401, 'unauthenticated');
  });
});

describe('Roles', () => {
  it('a technician gets 403 on every administrator route, and nothing changes', async () => {
    const { admin, user: owner } = await signup(3);
    const { api: tech, user: me } = await signedInUser(admin, { name: 'Tina Tech' });
    const other = (await createUser(admin, { name: 'Other', assignSeat: true })).user;
    const attempts = [
      tech.post('/v1/users', { name: 'X', email: 'x@example.com' }),
      tech.patch(`/v1/users/${other.id}`, { role: 'administrator' }),
      tech.patch(`/v1/users/${me.id}`, { role: 'administrator' }),
      tech.delete(`/v1/users/${other.id}`),
      tech.put(`/v1/users/${me.id}/seat`),
      tech.delete(`/v1/users/${other.id}/seat`),
      tech.post(`/v1/users/${other.id}/invitation`),
      tech.post('/v1/seats/transfer', { from: other.id, to: me.id }),
      tech.patch('/v1/subscription', { seats: 10 }),
      tech.get('/v1/audit'),
    ];
    for (const reply of await Promise.all(attempts)) problem(reply, 403, 'forbidden');
    const users = (await admin.get('/v1/users')).body.items;
    expect(users.find((u: { id: string }) => u.id === me.id)).toMatchObject({ role: 'technician', seat: null });
    expect(users.find((u: { id: string }) => u.id === other.id)).toMatchObject({ seat: expect.any(Object) });
    expect((await admin.get('/v1/subscription')).body.seats.purchased).toBe(3);
    expect(owner.role).toBe('administrator');
  });

  it('a technician still reads the portal: users, the subscription, and their own account', async () => {
    const { admin } = await signup(3);
    const { api: tech, user } = await signedInUser(admin, { name: 'Tina Tech' });
    expect((await tech.get('/v1/me')).body.user).toMatchObject({ id: user.id, role: 'technician', status: 'active' });
    expect((await tech.get('/v1/users')).status).toBe(200);
    expect((await tech.get('/v1/subscription')).body.seats.purchased).toBe(3);
  });

  it("an API token acts with its creator's role", async () => {
    const { admin } = await signup(3);
    const { api: tech } = await signedInUser(admin, { name: 'Tina Tech' });
    const techToken = new Api((await tech.post('/v1/tokens', { name: 'tech script' })).body.token);
    const adminToken = new Api((await admin.post('/v1/tokens', { name: 'admin script' })).body.token);
    problem(await techToken.post('/v1/users', { name: 'X', email: 'x1@example.com' }), 403, 'forbidden');
    expect((await adminToken.post('/v1/users', { name: 'Scripted', email: `scripted.${Date.now()}@example.com` })).status).toBe(201);
  });
});
