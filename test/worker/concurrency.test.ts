import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { allUsers, createUser, signup } from './helpers';

/** Reads the stored truth directly: seat rows, the counter, and the purchased count. */
async function storedSeats(subscriptionId: string) {
  const stub = env.SUBSCRIPTION.getByName(subscriptionId);
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const row = sql.exec<{ purchased: number; assigned: number }>('SELECT purchased, assigned FROM subscription').one();
    const holders = sql.exec<{ user_id: string }>('SELECT user_id FROM seats').toArray().map((r) => r.user_id);
    return { ...row, holders };
  });
}

describe('The seat invariant under concurrency', () => {
  it('60 concurrent assigns for 3 seats leave exactly 3 holders and consistent counters', async () => {
    const { admin, subscription } = await signup(3);
    const users: { id: string }[] = [];
    for (let i = 0; i < 60; i++) users.push((await createUser(admin, { name: `Racer ${i}` })).user);

    const replies = await Promise.all(users.map((u) => admin.put(`/v1/users/${u.id}/seat`)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(57);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.code === 'no_seats_available')).toBe(true);

    const stored = await storedSeats(subscription.id);
    expect(stored.holders).toHaveLength(3);
    expect(stored.assigned).toBe(3);
    expect(new Set(stored.holders).size).toBe(3);
    const winners = replies.filter((r) => r.status === 200).map((r) => r.body.id).sort();
    expect(stored.holders.sort()).toEqual(winners);
    expect((await admin.get('/v1/subscription')).body.seats).toEqual({ purchased: 3, assigned: 3, available: 0 });
  });

  it('concurrent duplicate assigns for one user give them one seat', async () => {
    const { admin, subscription } = await signup(5);
    const user = (await createUser(admin)).user;
    const replies = await Promise.all(Array.from({ length: 20 }, () => admin.put(`/v1/users/${user.id}/seat`)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const stored = await storedSeats(subscription.id);
    expect(stored).toMatchObject({ assigned: 1, holders: [user.id] });
  });

  it('concurrent transfers never create or lose a seat', async () => {
    const { admin, subscription } = await signup(4);
    const holders: { id: string }[] = [];
    const others: { id: string }[] = [];
    for (let i = 0; i < 4; i++) holders.push((await createUser(admin, { name: `Holder ${i}`, assignSeat: true })).user);
    for (let i = 0; i < 8; i++) others.push((await createUser(admin, { name: `Waiting ${i}` })).user);
    const everyone = [...holders, ...others];

    // Every pair, in both directions, at once: many must be refused, none may break the invariant.
    const moves = [];
    for (const from of everyone) for (const to of everyone) if (from !== to) moves.push({ from: from.id, to: to.id });
    const replies = await Promise.all(moves.slice(0, 120).map((m) => admin.post('/v1/seats/transfer', m)));
    expect(replies.some((r) => r.status === 200)).toBe(true);
    for (const r of replies) {
      expect([200, 409]).toContain(r.status);
      if (r.status === 409) expect(['seat_not_held', 'seat_already_held']).toContain(r.body.code);
    }

    const stored = await storedSeats(subscription.id);
    expect(stored.assigned).toBe(4);
    expect(new Set(stored.holders).size).toBe(4);
    expect((await allUsers(admin)).filter((u) => u.seat).length).toBe(4);
  });

  it('a mix of assigns, unassigns, transfers and shrinking keeps assigned ≤ purchased', async () => {
    const { admin, subscription } = await signup(5);
    const users: { id: string }[] = [];
    for (let i = 0; i < 12; i++) users.push((await createUser(admin, { name: `Mixer ${i}`, assignSeat: i < 3 })).user);
    const ops = users.flatMap((u, i) => [
      admin.put(`/v1/users/${u.id}/seat`),
      admin.delete(`/v1/users/${users[(i + 5) % users.length]!.id}/seat`),
      admin.post('/v1/seats/transfer', { from: u.id, to: users[(i + 1) % users.length]!.id }),
      admin.patch('/v1/subscription', { seats: 3 + (i % 4) }),
    ]);
    const replies = await Promise.all(ops);
    expect(replies.every((r) => r.status < 500)).toBe(true);
    const stored = await storedSeats(subscription.id);
    expect(stored.assigned).toBe(stored.holders.length);
    expect(stored.assigned).toBeLessThanOrEqual(stored.purchased);
  });

  it('SQLite itself refuses a write past the purchased seats, even from a bug', async () => {
    const { admin, subscription } = await signup(1);
    const a = (await createUser(admin, { assignSeat: true })).user;
    const b = (await createUser(admin)).user;
    const stub = env.SUBSCRIPTION.getByName(subscription.id);
    const error = await runInDurableObject(stub, (_i, state) => {
      try {
        state.storage.sql.exec('INSERT INTO seats (user_id, assigned_at) VALUES (?, ?)', b.id, new Date().toISOString());
        return null;
      } catch (e) {
        return String(e);
      }
    });
    expect(error).toMatch(/CHECK constraint failed/);
    expect((await storedSeats(subscription.id)).holders).toEqual([a.id]);
  });
});
