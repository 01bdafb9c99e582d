/**
 * A software passkey: answers a WebAuthn registration the way an authenticator with "none"
 * attestation and an ES256 key does, so worker tests can register real passkeys through the API,
 * and signs assertions with them (`assertPasskey`). The browser tests use Chromium's virtual
 * authenticator instead.
 */
import { ORIGIN } from './helpers';

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

/** The little CBOR a registration needs: integers, byte and text strings, maps. */
function cbor(value: Cbor): Uint8Array {
  const head = (major: number, n: number): number[] => {
    if (n < 24) return [(major << 5) | n];
    if (n < 0x100) return [(major << 5) | 24, n];
    if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
    return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  };
  if (typeof value === 'number') return new Uint8Array(value >= 0 ? head(0, value) : head(1, -1 - value));
  if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    return concat(new Uint8Array(head(3, bytes.length)), bytes);
  }
  if (value instanceof Uint8Array) return concat(new Uint8Array(head(2, value.length)), value);
  return concat(new Uint8Array(head(5, value.size)), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)]));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/**
 * The `RegistrationResponseJSON` for options from `POST /v1/passkeys/registration-options`.
 * @example const response = await registerPasskey((await api.post('/v1/passkeys/registration-options')).body);
 */
export async function registerPasskey(options: { challenge: string; rp: { id?: string }; user?: { id: string } }, origin = ORIGIN) {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', keys.publicKey)) as JsonWebKey;
  const credentialId = crypto.getRandomValues(new Uint8Array(16));
  const rpId = options.rp.id ?? new URL(origin).hostname;
  const rpIdHash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(rpId)));
  // COSE_Key for ES256: kty EC2, alg -7, crv P-256, x, y.
  const publicKey = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, fromBase64url(jwk.x!)], [-3, fromBase64url(jwk.y!)]]));
  const flags = 0x01 | 0x04 | 0x40; // user present, user verified, attested credential data
  const authData = concat(
    rpIdHash,
    new Uint8Array([flags, 0, 0, 0, 0]),
    new Uint8Array(16), // AAGUID: none
    new Uint8Array([0, credentialId.length]),
    credentialId,
    publicKey,
  );
  const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
  const clientData = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false });
  const id = base64url(credentialId);
  if (options.user) passkeys.set(id, { key: keys.privateKey, userHandle: options.user.id });
  return {
    id,
    rawId: id,
    type: 'public-key' as const,
    response: {
      clientDataJSON: base64url(new TextEncoder().encode(clientData)),
      attestationObject: base64url(attestationObject),
      transports: ['internal'],
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  };
}

/** The private key and user handle of every passkey registered above, by credential id. */
const passkeys = new Map<string, { key: CryptoKey; userHandle: string }>();

/**
 * The `AuthenticationResponseJSON` of a passkey registered above, over the challenge of options
 * from `POST /v1/auth/passkey-options`: user present and verified, signature counter 0.
 */
export async function assertPasskey(credentialId: string, options: { challenge: string; rpId?: string }, origin = ORIGIN) {
  const passkey = passkeys.get(credentialId);
  if (!passkey) throw new Error(`no passkey ${credentialId} was registered here`);
  const rpIdHash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(options.rpId ?? new URL(origin).hostname)));
  const authData = concat(rpIdHash, new Uint8Array([0x01 | 0x04, 0, 0, 0, 0]));
  const clientData = new TextEncoder().encode(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }));
  const signed = concat(authData, new Uint8Array(await crypto.subtle.digest('SHA-256', clientData)));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, passkey.key, signed));
  return {
    id: credentialId,
    rawId: credentialId,
    type: 'public-key' as const,
    response: {
      clientDataJSON: base64url(clientData),
      authenticatorData: base64url(authData),
      signature: base64url(derSignature(raw)),
      userHandle: passkey.userHandle,
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  };
}

/** WebCrypto signs ECDSA as r‖s; WebAuthn wants the ASN.1 DER sequence of the two integers. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.slice(start);
    const padded = trimmed[0]! & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed;
    return concat(new Uint8Array([0x02, padded.length]), padded);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}
