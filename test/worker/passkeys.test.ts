/**
 * Passkeys through the real Worker and objects, with a software authenticator whose signature
 * counter stays 0 (as every synced passkey's does), so only the server's challenges stand between
 * a captured assertion and a second sign-in.
 */
import { env, listDurableObjectIds } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createPasskey } from './authenticator';
import { Api, PASSWORD, problem, signedInUser, signup } from './helpers';

/** A subscription whose administrator has registered a passkey. */
async function adminWithPasskey() {
  const { admin } = await signup();
  const options = await admin.post('/v1/passkeys/registration-options');
  expect(options.status).toBe(200);
  const { response, passkey } = await createPasskey(options.body);
  expect((await admin.post('/v1/passkeys', { name: 'Phone', response })).status).toBe(201);
  return { admin, passkey };
}

/** A new sign-in challenge, as a browser tab asks for one. */
async function challengeFor(tab: Api): Promise<string> {
  const options = await tab.post('/v1/auth/passkey-options');
  expect(options.status).toBe(200);
  expect(options.body).toMatchObject({ userVerification: 'required', timeout: 300_000 });
  return options.body.challenge as string;
}

async function devicesOf(admin: Api): Promise<number> {
  return (await admin.get('/v1/devices')).body.items.length;
}

describe('Passkey sign-in challenges', () => {
  it('signs in once with an assertion; the same assertion sent again is refused and signs nobody in', async () => {
    const { admin, passkey } = await adminWithPasskey();
    const tab = new Api();
    const challenge = await challengeFor(tab);
    const assertion = await passkey.assert(challenge);
    const first = await tab.post('/v1/auth/passkey', { response: assertion });
    expect(first.status).toBe(200);
    const devices = await devicesOf(admin);

    // An attacker who captured the request has everything it carried, the challenge included
    // (before, the challenge travelled in a cookie).
    const replay = await new Api().post('/v1/auth/passkey', { response: assertion }, { cookie: `setme_webauthn=${challenge}` });
    expect(problem(replay, 400, 'passkey_expired').detail).toBe('This passkey request was already used. Start again to get a new one.');
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(await devicesOf(admin)).toBe(devices);
  });

  it('an assertion over a challenge the server never issued is refused before any subscription is asked', async () => {
    const { admin, passkey } = await adminWithPasskey();
    const devices = await devicesOf(admin);
    const madeUp = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(54)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const forged = await new Api().post('/v1/auth/passkey', { response: await passkey.assert(madeUp) }, { cookie: `setme_webauthn=${madeUp}` });
    problem(forged, 400, 'passkey_expired');
    expect(await devicesOf(admin)).toBe(devices);
  });

  it('every tab gets its own challenge: signing in in one does not break the sign-in waiting in another', async () => {
    const { passkey } = await adminWithPasskey();
    const browser = new Api(); // one cookie jar for both tabs, as in a browser
    const first = await challengeFor(browser);
    const second = await challengeFor(browser);
    expect(second).not.toBe(first);
    expect((await browser.post('/v1/auth/passkey', { response: await passkey.assert(second) })).status).toBe(200);
    expect((await browser.post('/v1/auth/passkey', { response: await passkey.assert(first) })).status).toBe(200);
  });

  it('parallel sends of one assertion sign in exactly once', async () => {
    const { admin, passkey } = await adminWithPasskey();
    const devices = await devicesOf(admin);
    const assertion = await passkey.assert(await challengeFor(new Api()));
    const replies = await Promise.all(Array.from({ length: 6 }, () => new Api().post('/v1/auth/passkey', { response: assertion })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    expect(await devicesOf(admin)).toBe(devices + 1);
  });

  it('a passkey that did not verify its user (no fingerprint, face or PIN) does not sign in', async () => {
    const { passkey } = await adminWithPasskey();
    const tab = new Api();
    const reply = await tab.post('/v1/auth/passkey', { response: await passkey.assert(await challengeFor(tab), { userVerified: false }) });
    expect(problem(reply, 401, 'passkey_invalid').detail).toBe('This passkey could not be verified. Try again, or sign in with your password.');
  });

  it('a removed passkey says so, and what to do instead', async () => {
    const { admin, passkey } = await adminWithPasskey();
    const id = (await admin.get('/v1/passkeys')).body.items[0].id;
    expect((await admin.delete(`/v1/passkeys/${id}`)).status).toBe(204);
    const tab = new Api();
    const reply = await tab.post('/v1/auth/passkey', { response: await passkey.assert(await challengeFor(tab)) });
    expect(problem(reply, 401, 'passkey_invalid').detail).toMatch(/may have been removed from your account\. Sign in with your password\.$/);
  });
});

describe('Passkey user handles', () => {
  const base64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const objects = async () => (await listDurableObjectIds(env.SUBSCRIPTION)).map((id) => id.toString());

  it('carry a MAC over the subscription and user: a made-up handle reaches no object, so none is created', async () => {
    const { passkey } = await adminWithPasskey();
    const tab = new Api();
    const assertion = await passkey.assert(await challengeFor(tab));
    const before = await objects();
    const madeUp = `sub_${crypto.randomUUID().slice(0, 20)}`;
    for (const userHandle of [base64url(`${madeUp}:usr_x\u0000${'A'.repeat(14)}`), base64url(`${madeUp}:usr_x\u0000`)]) {
      const forged = { ...assertion, response: { ...assertion.response, userHandle } };
      problem(await tab.post('/v1/auth/passkey', { response: forged }), 401, 'passkey_invalid');
    }
    expect(await objects()).toEqual(before);
    expect(before).not.toContain(env.SUBSCRIPTION.idFromName(madeUp).toString());
  });

  it('a passkey added before handles were signed says how to add it again', async () => {
    const { admin, passkey } = await adminWithPasskey();
    const { user, subscription } = (await admin.get('/v1/me')).body;
    const tab = new Api();
    const assertion = await passkey.assert(await challengeFor(tab));
    const unsigned = { ...assertion, response: { ...assertion.response, userHandle: base64url(`${subscription.id}:${user.id}`) } };
    const reply = await tab.post('/v1/auth/passkey', { response: unsigned });
    expect(problem(reply, 401, 'passkey_invalid').detail).toMatch(/added before a security update .* remove it under Me › Security and add it again\.$/);
  });
});

describe('Passkey registration challenges', () => {
  it('a registration challenge works once, and only for the device that asked for it', async () => {
    const { admin } = await signup();
    const options = (await admin.post('/v1/passkeys/registration-options')).body;
    const { api: other } = await signedInUser(admin, { name: 'Other Person' });
    problem(await other.post('/v1/passkeys', { name: 'Not mine', response: (await createPasskey(options)).response }), 400, 'passkey_expired');
    // Another device of the same user did not ask for it either.
    const sameUser = new Api();
    const email = (await admin.get('/v1/me')).body.user.email;
    expect((await sameUser.post('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    problem(await sameUser.post('/v1/passkeys', { name: 'Not this one', response: (await createPasskey(options)).response }), 400, 'passkey_expired');

    expect((await admin.post('/v1/passkeys', { name: 'First', response: (await createPasskey(options)).response })).status).toBe(201);
    const again = await admin.post('/v1/passkeys', { name: 'Second', response: (await createPasskey(options)).response });
    problem(again, 400, 'passkey_expired');
    expect((await admin.get('/v1/passkeys')).body.items.map((p: { name: string }) => p.name)).toEqual(['First']);
  });

  it('a sign-in challenge cannot register a passkey, nor a registration challenge sign in', async () => {
    const { admin, passkey } = await adminWithPasskey();
    const signIn = await challengeFor(new Api());
    const registration = (await admin.post('/v1/passkeys/registration-options')).body;
    problem(await admin.post('/v1/passkeys', { name: 'Wrong', response: (await createPasskey({ ...registration, challenge: signIn })).response }), 400, 'passkey_expired');
    problem(await new Api().post('/v1/auth/passkey', { response: await passkey.assert(registration.challenge) }), 400, 'passkey_expired');
  });
});

describe('Passkey refusals say what to do', () => {
  it("a passkey that cannot be verified is refused with a sentence to act on, not the library's message", async () => {
    const { admin } = await signup();
    const options = (await admin.post('/v1/passkeys/registration-options')).body;
    const { response } = await createPasskey(options);
    const broken = { ...response, response: { ...response.response, attestationObject: 'AAAA' } };
    const reply = await admin.post('/v1/passkeys', { name: 'Broken', response: broken });
    expect(problem(reply, 400, 'validation_failed').detail).toBe('This passkey could not be verified. Try again, or use another device or security key.');

    const { passkey } = await adminWithPasskey();
    const tab = new Api();
    const assertion = await passkey.assert(await challengeFor(tab));
    const tampered = { ...assertion, response: { ...assertion.response, signature: assertion.response.signature.slice(0, -4) + 'AAAA' } };
    const refused = await tab.post('/v1/auth/passkey', { response: tampered });
    expect(problem(refused, 401, 'passkey_invalid').detail).toBe('This passkey could not be verified. Try again, or sign in with your password.');
  });
});
