/**
 * How long a signed-in device lasts and how it ends: the two `__Host-` cookies, the idle timeout,
 * and finishing a sign-out the browser already did (maybe offline) with its sign-out proof.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../worker/crypto';
import { sql } from './clock';
import { Api, ORIGIN, PASSWORD, problem, signup } from './helpers';

const SESSION = '__Host-setme_session';
const KEY = '__Host-setme_key';

/** A second device of the subscription's administrator, signed in with the password. */
async function secondDevice(admin: Api, userAgent = 'Phone Browser') {
  const email = (await admin.get('/v1/me')).body.user.email as string;
  const phone = new Api();
  const reply = await phone.call('POST', '/v1/auth/login', { email, password: PASSWORD }, { 'user-agent': userAgent });
  expect(reply.status).toBe(200);
  return { phone, reply };
}

/** What the app keeps when it signs out: the proof, made from the key it then deletes. */
const proofOf = (api: Api) => sha256(`setme sign-out\n${api.cookieValue(KEY)}`);

const userAgents = async (admin: Api) => (await admin.get('/v1/devices')).body.items.map((d: { userAgent: string }) => d.userAgent);

describe('Sign-in cookies', () => {
  it('are two __Host- cookies, Secure for this origin only: the HttpOnly session and the key the app can delete', async () => {
    const { admin } = await signup();
    const { reply } = await secondDevice(admin);
    const [session, key, ...rest] = reply.headers.getSetCookie();
    expect(rest).toEqual([]);
    expect(session).toMatch(new RegExp(`^${SESSION}=sub_[a-z2-7]{20}\\.[a-z2-7]{52}\\.[a-z2-7]{26}; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax$`));
    expect(key).toMatch(new RegExp(`^${KEY}=[a-z2-7]{52}; Max-Age=2592000; Path=/; Secure; SameSite=Strict$`));
  });

  it('both halves are needed: either one alone is not signed in', async () => {
    const { admin } = await signup();
    const { phone } = await secondDevice(admin);
    expect((await phone.get('/v1/me')).status).toBe(200);
    for (const only of [SESSION, KEY]) {
      const half = new Api();
      half.cookie = `${only}=${phone.cookieValue(only)}`;
      problem(await half.get('/v1/me'), 401, 'unauthenticated');
    }
  });
});

describe('Idle devices', () => {
  it('a device unused for 12 hours is signed out and leaves the list; one used within 12 hours stays', async () => {
    const { admin, subscription } = await signup();
    const { phone } = await secondDevice(admin, 'Idle Phone');
    const { phone: tablet } = await secondDevice(admin, 'Busy Tablet');
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    await sql(subscription.id, "UPDATE devices SET last_seen_at = ? WHERE user_agent = 'Idle Phone'", hoursAgo(12.05));
    await sql(subscription.id, "UPDATE devices SET last_seen_at = ? WHERE user_agent = 'Busy Tablet'", hoursAgo(11.9));

    problem(await phone.get('/v1/me'), 401, 'unauthenticated');
    expect((await tablet.get('/v1/me')).status).toBe(200);
    expect(await userAgents(admin)).not.toContain('Idle Phone');
    expect(await userAgents(admin)).toContain('Busy Tablet');
  });
});

describe('Finishing a sign-out the browser already did', () => {
  it('the app deletes its key (offline: nothing else works), then its sign-out proof ends the device at the next contact', async () => {
    const { admin } = await signup();
    const { phone } = await secondDevice(admin);
    const proof = await proofOf(phone);

    // Signing out in the browser: the key goes at once, network or not.
    phone.cookie = `${SESSION}=${phone.cookieValue(SESSION)}`;
    problem(await phone.get('/v1/me'), 401, 'unauthenticated');
    expect(await userAgents(admin)).toContain('Phone Browser');

    // The proof is not a key: it signs nothing in.
    const withProof = new Api();
    withProof.cookie = `${SESSION}=${phone.cookieValue(SESSION)}; ${KEY}=${proof}`;
    problem(await withProof.get('/v1/me'), 401, 'unauthenticated');

    // Back online: the proof ends the device, and both cookies are cleared.
    const finished = await phone.post('/v1/auth/logout/finish', { proof });
    expect(finished.status).toBe(204);
    expect(finished.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual([SESSION, KEY]);
    expect(finished.headers.getSetCookie().every((c) => /Max-Age=0/.test(c))).toBe(true);
    expect(phone.cookie).toBe('');
    expect(await userAgents(admin)).not.toContain('Phone Browser');
    expect((await admin.get('/v1/me')).status).toBe(200);
  });

  it('only from this site; a proof that matches nothing changes nothing and answers the same', async () => {
    const { admin } = await signup();
    const { phone } = await secondDevice(admin);
    const proof = await proofOf(phone);
    const session = `${SESSION}=${phone.cookieValue(SESSION)}`;
    const crossSite = await new Api().call('POST', '/v1/auth/logout/finish', { proof }, { cookie: session, origin: 'https://evil.example' });
    problem(crossSite, 403, 'forbidden');
    const wrong = await new Api().call('POST', '/v1/auth/logout/finish', { proof: '0'.repeat(64) }, { cookie: session, origin: ORIGIN });
    expect(wrong.status).toBe(204);
    expect((await phone.get('/v1/me')).status).toBe(200);
    problem(await new Api().call('POST', '/v1/auth/logout/finish', { proof: 'not hex' }, { origin: ORIGIN }), 400, 'validation_failed');
  });

  it('a proof sent late, after the browser signed in again, ends the old device and keeps the new sign-in', async () => {
    const { admin } = await signup();
    const { phone } = await secondDevice(admin);
    const proof = await proofOf(phone);
    // The old device's proof could not be sent (server down); then someone signs in on this browser.
    const { phone: again } = await secondDevice(admin);
    const late = await again.post('/v1/auth/logout/finish', { proof });
    expect(late.status).toBe(204);
    expect(late.headers.getSetCookie()).toEqual([]);
    expect((await again.get('/v1/me')).status).toBe(200);
    expect((await phone.get('/v1/me')).status).toBe(401);
  });
});
