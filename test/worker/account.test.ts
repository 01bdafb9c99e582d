import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { Api, confirmationToken, createUser, mailTo, PASSWORD, problem, signedInUser, signup } from './helpers';

describe('Sign-up, sign-in and invitations', () => {
  it('signs up from the mailed link with an HttpOnly, Secure, SameSite session cookie and the first user as administrator', async () => {
    const api = new Api();
    const email = `Ada.${Date.now()}@Example.com`;
    const seen = new Set(outbox);
    const asked = await api.post('/v1/signup', { organization: 'Acme', name: 'Ada', email, password: PASSWORD, seats: 6 });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ status: 'confirmation_sent' });
    expect(asked.headers.get('set-cookie')).toBeNull();
    const mail = await mailTo(email.toLowerCase(), seen);
    expect(mail.subject).toBe('Confirm your SetMe Seats sign-up');
    expect(mail.text).toContain('https://seats.test/confirm-signup#token=');

    const reply = await api.post('/v1/signup/confirm', { token: confirmationToken(mail) });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({ role: 'administrator', status: 'active', seat: { assignedAt: expect.any(String) } });
    expect(reply.body.user.email).toBe(email.toLowerCase());
    expect(reply.body.subscription).toMatchObject({ name: 'Acme', seats: { purchased: 6, assigned: 1, available: 5 } });
    const cookie = reply.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect((await api.get('/v1/me')).body.user.id).toBe(reply.body.user.id);
  });

  it('an invited user sets a password from their link, once, and becomes active', async () => {
    const { admin } = await signup();
    const created = await createUser(admin, { name: 'Ivy Invited', assignSeat: true });
    expect(created.user).toMatchObject({ status: 'invited', seat: expect.any(Object) });
    expect(created.invitation.url).toBe(`https://seats.test/invitation#token=${created.invitation.token}`);
    problem(await new Api().post('/v1/auth/login', { email: created.user.email, password: PASSWORD }), 401, 'invalid_credentials');

    const ivy = new Api();
    const accepted = await ivy.post('/v1/invitations/accept', { token: created.invitation.token, password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ id: created.user.id, status: 'active' });
    problem(await new Api().post('/v1/invitations/accept', { token: created.invitation.token, password: PASSWORD }), 400, 'invitation_invalid');
    problem(await new Api().post('/v1/invitations/accept', { token: 'nonsense', password: PASSWORD }), 400, 'invitation_invalid');
    expect((await new Api().post('/v1/auth/login', { email: created.user.email, password: PASSWORD })).status).toBe(200);
  });

  it('a fresh invitation link replaces the old one', async () => {
    const { admin } = await signup();
    const created = await createUser(admin, { name: 'Late Larry' });
    const renewed = await admin.post(`/v1/users/${created.user.id}/invitation`);
    expect(renewed.status).toBe(201);
    problem(await new Api().post('/v1/invitations/accept', { token: created.invitation.token, password: PASSWORD }), 400, 'invitation_invalid');
    expect((await new Api().post('/v1/invitations/accept', { token: renewed.body.token, password: PASSWORD })).status).toBe(200);
    problem(await admin.post(`/v1/users/${created.user.id}/invitation`), 400, 'validation_failed');
  });
});

describe('Deactivating and deleting users', () => {
  it('deactivating frees the seat and ends sessions and tokens; reactivating restores sign-in but not the seat', async () => {
    const { admin } = await signup(2);
    const { api: tech, user } = await signedInUser(admin, { name: 'Dee Activated', assignSeat: true });
    const token = new Api((await tech.post('/v1/tokens', { name: 'console' })).body.token);
    expect((await token.get('/v1/me')).status).toBe(200);

    const off = await admin.patch(`/v1/users/${user.id}`, { status: 'deactivated' });
    expect(off.body).toMatchObject({ status: 'deactivated', seat: null });
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(0);
    problem(await tech.get('/v1/me'), 401, 'unauthenticated');
    problem(await token.get('/v1/me'), 401, 'unauthenticated');
    // A deactivated account answers its right password exactly like a wrong one.
    const deactivated = await new Api().post('/v1/auth/login', { email: user.email, password: PASSWORD });
    const wrong = await new Api().post('/v1/auth/login', { email: user.email, password: 'not the password at all' });
    problem(deactivated, 401, 'invalid_credentials');
    expect(deactivated.body).toEqual(wrong.body);

    expect((await admin.patch(`/v1/users/${user.id}`, { status: 'active' })).body).toMatchObject({ status: 'active', seat: null });
    expect((await new Api().post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);
    const actions = (await admin.get('/v1/audit?limit=5')).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.updated', 'seat.unassigned']));
  });

  it('deleting frees the seat and ends access', async () => {
    const { admin } = await signup(1);
    const { api: tech, user } = await signedInUser(admin, { name: 'Gone Gary', assignSeat: true });
    expect((await admin.delete(`/v1/users/${user.id}`)).status).toBe(204);
    problem(await admin.get(`/v1/users/${user.id}`), 404, 'not_found');
    problem(await tech.get('/v1/me'), 401, 'unauthenticated');
    expect((await admin.get('/v1/subscription')).body.seats).toEqual({ purchased: 1, assigned: 0, available: 1 });
    const entry = (await admin.get('/v1/audit?action=user.deleted')).body.items[0];
    expect(entry).toMatchObject({ action: 'user.deleted', target: { id: user.id, name: 'Gone Gary' } });
  });

  it('renames and promotes, and lists users with search, filters and pagination', async () => {
    const { admin } = await signup(10);
    for (let i = 0; i < 7; i++) await createUser(admin, { name: `Page User ${i}`, assignSeat: i % 2 === 0 });
    const renamed = (await createUser(admin, { name: 'Zed' })).user;
    const promoted = await admin.patch(`/v1/users/${renamed.id}`, { name: 'Zed Zimmer', role: 'administrator' });
    expect(promoted.body).toMatchObject({ name: 'Zed Zimmer', role: 'administrator' });

    const first = await admin.get('/v1/users?limit=3');
    expect(first.body.items).toHaveLength(3);
    const second = await admin.get(`/v1/users?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).not.toBe(first.body.items[2].id);
    expect((await admin.get('/v1/users?q=zimmer')).body.items.map((u: { id: string }) => u.id)).toEqual([renamed.id]);
    expect((await admin.get('/v1/users?q=%25')).body.items).toEqual([]);
    expect((await admin.get('/v1/users?role=administrator')).body.items).toHaveLength(2);
    expect((await admin.get('/v1/users?seat=assigned')).body.items).toHaveLength(4);
    expect((await admin.get('/v1/users?status=invited')).body.items).toHaveLength(8);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, listed with last use, and revocable', async () => {
    const { admin } = await signup();
    const created = await admin.post('/v1/tokens', { name: 'Provisioning' });
    expect(created.status).toBe(201);
    // The subscription it belongs to, 256 random bits, and the HMAC of both with the Worker's key.
    expect(created.body.token).toMatch(/^setme_sub_[a-z2-7]{20}\.[a-z2-7]{52}\.[a-z2-7]{26}$/);
    const script = new Api(created.body.token);
    expect((await script.get('/v1/subscription')).status).toBe(200);
    const listed = await admin.get('/v1/tokens');
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, name: 'Provisioning', lastUsedAt: expect.any(String) })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token.split('.')[1]);
    expect((await admin.delete(`/v1/tokens/${created.body.id}`)).status).toBe(204);
    problem(await script.get('/v1/subscription'), 401, 'unauthenticated');
  });
});
