/**
 * Passkeys (WebAuthn) with @simplewebauthn/server. The relying party is the hostname of this
 * deployment's PUBLIC_ORIGIN.
 * A ceremony's challenge travels in a short-lived HttpOnly cookie, so starting a passkey sign-in
 * needs no server state; the passkey's user handle names its subscription and user
 * (`<subscriptionId>:<userId>`), so a sign-in goes straight to the right object.
 */
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { publicOrigin } from './config';
import type { AppEnv } from './context';
import { ProblemError } from './problem';

const CHALLENGE_COOKIE = 'setme_webauthn';
const CHALLENGE_SECONDS = 300;

/** This site as a WebAuthn relying party: its configured public origin, never the request's Host header. */
export function relyingParty(c: Context<AppEnv>) {
  const origin = publicOrigin(c.env);
  return { rpName: 'SetMe Seats', rpID: new URL(origin).hostname, origin };
}

/** Remembers a ceremony's challenge for its second step. */
export function keepChallenge(c: Context, challenge: string): void {
  setCookie(c, CHALLENGE_COOKIE, challenge, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: '/api/v1',
    maxAge: CHALLENGE_SECONDS,
  });
}

/** The challenge of the ceremony in progress, used once. */
export function takeChallenge(c: Context): string {
  const challenge = getCookie(c, CHALLENGE_COOKIE);
  deleteCookie(c, CHALLENGE_COOKIE, { path: '/api/v1', secure: true, httpOnly: true, sameSite: 'Strict' });
  if (!challenge) {
    throw new ProblemError({ ok: false, code: 'validation_failed', detail: 'The passkey request expired. Start again.' });
  }
  return challenge;
}

/** The user handle stored with a passkey: which subscription and user it signs in. */
export const userHandle = (subscriptionId: string, userId: string) =>
  new Uint8Array(new TextEncoder().encode(`${subscriptionId}:${userId}`));

/** Reads a user handle back; null when it is not one of ours. */
export function parseUserHandle(handle: string | undefined): { subscriptionId: string; userId: string } | null {
  if (!handle) return null;
  try {
    const [subscriptionId, userId] = new TextDecoder().decode(isoBase64URL.toBuffer(handle)).split(':');
    return subscriptionId && userId ? { subscriptionId, userId } : null;
  } catch {
    return null;
  }
}

export const encodeKey = (key: Parameters<typeof isoBase64URL.fromBuffer>[0]): string => isoBase64URL.fromBuffer(key);
export const decodeKey = (key: string) => isoBase64URL.toBuffer(key);
