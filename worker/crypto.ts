/**
 * Secrets, hashes and ids, all from WebCrypto. Secrets (sign-in cookies, API tokens, invitation
 * and reset links) name the subscription they belong to, so the Worker knows which object to ask
 * without a global lookup, and carry an HMAC of that name made with the Worker's secret key, so a
 * made-up secret is refused before any object is asked (or created); objects store only the
 * SHA-256 of the whole secret.
 */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case base32 of random bytes: URL-, cookie- and header-safe. */
export function randomToken(bytes: number): string {
  return base32(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base32(data: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** An id that cannot be guessed, e.g. `usr_3kq…` (100 random bits). */
export const newId = (prefix: 'sub' | 'usr' | 'tok' | 'con' | 'grp' | 'pool'): string => `${prefix}_${randomToken(13).slice(0, 20)}`;

/**
 * The same id every time for the same seed, shaped like `newId`'s. A keyed create derives its id
 * from the caller and the Idempotency-Key, so a retry after a crash between claiming the user's
 * email and storing the user claims it again as the same user, instead of finding it taken.
 * @example await derivedId('usr', `${credentialHash}\n${idempotencyKey}`)
 */
export async function derivedId(prefix: 'usr', seed: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${prefix}\n${seed}`));
  return `${prefix}_${base32(new Uint8Array(digest).slice(0, 13)).slice(0, 20)}`;
}

const SECRET = /^(sub_[a-z2-7]{20}\.[a-z2-7]{52})\.([a-z2-7]{26})$/;
export const API_TOKEN_PREFIX = 'setme_';

/** The Worker's keys, derived from its one secret key: `sign` signs secrets, `seal` seals sign-up confirmations. */
export interface SecretKeys {
  sign: CryptoKey;
  seal: CryptoKey;
}

/** Derives the Worker's keys from its secret key (HKDF-SHA-256, one purpose each). */
export async function deriveKeys(secretKey: string): Promise<SecretKeys> {
  const base = await crypto.subtle.importKey('raw', utf8(secretKey), 'HKDF', false, ['deriveKey']);
  const derive = (purpose: string, algorithm: SubtleCryptoImportKeyAlgorithm, usages: string[]) =>
    crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(purpose) }, base, algorithm, false, usages);
  return {
    sign: await derive('setme-seats secrets', { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign']),
    seal: await derive('setme-seats sealed', { name: 'AES-GCM', length: 256 }, ['encrypt', 'decrypt']),
  };
}

/**
 * A new secret bound to a subscription: `<subscriptionId>.<52 base32 chars: 256 random bits>.<26:
 * a 128-bit HMAC of what precedes it>`.
 */
export async function newSecret(keys: SecretKeys, subscriptionId: string): Promise<string> {
  const body = `${subscriptionId}.${randomToken(32)}`;
  return `${body}.${await signature(keys, body)}`;
}

/** The subscription a secret names, if the Worker's key signed it; null for anything else. */
export async function parseSecret(keys: SecretKeys, secret: string): Promise<{ subscriptionId: string } | null> {
  const match = SECRET.exec(secret);
  if (!match) return null;
  const signed = constantTimeEqual(await signature(keys, match[1]!), match[2]!);
  return signed ? { subscriptionId: match[1]!.slice(0, match[1]!.indexOf('.')) } : null;
}

/** A 128-bit HMAC-SHA-256 of `text`, in base32 (26 characters). */
export async function signature(keys: SecretKeys, text: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', keys.sign, utf8(text));
  return base32(new Uint8Array(mac).slice(0, 16));
}

/**
 * Encrypts and authenticates a value (AES-256-GCM) into a URL-safe token that only this Worker can
 * open: what a sign-up confirmation link carries, so nothing is stored before it is confirmed.
 */
export async function seal(keys: SecretKeys, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, keys.seal, utf8(JSON.stringify(value))));
  const bytes = new Uint8Array(iv.length + sealed.length);
  bytes.set(iv);
  bytes.set(sealed, iv.length);
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The value a `seal` token holds; null when it is not one this Worker sealed (or was changed). */
export async function unseal(keys: SecretKeys, token: string): Promise<unknown> {
  try {
    const bytes = Uint8Array.from(atob(token.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
    const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12) }, keys.seal, bytes.slice(12));
    return JSON.parse(new TextDecoder().decode(opened));
  } catch {
    return null;
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Hex SHA-256, used to store secrets and fingerprint request bodies. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

/** Workers cap PBKDF2 at 100,000 iterations. */
const PBKDF2_ITERATIONS = 100_000;

export interface PasswordHash {
  hash: string;
  salt: string;
  iterations: number;
}

/** Hashes a password with PBKDF2-SHA-256 and a fresh per-user salt. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = toHex(crypto.getRandomValues(new Uint8Array(16)));
  return { hash: await pbkdf2(password, salt, PBKDF2_ITERATIONS), salt, iterations: PBKDF2_ITERATIONS };
}

/** Checks a password in constant time with respect to where the hashes differ. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  return constantTimeEqual(await hashPasswordLike(password, stored), stored.hash);
}

/** A password's hash with a stored hash's salt and iterations, for the object to compare itself. */
export function hashPasswordLike(password: string, stored: Omit<PasswordHash, 'hash'>): Promise<string> {
  return pbkdf2(password, stored.salt, stored.iterations);
}

/** Compares two strings without an early exit, so timing does not reveal a common prefix. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ (right[i % Math.max(1, right.length)] ?? 0);
  return diff === 0;
}

async function pbkdf2(password: string, salt: string, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new TextEncoder().encode(salt), iterations },
    key,
    256,
  );
  return toHex(new Uint8Array(bits));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
