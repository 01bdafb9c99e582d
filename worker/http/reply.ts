/**
 * How a route takes the reply of a signed-in call: its value, or its refusal thrown as a problem.
 * The reply's revision becomes the answer's `SetMe-Revision` header (added by `authenticate`); a
 * replayed answer (Idempotency-Key) renders exactly as the first time, and `idempotency` adds
 * `Idempotent-Replayed: true`.
 */
import type { Context } from 'hono';
import type { Reply } from '../objects/call';
import type { AppEnv } from './context';
import { unwrap } from './problem';

/**
 * The value of a signed-in call's reply; throws its refusal (a `ProblemError`).
 * @example const user = unwrapReply(c, await c.var.subscription.getUser(c.var.call, id));
 */
export function unwrapReply<T>(c: Context<AppEnv>, reply: Reply<T>): T {
  if (reply.revision !== null) c.set('revision', reply.revision);
  if (reply.replayed) c.set('replayed', true);
  if ('stored' in reply) throw new StoredAnswer(reply.stored.status, reply.stored.body);
  return unwrap(reply.result);
}

/** An answer stored before migration 7 as an HTTP response, on its way to `onError` to be sent as it is. */
export class StoredAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super('stored answer');
  }

  toResponse(): Response {
    const type = this.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(this.body || null, { status: this.status, headers: { 'content-type': type } });
  }
}
