/**
 * Okta's SCIM 2.0 spec test (the Runscope suite Okta asks integrations to pass), replayed step by
 * step against the real Worker, plus the quirks Okta's provisioning relies on.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { Api, mailTo, ORIGIN, PASSWORD, problem, uniqueEmail } from './helpers';
import { connected, Directory, oktaUser, provision, scimError, SCIM_TYPE } from './scim-helpers';

describe("Okta's SCIM 2.0 spec test", () => {
  it('passes every assertion of the suite, in its order', async () => {
    const { directory } = await connected();
    await provision(directory, { givenName: 'Existing', familyName: 'Person' });

    // 1. The first user of a list with count=1 has what Okta reads.
    const first = await directory.get('/Users?count=1&startIndex=1');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(first.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], startIndex: 1, itemsPerPage: 1 });
    expect(first.body.totalResults).toBeGreaterThanOrEqual(2);
    const user = first.body.Resources[0];
    expect(user.id).toEqual(expect.any(String));
    expect(user.name.familyName).toEqual(expect.any(String));
    expect(user.name.givenName).toEqual(expect.any(String));
    expect(user.name.familyName.length * user.name.givenName.length).toBeGreaterThan(0);
    expect(user.userName).toEqual(expect.any(String));
    expect(typeof user.active).toBe('boolean');
    expect(user.emails[0].value).toEqual(expect.any(String));

    // 2. That user by id.
    const byId = await directory.get(`/Users/${user.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: user.id, userName: user.userName });

    // 3. A userName nobody has: 200 and an empty list.
    const unknown = await directory.get(`/Users?filter=${encodeURIComponent(`userName eq "${uniqueEmail('nobody')}"`)}`);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ totalResults: 0, Resources: [] });

    // 4. An id nobody has: 404, a SCIM Error with a detail.
    scimError(await directory.get('/Users/010101'), 404);

    // 5. Creating a user echoes the name parts and the userName letter for letter.
    const userName = `Runscope300Abc.${Date.now()}@example.com`;
    const body = { ...oktaUser({ userName, givenName: 'Runscope300', familyName: 'Abc' }), emails: [{ primary: true, value: userName, type: 'work' }] };
    const created = await directory.post('/Users', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userName, name: { givenName: 'Runscope300', familyName: 'Abc' }, active: true });
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.body.meta).toMatchObject({ resourceType: 'User', version: expect.stringMatching(/^W\/".+"$/) });

    // 6. The same user again: 409.
    scimError(await directory.post('/Users', body), 409, 'uniqueness');

    // 7. The userName upper-cased still finds them.
    const upper = await directory.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`);
    expect(upper.status).toBe(200);
    expect(upper.body.totalResults).toBe(1);
    expect(upper.body.Resources[0]).toMatchObject({ id: created.body.id, userName });

    // 8. Groups answer (the suite times this under 600 ms; `npm run bench` prints the time).
    const groups = await directory.get('/Groups');
    expect(groups.status).toBe(200);
    expect(groups.body).toMatchObject({ totalResults: 0, Resources: [] });

    // 9. A bad token: 401 with a SCIM body.
    scimError(await new Directory('setme_not-a-token').get('/Users'), 401);
  });
});

describe('Okta provisioning', () => {
  it('mails a provisioned user an invitation on the public origin (whatever Host the directory named), after the answer; it works', async () => {
    const { directory } = await connected();
    const user = oktaUser();
    const seen = new Set(outbox);
    const res = await exports.default.fetch('https://elsewhere.example/scim/v2/Users', {
      method: 'POST',
      headers: { authorization: `Bearer ${directory.token}`, 'content-type': SCIM_TYPE },
      body: JSON.stringify(user),
    });
    expect(res.status).toBe(201);
    const mail = await mailTo(user.userName, seen);
    const token = mail.text.match(new RegExp(`${ORIGIN}/invitation#token=(\\S+)`))?.[1];
    expect(token, mail.text).toBeTruthy();
    const invited = new Api();
    expect((await invited.post('/v1/invitations/accept', { token, password: PASSWORD })).status).toBe(200);
    expect((await invited.get('/v1/me')).body.user).toMatchObject({ email: user.userName, status: 'active' });
  });

  it('deactivates with PATCH {"op":"replace","value":{"active":false}} without a path, and reactivates', async () => {
    const { directory } = await connected();
    const id = await provision(directory);
    const off = await directory.patch(`/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await directory.get(`/Users/${id}`)).body.active).toBe(false);
    const on = await directory.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.body.active).toBe(true);
  });

  it('updates with PUT, the whole user, and the app shows the change', async () => {
    const { admin, directory } = await connected();
    const id = await provision(directory, { givenName: 'Tina', familyName: 'Tech' });
    const current = (await directory.get(`/Users/${id}`)).body;
    const put = await directory.put(`/Users/${id}`, { ...current, name: { givenName: 'Tatiana', familyName: 'Tech' } });
    expect(put.status).toBe(200);
    expect(put.body.name).toMatchObject({ givenName: 'Tatiana', familyName: 'Tech' });
    expect((await admin.get(`/v1/users/${id}`)).body).toMatchObject({ name: 'Tatiana Tech', managedBy: 'directory' });
  });

  it('the app refuses renaming or re-roling a user the directory manages; their seat and access stay the administrators\'', async () => {
    const { admin, directory } = await connected();
    const id = await provision(directory, { givenName: 'Tina', familyName: 'Tech' });
    const renamed = problem(await admin.patch(`/v1/users/${id}`, { name: 'Someone Else' }), 403, 'forbidden');
    expect(renamed.detail).toContain('managed by your directory');
    problem(await admin.patch(`/v1/users/${id}`, { role: 'administrator' }), 403, 'forbidden');
    expect((await admin.get(`/v1/users/${id}`)).body).toMatchObject({ name: 'Tina Tech', role: 'technician' });
    // The same name and role are no change, so a form that resends them is not refused.
    expect((await admin.patch(`/v1/users/${id}`, { name: 'Tina Tech', status: 'deactivated' })).body.status).toBe('deactivated');
    expect((await admin.patch(`/v1/users/${id}`, { status: 'active' })).status).toBe(200);
    expect((await admin.call('PUT', `/v1/users/${id}/seat`, {})).status).toBe(200);
  });

  it('pages with count=100: a stable order, totalResults, itemsPerPage and startIndex', async () => {
    const { directory } = await connected();
    for (let i = 0; i < 5; i++) await provision(directory);
    const all = (await directory.get('/Users?count=100')).body;
    expect(all).toMatchObject({ totalResults: 6, itemsPerPage: 6, startIndex: 1 });
    const second = (await directory.get('/Users?startIndex=3&count=2')).body;
    expect(second).toMatchObject({ totalResults: 6, itemsPerPage: 2, startIndex: 3 });
    expect(second.Resources.map((u: { id: string }) => u.id)).toEqual(all.Resources.slice(2, 4).map((u: { id: string }) => u.id));
    expect((await directory.get('/Users?startIndex=7&count=100')).body).toMatchObject({ totalResults: 6, itemsPerPage: 0, Resources: [] });
  });

  it('answers application/scim+json, and takes application/json too', async () => {
    const { directory } = await connected();
    const reply = await directory.call('POST', '/Users', oktaUser(), { 'content-type': 'application/json' });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('content-type')).toBe(SCIM_TYPE);
  });
});
