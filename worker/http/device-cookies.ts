/**
 * How a browser (a device) stays signed in: two `__Host-` cookies, and the server needs both.
 *
 * - `__Host-setme_session` (HttpOnly) holds `<subscriptionId>.<random>.<signature>`: it names the subscription,
 *   and no script can read it.
 * - `__Host-setme_key` (readable by the app) holds a second random secret. Signing out deletes it
 *   in the browser at once, with or without a network, so the browser can no longer act as that
 *   user even while the server has not heard of the sign-out yet.
 *
 * The object stores SHA-256(session + "\n" + key) to recognise the device, and SHA-256 of the
 * device's sign-out proof (`signOutProof(key)`), which the app keeps after deleting the key and
 * sends at its next contact (`POST /auth/logout/finish`) to end the device on the server too. The
 * proof can end the device and nothing else: it is a hash of the key, and the key cannot be
 * recovered from it. A script injected into the page could read the key, but the key alone signs
 * nothing in (the session half is HttpOnly), exactly as a single HttpOnly cookie before.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { newSecret, randomToken, sha256 } from '../crypto';
import { SIGN_IN_DAYS } from '../objects/access';
import { secretKeys } from './config';
import type { AppEnv } from './context';

/** The HttpOnly half; sent as `__Host-setme_session`. */
export const SESSION_COOKIE = 'setme_session';
/** The half the app can delete while offline; sent as `__Host-setme_key` (app/lib/sign-out.ts reads it). */
export const KEY_COOKIE = 'setme_key';

/** The sign-in secret of a new device: the two cookie values. */
export interface DeviceSecret {
  session: string;
  key: string;
}

/** What identifies a device to its object: the hash of both halves together. */
export const deviceHash = (secret: DeviceSecret): Promise<string> => sha256(`${secret.session}\n${secret.key}`);

/**
 * The proof a device that signed itself out sends to be ended on the server: a hash of its key, so
 * it can end the device but never act as it. The app computes the same (app/lib/sign-out.ts).
 */
export const signOutProof = (key: string): Promise<string> => sha256(`setme sign-out\n${key}`);

/** Both cookies of the request, when it carries both. */
export function deviceSecretOf(c: Context): DeviceSecret | null {
  const session = getCookie(c, SESSION_COOKIE, 'host');
  const key = getCookie(c, KEY_COOKIE, 'host');
  return session && key ? { session, key } : null;
}

/** The session half alone, which names the subscription (a device that signed out still sends it). */
export const sessionCookieOf = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE, 'host');

/** A new device's sign-in secret for a subscription, and what the object stores of it. */
export async function newDevice(c: Context<AppEnv>, subscriptionId: string) {
  const secret: DeviceSecret = { session: await newSecret(await secretKeys(c.env), subscriptionId), key: randomToken(32) };
  const stored = {
    hash: await deviceHash(secret),
    signOutHash: await sha256(await signOutProof(secret.key)),
    userAgent: c.req.header('user-agent') ?? null,
  };
  return { secret, stored };
}

/**
 * Sets both cookies for as long as the device may stay signed in (the object also ends it after
 * 12 hours without use). `__Host-` binds them to this exact origin: Secure, Path=/, no Domain.
 */
export function setSignInCookie(c: Context, secret: DeviceSecret): void {
  const common = { prefix: 'host', secure: true, path: '/', maxAge: SIGN_IN_DAYS * 86_400 } as const;
  setCookie(c, SESSION_COOKIE, secret.session, { ...common, httpOnly: true, sameSite: 'Lax' });
  setCookie(c, KEY_COOKIE, secret.key, { ...common, sameSite: 'Strict' });
}

/** Tells the browser to forget both halves. */
export function clearSignInCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { prefix: 'host', secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
  deleteCookie(c, KEY_COOKIE, { prefix: 'host', secure: true, path: '/', sameSite: 'Strict' });
}
