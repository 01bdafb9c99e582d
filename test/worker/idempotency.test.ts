import { describe, expect, it } from 'vitest';
import { allUsers, problem, signup, uniqueEmail } from './helpers';

describe('Idempotency-Key on POST', () => {
  it('replays the first answer to a retried create and creates one user', async () => {
    const { admin } = await signup();
    const body = { name: 'Retry Rita', email: uniqueEmail('rita') };
    const first = await admin.post('/v1/users', body, { 'idempotency-key': 'create-rita-1' });
    expect(first.status).toBe(201);
    const retry = await admin.post('/v1/users', body, { 'idempotency-key': 'create-rita-1' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await allUsers(admin)).filter((u) => u.name === 'Retry Rita')).toHaveLength(1);
  });

  it('replays a refusal too, and a transfer retried does not move a second seat', async () => {
    const { admin } = await signup(2);
    const a = (await admin.post('/v1/users', { name: 'A', email: uniqueEmail() })).body.user;
    const b = (await admin.post('/v1/users', { name: 'B', email: uniqueEmail(), assignSeat: false })).body.user;
    const move = { from: a.id, to: b.id };
    const first = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-1' });
    const retry = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-1' });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);

    const refusedOnce = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-2' });
    problem(refusedOnce, 409, 'seat_not_held');
    const refusedAgain = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-2' });
    expect(refusedAgain.body).toEqual(refusedOnce.body);
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(1);
  });

  it('refuses the same key with a different body, changing nothing', async () => {
    const { admin } = await signup();
    await admin.post('/v1/users', { name: 'One', email: uniqueEmail() }, { 'idempotency-key': 'k-1' });
    const other = await admin.post('/v1/users', { name: 'Two', email: uniqueEmail() }, { 'idempotency-key': 'k-1' });
    problem(other, 422, 'idempotency_key_reused');
    expect((await allUsers(admin)).map((u) => u.name)).not.toContain('Two');
  });

  it('concurrent retries with one key do the work once', async () => {
    const { admin } = await signup();
    const body = { name: 'Burst', email: uniqueEmail('burst') };
    const replies = await Promise.all(Array.from({ length: 8 }, () => admin.post('/v1/users', body, { 'idempotency-key': 'burst' })));
    for (const r of replies) expect([201, 409]).toContain(r.status);
    expect((await allUsers(admin)).filter((u) => u.name === 'Burst')).toHaveLength(1);
  });

  it('keeps keys per user: another admin may use the same key for their own request', async () => {
    const { admin } = await signup();
    const second = await signup();
    const a = await admin.post('/v1/tokens', { name: 'mine' }, { 'idempotency-key': 'same' });
    const b = await second.admin.post('/v1/tokens', { name: 'mine' }, { 'idempotency-key': 'same' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.token).not.toBe(a.body.token);
  });

  it('rejects a malformed key', async () => {
    const { admin } = await signup();
    problem(await admin.post('/v1/tokens', { name: 'x' }, { 'idempotency-key': 'x'.repeat(300) }), 400, 'validation_failed');
  });
});
