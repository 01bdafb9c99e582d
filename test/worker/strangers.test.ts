/**
 * What an outsider can and cannot cause (issue 9, items 4–7 and 10, and the sign-up confirmation):
 * no storage for made-up secrets and unknown emails, no lock-out of the owner, the same answers for
 * known and unknown emails, links on the configured origin whatever the Host header, and mail
 * throttled per email and per client address.
 */
import { env, exports } from 'cloudflare:workers';
import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newId, randomToken, seal, signature } from '../../worker/crypto';
import { secretKeys } from '../../worker/http/config';
import { outbox } from '../../worker/mail';
import { Api, confirmationToken, createUser, mailTo, ORIGIN, PASSWORD, problem, signup, uniqueEmail } from './helpers';

const from = (address: string) => ({ 'cf-connecting-ip': address, 'content-type': 'application/json' });

/**
 * Whether an object with this name has storage files in the namespace. Miniflare lists an object
 * once workerd opened its SQLite file, which happens on its first call even if it writes nothing:
 * for objects that must not even be called (a subscription named by a made-up secret).
 */
async function stored(namespace: DurableObjectNamespace, name: string): Promise<boolean> {
  const id = namespace.idFromName(name);
  return (await listDurableObjectIds(namespace)).some((listed) => listed.equals(id));
}

/**
 * The tables in an object's SQLite database (workerd's own `_cf_` tables aside): for objects a
 * stranger may reach (the email index, the address throttle), which must keep nothing for them.
 * Running this starts the object, whose constructor must write nothing either.
 */
function tablesOf(stub: DurableObjectStub): Promise<string[]> {
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'")
      .toArray()
      .map((row) => row.name),
  );
}

/** The name of the AddressThrottle object that counts requests from `address` (an IPv4 one here). */
async function throttleOf(address: string) {
  return env.ADDRESS_THROTTLE.getByName(`ip_${await signature(await secretKeys(env), `client address\n${address}`)}`);
}

describe('No storage for strangers', () => {
  it('a made-up cookie or API token is refused before any subscription object is created', async () => {
    const subscriptionId = newId('sub');
    const unsigned = `${subscriptionId}.${randomToken(32)}`;
    const forged = `${unsigned}.${'a'.repeat(26)}`;
    for (const secret of [unsigned, forged]) {
      problem(await new Api(`setme_${secret}`).get('/v1/me'), 401, 'unauthenticated');
      problem(await new Api().call('GET', '/v1/me', undefined, { cookie: `setme_session=${secret}`, origin: ORIGIN }), 401, 'unauthenticated');
    }
    expect(await stored(env.SUBSCRIPTION, subscriptionId)).toBe(false);
  });

  it('an unknown email at sign-in, reset and sign-up, from a new client address, leaves no object behind', async () => {
    const emails = [uniqueEmail('stranger'), uniqueEmail('stranger'), uniqueEmail('stranger')];
    problem(await new Api().call('POST', '/v1/auth/login', { email: emails[0], password: 'a guess at least' }, from('203.0.113.201')), 401, 'invalid_credentials');
    expect((await new Api().call('POST', '/v1/auth/password-reset', { email: emails[1] }, from('203.0.113.202'))).status).toBe(202);
    const seen = new Set(outbox);
    const body = { organization: 'O', name: 'N', email: emails[2], password: PASSWORD, seats: 1 };
    expect((await new Api().call('POST', '/v1/signup', body, from('2001:db8:77::1'))).status).toBe(202);
    await mailTo(emails[2]!, seen);

    for (const email of emails) expect(await tablesOf(env.EMAIL_INDEX.getByName(email))).toEqual([]);
    for (const address of ['203.0.113.201', '203.0.113.202']) expect(await tablesOf(await throttleOf(address))).toEqual([]);
    // Two misses from one address still keep nothing; the third is someone trying again and again.
    const index = env.EMAIL_INDEX.getByName(emails[0]!);
    problem(await new Api().call('POST', '/v1/auth/login', { email: emails[0], password: 'a second guess' }, from('203.0.113.201')), 401, 'invalid_credentials');
    expect(await tablesOf(index)).toEqual([]);
    problem(await new Api().call('POST', '/v1/auth/login', { email: emails[0], password: 'a third guess' }, from('203.0.113.201')), 401, 'invalid_credentials');
    expect(await tablesOf(index)).toContain('attempts');
  });

  it('a sign-up creates nothing until its link is opened; the link works once and cannot be made up', async () => {
    const subscriptionsBefore = (await listDurableObjectIds(env.SUBSCRIPTION)).length;
    const email = uniqueEmail('pending');
    const seen = new Set(outbox);
    expect((await new Api().post('/v1/signup', { organization: 'O', name: 'N', email, password: PASSWORD, seats: 2 })).status).toBe(202);
    const token = confirmationToken(await mailTo(email, seen));
    expect((await listDurableObjectIds(env.SUBSCRIPTION)).length).toBe(subscriptionsBefore);
    expect(await tablesOf(env.EMAIL_INDEX.getByName(email))).toEqual([]);

    const changed = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    problem(await new Api().post('/v1/signup/confirm', { token: changed }), 400, 'confirmation_invalid');
    const expired = await seal(await secretKeys(env), {
      subscriptionId: newId('sub'), userId: newId('usr'), organization: 'O', name: 'N', email: uniqueEmail('late'),
      password: { hash: 'x', salt: 'y', iterations: 1 }, seats: 1, assignSeat: false, expiresAt: Date.now() - 1,
    });
    problem(await new Api().post('/v1/signup/confirm', { token: expired }), 400, 'confirmation_invalid');

    expect((await new Api().post('/v1/signup/confirm', { token })).status).toBe(201);
    problem(await new Api().post('/v1/signup/confirm', { token }), 400, 'confirmation_invalid');
    expect((await new Api().post('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });
});

describe('No lock-out of other people, no account oracle', () => {
  it('the owner still signs in from their own address while guesses from elsewhere are throttled', async () => {
    const { email } = await signup();
    expect((await new Api().call('POST', '/v1/auth/login', { email, password: PASSWORD }, from('198.51.100.10'))).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      problem(await new Api().call('POST', '/v1/auth/login', { email, password: `guess ${i}` }, from('203.0.113.66')), 401, 'invalid_credentials');
    }
    const attacker = await new Api().call('POST', '/v1/auth/login', { email, password: PASSWORD }, from('203.0.113.66'));
    problem(attacker, 429, 'rate_limited');
    expect(Number(attacker.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await new Api().call('POST', '/v1/auth/login', { email, password: PASSWORD }, from('198.51.100.10'))).status).toBe(200);
  });

  it('unknown emails get the same answers, statuses and headers as known ones, throttle included', async () => {
    const { email: known } = await signup();
    const unknown = uniqueEmail('nobody');
    const replies = async (email: string) => {
      const seen = [];
      for (let i = 0; i < 11; i++) seen.push(await new Api().call('POST', '/v1/auth/login', { email, password: `guess ${i}` }, from('203.0.113.77')));
      return seen;
    };
    const forKnown = await replies(known);
    const forUnknown = await replies(unknown);
    // Retry-After counts down while the test runs: its presence must match, its second need not.
    const shape = (reply: { status: number; headers: Headers; body: Record<string, unknown> }) => ({
      status: reply.status,
      body: { ...reply.body, retryAfterSeconds: typeof reply.body.retryAfterSeconds === 'number' ? 'set' : null },
      headers: [...reply.headers.keys()].sort(),
      retryAfter: reply.headers.get('retry-after') === null ? null : 'set',
    });
    expect(JSON.stringify(forUnknown.map(shape), null, 1)).toBe(JSON.stringify(forKnown.map(shape), null, 1));
    expect(forKnown.at(-1)!.status).toBe(429);
  });

  it('40 parallel wrong passwords are counted before they are checked: at most 10 are tried', async () => {
    const { email } = await signup();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => new Api().call('POST', '/v1/auth/login', { email, password: `parallel guess ${i}` }, from('203.0.113.88'))),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 401).length).toBe(10);
    expect(statuses.filter((status) => status === 429).length).toBe(30);
  });
});

describe('Enumeration by other doors', () => {
  it('signing up with a taken address answers exactly like a new one; the mail tells the owner and links to a reset', async () => {
    const { email: taken } = await signup();
    const fresh = uniqueEmail('fresh');
    const body = (email: string) => ({ organization: 'O', name: 'N', email, password: PASSWORD, seats: 1 });
    const seen = new Set(outbox);
    const forTaken = await new Api().post('/v1/signup', body(taken));
    const forFresh = await new Api().post('/v1/signup', body(fresh));
    expect(forTaken.status).toBe(202);
    expect({ status: forTaken.status, body: forTaken.body, headers: [...forTaken.headers.keys()].sort() }).toEqual({
      status: forFresh.status,
      body: forFresh.body,
      headers: [...forFresh.headers.keys()].sort(),
    });
    const note = await mailTo(taken, seen);
    expect(note.subject).toBe('You already have a SetMe Seats account');
    expect(note.text).toContain(`${ORIGIN}/forgot-password`);
    expect(note.text).not.toContain('confirm-signup');
  });
});

describe('Links come from the configured public origin, never the Host header', () => {
  const evil = (path: string, init: RequestInit) =>
    exports.default.fetch(`https://evil.example/api${path}`, { ...init, headers: { host: 'evil.example', 'content-type': 'application/json', ...init.headers } });

  it('reset, invitation and sign-up mail and the passkey relying party name seats.test', async () => {
    const { admin, email } = await signup();
    const token = (await admin.post('/v1/tokens', { name: 'Script' })).body.token as string;
    const seen = new Set(outbox);
    expect((await evil('/v1/auth/password-reset', { method: 'POST', body: JSON.stringify({ email }) })).status).toBe(202);
    const invited = uniqueEmail('invited');
    const created = await evil('/v1/users', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Invited', email: invited, role: 'technician' }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { invitation: { url: string } }).invitation.url).toMatch(/^https:\/\/seats\.test\/invitation#token=/);
    const newcomer = uniqueEmail('newcomer');
    const body = { organization: 'O', name: 'N', email: newcomer, password: PASSWORD, seats: 1 };
    expect((await evil('/v1/signup', { method: 'POST', body: JSON.stringify(body) })).status).toBe(202);

    for (const mail of [await mailTo(email, seen), await mailTo(newcomer, seen)]) {
      expect(mail.text).toContain(`${ORIGIN}/`);
      expect(mail.text).not.toContain('evil.example');
    }
    const options = await evil('/v1/auth/passkey-options', { method: 'POST', body: '{}' });
    expect(((await options.json()) as { rpId?: string }).rpId).toBe('seats.test');
  });
});

describe('Sign-up and reset mail is throttled per email and per client address', () => {
  it('at most 5 mails an hour to one email, counted alike for known and unknown emails and across sign-up and reset', async () => {
    const { email: known } = await signup();
    const unknown = uniqueEmail('unknown');
    const answers = async (email: string) => {
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await new Api().post('/v1/auth/password-reset', { email }));
      for (let i = 0; i < 3; i++) seen.push(await new Api().post('/v1/signup', { organization: 'O', name: 'N', email, password: PASSWORD, seats: 1 }));
      return seen.map((reply) => ({ status: reply.status, code: reply.body.code ?? null, retryAfter: reply.headers.get('retry-after') !== null }));
    };
    // The known email already had its sign-up mail: one fewer to go.
    const forKnown = await answers(known);
    const forUnknown = await answers(unknown);
    expect(forKnown.map((a) => a.status)).toEqual([202, 202, 202, 202, 429, 429]);
    expect(forUnknown.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 429]);
    expect(forUnknown.at(-1)).toEqual(forKnown.at(-1));
    expect(forKnown.at(-1)).toEqual({ status: 429, code: 'rate_limited', retryAfter: true });
  });

  it('at most 20 mails an hour for one client address, IPv6 counted by its /64', async () => {
    const ask = (address: string) => new Api().call('POST', '/v1/auth/password-reset', { email: uniqueEmail('many') }, from(address));
    for (let i = 0; i < 20; i++) expect((await ask(`2001:db8:5:6::${(i + 1).toString(16)}`)).status).toBe(202);
    const limited = await ask('2001:db8:5:6:ffff:1:2:3');
    problem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await ask('2001:db8:5:7::1')).status).toBe(202);
  });

  it('an invited user is counted like anyone else', async () => {
    const { admin } = await signup();
    const invited = (await createUser(admin, { name: 'Not Yet' })).user.email as string;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await new Api().post('/v1/auth/password-reset', { email: invited })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});
