import { env, exports } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Sql } from '../../worker/objects/sql';
import { createUser, signup } from './helpers';

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
    // What signed-in routes add: the key for a POST, the revision on every success, the problems both bring.
    const transfer = doc.paths['/seats/transfer'].post;
    expect(transfer.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
    expect(transfer.responses['200'].headers).toHaveProperty('SetMe-Revision');
    expect(transfer.responses['401'].description).toContain('unauthenticated');
    expect(transfer.responses['422'].description).toContain('idempotency_key_reused');
    expect(doc.paths['/users'].get.responses['200'].headers).toHaveProperty('SetMe-Revision');
    expect(doc.paths['/users'].get.parameters.map((p: { name: string }) => p.name)).not.toContain('Idempotency-Key');
    expect(doc.paths['/signup'].post.security).toBeUndefined();

    const docs = await exports.default.fetch('https://seats.test/api/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/api/docs.js');
    const script = await exports.default.fetch('https://seats.test/api/docs.js');
    expect(await script.text()).toContain('openapi.json');
  });
});

describe('Indexes', () => {
  it('finds a user\'s invitations, resets and audit entries without scanning whole tables', async () => {
    const { subscription } = await signup();
    const plans = await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_i, state) => {
      const sql = new Sql(state.storage.sql);
      const plan = (query: string) => sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`).map((r) => r.detail).join('; ');
      return [
        plan("DELETE FROM invitations WHERE user_id = 'usr_x'"),
        plan("DELETE FROM password_resets WHERE user_id = 'usr_x'"),
        plan("SELECT * FROM audit WHERE target_id = 'usr_x' OR actor_id = 'usr_x'"),
      ];
    });
    for (const plan of plans) expect(plan).not.toMatch(/\bSCAN (invitations|password_resets|audit)\b(?! USING)/);
  });
});
