import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { outbox, type Mail } from '../../worker/mail';
import { Api, createUser, mailTo, PASSWORD, problem, resetToken, signedInUser, signup, uniqueEmail } from './helpers';

async function me(api: Api) {
  return (await api.get('/v1/me')).body.user as { id: string; email: string };
}

/** The reset link mailed to an address since `seen`, read from the local mail transport (it is sent after the answer). */
async function resetTokenFor(email: string, seen: ReadonlySet<Mail>): Promise<string> {
  return resetToken(await mailTo(email, seen));
}

describe('API token scopes', () => {
  it('a read-only token reads everything and changes nothing', async () => {
    const { admin } = await signup(3);
    const user = (await createUser(admin, { name: 'Target' })).user;
    const created = await admin.post('/v1/tokens', { name: 'dashboard', scope: 'read' });
    expect(created.body).toMatchObject({ scope: 'read' });
    const reader = new Api(created.body.token);
    expect((await reader.get('/v1/users')).status).toBe(200);
    expect((await reader.get('/v1/audit')).status).toBe(200);
    const refused = problem(await reader.put(`/v1/users/${user.id}/seat`), 403, 'forbidden');
    expect(refused.detail).toMatch(/read-only/);
    problem(await reader.post('/v1/users', { name: 'X', email: uniqueEmail() }), 403, 'forbidden');
    problem(await reader.post('/v1/tokens', { name: 'escalate' }), 403, 'forbidden');
    expect((await admin.get(`/v1/users/${user.id}`)).body.seat).toBeNull();
    const listed = (await admin.get('/v1/tokens')).body.items;
    expect(listed).toEqual([expect.objectContaining({ name: 'dashboard', scope: 'read', lastUsedAt: expect.any(String) })]);
  });
});

describe('Devices', () => {
  it('lists signed-in devices and signs the others out', async () => {
    const { admin } = await signup();
    const email = (await me(admin)).email;
    const phone = new Api();
    await phone.call('POST', '/v1/auth/login', { email, password: PASSWORD }, { 'user-agent': 'Phone Browser' });
    const tablet = new Api();
    await tablet.post('/v1/auth/login', { email, password: PASSWORD });

    const listed = (await phone.get('/v1/devices')).body.items;
    expect(listed).toHaveLength(3);
    expect(listed.filter((s: { current: boolean }) => s.current)).toEqual([expect.objectContaining({ userAgent: 'Phone Browser' })]);

    const tabletSession = (await tablet.get('/v1/devices')).body.items.find((s: { current: boolean }) => s.current);
    expect((await phone.delete(`/v1/devices/${tabletSession.id}`)).status).toBe(204);
    problem(await tablet.get('/v1/me'), 401, 'unauthenticated');

    expect((await phone.post('/v1/devices/sign-out-others')).body).toEqual({ ended: 1 });
    problem(await admin.get('/v1/me'), 401, 'unauthenticated');
    expect((await phone.get('/v1/me')).status).toBe(200);
  });

  it("cannot sign out another user's device", async () => {
    const { admin } = await signup();
    const { api: tech } = await signedInUser(admin, { name: 'Other' });
    const theirs = (await tech.get('/v1/devices')).body.items[0].id;
    problem(await admin.delete(`/v1/devices/${theirs}`), 404, 'not_found');
    expect((await tech.get('/v1/me')).status).toBe(200);
  });
});

describe('Passwords', () => {
  it('changing the password needs the current one and signs other devices out', async () => {
    const { admin } = await signup();
    const email = (await me(admin)).email;
    const other = new Api();
    await other.post('/v1/auth/login', { email, password: PASSWORD });
    problem(await admin.post('/v1/me/password', { currentPassword: 'not my password', newPassword: 'a brand new passphrase' }), 401, 'invalid_credentials');
    const changed = await admin.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    expect(changed.body.removed).toEqual({ devices: 1, apiTokens: 0, passkeys: 0 });
    expect((await admin.get('/v1/me')).status).toBe(200);
    problem(await other.get('/v1/me'), 401, 'unauthenticated');
    problem(await new Api().post('/v1/auth/login', { email, password: PASSWORD }), 401, 'invalid_credentials');
    expect((await new Api().post('/v1/auth/login', { email, password: 'a brand new passphrase' })).status).toBe(200);
  });

  it('a reset link is mailed, works once within 30 minutes, and signs every other device out', async () => {
    const { admin } = await signup();
    const email = (await me(admin)).email;
    const unknown = await new Api().post('/v1/auth/password-reset', { email: uniqueEmail('nobody') });
    const seen = new Set(outbox);
    const known = await new Api().post('/v1/auth/password-reset', { email });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(Object.keys(unknown.body)).toEqual(Object.keys(known.body));

    const token = await resetTokenFor(email, seen);
    const fresh = new Api();
    const reset = await fresh.post('/v1/auth/password-reset/confirm', { token, password: 'reset passphrase 123' });
    expect(reset.status).toBe(200);
    expect(reset.body.user.email).toBe(email);
    expect((await fresh.get('/v1/me')).status).toBe(200);
    problem(await admin.get('/v1/me'), 401, 'unauthenticated');
    problem(await new Api().post('/v1/auth/password-reset/confirm', { token, password: 'again passphrase 1' }), 400, 'invitation_invalid');
    expect((await new Api().post('/v1/auth/login', { email, password: 'reset passphrase 123' })).status).toBe(200);
  });

  it('an expired reset link is refused', async () => {
    const { admin, subscription } = await signup();
    const email = (await me(admin)).email;
    const seen = new Set(outbox);
    await new Api().post('/v1/auth/password-reset', { email });
    const token = await resetTokenFor(email, seen);
    await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_i, state) => {
      state.storage.sql.exec("UPDATE password_resets SET expires_at = '2000-01-01T00:00:00.000Z'");
    });
    problem(await new Api().post('/v1/auth/password-reset/confirm', { token, password: 'too late passphrase' }), 400, 'invitation_invalid');
    expect((await admin.get('/v1/me')).status).toBe(200);
  });

  it('sends no reset mail for invited or deactivated users', async () => {
    const { admin, email } = await signup();
    const invited = (await createUser(admin, { name: 'Not Yet' })).user;
    const seen = new Set(outbox);
    expect((await new Api().post('/v1/auth/password-reset', { email: invited.email })).status).toBe(202);
    // Mail goes out after the answer: once a reset asked for later has arrived, the first had its turn.
    await new Api().post('/v1/auth/password-reset', { email });
    await mailTo(email, seen);
    expect(outbox.filter((m) => m.to === invited.email && !seen.has(m))).toEqual([]);
  });
});

describe('Sign-in throttling per client address', () => {
  it('30 failures from one address across accounts lock that address out, not others', async () => {
    // Four accounts, so no single account reaches its own limit of 10.
    const admins = await Promise.all([signup(), signup(), signup(), signup()]);
    const emails = await Promise.all(admins.map(async (a) => (await me(a.admin)).email));
    const from = (address: string) => ({ 'cf-connecting-ip': address, 'content-type': 'application/json' });
    for (let i = 0; i < 30; i++) {
      const reply = await new Api().call('POST', '/v1/auth/login', { email: emails[i % 4], password: `guess ${i}` }, from('203.0.113.7'));
      problem(reply, 401, 'invalid_credentials');
    }
    const locked = await new Api().call('POST', '/v1/auth/login', { email: emails[0], password: PASSWORD }, from('203.0.113.7'));
    problem(locked, 429, 'rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.detail).toMatch(/your network/);
    const elsewhere = await new Api().call('POST', '/v1/auth/login', { email: emails[0], password: PASSWORD }, from('198.51.100.2'));
    expect(elsewhere.status).toBe(200);
  });
});

describe('Security headers', () => {
  it('every API response carries them, refusals included', async () => {
    const { admin } = await signup();
    for (const reply of [await admin.get('/v1/me'), await new Api().get('/v1/me'), await admin.get('/v1/nothing')]) {
      expect(reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(reply.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('cache-control')).toBe('no-store');
    }
  });
});
