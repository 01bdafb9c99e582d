import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { Api, confirmationToken, createUser, mailTo, ORIGIN, PASSWORD, problem, signedInUser, signup, uniqueEmail } from './helpers';

describe('Every refusal is an RFC 9457 problem with a stable code', () => {
  it('validation_failed 400: bad JSON, a bad field, an unknown field, a bad query', async () => {
    const { admin } = await signup();
    const badJson = await admin.call('POST', '/v1/users', '{"name":', { 'content-type': 'application/json' });
    problem(badJson, 400, 'validation_failed');
    const badField = problem(await admin.post('/v1/users', { name: 'X', email: 'not-an-email' }), 400, 'validation_failed');
    expect(badField.detail).toContain('email');
    expect(badField.errors).toEqual([expect.objectContaining({ path: 'email' })]);
    problem(await admin.post('/v1/users', { name: 'X', email: uniqueEmail(), isAdmin: true }), 400, 'validation_failed');
    problem(await admin.get('/v1/users?limit=101'), 400, 'validation_failed');
    problem(await admin.get('/v1/users?cursor=garbage'), 400, 'validation_failed');
    problem(await new Api().post('/v1/signup', { organization: 'A', name: 'B', email: uniqueEmail(), password: PASSWORD, seats: 0 }), 400, 'validation_failed');
    problem(await new Api().post('/v1/signup', { organization: 'A', name: 'B', email: uniqueEmail(), password: 'short', seats: 2 }), 400, 'validation_failed');
  });

  it('unauthenticated 401 without a credential, with a forged one, and after logout', async () => {
    problem(await new Api().get('/v1/me'), 401, 'unauthenticated');
    problem(await new Api('setme_sub_aaaaaaaaaaaaaaaaaaaa.' + 'a'.repeat(52)).get('/v1/users'), 401, 'unauthenticated');
    problem(await new Api('not-a-token').get('/v1/users'), 401, 'unauthenticated');
    const { admin } = await signup();
    const stolen = admin.cookie;
    expect((await admin.post('/v1/auth/logout')).status).toBe(204);
    const replay = new Api();
    replay.cookie = stolen;
    problem(await replay.get('/v1/me'), 401, 'unauthenticated');
  });

  it('invalid_credentials 401 alike for a wrong password and an unknown email', async () => {
    const { admin } = await signup();
    const me = (await admin.get('/v1/me')).body.user;
    const wrong = problem(await new Api().post('/v1/auth/login', { email: me.email, password: 'wrong password!' }), 401, 'invalid_credentials');
    const unknown = problem(await new Api().post('/v1/auth/login', { email: uniqueEmail(), password: PASSWORD }), 401, 'invalid_credentials');
    expect(unknown.detail).toBe(wrong.detail);
    const ok = await new Api().post('/v1/auth/login', { email: me.email.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(me.id);
  });

  it('forbidden 403 for a technician on admin routes, and for a cookie write from another site', async () => {
    const { admin } = await signup();
    const { api: tech } = await signedInUser(admin, { name: 'Tina Tech' });
    problem(await tech.post('/v1/users', { name: 'X', email: uniqueEmail() }), 403, 'forbidden');
    const crossSite = await admin.call('POST', '/v1/users', { name: 'X', email: uniqueEmail() }, { origin: 'https://evil.example' });
    problem(crossSite, 403, 'forbidden');
  });

  it('seat_required 403 when a user without a seat opens an Expert Console session', async () => {
    const { admin } = await signup();
    const { api: tech, user } = await signedInUser(admin, { name: 'Tina Tech' });
    const refused = problem(await tech.post('/v1/console/sessions', { computer: 'PC-1' }), 403, 'seat_required');
    expect(refused.detail).toMatch(/ask an administrator/i);
    await admin.put(`/v1/users/${user.id}/seat`);
    const allowed = await tech.post('/v1/console/sessions', { computer: 'PC-1' });
    expect(allowed.status).toBe(201);
    expect(allowed.body).toMatchObject({ computer: 'PC-1', id: expect.stringMatching(/^con_/) });
  });

  it('not_found 404 for unknown users, tokens and API routes', async () => {
    const { admin } = await signup();
    problem(await admin.get('/v1/users/usr_aaaaaaaaaaaaaaaaaaaa'), 404, 'not_found');
    problem(await admin.delete('/v1/tokens/tok_aaaaaaaaaaaaaaaaaaaa'), 404, 'not_found');
    problem(await admin.get('/v1/nothing-here'), 404, 'not_found');
  });

  it('no_seats_available 409 names the counts and the holders, and changes nothing', async () => {
    const { admin } = await signup(1);
    const holder = (await createUser(admin, { name: 'Holder', assignSeat: true })).user;
    const other = (await createUser(admin, { name: 'Other' })).user;
    const refused = problem(await admin.put(`/v1/users/${other.id}/seat`), 409, 'no_seats_available');
    expect(refused.seats).toEqual({ purchased: 1, assigned: 1, available: 0 });
    expect(refused.holders).toEqual([expect.objectContaining({ id: holder.id, name: 'Holder', role: 'technician' })]);
    expect(refused.detail).toMatch(/All 1 seats are assigned/);
    expect((await admin.get(`/v1/users/${other.id}`)).body.seat).toBeNull();
  });

  it('seats_in_use 409 says how many seats to free before shrinking', async () => {
    const { admin } = await signup(5);
    for (let i = 0; i < 3; i++) await createUser(admin, { assignSeat: true });
    const refused = problem(await admin.patch('/v1/subscription', { seats: 1 }), 409, 'seats_in_use');
    expect(refused).toMatchObject({ requested: 1, toFree: 2, seats: { assigned: 3 } });
    expect(refused.detail).toContain('Take back 2 seats');
    expect((await admin.get('/v1/subscription')).body.seats.purchased).toBe(5);
    const grown = await admin.patch('/v1/subscription', { seats: 3, name: 'Acme Remote' });
    expect(grown.body).toMatchObject({ name: 'Acme Remote', seats: { purchased: 3, assigned: 3, available: 0 } });
  });

  it('email_taken 409 across the whole service, case-insensitively, without reserving refused emails', async () => {
    const first = await signup();
    const second = await signup();
    // A sign-up asked for while the address was free, confirmed after someone else took it.
    const later = uniqueEmail('shared');
    const seen = new Set(outbox);
    expect((await new Api().post('/v1/signup', { organization: 'O', name: 'N', email: later, password: PASSWORD, seats: 1 })).status).toBe(202);
    const link = confirmationToken(await mailTo(later, seen));

    const taken = (await createUser(first.admin, { name: 'Shared', email: later })).user.email;
    const refused = problem(await second.admin.post('/v1/users', { name: 'Dup', email: taken.toUpperCase() }), 409, 'email_taken');
    expect(refused.email).toBe(taken);
    problem(await new Api().post('/v1/signup/confirm', { token: link }), 409, 'email_taken');

    // A create refused for want of a seat leaves the email free for anyone.
    const { admin: full } = await signup(1);
    await createUser(full, { assignSeat: true });
    const email = uniqueEmail('refused');
    problem(await full.post('/v1/users', { name: 'No Seat', email }), 409, 'no_seats_available');
    expect((await second.admin.post('/v1/users', { name: 'Gets It', email, assignSeat: false })).status).toBe(201);

    // Deleting a user frees their email.
    const gone = (await createUser(first.admin, { name: 'Leaver' })).user;
    expect((await first.admin.delete(`/v1/users/${gone.id}`)).status).toBe(204);
    expect((await second.admin.post('/v1/users', { name: 'Comer', email: gone.email, assignSeat: false })).status).toBe(201);
  });

  it('last_administrator 409: the last active administrator can be neither demoted, deactivated nor deleted', async () => {
    const { admin, user: owner } = await signup();
    problem(await admin.patch(`/v1/users/${owner.id}`, { role: 'technician' }), 409, 'last_administrator');
    problem(await admin.patch(`/v1/users/${owner.id}`, { status: 'deactivated' }), 409, 'last_administrator');
    problem(await admin.delete(`/v1/users/${owner.id}`), 409, 'last_administrator');
    // An invited administrator does not count: they cannot sign in yet.
    const invited = (await createUser(admin, { name: 'Invited Admin', role: 'administrator' })).user;
    problem(await admin.delete(`/v1/users/${owner.id}`), 409, 'last_administrator');
    const { user: second } = await signedInUser(admin, { name: 'Second Admin', role: 'administrator' });
    expect((await admin.patch(`/v1/users/${owner.id}`, { role: 'technician' })).status).toBe(200);
    expect(invited.id).not.toBe(second.id);
  });

  it('seat_not_held and seat_already_held 409 on transfers that cannot happen', async () => {
    const { admin } = await signup(3);
    const a = (await createUser(admin, { name: 'A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'B', assignSeat: true })).user;
    const c = (await createUser(admin, { name: 'C' })).user;
    expect(problem(await admin.post('/v1/seats/transfer', { from: c.id, to: a.id }), 409, 'seat_not_held').userId).toBe(c.id);
    expect(problem(await admin.post('/v1/seats/transfer', { from: a.id, to: b.id }), 409, 'seat_already_held').userId).toBe(b.id);
    problem(await admin.post('/v1/seats/transfer', { from: a.id, to: a.id }), 400, 'validation_failed');
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(2);
  });

  it('rate_limited 429 with Retry-After after 10 failed sign-ins, even with the right password', async () => {
    const { admin } = await signup();
    const email = (await admin.get('/v1/me')).body.user.email;
    for (let i = 0; i < 10; i++) {
      problem(await new Api().post('/v1/auth/login', { email, password: `wrong password ${i}` }), 401, 'invalid_credentials');
    }
    const limited = await new Api().post('/v1/auth/login', { email, password: PASSWORD });
    problem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
  });

  it('payload_too_large 413 for oversized bodies, and no 500 for odd requests', async () => {
    const { admin } = await signup();
    problem(await admin.post('/v1/users', { name: 'x'.repeat(70_000), email: uniqueEmail() }), 413, 'payload_too_large');
    const noType = await admin.call('POST', '/v1/users', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(noType.status).toBe(400);
    const array = await admin.post('/v1/users', [1, 2, 3]);
    problem(array, 400, 'validation_failed');
    expect(ORIGIN).toMatch(/^https:/);
  });

  it('user_deactivated 409 when giving a seat to a deactivated user', async () => {
    const { admin } = await signup();
    const user = (await createUser(admin)).user;
    await admin.patch(`/v1/users/${user.id}`, { status: 'deactivated' });
    problem(await admin.put(`/v1/users/${user.id}/seat`), 409, 'user_deactivated');
  });
});
