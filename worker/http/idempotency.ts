/**
 * `Idempotency-Key` on POST: the key and a fingerprint of the request (method, path, body) go to
 * the caller's Subscription object with the call. The object answers a finished key with the
 * stored answer (then this adds `Idempotent-Replayed: true`), refuses the same key with another
 * request (422 `idempotency_key_reused`), and otherwise does the work and stores its answer in
 * the same transaction. Keys are per user and kept for 48 hours.
 */
import type { MiddlewareHandler } from 'hono';
import { sha256 } from '../crypto';
import type { AppEnv } from './context';
import { ProblemError } from './problem';

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
    const fingerprint = await sha256(`${c.req.method} ${c.req.path}\n${await c.req.raw.clone().text()}`);
    c.set('call', { ...c.var.call, idempotency: { key, fingerprint } });
    await next();
    if (c.var.replayed) c.res.headers.set('idempotent-replayed', 'true');
  };
}
