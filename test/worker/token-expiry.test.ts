/**
 * API tokens expire (90 days unless said otherwise; "never" only with a warning), and
 * administrators see and revoke everyone's tokens.
 */
import { describe, expect, it } from 'vitest';
import { sql } from './clock';
import { Api, problem, signedInUser, signup } from './helpers';

const DAY = 86_400_000;

describe('API token expiry', () => {
  it('a token lasts 90 days unless it says otherwise; "never" is allowed with a warning; a past time is refused', async () => {
    const { admin } = await signup();
    const byDefault = await admin.post('/v1/tokens', { name: 'default' });
    expect(byDefault.status).toBe(201);
    expect(Math.abs(Date.parse(byDefault.body.expiresAt) - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
    expect(byDefault.body.warning).toBeUndefined();

    const week = new Date(Date.now() + 7 * DAY).toISOString();
    expect((await admin.post('/v1/tokens', { name: 'a week', expiresAt: week })).body).toMatchObject({ expiresAt: week });

    const forever = await admin.post('/v1/tokens', { name: 'forever', expiresAt: 'never' });
    expect(forever.status).toBe(201);
    expect(forever.body).toMatchObject({ expiresAt: null, warning: expect.stringContaining('never expires') });

    problem(await admin.post('/v1/tokens', { name: 'past', expiresAt: '2020-01-01T00:00:00Z' }), 400, 'validation_failed');
    const listed = (await admin.get('/v1/tokens')).body.items.map((t: { name: string; expiresAt: string | null }) => [t.name, t.expiresAt]);
    expect(listed).toEqual(expect.arrayContaining([['a week', week], ['forever', null]]));
  });

  it('an expired token is refused with token_expired, saying when and what to do; it stays listed until revoked', async () => {
    const { admin, subscription } = await signup();
    const created = await admin.post('/v1/tokens', { name: 'nightly sync' });
    const script = new Api(created.body.token);
    expect((await script.get('/v1/users')).status).toBe(200);

    const past = new Date(Date.now() - 60_000).toISOString();
    await sql(subscription.id, 'UPDATE api_tokens SET expires_at = ? WHERE id = ?', past, created.body.id);
    const refused = problem(await script.get('/v1/users'), 401, 'token_expired');
    expect(refused).toMatchObject({ expiredAt: past, detail: expect.stringMatching(/^This API token expired on .+\. Create a new token/) });
    problem(await script.put(`/v1/users/${created.body.id}/seat`), 401, 'token_expired');
    expect((await admin.get('/v1/tokens')).body.items).toEqual([expect.objectContaining({ id: created.body.id, expiresAt: past })]);
  });
});

describe("Everyone's tokens, for administrators", () => {
  it('an administrator lists every token with its owner and revokes anyone\'s; a technician may not list them', async () => {
    const { admin, user } = await signup();
    const { api: tech, user: techUser } = await signedInUser(admin, { name: 'Tess Tech' });
    const theirs = (await tech.post('/v1/tokens', { name: 'laptop script', scope: 'read' })).body;
    const mine = (await admin.post('/v1/tokens', { name: 'provisioning' })).body;

    const all = await admin.get('/v1/tokens/all');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: mine.id, name: 'provisioning', owner: { id: user.id, name: 'Ada Admin', email: user.email } }),
      expect.objectContaining({
        id: theirs.id,
        name: 'laptop script',
        scope: 'read',
        lastUsedAt: null,
        expiresAt: theirs.expiresAt,
        owner: { id: techUser.id, name: 'Tess Tech', email: techUser.email },
      }),
    ]));
    expect(JSON.stringify(all.body)).not.toContain(theirs.token.split('.')[1]);
    problem(await tech.get('/v1/tokens/all'), 403, 'forbidden');

    expect((await admin.delete(`/v1/tokens/${theirs.id}`)).status).toBe(204);
    problem(await new Api(theirs.token).get('/v1/me'), 401, 'unauthenticated');
    expect((await admin.get('/v1/audit?action=token.revoked')).body.items[0]).toMatchObject({ target: { id: theirs.id } });
  });
});
