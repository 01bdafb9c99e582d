/**
 * Account security through the API: password reset and change, signed-in devices, passkeys.
 * Goes through the same `request` as every other call (see api.ts); the browser side of the
 * passkey ceremonies is in passkeys.ts.
 */
import type { Account, Device, Notice, Page, Passkey, SignedOut } from '#contract';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { request } from './api';

export const securityApi = {
  /** Always answers with the same sentence, whether or not the email belongs to anyone. */
  requestPasswordReset: (email: string) => request<Notice>('POST', '/auth/password-reset', { email }),
  /** Sets the new password from a reset link; signs in here and out everywhere else. */
  resetPassword: (token: string, password: string) =>
    request<Account>('POST', '/auth/password-reset/confirm', { token, password }),
  /** Other devices are signed out; this one stays signed in. */
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/me/password', { currentPassword, newPassword }),

  sessions: () => request<Page<Device>>('GET', '/sessions'),
  endSession: (id: string) => request<void>('DELETE', `/sessions/${encodeURIComponent(id)}`),
  endOtherSessions: () => request<SignedOut>('POST', '/sessions/sign-out-others'),

  passkeys: () => request<Page<Passkey>>('GET', '/passkeys'),
  // The ceremony's challenge travels in an HttpOnly cookie from the options call to the next one.
  passkeyRegistrationOptions: () => request<PublicKeyCredentialCreationOptionsJSON>('POST', '/passkeys/registration-options'),
  addPasskey: (name: string, response: RegistrationResponseJSON) => request<Passkey>('POST', '/passkeys', { name, response }),
  deletePasskey: (id: string) => request<void>('DELETE', `/passkeys/${encodeURIComponent(id)}`),
  passkeySignInOptions: () => request<PublicKeyCredentialRequestOptionsJSON>('POST', '/auth/passkey-options'),
  signInWithPasskey: (response: AuthenticationResponseJSON) => request<Account>('POST', '/auth/passkey', { response }),
};
