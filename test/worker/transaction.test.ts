/**
 * The transaction every call of the Subscription object runs in, on a real object's SQLite
 * storage: a refusal returned after a write must not commit it.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { transaction } from '../../worker/objects/call';
import { fail, ok, type Result } from '../../worker/domain/result';

/** Runs `body` in `transaction` on a scratch table of a fresh object; returns its answer and the rows left. */
async function inScratch(body: (write: (value: string) => void) => Result<string>) {
  const stub = env.SUBSCRIPTION.getByName(`scratch-${crypto.randomUUID()}`);
  return runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec('CREATE TABLE scratch (value TEXT)');
    const write = (value: string) => void state.storage.sql.exec('INSERT INTO scratch (value) VALUES (?)', value);
    let thrown: unknown = null;
    let answer: Result<string> | null = null;
    try {
      answer = transaction(state.storage, () => body(write), (result) => result.ok);
    } catch (error) {
      thrown = error;
    }
    const rows = state.storage.sql.exec<{ value: string }>('SELECT value FROM scratch').toArray().map((r) => r.value);
    return { answer, thrown: thrown === null ? null : String(thrown), rows };
  });
}

describe('The one transaction of a call', () => {
  it('commits what a successful call wrote', async () => {
    const outcome = await inScratch((write) => {
      write('kept');
      return ok('done');
    });
    expect(outcome).toEqual({ answer: { ok: true, value: 'done' }, thrown: null, rows: ['kept'] });
  });

  it('rolls back everything a call wrote before it refused, and still answers the refusal', async () => {
    const outcome = await inScratch((write) => {
      write('first');
      write('second');
      return fail('seat_not_held', { userId: 'usr_x', detail: 'refused after writing' });
    });
    expect(outcome.answer).toMatchObject({ ok: false, code: 'seat_not_held' });
    expect(outcome.rows).toEqual([]);
  });

  it('rolls back and rethrows when the work throws', async () => {
    const outcome = await inScratch((write) => {
      write('lost');
      throw new Error('bug');
    });
    expect(outcome).toMatchObject({ answer: null, thrown: 'Error: bug', rows: [] });
  });
});
