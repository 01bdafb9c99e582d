/**
 * Who is asking, decided once per request. Browsers send their sign-in cookie; scripts send
 * `Authorization: Bearer <token>`. Both secrets name their subscription, signed with the Worker's
 * key, so this middleware can pick the right Subscription object, and refuses a made-up secret
 * before any object is asked; the object itself checks the secret's hash, the user's role and
 * status, in the same call that does the work.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { API_TOKEN_PREFIX, newSecret, parseSecret, sha256 } from '../crypto';
import { SIGN_IN_DAYS } from '../objects/access';
import { secretKeys } from './config';
import type { AppEnv } from './context';
import { ProblemError } from './problem';

/** The cookie a signed-in browser (a device) sends. Its name predates the word "device" here; browsers hold it. */
export const SIGN_IN_COOKIE = 'setme_session';
/** Every signed-in answer's header: the subscription's revision it reflects. */
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
    const cookie = getCookie(c, SIGN_IN_COOKIE);
    const secret = bearer?.startsWith(API_TOKEN_PREFIX) ? bearer.slice(API_TOKEN_PREFIX.length) : bearer ? '' : cookie;
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
    c.set('call', { credential: { kind: bearer ? 'token' : 'device', hash: await sha256(secret), intent } });
    c.set('subscriptionId', parsed.subscriptionId);
    c.set('subscription', c.env.SUBSCRIPTION.getByName(parsed.subscriptionId));
    await next();
    // Which revision of the subscription the answer reflects, so a client can skip refetching
    // what a live "changed" message of that revision announces. (A 101 upgrade's headers are fixed.)
    if (c.var.revision !== undefined && c.res.status !== 101) c.res.headers.set(REVISION_HEADER, String(c.var.revision));
  };
}

function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin) return origin === new URL(c.req.url).origin;
  // Browsers that omit Origin on same-origin requests still send Sec-Fetch-Site.
  return c.req.header('sec-fetch-site') === 'same-origin';
}

/** A new device's sign-in secret for a subscription: the cookie value, and what the object stores of it. */
export async function newDevice(c: Context<AppEnv>, subscriptionId: string) {
  const secret = await newSecret(await secretKeys(c.env), subscriptionId);
  return { secret, stored: { hash: await sha256(secret), userAgent: c.req.header('user-agent') ?? null } };
}

/** Sets the sign-in cookie: HttpOnly, Secure, SameSite=Lax, for as long as the device stays signed in. */
export function setSignInCookie(c: Context, secret: string): void {
  setCookie(c, SIGN_IN_COOKIE, secret, {
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge: SIGN_IN_DAYS * 86_400,
  });
}

export function clearSignInCookie(c: Context): void {
  deleteCookie(c, SIGN_IN_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
}
