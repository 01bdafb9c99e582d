/**
 * Recovering an account evicts whoever else got in (issue 9, items 2, 8 and 13): a reset removes
 * every device, API token and passkey; a change signs the other devices out and removes tokens and
 * passkeys when asked; lasting access (a token, a passkey) needs a sign-in within 10 minutes;
 * current-password checks are throttled like sign-in; deactivation voids pending links.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { assertPasskey, registerPasskey } from './authenticator';
import { Api, createUser, mailTo, PASSWORD, problem, resetToken, signedInUser, signup } from './helpers';

const NEW_PASSWORD = 'a brand new passphrase';
/** Keys of a browser's push subscription (well-formed). */
const PUSH_KEYS = {
  p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
  auth: 'tBHItJI5svbpez7KI4CCXg',
};

/** The reset link most recently mailed to an address, read from the local mail transport. */
async function resetLinkFor(email: string): Promise<string> {
  const seen = new Set(outbox);
  expect((await new Api().post('/v1/auth/password-reset', { email })).status).toBe(202);
  return resetToken(await mailTo(email, seen));
}

/** Registers a passkey for the user behind `api` (whose sign-in must be recent); returns its id. */
async function addPasskey(api: Api): Promise<string> {
  const options = await api.post('/v1/passkeys/registration-options');
  expect(options.status).toBe(200);
  const added = await api.post('/v1/passkeys', { name: 'Laptop', response: await registerPasskey(options.body) });
  expect(added.status).toBe(201);
  return added.body.id;
}

/** Makes every device and token of a subscription look signed in `minutes` ago. */
async function signedInAgo(subscriptionId: string, minutes: number): Promise<void> {
  const at = new Date(Date.now() - minutes * 60_000).toISOString();
  await runInDurableObject(env.SUBSCRIPTION.getByName(subscriptionId), (_i, state) => {
    state.storage.sql.exec('UPDATE devices SET authenticated_at = ?', at);
    state.storage.sql.exec('UPDATE api_tokens SET authenticated_at = ?', at);
  });
}

describe('A password reset evicts whoever else got in', () => {
  it('signs out every device, revokes every API token, removes every passkey, and says so', async () => {
    const { admin, user } = await signup();
    const tokens = [(await admin.post('/v1/tokens', { name: 'ci' })).body.token, (await admin.post('/v1/tokens', { name: 'cron' })).body.token];
    await addPasskey(admin);
    // A push device (at a port that refuses whatever is sent), told of seat requests until the reset.
    const push = { endpoint: 'http://127.0.0.1:9/push/recovery', keys: PUSH_KEYS, device: 'Intruder phone' };
    expect((await admin.post('/v1/push-subscriptions', push)).status).toBe(201);
    for (const device of [new Api(), new Api()]) expect((await device.post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);

    const here = new Api();
    const reset = await here.post('/v1/auth/password-reset/confirm', { token: await resetLinkFor(user.email), password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect(reset.body.removed).toEqual({ devices: 3, apiTokens: 2, passkeys: 1 });
    expect(reset.body.detail).toBe('Your password is changed: 3 devices signed out, 2 API tokens revoked, 1 passkey removed — add your passkey again.');
    expect(reset.body.user.id).toBe(user.id);

    for (const token of tokens) problem(await new Api(token).get('/v1/me'), 401, 'unauthenticated');
    problem(await admin.get('/v1/me'), 401, 'unauthenticated');
    expect((await here.get('/v1/passkeys')).body.items).toEqual([]);
    expect((await here.get('/v1/devices')).body.items).toEqual([expect.objectContaining({ current: true })]);
    expect((await here.get('/v1/notifications')).body.devices).toEqual([]);
    // The reset proved the user: this device may add a passkey again at once.
    await addPasskey(here);
  });
});

describe('A password change', () => {
  it('signs the other devices out, and revokes tokens and removes passkeys only when asked', async () => {
    const { admin, user } = await signup();
    const token = (await admin.post('/v1/tokens', { name: 'ci' })).body.token;
    await addPasskey(admin);
    const other = new Api();
    await other.post('/v1/auth/login', { email: user.email, password: PASSWORD });

    const kept = await admin.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual({ removed: { devices: 1, apiTokens: 0, passkeys: 0 }, detail: 'Your password is changed: 1 device signed out.' });
    problem(await other.get('/v1/me'), 401, 'unauthenticated');
    expect((await new Api(token).get('/v1/me')).status).toBe(200);
    expect((await admin.get('/v1/passkeys')).body.items).toHaveLength(1);

    const all = await admin.post('/v1/me/password', {
      currentPassword: NEW_PASSWORD,
      newPassword: 'another long passphrase',
      revokeApiTokens: true,
      removePasskeys: true,
    });
    expect(all.body).toEqual({
      removed: { devices: 0, apiTokens: 1, passkeys: 1 },
      detail: 'Your password is changed: 1 API token revoked, 1 passkey removed — add your passkey again.',
    });
    problem(await new Api(token).get('/v1/me'), 401, 'unauthenticated');
    expect((await admin.get('/v1/passkeys')).body.items).toEqual([]);
    expect((await admin.get('/v1/me')).status).toBe(200);
  });
});

describe('Lasting access needs a recent sign-in', () => {
  it('a device signed in more than 10 minutes ago confirms with its password before creating a token or passkey', async () => {
    const { admin, subscription } = await signup();
    await signedInAgo(subscription.id, 11);

    const refused = problem(await admin.post('/v1/tokens', { name: 'ci' }), 403, 'reauthentication_required');
    expect(refused.detail).toMatch(/confirm it is you.*\/api\/v1\/me\/reauthenticate/i);
    problem(await admin.post('/v1/passkeys/registration-options'), 403, 'reauthentication_required');
    expect((await admin.get('/v1/tokens')).body.items).toEqual([]);

    problem(await admin.post('/v1/me/reauthenticate', { password: 'not my password' }), 401, 'invalid_credentials');
    problem(await admin.post('/v1/me/reauthenticate', {}), 400, 'validation_failed');
    const confirmed = await admin.post('/v1/me/reauthenticate', { password: PASSWORD });
    expect(confirmed.status).toBe(200);
    expect(Date.parse(confirmed.body.until) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect((await admin.post('/v1/tokens', { name: 'ci' })).status).toBe(201);
    await addPasskey(admin);
  });

  it('a passkey confirms too, and only one of the caller’s own', async () => {
    const { admin, subscription } = await signup();
    const passkeyId = await addPasskey(admin);
    const stranger = await signup();
    await signedInAgo(subscription.id, 11);
    problem(await admin.post('/v1/tokens', { name: 'ci' }), 403, 'reauthentication_required');

    // Someone else's passkey is not a proof for this account.
    const strangerKey = await addPasskey(stranger.admin);
    const strangerOptions = (await admin.post('/v1/auth/passkey-options')).body;
    problem(await admin.post('/v1/me/reauthenticate', { passkey: await assertPasskey(strangerKey, strangerOptions) }), 401, 'invalid_credentials');

    const options = (await admin.post('/v1/auth/passkey-options')).body;
    const confirmed = await admin.post('/v1/me/reauthenticate', { passkey: await assertPasskey(passkeyId, options) });
    expect(confirmed.status).toBe(200);
    expect((await admin.post('/v1/tokens', { name: 'ci' })).status).toBe(201);
  });

  it('an API token alone cannot make another token: it confirms its user’s password first', async () => {
    const { admin } = await signup();
    const script = new Api((await admin.post('/v1/tokens', { name: 'script' })).body.token);
    problem(await script.post('/v1/tokens', { name: 'second' }), 403, 'reauthentication_required');
    expect((await script.post('/v1/me/reauthenticate', { password: PASSWORD })).status).toBe(200);
    expect((await script.post('/v1/tokens', { name: 'second' })).status).toBe(201);
  });
});

describe('Current-password checks are throttled like sign-in', () => {
  it('20 parallel wrong passwords get 10 checks; then even the right one waits, while sign-in still works', async () => {
    const { admin, user, subscription } = await signup();
    const wrong = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.post('/v1/me/password', { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })),
    );
    expect(wrong.filter((r) => r.status === 401)).toHaveLength(10);
    expect(wrong.filter((r) => r.status === 429)).toHaveLength(10);

    const right = await admin.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(problem(right, 429, 'rate_limited').detail).toMatch(/Too many wrong passwords/);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // Confirming it is you counts against the same limit.
    problem(await admin.post('/v1/me/reauthenticate', { password: PASSWORD }), 429, 'rate_limited');
    // Someone holding a device cannot lock the owner out of signing in.
    expect((await new Api().post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);

    await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_i, state) => {
      state.storage.sql.exec('UPDATE password_checks SET at = at - ?', 16 * 60_000);
    });
    expect((await admin.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);
  });
});

describe('Deactivation voids pending links', () => {
  it('a reset link issued before a deactivation does not work after reactivation', async () => {
    const { admin } = await signup();
    const { user } = await signedInUser(admin, { name: 'Rhea Returner' });
    const link = await resetLinkFor(user.email);
    expect((await admin.patch(`/v1/users/${user.id}`, { status: 'deactivated' })).status).toBe(200);
    expect((await admin.patch(`/v1/users/${user.id}`, { status: 'active' })).status).toBe(200);
    problem(await new Api().post('/v1/auth/password-reset/confirm', { token: link, password: NEW_PASSWORD }), 400, 'invitation_invalid');
    expect((await new Api().post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);
  });

  it('an invitation issued before a deactivation does not work after reactivation; a renewed one does', async () => {
    const { admin } = await signup();
    const { user, invitation } = await createUser(admin, { name: 'Ivo Invited' });
    await admin.patch(`/v1/users/${user.id}`, { status: 'deactivated' });
    expect((await admin.patch(`/v1/users/${user.id}`, { status: 'active' })).body.status).toBe('invited');
    problem(await new Api().post('/v1/invitations/accept', { token: invitation.token, password: PASSWORD }), 400, 'invitation_invalid');
    const renewed = await admin.post(`/v1/users/${user.id}/invitation`);
    expect((await new Api().post('/v1/invitations/accept', { token: renewed.body.token, password: PASSWORD })).status).toBe(200);
  });
});
