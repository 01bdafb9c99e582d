/**
 * What Microsoft Entra ID's provisioning sends, each as it sends it: capitalised op names, booleans
 * as strings, `replace` without a path carrying dotted and URN-prefixed keys, both forms of member
 * removal, the Test Connection query, and group queries without members.
 */
import { describe, expect, it } from 'vitest';
import { connected, provision } from './scim-helpers';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

/** A user as Entra ID creates one. */
const entraUser = (userName: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: crypto.randomUUID(),
  userName,
  active: true,
  displayName: 'Dana Whitfield',
  emails: [{ primary: true, type: 'work', value: userName }],
  name: { formatted: 'Dana Whitfield', familyName: 'Whitfield', givenName: 'Dana' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Support', employeeNumber: '42' },
  roles: [],
});

describe('Entra ID provisioning', () => {
  it('Test Connection: a random GUID as userName answers 200 with an empty list', async () => {
    const { directory } = await connected(3, 'Entra ID');
    const reply = await directory.get(`/Users?filter=${encodeURIComponent(`userName eq "${crypto.randomUUID()}"`)}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('creates a user with the enterprise extension and empty roles, as a technician', async () => {
    const { directory } = await connected(3, 'Entra ID');
    const userName = `dana.${Date.now()}@contoso.example`;
    const created = await directory.post('/Users', entraUser(userName));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userName, displayName: 'Dana Whitfield', roles: [{ value: 'technician' }] });
    const found = await directory.get(`/Users?filter=${encodeURIComponent(`externalId eq "${created.body.externalId}"`)}`);
    expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([created.body.id]);
  });

  it('finds a user by emails[type eq "work"].value and by "and"', async () => {
    const { directory } = await connected(3, 'Entra ID');
    const userName = `wanda.${Date.now()}@contoso.example`;
    const id = (await directory.post('/Users', entraUser(userName))).body.id;
    const byEmail = await directory.get(`/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${userName}"`)}`);
    expect(byEmail.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
    const both = await directory.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}" and active eq true`)}`);
    expect(both.body.totalResults).toBe(1);
    const neither = await directory.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}" and active eq false`)}`);
    expect(neither.body.totalResults).toBe(0);
  });

  it('takes capitalised ops and "False"/"True" as booleans', async () => {
    const { admin, directory } = await connected(3, 'Entra ID');
    const id = await provision(directory);
    const off = await directory.patch(`/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await admin.get(`/v1/users/${id}`)).body.status).toBe('deactivated');
    const on = await directory.patch(`/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'True' }));
    expect(on.body.active).toBe(true);
    expect((await admin.get(`/v1/users/${id}`)).body.status).toBe('invited');
  });

  it('replace without a path, with dotted and URN-prefixed keys', async () => {
    const { admin, directory } = await connected(3, 'Entra ID');
    const id = await provision(directory, { givenName: 'Dana', familyName: 'White' });
    const reply = await directory.patch(
      `/Users/${id}`,
      patch({
        op: 'Replace',
        value: {
          'name.givenName': 'Danielle',
          'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName': 'Whitfield',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Tier 2',
        },
      }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.name).toMatchObject({ givenName: 'Danielle', familyName: 'Whitfield' });
    expect((await admin.get(`/v1/users/${id}`)).body.name).toBe('Danielle Whitfield');
  });

  it('Add to a path with a filter (emails[type eq "work"].value) changes the sign-in email', async () => {
    const { admin, directory } = await connected(3, 'Entra ID');
    const id = await provision(directory);
    const email = `moved.${Date.now()}@contoso.example`;
    const reply = await directory.patch(`/Users/${id}`, patch({ op: 'Add', path: 'emails[type eq "work"].value', value: email }));
    expect(reply.status).toBe(200);
    expect(reply.body.emails[0].value).toBe(email);
    expect((await admin.get(`/v1/users/${id}`)).body.email).toBe(email);
  });

  it('removes members as {"op":"Remove","path":"members","value":[{"value":id}]} and as members[value eq "id"]', async () => {
    const { directory } = await connected(3, 'Entra ID');
    const [a, b, c] = [await provision(directory), await provision(directory), await provision(directory)];
    const group = (await directory.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Support Tier 2', members: [] })).body;
    expect((await directory.patch(`/Groups/${group.id}`, patch({ op: 'Add', path: 'members', value: [{ value: a }, { value: b }, { value: c }] }))).status).toBe(204);
    expect((await directory.patch(`/Groups/${group.id}`, patch({ op: 'Remove', path: 'members', value: [{ value: a }] }))).status).toBe(204);
    expect((await directory.patch(`/Groups/${group.id}`, patch({ op: 'Remove', path: `members[value eq "${b}"]` }))).status).toBe(204);
    const members = (await directory.get(`/Groups/${group.id}`)).body.members.map((m: { value: string }) => m.value);
    expect(members).toEqual([c]);
    // Removing someone who is no longer a member changes nothing and is not an error.
    expect((await directory.patch(`/Groups/${group.id}`, patch({ op: 'Remove', path: `members[value eq "${b}"]` }))).status).toBe(204);
  });

  it('lists groups with excludedAttributes=members and finds one by displayName eq', async () => {
    const { directory } = await connected(3, 'Entra ID');
    const id = await provision(directory);
    await directory.post('/Groups', { displayName: 'Support Tier 2', members: [{ value: id }] });
    await directory.post('/Groups', { displayName: 'Sales' });
    const reply = await directory.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "support tier 2"')}`);
    expect(reply.status).toBe(200);
    expect(reply.body.totalResults).toBe(1);
    expect(reply.body.Resources[0]).toMatchObject({ displayName: 'Support Tier 2' });
    expect(reply.body.Resources[0]).not.toHaveProperty('members');
    const all = await directory.get('/Groups?excludedAttributes=members');
    expect(all.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Support Tier 2', 'Sales']);
  });
});
