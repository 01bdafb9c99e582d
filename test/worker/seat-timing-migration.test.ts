import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { migrate, SCHEMA_VERSION } from '../../worker/objects/schema';
import { Sql } from '../../worker/objects/sql';
import { elapse, timers } from './clock';
import { createUser, signedInUser, signup } from './helpers';

describe('Migration 5: console sessions that follow the seat, loans, seat requests, timers', () => {
  it('upgrades a version-4 object: seats and console history survive, open sessions get a heartbeat deadline', async () => {
    const { admin, subscription } = await signup(3);
    const { api: tech, user: techUser } = await signedInUser(admin, { name: 'Vera Veteran', assignSeat: true });
    const other = (await createUser(admin, { name: 'Otis' })).user;
    const stub = env.SUBSCRIPTION.getByName(subscription.id);

    // Rebuild this object's storage as version 4 held it (console_sessions with its foreign key,
    // no heartbeats, loans, requests or timers), keeping its rows.
    const found = await runInDurableObject(stub, (_instance, state) => {
      const sql = new Sql(state.storage.sql);
      // Undo what migrations after 5 added, then what 5 added.
      sql.run('ALTER TABLE idempotency_keys DROP COLUMN result');
      sql.run('ALTER TABLE subscription DROP COLUMN revision');
      sql.run('DROP INDEX devices_user');
      sql.run('DROP INDEX devices_id');
      sql.run('ALTER TABLE devices RENAME TO sessions');
      sql.run('CREATE INDEX sessions_user ON sessions(user_id)');
      sql.run('CREATE UNIQUE INDEX sessions_id ON sessions(id)');
      for (const index of ['invitations_user', 'password_resets_user', 'audit_target', 'audit_actor']) sql.run(`DROP INDEX ${index}`);
      for (const table of ['timers', 'seat_revocations', 'seat_requests', 'console_sessions']) sql.run(`DROP TABLE ${table}`);
      sql.run('ALTER TABLE seats DROP COLUMN returns_to');
      sql.run('ALTER TABLE subscription DROP COLUMN auto_assign_requests');
      sql.run(`CREATE TABLE console_sessions (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), computer TEXT NOT NULL,
        started_at TEXT NOT NULL, ended_at TEXT)`);
      sql.run('CREATE INDEX console_sessions_user ON console_sessions(user_id, started_at)');
      sql.run(
        "INSERT INTO console_sessions VALUES ('con_oldoldoldoldoldold1', ?, 'OLD-PC', '2026-10-01T08:00:00.000Z', '2026-10-01T10:00:00.000Z')",
        techUser.id,
      );
      sql.run("INSERT INTO console_sessions VALUES ('con_oldoldoldoldoldold2', ?, 'OPEN-PC', '2026-10-02T08:00:00.000Z', NULL)", techUser.id);
      sql.run('UPDATE schema_version SET version = 4');
      return migrate(sql, state.storage);
    });
    expect(found).toBe(4);

    const after = await runInDurableObject(stub, (_instance, state) => {
      const sql = new Sql(state.storage.sql);
      return {
        version: sql.one<{ version: number }>('SELECT version FROM schema_version')!.version,
        sessions: sql.all('SELECT id, computer, ended_at, last_heartbeat_at IS NOT NULL AS beat FROM console_sessions ORDER BY id'),
        timers: sql.all<{ kind: string; ref: string }>('SELECT kind, ref FROM timers'),
        foreignKeys: sql.all('PRAGMA foreign_key_list(console_sessions)'),
      };
    });
    expect(after.version).toBe(SCHEMA_VERSION);
    expect(after.sessions).toEqual([
      { id: 'con_oldoldoldoldoldold1', computer: 'OLD-PC', ended_at: '2026-10-01T10:00:00.000Z', beat: 0 },
      { id: 'con_oldoldoldoldoldold2', computer: 'OPEN-PC', ended_at: null, beat: 1 },
    ]);
    expect(after.timers).toEqual([{ kind: 'heartbeat', ref: 'con_oldoldoldoldoldold2' }]);
    expect(after.foreignKeys).toEqual([]);

    // A new instance arms the alarm for the timer the migration created; the old session then ends.
    await evictDurableObject(stub);
    expect((await admin.get(`/v1/users/${techUser.id}`)).body.seat).toMatchObject({ loan: null, revocation: null });
    expect((await timers(subscription.id)).alarm).toEqual(expect.any(Number));
    await elapse(subscription.id, 61_000);
    expect((await admin.get('/v1/console/sessions')).body.items).toEqual([]);

    // Everything new works on the upgraded object, and the user with history can be deleted.
    expect((await admin.get('/v1/subscription')).body.autoAssignRequests).toBe(false);
    expect((await admin.put(`/v1/users/${other.id}/seat`, { until: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(200);
    expect((await tech.post('/v1/console/sessions', { computer: 'NEW-PC' })).status).toBe(201);
    expect((await admin.get('/v1/reports/console-activity?days=366')).body.items.find((r: any) => r.user.id === techUser.id).sessions).toBe(3);
    expect((await admin.delete(`/v1/users/${techUser.id}`)).status).toBe(204);
  });
});
