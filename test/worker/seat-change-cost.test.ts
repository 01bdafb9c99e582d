/**
 * What keeps a seat change as cheap as a read (npm run bench measures it; these guard the shapes
 * that make it so): the pool ledger reads pool members through an index, not every user, a call
 * reads a user row and the seat counts once while it writes nothing, and again after any write, a
 * seat taken back deletes only what its holder's row shows is there, and a seat given counts the
 * seats held only when some pool reserves seats.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { POOLED_SEATS_SQL, poolLedger } from '../../worker/objects/pools';
import { Sql } from '../../worker/objects/sql';
import { storedCounts, USER_ROW_SQL, userRow } from '../../worker/objects/users';
import { createUser, signup } from './helpers';

const inObject = <T>(subscriptionId: string, work: (sql: Sql) => T) =>
  runInDurableObject(env.SUBSCRIPTION.getByName(subscriptionId), (_instance, state) => work(new Sql(state.storage.sql)));

/** The DELETE statements the object runs while `during` runs (its storage's exec, watched). */
async function deletesDuring(subscriptionId: string, during: () => Promise<unknown>): Promise<string[]> {
  const stub = env.SUBSCRIPTION.getByName(subscriptionId);
  const seen: string[] = [];
  await runInDurableObject(stub, (_instance, state) => {
    const storage = state.storage.sql;
    const exec = storage.exec.bind(storage);
    storage.exec = ((query: string, ...params: SqlStorageValue[]) => {
      if (query.startsWith('DELETE')) seen.push(query.split(' WHERE')[0]!);
      return exec(query, ...params);
    }) as typeof storage.exec;
  });
  try {
    await during();
  } finally {
    await runInDurableObject(stub, (_instance, state) => {
      delete (state.storage.sql as { exec?: unknown }).exec;
    });
  }
  return seen;
}

describe('Seat change cost', () => {
  it('counts the seats of pool members through the users_pool index, not a scan of every user', async () => {
    const { subscription } = await signup(3);
    const plan = await inObject(subscription.id, (sql) =>
      sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${POOLED_SEATS_SQL}`).map((r) => r.detail).join('; '),
    );
    expect(plan).toMatch(/SEARCH u USING INDEX users_pool/);
    expect(plan).not.toMatch(/\bSCAN u\b/);
  });

  it("finds a user's row through the users' id index with its parameter written +? (kept prepared, see sql.ts)", async () => {
    const { subscription } = await signup(3);
    const plan = await inObject(subscription.id, (sql) =>
      sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${USER_ROW_SQL}`, 'usr_x').map((r) => r.detail),
    );
    expect(plan[0]).toMatch(/^SEARCH u USING INDEX \S+ \(id=\?\)$/);
    expect(plan.join('; ')).not.toMatch(/\bSCAN\b/);
  });

  it('gives the pool rules the shared seats as held minus those of pool members', async () => {
    const { admin, subscription } = await signup(6);
    const desk = (await admin.post('/v1/pools', { name: 'Desk', reserved: 1, maximum: 3 })).body.pool as { id: string };
    await createUser(admin, { name: 'Shared One', assignSeat: true });
    await createUser(admin, { name: 'Shared Two', assignSeat: true });
    const inDesk = await admin.post('/v1/users', { name: 'Desk One', email: `desk.${Date.now()}@example.test`, assignSeat: true, poolId: desk.id });
    expect(inDesk.status).toBe(201);
    const ledger = await inObject(subscription.id, (sql) => poolLedger(sql));
    expect(ledger).toMatchObject({ purchased: 6, sharedAssigned: 2 });
    expect(ledger.pools).toEqual([expect.objectContaining({ id: desk.id, assigned: 1 })]);
  });

  it("reads a user's row once per call while nothing is written, and again after a write", async () => {
    const { admin, subscription } = await signup(3);
    const { user } = await createUser(admin, { name: 'Read Once' });
    const names = await inObject(subscription.id, (sql) => {
      const seen: string[] = [];
      sql.keepingReads(() => {
        const first = userRow(sql, user.id);
        seen.push(first === userRow(sql, user.id) ? 'kept' : 'read again');
        sql.run('UPDATE users SET name = ? WHERE id = ?', 'Renamed', user.id);
        seen.push(userRow(sql, user.id)!.name);
      });
      sql.run('UPDATE users SET name = ? WHERE id = ?', 'Outside', user.id);
      // Outside a call's work nothing is kept.
      const outside = userRow(sql, user.id);
      seen.push(outside === userRow(sql, user.id) ? 'kept' : 'read again', outside!.name);
      return seen;
    });
    expect(names).toEqual(['kept', 'Renamed', 'read again', 'Outside']);
  });

  it('takes back a seat with nothing attached with one DELETE, and a lent one with its loan timers', async () => {
    const { admin, subscription } = await signup(4);
    const plain = (await createUser(admin, { name: 'Plain Holder', assignSeat: true })).user;
    const lender = (await createUser(admin, { name: 'Lena Lender', assignSeat: true })).user;
    const borrower = (await createUser(admin, { name: 'Bo Borrower' })).user;
    const until = new Date(Date.now() + 3 * 60 * 60 * 1000).toISOString();
    expect((await admin.post('/v1/seats/transfer', { from: lender.id, to: borrower.id, until })).status).toBe(200);

    const plainDeletes = await deletesDuring(subscription.id, async () => expect((await admin.delete(`/v1/users/${plain.id}/seat`)).status).toBe(200));
    expect(plainDeletes).toEqual(['DELETE FROM seats']);

    const lentDeletes = await deletesDuring(subscription.id, async () => expect((await admin.delete(`/v1/users/${borrower.id}/seat`)).status).toBe(200));
    expect(lentDeletes).toEqual(['DELETE FROM seats', 'DELETE FROM timers']);
    const left = await inObject(subscription.id, (sql) => sql.all('SELECT kind FROM timers WHERE ref = ?', borrower.id));
    expect(left).toEqual([]);
  });

  it('gives a seat without counting the seats held while no pool reserves any, and still refuses a reserved one', async () => {
    const { subscription } = await signup(3);
    const held = 600;
    const outcome = await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_instance, state) => {
      const storage = state.storage.sql;
      const at = new Date().toISOString();
      storage.exec('UPDATE subscription SET purchased = ?', held + 1);
      for (let i = 0; i <= held; i++) {
        storage.exec("INSERT INTO users (id, name, email, role, status, created_at) VALUES (?, ?, ?, 'technician', 'invited', ?)", `usr_many${i}`, `Many ${i}`, `many.${i}@example.test`, at);
        if (i < held) storage.exec('INSERT INTO seats (user_id, assigned_at) VALUES (?, ?)', `usr_many${i}`, at);
      }
      // The rows one more seat given reads, triggers included (workerd counts them per statement).
      const give = () => {
        const cursor = storage.exec('INSERT INTO seats (user_id, assigned_at) VALUES (?, ?)', `usr_many${held}`, at);
        cursor.toArray();
        storage.exec('DELETE FROM seats WHERE user_id = ?', `usr_many${held}`);
        return cursor.rowsRead;
      };
      const withoutReserve = give();
      // A pool that holds back the last free seat: giving it to someone outside the pool breaks the reserve.
      storage.exec("INSERT INTO pools (id, name, reserved, maximum, created_at) VALUES ('pool_desk', 'Desk', 1, 1, ?)", at);
      let refused = '';
      try {
        give();
      } catch (error) {
        refused = String(error);
      }
      return { withoutReserve, refused, held: storage.exec('SELECT COUNT(*) AS n FROM seats').one().n };
    });
    expect(outcome.withoutReserve).toBeLessThan(held / 10);
    expect(outcome.refused).toMatch(/pool reserve: seats reserved for pools cannot be used/);
    expect(outcome.held).toBe(held);
  });

  it('reads the seat counts once per call while nothing is written, and again after a write', async () => {
    const { subscription } = await signup(3);
    const purchased = await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_instance, state) => {
      const sql = new Sql(state.storage.sql);
      const seen: number[] = [];
      sql.keepingReads(() => {
        seen.push(storedCounts(sql).purchased);
        // Written past `sql`, so the kept counts cannot know: what a second read would have found.
        state.storage.sql.exec('UPDATE subscription SET purchased = purchased + 1');
        seen.push(storedCounts(sql).purchased);
        sql.run('UPDATE subscription SET purchased = purchased + 1');
        seen.push(storedCounts(sql).purchased);
      });
      return seen;
    });
    expect(purchased).toEqual([3, 3, 5]);
  });
});
