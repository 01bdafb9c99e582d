/**
 * Who may use the SCIM service, and what it answers to anything else: only a directory token
 * (scope "scim") works there, and only there; another subscription's directory finds nothing and
 * changes nothing on every SCIM route; malformed requests get a SCIM Error, never a 5xx.
 */
import { fc } from '@fast-check/vitest';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { Api, problem, signedInUser } from './helpers';
import { storedRows } from './openapi';
import { connected, Directory, oktaUser, provision, SCIM, scimError } from './scim-helpers';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('Directory tokens', () => {
  it('a "scim" token works only under /scim/v2; ordinary tokens and cookies are refused there', async () => {
    const { admin, directory } = await connected();
    expect((await directory.get('/Users')).status).toBe(200);
    problem(await new Api(directory.token).get('/v1/users'), 403, 'forbidden');

    const ordinary = (await admin.post('/v1/tokens', { name: 'script' })).body.token;
    scimError(await new Directory(ordinary).get('/Users'), 403);
    const withCookie = await exports.default.fetch(`${SCIM}/Users`, { headers: { cookie: admin.cookie } });
    expect(withCookie.status).toBe(401);
    expect(withCookie.headers.get('content-type')).toBe('application/scim+json');
    scimError(await new Directory().get('/Users'), 401);
  });

  it('only administrators make one, and revoking it stops the directory at once', async () => {
    const { admin, directory, tokenId } = await connected();
    const { api: technician } = await signedInUser(admin, { name: 'Tina Tech' });
    problem(await technician.post('/v1/tokens', { name: 'Okta', scope: 'scim' }), 403, 'forbidden');
    expect((await admin.delete(`/v1/tokens/${tokenId}`)).status).toBe(204);
    scimError(await directory.get('/Users'), 401);
  });

  it('stops working when the administrator who made it is no longer one', async () => {
    const { admin, directory } = await connected();
    const other = (await signedInUser(admin, { name: 'Other Admin', role: 'administrator' })).api;
    const second = new Directory((await other.post('/v1/tokens', { name: 'Entra ID', scope: 'scim' })).body.token);
    expect((await second.get('/Users')).status).toBe(200);
    const otherId = (await other.get('/v1/me')).body.user.id;
    await admin.patch(`/v1/users/${otherId}`, { role: 'technician' });
    scimError(await second.get('/Users'), 403);
    expect((await directory.get('/Users')).status).toBe(200);
  });
});

describe('SCIM tenant isolation', () => {
  it("another subscription's directory gets 404 on every SCIM route naming a resource, and nothing of the victim changes", async () => {
    const victim = await connected();
    const user = await provision(victim.directory);
    const group = (await victim.directory.post('/Groups', { displayName: 'Victims', members: [{ value: user }] })).body.id;
    const before = await storedRows(victim.subscription.id);
    const intruder = await connected();
    const patch = { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] };
    const attempts = [
      intruder.directory.get(`/Users/${user}`),
      intruder.directory.put(`/Users/${user}`, oktaUser()),
      intruder.directory.patch(`/Users/${user}`, patch),
      intruder.directory.delete(`/Users/${user}`),
      intruder.directory.get(`/Groups/${group}`),
      intruder.directory.put(`/Groups/${group}`, { displayName: 'Hijacked', members: [] }),
      intruder.directory.patch(`/Groups/${group}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members' }] }),
      intruder.directory.delete(`/Groups/${group}`),
    ];
    for (const reply of await Promise.all(attempts)) scimError(reply, 404);
    // Lists and filters show the intruder only its own subscription.
    const lists = await Promise.all([
      intruder.directory.get('/Users'),
      intruder.directory.get(`/Users?filter=${encodeURIComponent(`id eq "${user}"`)}`),
      intruder.directory.get('/Groups'),
      intruder.directory.get(`/Groups?filter=${encodeURIComponent('displayName eq "Victims"')}`),
      intruder.directory.post('/Groups', { displayName: 'Mine', members: [{ value: user }] }),
    ]);
    for (const reply of lists) expect(JSON.stringify(reply.body)).not.toContain(user);
    // An admin route of the app with the victim's group id: 404 too.
    problem(await intruder.admin.patch(`/v1/groups/${group}`, { grantsSeat: true }), 404, 'not_found');
    expect(await storedRows(victim.subscription.id)).toEqual(before);
  });

  it('a directory token cannot be pointed at another subscription', async () => {
    const home = await connected();
    const other = await connected();
    // Its random part and signature, under the other subscription's id: the signature no longer matches.
    const secret = home.directory.token!.split('.').slice(1).join('.');
    scimError(await new Directory(`setme_${other.subscription.id}.${secret}`).get('/Users'), 401);
  });
});

describe('Malformed SCIM requests', () => {
  it('never produce a 5xx: bad JSON, wrong types, unknown routes, bad filters are SCIM Errors', async () => {
    const { directory } = await connected();
    const id = await provision(directory);
    scimError(await directory.call('POST', '/Users', '{"userName":', {}), 400, 'invalidSyntax');
    scimError(await directory.call('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalidSyntax');
    scimError(await directory.post('/Users', { userName: 42 }), 400, 'invalidValue');
    scimError(await directory.post('/Users', { userName: 'not-an-email' }), 400, 'invalidValue');
    scimError(await directory.post('/Users', { userName: 'x@example.com', roles: [{ value: 'owner' }] }), 400, 'invalidValue');
    // Free text is policed as in the rest of the API: no control or text-direction characters in names.
    scimError(await directory.post('/Users', { userName: 'x@example.com', name: { givenName: 'Admin\u202Egnp.exe' } }), 400, 'invalidValue');
    scimError(await directory.patch(`/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Tab\tbed' }] }), 400, 'invalidValue');
    scimError(await directory.post('/Groups', { displayName: 'Support\u2066 Tier' }), 400, 'invalidValue');
    scimError(await directory.patch(`/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'move', path: 'active' }] }), 400, 'invalidValue');
    scimError(await directory.patch(`/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }), 400, 'invalidValue');
    scimError(await directory.get(`/Users?filter=${encodeURIComponent('userName sw "a"')}`), 400, 'invalidFilter');
    scimError(await directory.get(`/Users?filter=${encodeURIComponent('userName eq "a" or userName eq "b"')}`), 400, 'invalidFilter');
    scimError(await directory.get('/Users?filter=%22%22%22'), 400, 'invalidFilter');
    scimError(await directory.get('/Nope'), 404);
    scimError(await directory.get('/Groups/grp_nope'), 404);
    scimError(await directory.call('POST', '/Users', `{"userName":"${'x'.repeat(1_100_000)}"}`), 413);
  });

  it('random bodies, queries and content types on every SCIM route never produce a 5xx (fast-check)', async () => {
    const { directory } = await connected();
    const id = await provision(directory);
    const group = (await directory.post('/Groups', { displayName: 'Fuzz' })).body.id;
    const routes = [
      ['GET', '/Users'], ['POST', '/Users'], ['GET', `/Users/${id}`], ['PUT', `/Users/${id}`], ['PATCH', `/Users/${id}`],
      ['GET', '/Groups'], ['POST', '/Groups'], ['GET', `/Groups/${group}`], ['PUT', `/Groups/${group}`], ['PATCH', `/Groups/${group}`],
      ['GET', '/ServiceProviderConfig'], ['GET', '/Schemas'], ['GET', '/ResourceTypes'],
    ] as const;
    const value = fc.oneof(fc.jsonValue(), fc.constantFrom('False', 'True', '', 'usr_x', 'a'.repeat(300)));
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom('userName', 'name', 'emails', 'active', 'roles', 'displayName', 'members', 'Operations', 'externalId', 'schemas'), value).map((o) => JSON.stringify(o)),
      fc.record({ Operations: fc.array(fc.record({ op: fc.constantFrom('add', 'Remove', 'replace', 'x'), path: fc.option(fc.constantFrom('members', 'active', 'name.givenName', 'emails[type eq "work"].value', 'members[value eq "x"]', '[[', ''), { nil: undefined }), value }), { maxLength: 3 }) }).map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 100 }),
    );
    const query = fc.dictionary(fc.constantFrom('filter', 'startIndex', 'count', 'attributes', 'excludedAttributes'), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('-1', '0', '1e9', 'userName eq "x"', 'members', 'not (a eq "b")')), { maxKeys: 3 });
    for (const [method, path] of routes) {
      await fc.assert(
        fc.asyncProperty(body, query, fc.constantFrom('application/scim+json', 'application/json', 'text/plain', ''), async (text, q, type) => {
          const search = Object.keys(q).length ? `?${new URLSearchParams(q)}` : '';
          const reply = await directory.call(method, `${path}${search}`, method === 'GET' ? undefined : text, type ? { 'content-type': type } : {});
          expect(reply.status, `${method} ${path}${search} ${text.slice(0, 200)} → ${JSON.stringify(reply.body).slice(0, 300)}`).toBeLessThan(500);
          if (reply.status >= 400) scimError(reply, reply.status);
        }),
        { numRuns: 15 },
      );
    }
  }, 120_000);
});
