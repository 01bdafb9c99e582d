/**
 * Passkeys (WebAuthn) with @simplewebauthn/server. The relying party is the hostname of this
 * deployment's PUBLIC_ORIGIN.
 *
 * Every ceremony's challenge is issued by the server and used at most once, without storing
 * anything for a stranger who only asks for options: a challenge is its own record,
 * `version | purpose | expiry | id | HMAC(SECRET_KEY, … | binding)`, so the Worker can tell a
 * challenge it issued (for this purpose, to this caller, still valid) from any other before any
 * object is asked. The id is then consumed in the subscription's object, in the transaction that
 * signs the device in or stores the passkey (`consumed_challenges`), so a captured assertion works
 * nowhere a second time, even from an authenticator whose signature counter stays 0 (every synced
 * passkey). No cookie carries the challenge, so every tab has its own.
 *
 * The passkey's user handle names its subscription and user (`<subscriptionId>:<userId>`), so a
 * sign-in goes straight to the right object, and carries a MAC over both: a made-up handle never
 * reaches (and so never creates) a subscription's object.
 */
import { decodeClientDataJSON, isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Context } from 'hono';
import type { UsedChallenge } from '../objects/challenges';
import { isLoopback, publicOrigin, secretKeys } from './config';
import type { AppEnv } from './context';

/** How long a ceremony may take: the options' `timeout`, and how long the challenge is accepted. */
export const CHALLENGE_MS = 5 * 60_000;

const VERSION = 1;
const PURPOSES = { 'sign-in': 1, registration: 2 } as const;
type Purpose = keyof typeof PURPOSES;
/** version (1) + purpose (1) + expiry in Unix seconds (4) + id (16), then the HMAC-SHA-256 (32). */
const SIGNED_BYTES = 22;
const CHALLENGE_BYTES = SIGNED_BYTES + 32;

/** A challenge this server did not issue, or no longer accepts. */
export const PASSKEY_REQUEST_EXPIRED = {
  ok: false,
  code: 'passkey_expired',
  detail: 'This passkey request expired or did not come from this site. Start again.',
} as const;

/**
 * A sign-in whose signature (or anything else the library checks) does not hold up. What the
 * library found stays out of the answer: it helps nobody who is signing in.
 */
export const PASSKEY_NOT_VERIFIED = {
  ok: false,
  code: 'passkey_invalid',
  detail: 'This passkey could not be verified. Try again, or sign in with your password.',
} as const;

/** A passkey added before user handles were signed: it can no longer be told from a made-up one. */
export const PASSKEY_BEFORE_SIGNED_HANDLES =
  'This passkey was added before a security update and no longer signs in. Sign in with your password, then remove it ' +
  'under Me › Security and add it again.';

/** The same for a new passkey. */
export const PASSKEY_NOT_REGISTERED = {
  ok: false,
  code: 'validation_failed',
  detail: 'This passkey could not be verified. Try again, or use another device or security key.',
} as const;

/**
 * This site as a WebAuthn relying party: its configured public origin, never the request's Host
 * header. One exception, for local development only: WebAuthn refuses an IP address as relying
 * party, so while the public origin is a loopback address (`npm start`, the tests) a request made to
 * the same port as `localhost` is its own relying party. A deployed origin is never replaced.
 */
export function relyingParty(c: Context<AppEnv>) {
  const configured = new URL(publicOrigin(c.env));
  const asked = new URL(c.req.url);
  const local = isLoopback(configured.hostname) && isLoopback(asked.hostname) && asked.port === configured.port;
  const origin = local ? asked.origin : configured.origin;
  return { rpName: 'SetMe Seats', rpID: new URL(origin).hostname, origin };
}

/**
 * A new challenge for a ceremony. `binding` ties it to who may answer it: nothing for a sign-in
 * (anyone may start one), the caller's subscription and credential for a registration.
 * @example const challenge = await issueChallenge(c.env, 'sign-in', '');
 */
export async function issueChallenge(env: Env, purpose: Purpose, binding: string, now = Date.now()): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(CHALLENGE_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, VERSION);
  view.setUint8(1, PURPOSES[purpose]);
  view.setUint32(2, Math.floor((now + CHALLENGE_MS) / 1000));
  bytes.set(crypto.getRandomValues(new Uint8Array(16)), 6);
  bytes.set(await macOf(env, bytes, binding), SIGNED_BYTES);
  return bytes;
}

/**
 * The challenge's id and expiry if this server issued it for `purpose` and `binding` and it has
 * not expired; null for anything else (made up, altered, another caller's, too old). Whether it
 * was already used is for the subscription's object to say (`consumeChallenge`).
 */
export async function checkChallenge(env: Env, challenge: string | null, purpose: Purpose, binding: string, now = Date.now()): Promise<UsedChallenge | null> {
  if (!challenge || !isoBase64URL.isBase64URL(challenge)) return null;
  const bytes = isoBase64URL.toBuffer(challenge);
  if (bytes.length !== CHALLENGE_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expiresAt = view.getUint32(2) * 1000;
  // A challenge lives CHALLENGE_MS; one that claims longer was not made here.
  if (view.getUint8(0) !== VERSION || view.getUint8(1) !== PURPOSES[purpose] || expiresAt <= now || expiresAt > now + CHALLENGE_MS + 1000) {
    return null;
  }
  if (!sameBytes(bytes.slice(SIGNED_BYTES), await macOf(env, bytes, binding))) return null;
  return { id: toHex(bytes.slice(6, SIGNED_BYTES)), expiresAt };
}

/** The challenge a ceremony's response answers (from its clientDataJSON), or null when unreadable. */
export function challengeOf(response: { response: Record<string, unknown> }): string | null {
  const clientData = response.response['clientDataJSON'];
  if (typeof clientData !== 'string') return null;
  try {
    return decodeClientDataJSON(clientData).challenge;
  } catch {
    return null;
  }
}

/** What the MAC covers: a label, the challenge's first bytes, and whom it was issued to. */
function signed(bytes: Uint8Array, binding: string): Uint8Array<ArrayBuffer> {
  const label = new TextEncoder().encode('setme webauthn challenge\n');
  const bound = new TextEncoder().encode(`\n${binding}`);
  const out = new Uint8Array(label.length + SIGNED_BYTES + bound.length);
  out.set(label);
  out.set(bytes.subarray(0, SIGNED_BYTES), label.length);
  out.set(bound, label.length + SIGNED_BYTES);
  return out;
}

/** The HMAC-SHA-256 over a challenge, with the Worker's signing key (config.ts; the label keeps it apart from other secrets). */
async function macOf(env: Env, bytes: Uint8Array, binding: string): Promise<Uint8Array> {
  const { sign } = await secretKeys(env);
  return new Uint8Array(await crypto.subtle.sign('HMAC', sign, signed(bytes, binding)));
}

/** Compares two MACs in time that does not depend on where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A user handle is at most 64 bytes (WebAuthn): the ids, a zero byte, and the MAC cut to fit. */
const HANDLE_BYTES = 64;
const HANDLE_MAC_MIN = 12;

/**
 * The user handle stored with a passkey: which subscription and user it signs in,
 * `<subscriptionId>:<userId>`, a zero byte, then an HMAC of those ids with the Worker's key.
 */
export async function userHandle(env: Env, subscriptionId: string, userId: string): Promise<Uint8Array<ArrayBuffer>> {
  const named = new TextEncoder().encode(`${subscriptionId}:${userId}`);
  const room = HANDLE_BYTES - named.length - 1;
  if (room < HANDLE_MAC_MIN) throw new Error(`ids too long for a passkey user handle: ${named.length} bytes`);
  const out = new Uint8Array(HANDLE_BYTES);
  out.set(named);
  out.set((await handleMac(env, named)).subarray(0, room), named.length + 1);
  return out;
}

/**
 * Reads a user handle back: the subscription and user when this Worker signed it; `unsigned` for a
 * handle of a passkey added before handles were signed (it cannot be told from a made-up one, so it
 * no longer signs in); null for anything else.
 */
export async function parseUserHandle(env: Env, handle: string | undefined): Promise<{ subscriptionId: string; userId: string } | 'unsigned' | null> {
  if (!handle || !isoBase64URL.isBase64URL(handle)) return null;
  const bytes = isoBase64URL.toBuffer(handle);
  const end = bytes.indexOf(0);
  const named = end === -1 ? bytes : bytes.subarray(0, end);
  const [subscriptionId, userId, ...rest] = new TextDecoder().decode(named).split(':');
  if (!subscriptionId || !userId || rest.length > 0) return null;
  if (end === -1) return 'unsigned';
  const mac = bytes.subarray(end + 1);
  if (mac.length < HANDLE_MAC_MIN || !sameBytes(mac, (await handleMac(env, named)).subarray(0, mac.length))) return null;
  return { subscriptionId, userId };
}

async function handleMac(env: Env, named: Uint8Array): Promise<Uint8Array> {
  const { sign } = await secretKeys(env);
  const label = new TextEncoder().encode('setme passkey user handle\n');
  const text = new Uint8Array(label.length + named.length);
  text.set(label);
  text.set(named, label.length);
  return new Uint8Array(await crypto.subtle.sign('HMAC', sign, text));
}

export const encodeKey = (key: Parameters<typeof isoBase64URL.fromBuffer>[0]): string => isoBase64URL.fromBuffer(key);
export const decodeKey = (key: string) => isoBase64URL.toBuffer(key);
