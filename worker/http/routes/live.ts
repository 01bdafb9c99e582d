/**
 * `GET /api/v1/live`: a WebSocket that says "something changed" after every change to the
 * subscription, so every open screen can refresh within a moment. Served by the subscription's
 * object with the hibernation API.
 */
import { Hono } from 'hono';
import { authenticate } from '../auth';
import type { AppEnv } from '../context';
import { CREDENTIAL_HEADERS } from '../../objects/live';
import { ProblemError } from '../problem';

export const live = new Hono<AppEnv>().get('/', authenticate(), async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ProblemError({ ok: false, code: 'validation_failed', detail: 'Open this URL as a WebSocket.' });
  }
  const origin = c.req.header('origin');
  if (c.var.call.credential.kind === 'device' && origin && origin !== new URL(c.req.url).origin) {
    throw new ProblemError({ ok: false, code: 'forbidden', detail: 'Live updates are only for this site.' });
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set(CREDENTIAL_HEADERS.kind, c.var.call.credential.kind);
  headers.set(CREDENTIAL_HEADERS.hash, c.var.call.credential.hash);
  const response = await c.var.subscription.fetch(new Request(c.req.raw, { headers }));
  if (response.status === 401) throw new ProblemError({ ok: false, code: 'unauthenticated', detail: 'Sign in again.' });
  return response;
});
