import { env, exports } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { migrate, SCHEMA_VERSION } from '../../worker/objects/schema';
import { Sql } from '../../worker/objects/sql';
import { createUser, signup } from './helpers';

describe('Schema migrations', () => {
  it('upgrades a version-1 object: its users, seats and sessions survive and the new tables work', async () => {
    const { admin, subscription, user: owner } = await signup(3);
    const tech = (await createUser(admin, { name: 'Old Timer', assignSeat: true })).user;
    const stub = env.SUBSCRIPTION.getByName(subscription.id);

    // Rebuild this object's storage as version 1 held it, keeping its rows.
    const found = await runInDurableObject(stub, (_instance, state) => {
      const sql = new Sql(state.storage.sql);
      sql.run('DROP TABLE console_sessions');
      sql.run('DROP TABLE idempotency_keys');
      sql.run('UPDATE schema_version SET version = 1');
      return migrate(sql, state.storage);
    });
    expect(found).toBe(1);

    const after = await runInDurableObject(stub, (_instance, state) => {
      const sql = new Sql(state.storage.sql);
      return {
        version: sql.one<{ version: number }>('SELECT version FROM schema_version')!.version,
        tables: sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((t) => t.name),
      };
    });
    expect(after.version).toBe(SCHEMA_VERSION);
    expect(after.tables).toEqual(expect.arrayContaining(['users', 'seats', 'idempotency_keys', 'console_sessions']));

    // The session from before the upgrade still works, the data is intact, and new features run.
    expect((await admin.get('/v1/me')).body.user.id).toBe(owner.id);
    expect((await admin.get(`/v1/users/${tech.id}`)).body).toMatchObject({ name: 'Old Timer', seat: expect.any(Object) });
    expect((await admin.post('/v1/tokens', { name: 'after upgrade' }, { 'idempotency-key': 'k' })).status).toBe(201);
  });

  it('runs each migration once: constructing the object again changes nothing', async () => {
    const { subscription } = await signup();
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    const found = await runInDurableObject(stub, (_i, state) => migrate(new Sql(state.storage.sql), state.storage));
    expect(found).toBe(SCHEMA_VERSION);
  });

  it('builds the whole schema on an empty object, from version 0', async () => {
    const stub = env.SUBSCRIPTION.getByName('sub_emptyemptyemptyempty');
    const version = await runInDurableObject(stub, (_i, state) => {
      const sql = new Sql(state.storage.sql);
      return sql.one<{ version: number }>('SELECT version FROM schema_version')!.version;
    });
    expect(version).toBe(SCHEMA_VERSION);
  });
});

describe('Durability', () => {
  it('everything survives the object being evicted and reloaded', async () => {
    const { admin, subscription } = await signup(4);
    const a = (await createUser(admin, { name: 'Kept A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'Kept B' })).user;
    await admin.post('/v1/seats/transfer', { from: a.id, to: b.id });
    const before = { users: (await admin.get('/v1/users')).body, audit: (await admin.get('/v1/audit')).body };

    await evictDurableObject(env.SUBSCRIPTION.getByName(subscription.id));

    expect((await admin.get('/v1/users')).body).toEqual(before.users);
    expect((await admin.get('/v1/audit')).body).toEqual(before.audit);
    expect((await admin.get('/v1/subscription')).body.seats).toEqual({ purchased: 4, assigned: 1, available: 3 });
    expect((await admin.put(`/v1/users/${a.id}/seat`)).status).toBe(200);
  });
});

describe('Service endpoints', () => {
  it('GET /api/health answers 200', async () => {
    const res = await exports.default.fetch('https://seats.test/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('publishes an OpenAPI 3.1 document built from the validating schemas, and browsable docs', async () => {
    const res = await exports.default.fetch('https://seats.test/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/signup', '/auth/login', '/users', '/users/{id}', '/users/{id}/seat', '/seats/transfer', '/console/sessions', '/audit', '/tokens', '/subscription']),
    );
    expect(doc.paths['/users'].post.responses['409'].description).toContain('no_seats_available');
    const createUser = doc.paths['/users'].post.requestBody.content['application/json'].schema;
    expect(createUser.properties.assignSeat.default).toBe(true);
    expect(createUser.additionalProperties).toBe(false);
    expect(doc.components.securitySchemes).toHaveProperty('Bearer');

    const docs = await exports.default.fetch('https://seats.test/api/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/api/docs.js');
    const script = await exports.default.fetch('https://seats.test/api/docs.js');
    expect(await script.text()).toContain('openapi.json');
  });
});
