/**
 * Schema migrations of every object class, run the way the objects run them (`migrate` in
 * worker/objects/migrate.ts). An older object is built with the same helper: its storage is
 * emptied and migrated up to the old version, with rows written as each version held them; then
 * it is migrated to the newest version and every row must still be there.
 */
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hashPassword, newId, newSecret, sha256 } from '../../worker/crypto';
import { secretKeys } from '../../worker/http/config';
import { EMAIL_INDEX_MIGRATIONS } from '../../worker/objects/email-index';
import { ADDRESS_THROTTLE_MIGRATIONS } from '../../worker/objects/address-throttle';
import { migrate } from '../../worker/objects/migrate';
import { SUBSCRIPTION_MIGRATIONS } from '../../worker/objects/schema';
import { Sql, type Row } from '../../worker/objects/sql';
import { elapse, timers } from './clock';
import { Api, createUser, PASSWORD, problem, signup, uniqueEmail } from './helpers';
import { Directory } from './scim-helpers';

/** Rows written at one schema version, and what must be read back after the newest migration. */
interface Seed {
  version: number;
  write: string[];
  /** Queries on the newest schema, with what each must answer. */
  survives: [query: string, expected: unknown][];
}

/** The version a migration brings the schema to, found by what it does (so renumbering cannot break it). */
function versionOf(marker: string): number {
  const index = SUBSCRIPTION_MIGRATIONS.findIndex((migration) => migration.includes(marker));
  if (index < 0) throw new Error(`no migration does "${marker}"`);
  return index + 1;
}

const T = '2026-10-01T08:00:00.000Z';

/** Recovery: devices and tokens record when they last proved their user; failed password checks. */
const RECOVERY = versionOf('CREATE TABLE password_checks');
const LATER = '2099-01-01T00:00:00.000Z';

/** One row or more of every table, written at the version that added it or changed its shape. */
const SUBSCRIPTION_SEEDS: Seed[] = [
  {
    version: 1,
    write: [
      `INSERT INTO subscription (id, name, purchased, created_at) VALUES ('sub_old', 'Old Co', 3, '${T}')`,
      `INSERT INTO users (id, name, email, role, status, password_hash, password_salt, password_iterations, created_at)
       VALUES ('usr_admin', 'Old Admin', 'old.admin@example.com', 'administrator', 'active', 'h', 's', 100000, '${T}')`,
      `INSERT INTO users (id, name, email, role, status, created_at) VALUES ('usr_tech', 'Old Tech', 'old.tech@example.com', 'technician', 'invited', '${T}')`,
      `INSERT INTO seats (user_id, assigned_at) VALUES ('usr_tech', '${T}')`,
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ('hash-v1', 'usr_admin', '${T}', '${LATER}', '${T}')`,
      `INSERT INTO api_tokens (id, token_hash, user_id, name, created_at) VALUES ('tok_v1', 'tokhash-v1', 'usr_admin', 'script', '${T}')`,
      `INSERT INTO invitations VALUES ('invhash', 'usr_tech', '${T}', '${LATER}')`,
      `INSERT INTO login_failures VALUES ('usr_admin', 123)`,
      `INSERT INTO audit (at, actor_id, actor_name, action, target_type, target_id, target_name)
       VALUES ('${T}', 'usr_admin', 'Old Admin', 'seat.assigned', 'user', 'usr_tech', 'Old Tech')`,
    ],
    survives: [
      ['SELECT id, name, purchased, assigned FROM subscription', [{ id: 'sub_old', name: 'Old Co', purchased: 3, assigned: 1 }]],
      ['SELECT id, status, password_hash FROM users ORDER BY seq', [
        { id: 'usr_admin', status: 'active', password_hash: 'h' },
        { id: 'usr_tech', status: 'invited', password_hash: null },
      ]],
      ['SELECT user_id FROM seats', [{ user_id: 'usr_tech' }]],
      // A device signed in with one cookie cannot prove itself since the two-cookie sign-in: signed out.
      ["SELECT user_id FROM devices WHERE token_hash = 'hash-v1'", []],
      ["SELECT id, scope, expires_at FROM api_tokens WHERE id = 'tok_v1'", [{ id: 'tok_v1', scope: 'write', expires_at: null }]],
      ['SELECT user_id FROM invitations', [{ user_id: 'usr_tech' }]],
      // No longer written since the EmailIndex and AddressThrottle count sign-ins: dropped.
      ["SELECT name FROM sqlite_master WHERE name LIKE 'login_failures%'", []],
      ['SELECT action, details FROM audit', [{ action: 'seat.assigned', details: '{}' }]],
      // A one-cookie device is signed out by the two-cookie migration; a token made before anyone
      // recorded when its user last proved themselves asks to confirm before making another.
      ["SELECT authenticated_at FROM devices WHERE token_hash = 'hash-v1'", []],
      ["SELECT authenticated_at FROM api_tokens WHERE id = 'tok_v1'", [{ authenticated_at: null }]],
      ['SELECT max_console_sessions_per_seat FROM subscription', [{ max_console_sessions_per_seat: 5 }]],
    ],
  },
  {
    version: 2,
    write: [
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, status, response, created_at) VALUES ('usr_admin', 'done', 'fp', 201, '{"x":1}', 1)`,
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at) VALUES ('usr_admin', 'pending', 'fp', 1)`,
    ],
    survives: [
      // A finished answer is kept (replayed as it was); a pending key is dropped by migration 7.
      ["SELECT key, status, response, result FROM idempotency_keys WHERE key IN ('done', 'pending')", [
        { key: 'done', status: 201, response: '{"x":1}', result: null },
      ]],
    ],
  },
  {
    version: 3,
    write: [
      `INSERT INTO console_sessions VALUES ('con_ended', 'usr_tech', 'OLD-PC', '${T}', '2026-10-01T10:00:00.000Z')`,
      `INSERT INTO console_sessions VALUES ('con_open', 'usr_tech', 'OPEN-PC', '${T}', NULL)`,
    ],
    survives: [
      // Migration 5 gives sessions open before heartbeats existed one heartbeat deadline.
      ['SELECT id, computer, ended_at, last_heartbeat_at IS NOT NULL AS beat FROM console_sessions ORDER BY id', [
        { id: 'con_ended', computer: 'OLD-PC', ended_at: '2026-10-01T10:00:00.000Z', beat: 0 },
        { id: 'con_open', computer: 'OPEN-PC', ended_at: null, beat: 1 },
      ]],
      ["SELECT kind, ref FROM timers WHERE kind = 'heartbeat'", [{ kind: 'heartbeat', ref: 'con_open' }]],
    ],
  },
  {
    version: 4,
    write: [
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, id, user_agent)
       VALUES ('hash-v4', 'usr_admin', '${T}', '${LATER}', '${T}', 'ses_v4', 'Phone')`,
      `INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, scope) VALUES ('tok_v4', 'tokhash-v4', 'usr_admin', 'reader', '${T}', 'read')`,
      `INSERT INTO password_resets VALUES ('resethash', 'usr_admin', '${T}', '${LATER}')`,
      `INSERT INTO passkeys (id, user_id, name, public_key, counter, transports, created_at) VALUES ('pk_v4', 'usr_admin', 'Key', 'pub', 3, '["usb"]', '${T}')`,
    ],
    survives: [
      ["SELECT id, user_agent FROM devices WHERE token_hash = 'hash-v4'", []],
      ["SELECT scope FROM api_tokens WHERE id = 'tok_v4'", [{ scope: 'read' }]],
      ['SELECT token_hash, user_id FROM password_resets', [{ token_hash: 'resethash', user_id: 'usr_admin' }]],
      ['SELECT id, counter, transports FROM passkeys', [{ id: 'pk_v4', counter: 3, transports: '["usb"]' }]],
    ],
  },
  {
    version: 5,
    write: [
      `UPDATE seats SET expires_at = '${LATER}', returns_to = 'usr_admin' WHERE user_id = 'usr_tech'`,
      `INSERT INTO timers VALUES ('loan', 'usr_tech', 4070908800000)`,
      `INSERT INTO seat_requests (id, user_id, reason, status, created_at) VALUES ('req_v5', 'usr_admin', 'On call', 'pending', '${T}')`,
      `INSERT INTO seat_revocations (user_id, action, mode, created_at) VALUES ('usr_tech', 'unassign', 'after_session', '${T}')`,
      'UPDATE subscription SET auto_assign_requests = 1',
    ],
    survives: [
      ['SELECT expires_at, returns_to FROM seats', [{ expires_at: LATER, returns_to: 'usr_admin' }]],
      ["SELECT kind, ref, due_at FROM timers WHERE kind = 'loan'", [{ kind: 'loan', ref: 'usr_tech', due_at: 4070908800000 }]],
      ['SELECT id, status FROM seat_requests', [{ id: 'req_v5', status: 'pending' }]],
      ['SELECT user_id, mode FROM seat_revocations', [{ user_id: 'usr_tech', mode: 'after_session' }]],
      ['SELECT auto_assign_requests FROM subscription', [{ auto_assign_requests: 1 }]],
    ],
  },
  {
    version: 7,
    write: [`INSERT INTO idempotency_keys (user_id, key, fingerprint, result, created_at) VALUES ('usr_admin', 'v7', 'fp', '{"ok":true,"value":1}', 1)`],
    survives: [["SELECT result FROM idempotency_keys WHERE key = 'v7'", [{ result: '{"ok":true,"value":1}' }]]],
  },
  {
    version: 8,
    write: ['UPDATE subscription SET revision = 7'],
    survives: [['SELECT revision FROM subscription', [{ revision: 7 }]]],
  },
  {
    version: RECOVERY,
    write: [
      `UPDATE api_tokens SET authenticated_at = '${T}' WHERE id = 'tok_v4'`,
      "INSERT INTO password_checks VALUES ('usr_admin', 456)",
    ],
    survives: [
      // Directory sync rebuilds api_tokens later: the column must come through it.
      ["SELECT authenticated_at FROM api_tokens WHERE id = 'tok_v4'", [{ authenticated_at: T }]],
      ['SELECT user_id, at FROM password_checks', [{ user_id: 'usr_admin', at: 456 }]],
    ],
  },
  {
    version: versionOf('ADD COLUMN sign_out_hash'),
    write: [
      `INSERT INTO devices (id, token_hash, sign_out_hash, user_id, created_at, expires_at, last_seen_at)
       VALUES ('dev_two', 'hash-two-cookies', 'signout-hash', 'usr_admin', '${T}', '${LATER}', '${T}')`,
    ],
    survives: [["SELECT id, sign_out_hash FROM devices WHERE token_hash = 'hash-two-cookies'", [{ id: 'dev_two', sign_out_hash: 'signout-hash' }]]],
  },
  {
    version: versionOf('api_tokens ADD COLUMN expires_at'),
    write: [`INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, expires_at) VALUES ('tok_exp', 'tokhash-exp', 'usr_admin', 'ci', '${T}', '${LATER}')`],
    survives: [["SELECT expires_at FROM api_tokens WHERE id = 'tok_exp'", [{ expires_at: LATER }]]],
  },
  {
    version: versionOf('CREATE TABLE consumed_challenges'),
    write: ["INSERT INTO consumed_challenges VALUES ('00ff', 4070908800000)"],
    survives: [['SELECT id, expires_at FROM consumed_challenges', [{ id: '00ff', expires_at: 4070908800000 }]]],
  },
  {
    // Team pools: seats held before pools existed are shared; a pool's counter follows its members.
    version: versionOf('CREATE TABLE pools'),
    write: [
      `INSERT INTO pools (id, name, reserved, maximum, created_at) VALUES ('pool_desk', 'Desk', 1, 2, '${T}')`,
      "UPDATE users SET pool_id = 'pool_desk' WHERE id = 'usr_tech'",
      "INSERT INTO pool_managers VALUES ('usr_admin', 'pool_desk')",
    ],
    survives: [
      ['SELECT id, reserved, maximum, assigned FROM pools', [{ id: 'pool_desk', reserved: 1, maximum: 2, assigned: 1 }]],
      ["SELECT pool_id FROM users WHERE id = 'usr_tech'", [{ pool_id: 'pool_desk' }]],
      ['SELECT user_id, pool_id FROM pool_managers', [{ user_id: 'usr_admin', pool_id: 'pool_desk' }]],
    ],
  },
];

/** Empties an object's storage of everything of ours: tables (with their indexes), views and triggers. */
function empty(sql: Sql): void {
  const ours = "name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'";
  // A full-text index goes first, with the tables it keeps its data in.
  for (const { name } of sql.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND ${ours}`)) {
    sql.run(`DROP TABLE ${name}`);
  }
  const objects = sql.all<{ type: string; name: string }>(`SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger', 'view') AND ${ours}`);
  for (const o of objects.filter((o) => o.type === 'trigger')) sql.run(`DROP TRIGGER ${o.name}`);
  for (const o of objects.filter((o) => o.type === 'view')) sql.run(`DROP VIEW ${o.name}`);
  // A table others still refer to cannot go before them (foreign keys): retry until all are gone.
  let tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
  while (tables.length > 0) {
    const left = tables.filter((table) => {
      try {
        sql.run(`DROP TABLE ${table}`);
        return false;
      } catch {
        return true;
      }
    });
    if (left.length === tables.length) throw new Error(`cannot drop ${left.join(', ')}`);
    tables = left;
  }
}

/**
 * Builds the object at version `start` with `migrate`, writing each seed at its version on the
 * way; then migrates to the newest version. Returns the version `migrate` found, what each seed's
 * queries answer, and the schema.
 */
function upgradeFrom(state: DurableObjectState, migrations: readonly string[], start: number, seeds: Seed[]) {
  const sql = new Sql(state.storage.sql);
  empty(sql);
  const applied = seeds.filter((seed) => seed.version <= start);
  for (const seed of applied) {
    migrate(sql, state.storage, migrations, seed.version);
    for (const statement of seed.write) sql.run(statement);
  }
  migrate(sql, state.storage, migrations, start);
  const found = migrate(sql, state.storage, migrations);
  return {
    found,
    version: sql.one<{ version: number }>('SELECT version FROM schema_version')!.version,
    survived: applied.flatMap((seed) => seed.survives.map(([query]) => sql.all(query))),
    expected: applied.flatMap((seed) => seed.survives.map(([, rows]) => rows)),
    schema: schemaOf(sql),
  };
}

function schemaOf(sql: Sql) {
  return sql.all("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY type, name");
}

/** Every row of every table of ours, and the schema: all an object's construction could change. */
function everything(state: DurableObjectState) {
  const sql = new Sql(state.storage.sql);
  const tables = schemaOf(sql).filter((o) => o.type === 'table').map((o) => String(o.name));
  return { schema: schemaOf(sql), rows: Object.fromEntries(tables.map((t) => [t, sql.all(`SELECT * FROM "${t}"`)])) };
}

describe('Subscription migrations', () => {
  const newest = SUBSCRIPTION_MIGRATIONS.length;

  it('builds the whole schema on an empty object, from version 0', async () => {
    const stub = env.SUBSCRIPTION.getByName(`empty-${crypto.randomUUID()}`);
    const version = await runInDurableObject(stub, (_i, state) => new Sql(state.storage.sql).one<{ version: number }>('SELECT version FROM schema_version')!.version);
    expect(version).toBe(newest);
  });

  for (let start = 0; start < newest; start++) {
    it(`upgrades an object at version ${start}: every row it held survives, and the schema is the newest`, async () => {
      const fresh = env.SUBSCRIPTION.getByName(`fresh-${crypto.randomUUID()}`);
      const newestSchema = await runInDurableObject(fresh, (_i, state) => schemaOf(new Sql(state.storage.sql)));
      const stub = env.SUBSCRIPTION.getByName(`from-${start}-${crypto.randomUUID()}`);
      const upgraded = await runInDurableObject(stub, (_i, state) => upgradeFrom(state, SUBSCRIPTION_MIGRATIONS, start, SUBSCRIPTION_SEEDS));
      expect(upgraded.found).toBe(start);
      expect(upgraded.version).toBe(newest);
      expect(upgraded.survived).toEqual(upgraded.expected);
      expect(upgraded.schema).toEqual(newestSchema);
    });
  }

  it('constructing the object again changes nothing: every stored row and the schema stay as they were', async () => {
    const { admin, subscription } = await signup(3);
    await createUser(admin, { name: 'Kept', assignSeat: true });
    await admin.post('/v1/tokens', { name: 'kept' }, { 'idempotency-key': 'kept' });
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    const before = await runInDurableObject(stub, (_i, state) => everything(state));
    await evictDurableObject(stub);
    const after = await runInDurableObject(stub, (_i, state) => everything(state));
    expect(after).toEqual(before);
    expect(Object.keys(before.rows)).toContain('devices');
  });

  it('an object made at version 1 still works after the upgrade: its one-cookie device is signed out, its admin signs in again, and later features work', async () => {
    const subscriptionId = newId('sub');
    const secret = await newSecret(await secretKeys(env), subscriptionId);
    const password = await hashPassword(PASSWORD);
    const deviceHash = await sha256(secret);
    const email = uniqueEmail('old.admin');
    const stub = env.SUBSCRIPTION.getByName(subscriptionId);
    const found = await runInDurableObject(stub, (_i, state) =>
      upgradeFrom(state, SUBSCRIPTION_MIGRATIONS, 1, [{
        version: 1,
        write: [
          `INSERT INTO subscription (id, name, purchased, created_at) VALUES ('${subscriptionId}', 'Old Co', 2, '${T}')`,
          `INSERT INTO users (id, name, email, role, status, password_hash, password_salt, password_iterations, created_at)
           VALUES ('usr_oldadminoldadminold', 'Old Admin', '${email}', 'administrator', 'active',
           '${password.hash}', '${password.salt}', ${password.iterations}, '${T}')`,
          `INSERT INTO users (id, name, email, role, status, created_at)
           VALUES ('usr_oldtecholdtecholdt', 'Old Timer', 'old.timer@example.com', 'technician', 'invited', '${T}')`,
          `INSERT INTO seats (user_id, assigned_at) VALUES ('usr_oldtecholdtecholdt', '${T}')`,
          `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ('${deviceHash}', 'usr_oldadminoldadminold', '${T}', '${LATER}', '${T}')`,
        ],
        survives: [],
      }]).found,
    );
    expect(found).toBe(1);

    const before = new Api();
    before.cookie = `setme_session=${secret}`;
    expect((await before.get('/v1/me')).status).toBe(401);
    // Sign-in finds the subscription through the email index, as for any account.
    expect(await env.EMAIL_INDEX.getByName(email).claim(subscriptionId, 'usr_oldadminoldadminold', email)).toBe(true);
    await env.EMAIL_INDEX.getByName(email).confirm(subscriptionId, 'usr_oldadminoldadminold');
    const admin = new Api();
    expect((await admin.post('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await admin.get('/v1/me')).body.user).toMatchObject({ id: 'usr_oldadminoldadminold', name: 'Old Admin' });
    expect((await admin.get('/v1/users/usr_oldtecholdtecholdt')).body).toMatchObject({ name: 'Old Timer', seat: expect.any(Object) });
    expect((await admin.get('/v1/subscription')).body.seats).toEqual({ purchased: 2, assigned: 1, available: 1 });
    expect((await admin.get('/v1/devices')).body.items).toEqual([expect.objectContaining({ current: true })]);
    // Signing in again proved the user just now: lasting access (a token) needs no confirmation.
    expect((await admin.post('/v1/tokens', { name: 'after upgrade' }, { 'idempotency-key': 'k' })).status).toBe(201);
    expect((await admin.put('/v1/users/usr_oldadminoldadminold/seat')).status).toBe(200);
    expect((await admin.post('/v1/console/sessions', { computer: 'PC' })).status).toBe(201);
  });

  it('an object made at version 4 arms its alarm for the heartbeat deadline migration 5 gave an open console session', async () => {
    const { admin: browser, subscription } = await signup(3);
    const holder = (await createUser(browser, { name: 'Vera Veteran', assignSeat: true })).user;
    // An API token survives the upgrade (a one-cookie device does not: see the version 1 test).
    const admin = new Api((await browser.post('/v1/tokens', { name: 'upgrade' })).body.token);
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    // The same subscription, rebuilt as version 4 held it: its rows kept, and one console session
    // left open from before heartbeats existed.
    await runInDurableObject(stub, (_i, state) => {
      const sql = new Sql(state.storage.sql);
      const keep = ['subscription', 'users', 'seats', 'devices', 'api_tokens', 'invitations', 'audit'].map((t) => [t, sql.all(`SELECT * FROM ${t}`)] as const);
      const v4 = (table: string, row: Record<string, SqlStorageValue>) => {
        const columns = sql.all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name).filter((c) => c in row);
        sql.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, ...columns.map((c) => row[c]!));
      };
      empty(sql);
      migrate(sql, state.storage, SUBSCRIPTION_MIGRATIONS, 4);
      // The triggers count the seats again as they are inserted.
      for (const [table, rows] of keep) for (const row of rows) v4(table === 'devices' ? 'sessions' : table, table === 'subscription' ? { ...row, assigned: 0 } : row);
      sql.run(`INSERT INTO console_sessions VALUES ('con_oldoldoldoldoldold2', ?, 'OPEN-PC', '${T}', NULL)`, holder.id);
    });
    await evictDurableObject(stub);

    expect((await admin.get(`/v1/users/${holder.id}`)).body.seat).toMatchObject({ loan: null, revocation: null });
    expect((await timers(subscription.id)).alarm).toEqual(expect.any(Number));
    expect((await admin.get('/v1/console/sessions')).body.items).toEqual([expect.objectContaining({ id: 'con_oldoldoldoldoldold2' })]);
    await elapse(subscription.id, 61_000);
    expect((await admin.get('/v1/console/sessions')).body.items).toEqual([]);
    expect((await admin.get('/v1/reports/console-activity?days=366')).body.items.find((r: any) => r.user.id === holder.id).sessions).toBe(1);
    expect((await admin.delete(`/v1/users/${holder.id}`)).status).toBe(204);
  });

  it('the directory-sync migration rebuilds api_tokens for the "scim" scope: every token keeps working, and seats given before read as given by hand', async () => {
    // Found by what it does (SQLite cannot alter a CHECK, so it rebuilds the table), not by its number.
    const directorySync = SUBSCRIPTION_MIGRATIONS.findIndex((m) => m.includes("CHECK (scope IN ('read', 'write', 'scim'))"));
    expect(directorySync).toBeGreaterThan(0);
    const { admin, subscription } = await signup(3);
    const holder = (await createUser(admin, { name: 'Vera Veteran', assignSeat: true })).user;
    const reader = new Api((await admin.post('/v1/tokens', { name: 'reader', scope: 'read' })).body.token);
    const writer = new Api((await admin.post('/v1/tokens', { name: 'writer', scope: 'write' })).body.token);
    // The writer confirms it is its user, so the rebuild must carry authenticated_at for it to create a token after.
    expect((await writer.post('/v1/me/reauthenticate', { password: PASSWORD })).status).toBe(200);
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    const tokensBefore = await runInDurableObject(stub, (_i, state) => new Sql(state.storage.sql).all('SELECT * FROM api_tokens ORDER BY id'));
    // The same subscription, rebuilt as the version just before directory sync held it.
    await runInDurableObject(stub, (_i, state) => {
      const sql = new Sql(state.storage.sql);
      const keep = ['subscription', 'users', 'seats', 'devices', 'api_tokens', 'invitations', 'audit'].map((t) => [t, sql.all(`SELECT * FROM ${t}`)] as const);
      empty(sql);
      migrate(sql, state.storage, SUBSCRIPTION_MIGRATIONS, directorySync);
      for (const [table, rows] of keep) {
        const columns = sql.all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name);
        for (const row of rows) {
          const stored = table === 'subscription' ? { ...row, assigned: 0 } : row;
          const present = columns.filter((c) => c in stored);
          sql.run(`INSERT INTO ${table} (${present.join(', ')}) VALUES (${present.map(() => '?').join(', ')})`, ...present.map((c) => stored[c]!));
        }
      }
      expect(() => sql.run(`UPDATE api_tokens SET scope = 'scim'`)).toThrow();
    });
    await evictDurableObject(stub);

    const tokensAfter = await runInDurableObject(stub, (_i, state) => {
      const sql = new Sql(state.storage.sql);
      expect(() => sql.run(`UPDATE api_tokens SET scope = 'admin' WHERE name = 'reader'`)).toThrow();
      return sql.all('SELECT * FROM api_tokens ORDER BY id');
    });
    expect(tokensAfter).toEqual(tokensBefore);
    expect((await reader.get(`/v1/users/${holder.id}`)).body.seat.source).toEqual({ kind: 'manual', by: null });
    problem(await reader.post('/v1/tokens', { name: 'no' }), 403, 'forbidden');
    expect((await writer.post('/v1/tokens', { name: 'yes' })).status).toBe(201);
    const directory = new Directory((await admin.post('/v1/tokens', { name: 'Okta', scope: 'scim' })).body.token);
    expect((await directory.get('/Users')).body.totalResults).toBe(2);
  });
});

describe('Subscription migrations: user search', () => {
  // Found by what it does, not by its number (migrations are renumbered when branches merge).
  const searchIndex = SUBSCRIPTION_MIGRATIONS.findIndex((migration) => migration.includes('CREATE VIRTUAL TABLE users_fts'));

  it('an existing subscription\'s users become searchable: by a piece of their name or email, and by a short prefix', async () => {
    expect(searchIndex).toBeGreaterThan(0);
    const { admin, subscription } = await signup(3);
    const kemal = (await createUser(admin, { name: 'Kemal Blake', assignSeat: true })).user;
    const ines = (await createUser(admin, { name: 'Ines Yilmaz' })).user;
    // Her email is ines.<time>.<n>@example.com: this piece of its middle is hers alone.
    const emailMiddle = ines.email.slice(ines.email.indexOf('.'), ines.email.indexOf('@') + 1);
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    // The same subscription as it was stored just before the search migration: its rows kept.
    const before = await runInDurableObject(stub, (_i, state) => {
      const sql = new Sql(state.storage.sql);
      const tables = ['subscription', 'users', 'seats', 'devices', 'audit'];
      const kept = tables.map((table) => [table, sql.all(`SELECT * FROM ${table}`)] as const);
      empty(sql);
      migrate(sql, state.storage, SUBSCRIPTION_MIGRATIONS, searchIndex);
      for (const [table, rows] of kept) {
        // Only the columns the table had then (later migrations add more).
        const then = new Set(sql.all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name));
        for (const row of table === 'subscription' ? rows.map((r): Row => ({ ...r, assigned: 0 })) : rows) {
          const columns = Object.keys(row).filter((c) => then.has(c));
          sql.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, ...columns.map((c) => row[c]!));
        }
      }
      return sql.one<{ version: number }>('SELECT version FROM schema_version')!.version;
    });
    expect(before).toBe(searchIndex);
    await evictDurableObject(stub);

    const names = async (q: string) => (await admin.get(`/v1/users?q=${encodeURIComponent(q)}`)).body.items.map((u: { name: string }) => u.name);
    expect(await names('mal bl')).toEqual(['Kemal Blake']);
    expect(await names(emailMiddle)).toEqual(['Ines Yilmaz']);
    expect(await names('YILMAZ')).toEqual(['Ines Yilmaz']);
    expect(await names('zzz')).toEqual([]);
    // Fewer than three characters: the start of a name or an email.
    expect(await names('ke')).toEqual(['Kemal Blake']);
    expect(await names('IN')).toEqual(['Ines Yilmaz']);
    expect(await names('bl')).toEqual([]);
    // Kept in step from then on: a rename is found by its new name only.
    expect((await admin.patch(`/v1/users/${ines.id}`, { name: 'Ines Duarte' })).status).toBe(200);
    expect(await names('Yilmaz')).toEqual([]);
    expect(await names('Duarte')).toEqual(['Ines Duarte']);
    expect((await admin.get(`/v1/users/${kemal.id}`)).body.seat).not.toBeNull();
  });
});

describe('EmailIndex and AddressThrottle migrations', () => {
  const cases = [
    {
      name: 'EmailIndex',
      stub: () => env.EMAIL_INDEX.getByName(`migrating-${crypto.randomUUID()}@example.com`),
      migrations: EMAIL_INDEX_MIGRATIONS,
      legacy: `CREATE TABLE IF NOT EXISTS claim (
        subscription_id TEXT NOT NULL, user_id TEXT NOT NULL, email TEXT NOT NULL,
        state TEXT NOT NULL, claimed_at INTEGER NOT NULL)`,
      legacyRow: "INSERT INTO claim VALUES ('sub_a', 'usr_a', 'a@example.com', 'confirmed', 1)",
      legacyKept: [['SELECT subscription_id, state FROM claim', [{ subscription_id: 'sub_a', state: 'confirmed' }]]],
      seeds: [
        {
          version: 1,
          write: ["INSERT INTO claim VALUES ('sub_a', 'usr_a', 'a@example.com', 'confirmed', 1)"],
          survives: [['SELECT subscription_id, state FROM claim', [{ subscription_id: 'sub_a', state: 'confirmed' }]]],
        },
        {
          version: 2,
          write: ["INSERT INTO attempts VALUES ('signin:ip_x', 'a1', 42)", "INSERT INTO trusted_addresses VALUES ('ip_y', 43)"],
          survives: [
            ['SELECT bucket, id, at FROM attempts', [{ bucket: 'signin:ip_x', id: 'a1', at: 42 }]],
            ['SELECT address, signed_in_at FROM trusted_addresses', [{ address: 'ip_y', signed_in_at: 43 }]],
          ],
        },
      ] as Seed[],
    },
    {
      name: 'AddressThrottle',
      stub: () => env.ADDRESS_THROTTLE.getByName(`ip_migrating-${crypto.randomUUID()}`),
      migrations: ADDRESS_THROTTLE_MIGRATIONS,
      // Version 1's failures counted finished checks only and are at most 15 minutes old: version 2 drops them.
      legacy: 'CREATE TABLE IF NOT EXISTS failures (at INTEGER NOT NULL)',
      legacyRow: 'INSERT INTO failures VALUES (42)',
      legacyKept: [["SELECT name FROM sqlite_master WHERE name IN ('failures', 'attempts')", [{ name: 'attempts' }]]],
      seeds: [
        {
          version: 2,
          write: ["INSERT INTO attempts VALUES ('signin', 'a1', 42)"],
          survives: [['SELECT bucket, id, at FROM attempts', [{ bucket: 'signin', id: 'a1', at: 42 }]]],
        },
      ] as Seed[],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: an object made before numbered migrations (its table, no version) is brought up to date`, async () => {
      const upgraded = await runInDurableObject(c.stub(), (_i, state) => {
        const sql = new Sql(state.storage.sql);
        empty(sql);
        sql.run(c.legacy);
        sql.run(c.legacyRow);
        const found = migrate(sql, state.storage, c.migrations);
        return { found, version: sql.one<{ version: number }>('SELECT version FROM schema_version')!.version, kept: c.legacyKept.map(([query]) => sql.all(query as string)) };
      });
      expect(upgraded).toEqual({ found: 0, version: c.migrations.length, kept: c.legacyKept.map(([, rows]) => rows) });
    });

    for (let start = 0; start < c.migrations.length; start++) {
      it(`${c.name}: upgrades an object at version ${start}, keeping its rows`, async () => {
        const upgraded = await runInDurableObject(c.stub(), (_i, state) => upgradeFrom(state, c.migrations, start, c.seeds));
        expect(upgraded.found).toBe(start);
        expect(upgraded.version).toBe(c.migrations.length);
        expect(upgraded.survived).toEqual(upgraded.expected);
      });
    }

    it(`${c.name}: a new object has no tables until its first write, and an old one is upgraded when it starts`, async () => {
      const stub = c.stub();
      expect(await runInDurableObject(stub, (_i, state) => schemaOf(new Sql(state.storage.sql)))).toEqual([]);
      await runInDurableObject(stub, (_i, state) => {
        const sql = new Sql(state.storage.sql);
        migrate(sql, state.storage, c.migrations, 1);
      });
      await evictDurableObject(stub);
      const version = await runInDurableObject(stub, (_i, state) => new Sql(state.storage.sql).one<{ version: number }>('SELECT version FROM schema_version')!.version);
      expect(version).toBe(c.migrations.length);
    });
  }
});
