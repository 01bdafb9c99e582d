/**
 * The signed-in person's own security (worker/http/routes/security.ts): their devices (signed-in
 * browsers and apps), their password, their passkeys. The browser side of the passkey ceremonies
 * is in passkeys.ts.
 */
import type {
  Device,
  Page,
  Passkey,
  PasskeyRegistrationBody as PasskeyRegistrationSchema,
  PasswordChangeBody,
  PasswordChanged,
  ReauthenticateBody,
  Reauthenticated,
  SignedOut,
} from '#contract';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import type { z } from 'zod';
import { request, segment } from './request.ts';

export type PasskeyRegistrationBody = z.input<typeof PasskeyRegistrationSchema>;

export const securityApi = {
  devices: () => request<Page<Device>>('GET', '/devices'),
  signOutDevice: (id: string) => request<void>('DELETE', `/devices/${segment(id)}`),
  /** Every other device is signed out; this one stays signed in. */
  signOutOtherDevices: () => request<SignedOut>('POST', '/devices/sign-out-others'),

  /** Other devices are signed out (tokens and passkeys too, if asked); this one stays signed in. */
  changePassword: (body: PasswordChangeBody) => request<PasswordChanged>('POST', '/me/password', body),
  /** Confirms it is you (password or passkey): creating tokens and passkeys works for 10 minutes. */
  reauthenticate: (body: ReauthenticateBody) => request<Reauthenticated>('POST', '/me/reauthenticate', body),

  passkeys: () => request<Page<Passkey>>('GET', '/passkeys'),
  passkeyRegistrationOptions: () => request<PublicKeyCredentialCreationOptionsJSON>('POST', '/passkeys/registration-options'),
  addPasskey: (body: PasskeyRegistrationBody) => request<Passkey>('POST', '/passkeys', body),
  deletePasskey: (id: string) => request<void>('DELETE', `/passkeys/${segment(id)}`),
};
