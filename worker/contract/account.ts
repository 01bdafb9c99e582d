/**
 * Signing up, in and out, invitations, password resets, and the caller's own security: devices
 * (signed-in browsers and apps), passwords, passkeys and personal API tokens.
 */
import { z } from 'zod';
import { Email, MAX_SEATS, MIN_SEATS, Name, Password, Text, Timestamp } from './common';
import { Account } from './users';

// ── Signing up and in ───────────────────────────────────────────────────────────────────────

export const SignupBody = z
  .object({
    organization: Name.meta({ example: 'Acme Support' }),
    name: Name.meta({ example: 'Ada Lovelace' }),
    email: Email,
    password: Password,
    seats: z.number().int().min(MIN_SEATS).max(MAX_SEATS).meta({ example: 6 }),
    assignSeat: z.boolean().default(true),
  })
  .strict();
export type SignupBody = z.input<typeof SignupBody>;

/** The answer to a sign-up, the same for every address: a confirmation link (or, for a taken address, a note) is mailed. */
export const SignupAccepted = z.object({ status: z.literal('confirmation_sent') }).meta({ id: 'SignupAccepted' });
export type SignupAccepted = z.infer<typeof SignupAccepted>;

/** The token from a sign-up confirmation link (`/confirm-signup#token=…`). */
export const SignupConfirmBody = z.object({ token: z.string().min(1).max(4096) }).strict();
export type SignupConfirmBody = z.input<typeof SignupConfirmBody>;

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(256) }).strict();
export type LoginBody = z.input<typeof LoginBody>;

export const PasswordResetBody = z.object({ email: Email }).strict();
export type PasswordResetBody = z.input<typeof PasswordResetBody>;

/** A sentence that says what happened, for answers that have nothing else to say. */
export const Notice = z.object({ detail: z.string() }).meta({ id: 'Notice' });
export type Notice = z.infer<typeof Notice>;

/** What a password reset or change took away from the account, so an intruder is out. */
export const RemovedAccess = z
  .object({
    devices: z.number().int().meta({ description: 'Devices signed out.' }),
    apiTokens: z.number().int().meta({ description: 'API tokens revoked.' }),
    passkeys: z.number().int().meta({ description: 'Passkeys removed (add yours again).' }),
  })
  .meta({ id: 'RemovedAccess' });
export type RemovedAccess = z.infer<typeof RemovedAccess>;

/** After a reset: signed in here, everything else removed; `detail` says what, as a sentence. */
export const RecoveredAccount = Account.extend({ removed: RemovedAccess, detail: z.string() }).meta({ id: 'RecoveredAccount' });
export type RecoveredAccount = z.infer<typeof RecoveredAccount>;

export const PasswordResetConfirmBody = z.object({ token: z.string().min(1).max(200), password: Password }).strict();
export type PasswordResetConfirmBody = z.input<typeof PasswordResetConfirmBody>;

export const AcceptInvitationBody = z.object({ token: z.string().min(1).max(200), password: Password }).strict();
export type AcceptInvitationBody = z.input<typeof AcceptInvitationBody>;

/** A WebAuthn ceremony's JSON from the browser: the envelope is checked here, the cryptography by the library. */
const credentialEnvelope = { id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal('public-key') };

export const PasskeyLoginBody = z
  .object({
    response: z.object({ ...credentialEnvelope, response: z.looseObject({ userHandle: z.string().max(512).optional() }) }).loose(),
  })
  .strict();

/**
 * What a device that signed itself out sends at its next contact: the hex SHA-256 of
 * "setme sign-out\n" followed by its `__Host-setme_key` cookie, which it deleted.
 */
export const SignOutProofBody = z.object({ proof: z.string().regex(/^[0-9a-f]{64}$/, 'A sign-out proof is 64 hex digits.') }).strict();
export type SignOutProofBody = z.input<typeof SignOutProofBody>;

/** Options for `navigator.credentials.get()` / `.create()`, as @simplewebauthn produces them. */
export const WebAuthnOptions = z.looseObject({});

// ── Devices, passwords, passkeys ────────────────────────────────────────────────────────────

/** A signed-in browser or app; `current` is the one asking. */
export const Device = z
  .object({ id: z.string(), userAgent: z.string().nullable(), createdAt: Timestamp, lastSeenAt: Timestamp, current: z.boolean() })
  .meta({ id: 'Device' });
export type Device = z.infer<typeof Device>;

export const SignedOut = z.object({ ended: z.number().int() }).meta({ id: 'SignedOut' });
export type SignedOut = z.infer<typeof SignedOut>;

export const PasswordChangeBody = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: Password,
    revokeApiTokens: z.boolean().default(false).meta({ description: 'Also revoke your API tokens (except the one asking).' }),
    removePasskeys: z.boolean().default(false).meta({ description: 'Also remove your passkeys.' }),
  })
  .strict();
export type PasswordChangeBody = z.input<typeof PasswordChangeBody>;

/** After a password change: what was removed (always your other devices), and a sentence saying so. */
export const PasswordChanged = z.object({ removed: RemovedAccess, detail: z.string() }).meta({ id: 'PasswordChanged' });
export type PasswordChanged = z.infer<typeof PasswordChanged>;

/** Confirming it is you, for a credential signed in more than 10 minutes ago: a password or a passkey. */
export const ReauthenticateBody = z
  .object({
    password: z.string().min(1).max(256).optional(),
    passkey: PasskeyLoginBody.shape.response
      .optional()
      .meta({ description: 'An assertion over a challenge from POST /auth/passkey-options, by one of your passkeys.' }),
  })
  .strict()
  .refine((b) => (b.password === undefined) !== (b.passkey === undefined), 'Give either "password" or "passkey".');
export type ReauthenticateBody = z.input<typeof ReauthenticateBody>;

export const Reauthenticated = z
  .object({ until: Timestamp.meta({ description: 'Creating API tokens and passkeys is allowed until then.' }) })
  .meta({ id: 'Reauthenticated' });
export type Reauthenticated = z.infer<typeof Reauthenticated>;

export const Passkey = z
  .object({ id: z.string(), name: z.string(), createdAt: Timestamp, lastUsedAt: Timestamp.nullable() })
  .meta({ id: 'Passkey' });
export type Passkey = z.infer<typeof Passkey>;

export const PasskeyRegistrationBody = z
  .object({
    name: Text({ min: 1, max: 60, what: 'Names' }).default('Passkey'),
    response: z.object({ ...credentialEnvelope, response: z.looseObject({}) }).loose(),
  })
  .strict();

// ── API tokens ──────────────────────────────────────────────────────────────────────────────

export const TokenScope = z.enum(['read', 'write', 'scim']).meta({
  description:
    '"read" tokens may only read; any write with one is 403. "scim" (administrators) makes a directory token for ' +
    'Okta, Entra ID or another SCIM client: it works only under /scim/v2, and nothing else works there.',
});
export type TokenScope = z.infer<typeof TokenScope>;

/** When a token stops working; null: never (the app warns against it). */
export const TokenExpiry = Timestamp.nullable().meta({ description: 'When the token stops working (401 `token_expired`); null: never.' });

/** How long a new token works when the request does not say. */
export const TOKEN_DEFAULT_DAYS = 90;

export const ApiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: TokenScope,
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    expiresAt: TokenExpiry,
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;

/** A new token with its secret, shown only in the answer that creates it. */
export const CreatedApiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: TokenScope,
    token: z.string(),
    createdAt: Timestamp,
    expiresAt: TokenExpiry,
    warning: z.string().optional().meta({ description: 'Present for a token that never expires: why that is a risk.' }),
  })
  .meta({ id: 'CreatedApiToken' });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const TokenBody = z
  .object({
    name: Name.meta({ example: 'Provisioning script' }),
    scope: TokenScope.default('write'),
    expiresAt: z
      .union([z.iso.datetime({ offset: true }).refine((at) => Date.parse(at) > Date.now(), 'expiresAt must be in the future.'), z.literal('never')])
      .optional()
      .meta({ description: `When the token stops working: a future time, or "never" (not recommended). Default: in ${TOKEN_DEFAULT_DAYS} days.` }),
  })
  .strict();
export type TokenBody = z.input<typeof TokenBody>;
