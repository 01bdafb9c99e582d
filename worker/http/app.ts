/**
 * The HTTP API: `/api/health`, `/api/v1/*` (documented at `/api/v1/openapi.json` and `/api/docs`).
 * Validation failures, refusals from the subscription and unexpected errors all leave through one
 * `onError`, as RFC 9457 problems.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { SIGN_IN_COOKIE } from './auth';
import type { AppEnv } from './context';
import { docsPage, docsScript } from './docs';
import { PROBLEM_CODES, ProblemError, problemResponse, statusOf } from './problem';
import { StoredAnswer } from './reply';
import { account } from './routes/account';
import { audit } from './routes/audit';
import { billing } from './routes/billing';
import { consoleRoutes } from './routes/console';
import { demo } from './routes/demo';
import { groups } from './routes/groups';
import { schedules } from './routes/schedules';
import { idleReclaim } from './routes/idle-reclaim';
import { live } from './routes/live';
import { notifications } from './routes/notifications';
import { pools } from './routes/pools';
import { pushSubscriptions } from './routes/push-subscriptions';
import { reauthentication } from './routes/reauthentication';
import { reports } from './routes/reports';
import { seatRequests } from './routes/seat-requests';
import { seats } from './routes/seats';
import { security } from './routes/security';
import { signupRoutes } from './routes/signup';
import { stripeWebhooks } from './routes/stripe';
import { subscription } from './routes/subscription';
import { tokens } from './routes/tokens';
import { users } from './routes/users';
import { webhooks } from './routes/webhooks';

const MAX_BODY_BYTES = 64 * 1024;

/** Turns a failed schema check into a `validation_failed` problem naming each bad field. */
function validationHook(result: { success: boolean; error?: z.ZodError }) {
  if (result.success || !result.error) return;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new ProblemError({ ok: false, code: 'validation_failed', detail, ...{ errors: issues } });
}

// Each route declares its own authentication (signedInRoute, or authenticate() on /live).
const v1 = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
v1.route('/', account)
  .route('/signup', signupRoutes)
  .route('/', security)
  .route('/', reauthentication)
  .route('/tokens', tokens)
  .route('/subscription', subscription)
  .route('/users', users)
  .route('/seats', seats)
  .route('/seat-requests', seatRequests)
  .route('/console', consoleRoutes)
  .route('/reports', reports)
  .route('/audit', audit)
  .route('/live', live)
  .route('/', groups)
  .route('/webhooks', webhooks)
  .route('/notifications', notifications)
  .route('/push-subscriptions', pushSubscriptions)
  .route('/billing', billing)
  .route('/schedules', schedules)
  .route('/policies/idle-reclaim', idleReclaim)
  .route('/pools', pools);

v1.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
  type: 'http',
  scheme: 'bearer',
  description: 'A personal API token from POST /api/v1/tokens, e.g. `setme_sub_…`.',
});
v1.openAPIRegistry.registerComponent('securitySchemes', 'Cookie', {
  type: 'apiKey',
  in: 'cookie',
  name: SIGN_IN_COOKIE,
  description: 'The cookie sign-in sets on a browser or app (a device). Writes must carry our Origin.',
});
v1.doc31('/openapi.json', (c) => ({
  openapi: '3.1.0',
  info: {
    title: 'SetMe Seats API',
    version: '1.0.0',
    description:
      'Seats for SetMe remote-support subscriptions. Errors are RFC 9457 problems (`application/problem+json`) ' +
      `with a stable \`code\`: ${PROBLEM_CODES.map((code) => `\`${code}\``).join(', ')}. ` +
      'Signed-in POST requests accept an `Idempotency-Key` header (1–255 printable ASCII characters, kept 48 hours ' +
      'per user). The answer is stored in the same transaction as the work, so a retry with the same key and body ' +
      'gets the first answer again (`Idempotent-Replayed: true`, nothing runs twice), even after a crash or restart; ' +
      'the same key with another request is 422 `idempotency_key_reused`; a duplicate sent while the first is still ' +
      'running gets 409 `idempotency_in_progress` with `Retry-After: 1`. Answers that carried a secret (a new API ' +
      'token, an invitation link) are not kept: their retry gets 409 `idempotency_replay_secret`, naming what was ' +
      'made. Every audit entry a keyed request wrote has the key in `details.idempotencyKey`.',
  },
  servers: [{ url: `${new URL(c.req.url).origin}/api/v1` }],
}));

export const app = new OpenAPIHono<AppEnv>().basePath('/api');

// The API answers JSON, so its policy allows nothing to load; /api/docs loosens it for its own page.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/** The API's security headers, also on the SCIM service's answers. */
export const securityHeaders: MiddlewareHandler = async function securityHeaders(c, next) {
  await next();
  // A WebSocket upgrade's response comes from the object as it is (and its headers are immutable).
  if (c.res.status === 101) return;
  const headers = c.res.headers;
  headers.set('content-security-policy', c.req.path === '/api/docs' ? DOCS_CSP : API_CSP);
  headers.set('strict-transport-security', 'max-age=63072000; includeSubDomains');
  headers.set('x-content-type-options', 'nosniff');
  headers.set('referrer-policy', 'no-referrer');
  headers.set('x-frame-options', 'DENY');
  headers.set('cross-origin-opener-policy', 'same-origin');
  headers.set('cross-origin-resource-policy', 'same-origin');
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
};
app.use('*', securityHeaders);

app.use('*', bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ProblemError({ ok: false, code: 'payload_too_large', detail: `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.` });
  },
}));

app.get('/health', (c) => c.json({ status: 'ok' }));
app.get('/docs', (c) => c.html(docsPage));
app.get('/docs.js', (c) => c.body(docsScript, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
app.get('/problems/:code', (c) => {
  const code = PROBLEM_CODES.find((known) => known === c.req.param('code'));
  if (!code) throw new ProblemError({ ok: false, code: 'not_found', detail: 'No such problem type.' });
  return c.json({ code, status: statusOf(code), documentation: '/api/docs' });
});
app.route('/v1', v1);
// Stripe's webhooks: no caller to authenticate, the signature is the check (routes/stripe.ts).
app.route('/billing/stripe', stripeWebhooks);
// The local demo's seeding, outside the documented API; 404 unless the Worker runs locally (routes/demo.ts).
app.route('/demo', demo);

app.notFound(() => problemResponse({ ok: false, code: 'not_found', detail: 'No such API route. See /api/docs.' }));

app.onError((error) => {
  if (error instanceof ProblemError) return problemResponse(error.failure);
  if (error instanceof StoredAnswer) return error.toResponse();
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own refusals, e.g. a body that is not JSON.
    return problemResponse({ ok: false, code: 'validation_failed', detail: error.message || 'The request is not valid.' });
  }
  console.error('unhandled error', error);
  return problemResponse({ ok: false, code: 'internal_error' });
});
