import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { derivedId, sha256 } from '../../worker/crypto';
import { allUsers, createUser, credentialHash, problem, signup, uniqueEmail, type Api } from './helpers';

/** The audit entries that name an Idempotency-Key, per key. */
async function auditByKey(admin: Api): Promise<Record<string, string[]>> {
  const entries: { action: string; details: { idempotencyKey?: string } }[] = (await admin.get('/v1/audit?limit=100')).body.items;
  const byKey: Record<string, string[]> = {};
  for (const entry of entries) {
    const key = entry.details.idempotencyKey;
    if (key) (byKey[key] ??= []).push(entry.action);
  }
  return byKey;
}

/** The stored answers of a subscription's keys, read straight from its SQLite storage. */
async function storedAnswers(subscriptionId: string) {
  return runInDurableObject(env.SUBSCRIPTION.getByName(subscriptionId), (_instance, state) =>
    state.storage.sql.exec<{ key: string; result: string | null }>('SELECT key, result FROM idempotency_keys ORDER BY key').toArray(),
  );
}

describe('Idempotency-Key on POST', () => {
  it('replays a transfer and a refusal, and a transfer retried does not move a second seat', async () => {
    const { admin } = await signup(2);
    const a = (await createUser(admin, { name: 'A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'B' })).user;
    const move = { from: a.id, to: b.id };
    const first = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-1' });
    const retry = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-1' });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);

    const refusedOnce = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-2' });
    problem(refusedOnce, 409, 'seat_not_held');
    const refusedAgain = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'move-2' });
    expect(refusedAgain.body).toEqual(refusedOnce.body);
    expect(refusedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect((await admin.get('/v1/subscription')).body.seats.assigned).toBe(1);
    expect((await auditByKey(admin))['move-1']).toEqual(['seat.transferred']);
  });

  it('refuses the same key with a different body, changing nothing', async () => {
    const { admin } = await signup();
    await admin.post('/v1/users', { name: 'One', email: uniqueEmail() }, { 'idempotency-key': 'k-1' });
    const other = await admin.post('/v1/users', { name: 'Two', email: uniqueEmail() }, { 'idempotency-key': 'k-1' });
    problem(other, 422, 'idempotency_key_reused');
    expect((await allUsers(admin)).map((u) => u.name)).not.toContain('Two');
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

describe('A keyed request is one step: the answer is stored with the work', () => {
  it('stores the answer in the transaction that moved the seat, and marks the audit entry with the key', async () => {
    const { admin, subscription } = await signup(2);
    const a = (await createUser(admin, { name: 'A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'B' })).user;
    const moved = await admin.post('/v1/seats/transfer', { from: a.id, to: b.id }, { 'idempotency-key': 'one-step' });
    expect(moved.status).toBe(200);

    // The storage the transfer committed already holds its answer: there is no moment in which the
    // seat has moved and the key has no answer, so no crash can leave one "pending".
    const [stored] = await storedAnswers(subscription.id);
    expect(stored!.key).toBe('one-step');
    expect(JSON.parse(stored!.result!)).toEqual({ ok: true, value: moved.body });
    const audit = (await admin.get('/v1/audit?action=seat.transferred')).body.items;
    expect(audit).toEqual([expect.objectContaining({ details: expect.objectContaining({ idempotencyKey: 'one-step' }) })]);
  });

  it('when the Worker dies after the work and before answering, a retry after a restart gets the stored answer', async () => {
    const { admin, subscription } = await signup(2);
    const a = (await createUser(admin, { name: 'A', assignSeat: true })).user;
    const b = (await createUser(admin, { name: 'B' })).user;
    const move = { from: a.id, to: b.id };
    const stub = env.SUBSCRIPTION.getByName(subscription.id);

    // Exactly the call the Worker makes for this keyed POST; then the Worker is gone: its answer
    // reaches no one, and nothing else runs for this request.
    const call = {
      credential: { kind: 'device' as const, hash: await credentialHash(admin), intent: 'write' as const },
      idempotency: { key: 'crash', fingerprint: await sha256(`POST /api/v1/seats/transfer\n${JSON.stringify(move)}`) },
    };
    const lost = await stub.transferSeat(call, move);
    expect('result' in lost && lost.result.ok).toBe(true);
    await evictDurableObject(stub);

    const retry = await admin.post('/v1/seats/transfer', move, { 'idempotency-key': 'crash' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual('result' in lost && lost.result.ok ? lost.result.value : null);
    expect((await auditByKey(admin))['crash']).toEqual(['seat.transferred']);
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ assigned: 1 });
  });

  it('a refusal is the answer too: stored for the key, and nothing of the refused work kept', async () => {
    const { admin, subscription } = await signup(2);
    const a = (await createUser(admin, { name: 'A' })).user;
    const b = (await createUser(admin, { name: 'B' })).user;
    const refused = await admin.post('/v1/seats/transfer', { from: a.id, to: b.id }, { 'idempotency-key': 'refused' });
    problem(refused, 409, 'seat_not_held');
    const [stored] = await storedAnswers(subscription.id);
    expect(JSON.parse(stored!.result!)).toMatchObject({ ok: false, code: 'seat_not_held', userId: a.id });
    expect(await auditByKey(admin)).toEqual({});
  });
});

describe('Answers stored before migration 7', () => {
  it('are replayed as the HTTP response they were stored as, until they expire', async () => {
    const { admin, user, subscription } = await signup();
    const body = { name: 'old' };
    const fingerprint = await sha256(`POST /api/v1/tokens\n${JSON.stringify(body)}`);
    const stored = JSON.stringify({ id: 'tok_old', name: 'old', scope: 'write', token: 'setme_old', createdAt: '2026-01-01T00:00:00.000Z' });
    await runInDurableObject(env.SUBSCRIPTION.getByName(subscription.id), (_instance, state) => {
      state.storage.sql.exec(
        'INSERT INTO idempotency_keys (user_id, key, fingerprint, status, response, created_at) VALUES (?, ?, ?, 201, ?, ?)',
        user.id, 'legacy', fingerprint, stored, Date.now(),
      );
    });
    const replayed = await admin.post('/v1/tokens', body, { 'idempotency-key': 'legacy' });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(JSON.parse(stored));
    expect((await admin.get('/v1/tokens')).body.items).toEqual([]);
  });
});

describe('Concurrent duplicates and answers shown once', () => {
  it('creating a user: duplicates while the first runs get 409 idempotency_in_progress with Retry-After, one user is made', async () => {
    const { admin } = await signup();
    const body = { name: 'Burst', email: uniqueEmail('burst') };
    const replies = await Promise.all(Array.from({ length: 8 }, () => admin.post('/v1/users', body, { 'idempotency-key': 'burst' })));
    const created = replies.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const others = replies.filter((r) => r.status !== 201);
    for (const reply of others) {
      const code = problem(reply, 409, reply.body.code).code;
      expect(['idempotency_in_progress', 'idempotency_replay_secret']).toContain(code);
      if (code === 'idempotency_in_progress') expect(reply.headers.get('retry-after')).toBe('1');
    }
    expect(others.some((r) => r.body.code === 'idempotency_in_progress')).toBe(true);
    expect((await allUsers(admin)).filter((u) => u.name === 'Burst')).toHaveLength(1);
    expect((await auditByKey(admin))['burst']!.sort()).toEqual(['seat.assigned', 'user.created']);
  });

  it('a retry after a crash between claiming the email and storing the user creates the user at once', async () => {
    const { admin, subscription } = await signup();
    const email = uniqueEmail('halfmade');
    const body = { name: 'Half Made', email };
    // What the crashed attempt left behind: a pending claim on the email for the user id that the
    // caller and the key derive (a retry derives the same id, so the claim is its own).
    const id = await derivedId('usr', `${await credentialHash(admin)}\n${'half-made'}`);
    const index = env.EMAIL_INDEX.getByName(email);
    expect(await index.claim(subscription.id, id, email)).toBe(true);

    const retry = await admin.post('/v1/users', body, { 'idempotency-key': 'half-made' });
    expect(retry.status).toBe(201);
    expect(retry.body.user.id).toBe(id);
    expect((await allUsers(admin)).filter((u) => u.email === email)).toHaveLength(1);
  });

  it("another user's pending claim refuses the create, and is not the key's answer: a later retry creates the user", async () => {
    const { admin, subscription } = await signup();
    const email = uniqueEmail('halfmade');
    const index = env.EMAIL_INDEX.getByName(email);
    expect(await index.claim(subscription.id, 'usr_crashedcrashedcras', email)).toBe(true);
    const body = { name: 'Half Made', email };
    problem(await admin.post('/v1/users', body, { 'idempotency-key': 'half-made' }), 409, 'email_taken');

    // A minute later the index no longer trusts the pending claim: it asks the subscription, which
    // has no such user, and drops it.
    await runInDurableObject(index, (_instance, state) => void state.storage.sql.exec('UPDATE claim SET claimed_at = 0'));
    const retry = await admin.post('/v1/users', body, { 'idempotency-key': 'half-made' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect((await allUsers(admin)).filter((u) => u.email === email)).toHaveLength(1);
  });

  it('a retried user creation says what was made and how to get a new invitation link, without the secret', async () => {
    const { admin } = await signup();
    const body = { name: 'Retry Rita', email: uniqueEmail('rita') };
    const first = await admin.post('/v1/users', body, { 'idempotency-key': 'create-rita' });
    expect(first.status).toBe(201);
    const retry = problem(await admin.post('/v1/users', body, { 'idempotency-key': 'create-rita' }), 409, 'idempotency_replay_secret');
    expect(retry.resource).toEqual({ type: 'user', id: first.body.user.id });
    expect(retry.detail).toContain(`/api/v1/users/${first.body.user.id}/invitation`);
    expect(JSON.stringify(retry)).not.toContain(first.body.invitation.token);
    expect((await allUsers(admin)).filter((u) => u.name === 'Retry Rita')).toHaveLength(1);

    const renewed = await admin.post(`/v1/users/${first.body.user.id}/invitation`, {}, { 'idempotency-key': 'renew-rita' });
    expect(renewed.status).toBe(201);
    const renewRetry = await admin.post(`/v1/users/${first.body.user.id}/invitation`, {}, { 'idempotency-key': 'renew-rita' });
    expect(problem(renewRetry, 409, 'idempotency_replay_secret').resource).toEqual({ type: 'user', id: first.body.user.id });
    expect(JSON.stringify(renewRetry.body)).not.toContain(renewed.body.token);
  });

  it('a retried token creation names the token made, and keeps no secret', async () => {
    const { admin, subscription } = await signup();
    const first = await admin.post('/v1/tokens', { name: 'ci' }, { 'idempotency-key': 'token-1' });
    expect(first.status).toBe(201);
    const retry = await admin.post('/v1/tokens', { name: 'ci' }, { 'idempotency-key': 'token-1' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(problem(retry, 409, 'idempotency_replay_secret')).toMatchObject({ resource: { type: 'token', id: first.body.id } });
    expect((await admin.get('/v1/tokens')).body.items.filter((t: { name: string }) => t.name === 'ci')).toHaveLength(1);
    const secret = first.body.token.split('.')[1];
    expect(JSON.stringify(await storedAnswers(subscription.id))).not.toContain(secret);
  });
});
