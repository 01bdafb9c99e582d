import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { createPasskey } from './authenticator';
import {
  Api,
  confirmationToken,
  createUser,
  mailTo,
  ORIGIN,
  PASSWORD,
  problem,
  resetToken,
  signedInUser,
  signup,
  uniqueEmail,
  type Reply,
} from './helpers';

/** The revision an answer says it reflects. */
const revision = (reply: Reply) => Number(reply.headers.get('setme-revision') ?? Number.NaN);

describe('SetMe-Revision', () => {
  it('every signed-in answer says which revision it reflects; each committed change adds one, reads and refusals none', async () => {
    const { admin, user } = await signup(1);
    const start = revision(await admin.get('/v1/me'));
    expect(start).toBeGreaterThan(0);
    expect(revision(await admin.get('/v1/users'))).toBe(start);

    const created = await admin.post('/v1/users', { name: 'Holder', email: uniqueEmail(), assignSeat: true });
    expect(created.status).toBe(201);
    expect(revision(created)).toBe(start + 1);
    expect(revision(await admin.get('/v1/subscription'))).toBe(start + 1);

    // A refusal changes nothing, and says so by value too; so do reports, CSV included.
    const refused = await admin.call('PUT', `/v1/users/${user.id}/seat`);
    problem(refused, 409, 'no_seats_available');
    expect(revision(refused)).toBe(start + 1);
    const csv = await exports.default.fetch(`${ORIGIN}/api/v1/reports/utilisation?format=csv`, { headers: { cookie: admin.cookie } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(Number(csv.headers.get('setme-revision'))).toBe(start + 1);

    // Someone without credentials learns nothing.
    expect((await new Api().get('/v1/me')).headers.get('setme-revision')).toBeNull();
  });

  it('a change that also gives a freed seat to the waitlist is one revision; a heartbeat is none', async () => {
    const { admin, user } = await signup(1);
    const { api: tech } = await signedInUser(admin, { name: 'Waiting Walt' });
    expect((await tech.post('/v1/seat-requests', { reason: 'On call' })).status).toBe(201);
    const before = revision(await admin.get('/v1/me'));
    const automatic = await admin.patch('/v1/subscription', { autoAssignRequests: true });
    expect(automatic.body.seats.assigned).toBe(1);
    expect(revision(automatic)).toBe(before + 1);

    const back = await admin.call('DELETE', `/v1/users/${(await tech.get('/v1/me')).body.user.id}/seat`);
    expect(revision(back)).toBe(before + 2);
    await admin.patch('/v1/subscription', { autoAssignRequests: false });
    await admin.call('PUT', `/v1/users/${user.id}/seat`);
    const session = await admin.post('/v1/console/sessions', { computer: 'PC-1' });
    expect(session.status).toBe(201);
    const beat = await admin.post(`/v1/console/sessions/${session.body.id}/heartbeat`);
    expect(beat.status).toBe(200);
    expect(revision(beat)).toBe(revision(session));
  });
});

describe('SetMe-Revision on a sign-in', () => {
  /**
   * A way in's answer says the revision the new device's GET /me says right after: the app's first
   * live message carries that one, and finds it known (before, no revision: every screen refetched).
   */
  async function expectRevisionOfMe(device: Api, answer: Reply, status = 200): Promise<number> {
    expect(answer.status).toBe(status);
    const signedIn = revision(answer);
    expect(signedIn).toBeGreaterThan(0);
    expect(signedIn).toBe(revision(await device.get('/v1/me')));
    return signedIn;
  }

  it('a password sign-in answers with the revision it committed; a refused one tells none', async () => {
    const { admin, email } = await signup(1);
    const before = revision(await admin.get('/v1/me'));
    const laptop = new Api();
    // Signing a device in is a change of its own (the subscription's devices), so one revision on.
    expect(await expectRevisionOfMe(laptop, await laptop.post('/v1/auth/login', { email, password: PASSWORD }))).toBe(before + 1);

    const stranger = await new Api().post('/v1/auth/login', { email, password: 'not the password at all' });
    problem(stranger, 401, 'invalid_credentials');
    expect(stranger.headers.get('setme-revision')).toBeNull();
  });

  it('so do a sign-up confirmation, an accepted invitation, a password reset and a passkey sign-in', async () => {
    const admin = new Api();
    const email = uniqueEmail('admin');
    const seen = new Set(outbox);
    const fields = { organization: 'Acme Support', name: 'Ada Admin', email, password: PASSWORD, seats: 2, assignSeat: false };
    expect((await admin.post('/v1/signup', fields)).status).toBe(202);
    await expectRevisionOfMe(admin, await admin.post('/v1/signup/confirm', { token: confirmationToken(await mailTo(email, seen)) }), 201);

    const invited = await createUser(admin, { name: 'Ivy Invited' });
    const ivy = new Api();
    await expectRevisionOfMe(ivy, await ivy.post('/v1/invitations/accept', { token: invited.invitation.token, password: PASSWORD }));

    const resetMail = new Set(outbox);
    expect((await new Api().post('/v1/auth/password-reset', { email: invited.user.email })).status).toBe(202);
    const token = resetToken(await mailTo(invited.user.email, resetMail));
    const phone = new Api();
    await expectRevisionOfMe(phone, await phone.post('/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase' }));

    const options = await admin.post('/v1/passkeys/registration-options');
    const { response, passkey } = await createPasskey(options.body);
    expect((await admin.post('/v1/passkeys', { name: 'Phone', response })).status).toBe(201);
    const tablet = new Api();
    const challenge = (await tablet.post('/v1/auth/passkey-options')).body.challenge as string;
    await expectRevisionOfMe(tablet, await tablet.post('/v1/auth/passkey', { response: await passkey.assert(challenge) }));
  });

  it('the OpenAPI document says every way in answers with it', async () => {
    const doc = (await (await exports.default.fetch(`${ORIGIN}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, { post: { responses: Record<string, { headers?: object }> } }>;
    };
    const successes = [
      ['/auth/login', '200'],
      ['/auth/passkey', '200'],
      ['/invitations/accept', '200'],
      ['/auth/password-reset/confirm', '200'],
      ['/signup/confirm', '201'],
    ] as const;
    for (const [path, status] of successes) expect(doc.paths[path]!.post.responses[status]!.headers, path).toHaveProperty('SetMe-Revision');
    expect(doc.paths['/auth/login']!.post.responses['401']!.headers).toBeUndefined();
  });
});
