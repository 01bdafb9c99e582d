/**
 * Signing up, in and out, invitations, password resets, and the caller's own security: devices
 * (signed-in browsers and apps), passwords, passkeys and personal API tokens.
 */
import { z } from 'zod';
import { Email, MAX_SEATS, MIN_SEATS, Name, Password, Timestamp } from './common';

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

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(256) }).strict();
export type LoginBody = z.input<typeof LoginBody>;

export const PasswordResetBody = z.object({ email: Email }).strict();
export type PasswordResetBody = z.input<typeof PasswordResetBody>;

/** A sentence that says what happened, for answers that have nothing else to say. */
export const Notice = z.object({ detail: z.string() }).meta({ id: 'Notice' });
export type Notice = z.infer<typeof Notice>;

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

export const PasswordChangeBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: Password }).strict();
export type PasswordChangeBody = z.input<typeof PasswordChangeBody>;

export const Passkey = z
  .object({ id: z.string(), name: z.string(), createdAt: Timestamp, lastUsedAt: Timestamp.nullable() })
  .meta({ id: 'Passkey' });
export type Passkey = z.infer<typeof Passkey>;

export const PasskeyRegistrationBody = z
  .object({
    name: z.string().trim().min(1).max(60).default('Passkey'),
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

export const ApiToken = z
  .object({ id: z.string(), name: z.string(), scope: TokenScope, createdAt: Timestamp, lastUsedAt: Timestamp.nullable() })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;

/** A new token with its secret, shown only in the answer that creates it. */
export const CreatedApiToken = z
  .object({ id: z.string(), name: z.string(), scope: TokenScope, token: z.string(), createdAt: Timestamp })
  .meta({ id: 'CreatedApiToken' });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const TokenBody = z.object({ name: Name.meta({ example: 'Provisioning script' }), scope: TokenScope.default('write') }).strict();
export type TokenBody = z.input<typeof TokenBody>;
