import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { Api, ORIGIN, problem, signedInUser, signup, uniqueEmail, type Reply } from './helpers';

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
