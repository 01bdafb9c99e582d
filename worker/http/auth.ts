/**
 * Who is asking, decided once per request. Browsers send their two sign-in cookies
 * (device-cookies.ts); scripts send `Authorization: Bearer <token>`. Both secrets name their
 * subscription, signed with the Worker's key, so this middleware can pick the right Subscription
 * object and refuses a made-up secret before any object is asked; the object itself checks the
 * secret's hash, the user's role and status, in the same call that does the work.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { API_TOKEN_PREFIX, parseSecret, sha256 } from '../crypto';
import { secretKeys } from './config';
import type { AppEnv } from './context';
import { deviceHash, deviceSecretOf, SESSION_COOKIE } from './device-cookies';
import { ProblemError } from './problem';

export { clearSignInCookie, newDevice, setSignInCookie } from './device-cookies';

/** The cookie a signed-in browser (a device) sends, with its second half (device-cookies.ts). */
export const SIGN_IN_COOKIE = `__Host-${SESSION_COOKIE}`;
/** Every signed-in answer's header (and a sign-in's): the subscription's revision it reflects. */
export const REVISION_HEADER = 'SetMe-Revision';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Requires a sign-in cookie or an API token, and for cookie-authenticated writes our own Origin
 * (a cross-site form or script cannot act with an admin's cookie).
 * Routes declare it through `signedInRoute` (worker/http/openapi.ts), so the OpenAPI document
 * says exactly which routes need it.
 * @example new Hono<AppEnv>().get('/', authenticate(), handler)
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    // A device proves itself with both of its cookies; the session half names the subscription.
    const device = bearer ? null : deviceSecretOf(c);
    const secret = bearer?.startsWith(API_TOKEN_PREFIX) ? bearer.slice(API_TOKEN_PREFIX.length) : bearer ? '' : device?.session;
    const parsed = secret ? await parseSecret(await secretKeys(c.env), secret) : null;
    if (!parsed || !secret) {
      throw new ProblemError({ ok: false, code: 'unauthenticated', detail: 'Sign in, or send an API token as "Authorization: Bearer <token>".' });
    }
    if (!bearer && !SAFE_METHODS.has(c.req.method) && !sameOrigin(c)) {
      throw new ProblemError({
        ok: false,
        code: 'forbidden',
        detail: 'Changes made with a sign-in cookie must come from this site. Scripts should use an API token.',
      });
    }
    const intent = SAFE_METHODS.has(c.req.method) ? 'read' : 'write';
    const hash = device ? await deviceHash(device) : await sha256(secret);
    c.set('call', { credential: { kind: device ? 'device' : 'token', hash, intent } });
    c.set('subscriptionId', parsed.subscriptionId);
    c.set('subscription', c.env.SUBSCRIPTION.getByName(parsed.subscriptionId));
    await next();
    answerRevision(c);
  };
}

/**
 * For the routes that sign a device in (`signInRoute`): their answer says which revision it
 * reflects, as every answer after it will, so the app's first live message is not news to it.
 * @example new Hono<AppEnv>().post('/auth/login', revisionHeader(), handler)
 */
export function revisionHeader(): MiddlewareHandler<AppEnv> {
  return async function revisionHeader(c, next) {
    await next();
    answerRevision(c);
  };
}

/**
 * Which revision of the subscription the answer reflects (noted by `unwrapReply`), so a client can
 * skip refetching what a live "changed" message of that revision announces. (A 101 upgrade's
 * headers are fixed.)
 */
function answerRevision(c: Context<AppEnv>): void {
  if (c.var.revision !== undefined && c.res.status !== 101) c.res.headers.set(REVISION_HEADER, String(c.var.revision));
}

/** Whether a request comes from this site's own pages (its Origin, or Sec-Fetch-Site). */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin) return origin === new URL(c.req.url).origin;
  // Browsers that omit Origin on same-origin requests still send Sec-Fetch-Site.
  return c.req.header('sec-fetch-site') === 'same-origin';
}
