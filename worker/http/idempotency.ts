/**
 * `Idempotency-Key` on POST: the first answer is stored in the caller's Subscription object and a
 * retry with the same key and body gets it again, without doing the work twice. The same key with
 * another body is refused (422 `idempotency_key_reused`). Keys are kept for 48 hours.
 */
import type { MiddlewareHandler } from 'hono';
import { sha256 } from '../crypto';
import type { AppEnv } from './context';
import { ProblemError, unwrap } from './problem';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Runs after `authenticate`; does nothing for requests without the header or other than POST. */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY.test(key)) {
      throw new ProblemError({
        ok: false,
        code: 'validation_failed',
        detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters.',
      });
    }
    const credential = c.var.credential;
    const subscription = c.var.subscription;
    const fingerprint = await sha256(`${c.req.method} ${c.req.path}\n${await c.req.raw.clone().text()}`);
    const start = unwrap(await subscription.beginIdempotent(credential, key, fingerprint));
    if (start.state === 'replay') {
      const type = start.status >= 400 ? 'application/problem+json' : 'application/json';
      return new Response(start.body || null, {
        status: start.status,
        headers: { 'content-type': type, 'idempotent-replayed': 'true' },
      });
    }
    await next();
    const body = c.res.status === 204 ? '' : await c.res.clone().text();
    await subscription.completeIdempotent(credential, key, c.res.status, body);
  };
}
