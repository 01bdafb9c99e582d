/**
 * Secrets, hashes and ids, all from WebCrypto. Secrets (sign-in cookies, API tokens, invitation
 * links) name the subscription they belong to, so the Worker knows which object to ask without a
 * global lookup; objects store only the SHA-256 of the secret part.
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
export const newId = (prefix: 'sub' | 'usr' | 'tok' | 'con' | 'grp'): string => `${prefix}_${randomToken(13).slice(0, 20)}`;

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

const SECRET = /^(sub_[a-z2-7]{20})\.([a-z2-7]{52})$/;
export const API_TOKEN_PREFIX = 'setme_';

/** A new secret bound to a subscription: `<subscriptionId>.<52 base32 chars>` (256 bits). */
export const newSecret = (subscriptionId: string): string => `${subscriptionId}.${randomToken(32)}`;

/** Splits a secret into the subscription it names; null when it is not one of ours. */
export function parseSecret(secret: string): { subscriptionId: string } | null {
  const match = SECRET.exec(secret);
  return match ? { subscriptionId: match[1]! } : null;
}

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
