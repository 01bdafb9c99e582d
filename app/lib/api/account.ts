/**
 * Signing in and out (worker/http/routes/account.ts): each way in answers with the signed-in
 * `Account` and sets the session cookie. Password resets and passkey sign-in live there too;
 * signing up is in signup.ts.
 */
import type {
  AcceptInvitationBody,
  Account,
  LoginBody,
  Notice,
  PasskeyLoginBody as PasskeyLoginSchema,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RecoveredAccount,
} from '#contract';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import type { z } from 'zod';
import { request } from './request.ts';

export type PasskeyLoginBody = z.input<typeof PasskeyLoginSchema>;

export const accountApi = {
  me: () => request<Account>('GET', '/me'),
  signIn: (body: LoginBody) => request<Account>('POST', '/auth/login', body),
  signOut: () => request<void>('POST', '/auth/logout'),
  acceptInvitation: (body: AcceptInvitationBody) => request<Account>('POST', '/invitations/accept', body),

  /** Always answers with the same sentence, whether or not the email belongs to anyone. */
  requestPasswordReset: (body: PasswordResetBody) => request<Notice>('POST', '/auth/password-reset', body),
  /** Sets the new password from a reset link; signs in here, removes every other way in, and says what. */
  resetPassword: (body: PasswordResetConfirmBody) => request<RecoveredAccount>('POST', '/auth/password-reset/confirm', body),

  // The ceremony's challenge travels in an HttpOnly cookie from the options call to the next one.
  passkeySignInOptions: () => request<PublicKeyCredentialRequestOptionsJSON>('POST', '/auth/passkey-options'),
  signInWithPasskey: (body: PasskeyLoginBody) => request<Account>('POST', '/auth/passkey', body),
};
