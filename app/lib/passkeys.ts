/**
 * Passkeys in the browser: creating one (from the Security page) and signing in with one. The
 * WebAuthn library (@simplewebauthn/browser) loads only when a ceremony starts, so the first page
 * does not pay for it. Ceremony failures become `ApiProblem`s, shown like any API refusal.
 *
 * No autofill (conditional UI): the server keeps a ceremony's challenge in one cookie per browser,
 * so a request left waiting in every open sign-in tab would overwrite each other's challenge.
 */
import type { Account, Passkey } from '#contract';
import type { WebAuthnError } from '@simplewebauthn/browser';
import { accountApi } from '#lib/api/account.ts';
import { ApiProblem } from '#lib/api/request.ts';
import { securityApi } from '#lib/api/security.ts';

const library = () => import('@simplewebauthn/browser');

/** Whether this browser can create and use passkeys at all (WebAuthn). */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

/** Creates a passkey on this device (or a phone or security key) and registers it under `name`. */
export async function registerPasskey(name: string): Promise<Passkey> {
  const { startRegistration } = await library();
  const optionsJSON = await securityApi.passkeyRegistrationOptions();
  const response = await startRegistration({ optionsJSON }).catch((error: unknown) => {
    throw ceremonyProblem(error, 'registration');
  });
  // Copied into plain objects: the contract types the envelope as open records, which the library's
  // interfaces (no index signature) are not assignable to as they are.
  return securityApi.addPasskey({ name, response: { ...response, response: { ...response.response } } });
}

/** Signs in with a passkey: the browser asks which one (this device, a phone nearby, a key). */
export async function signInWithPasskey(): Promise<Account> {
  const { startAuthentication } = await library();
  const optionsJSON = await accountApi.passkeySignInOptions();
  const response = await startAuthentication({ optionsJSON }).catch((error: unknown) => {
    throw ceremonyProblem(error, 'sign-in');
  });
  try {
    return await accountApi.signInWithPasskey({ response: { ...response, response: { ...response.response } } });
  } catch (error) {
    if (error instanceof ApiProblem && error.code === 'invalid_credentials') {
      throw new ApiProblem(
        401,
        error.code,
        'This passkey was not accepted: it may have been removed from your account. Sign in with your password.',
      );
    }
    throw error;
  }
}

/**
 * Confirms it is you with a passkey (for creating tokens and passkeys after a while signed in):
 * the browser asks which one; the server accepts only one of yours, verified by the device.
 */
export async function reauthenticateWithPasskey(): Promise<void> {
  const { startAuthentication } = await library();
  const optionsJSON = await accountApi.passkeySignInOptions();
  const response = await startAuthentication({ optionsJSON: { ...optionsJSON, userVerification: 'required' } }).catch((error: unknown) => {
    throw ceremonyProblem(error, 'sign-in');
  });
  try {
    await securityApi.reauthenticate({ passkey: { ...response, response: { ...response.response } } });
  } catch (error) {
    if (error instanceof ApiProblem && error.code === 'invalid_credentials') {
      throw new ApiProblem(401, error.code, 'This passkey is not one of yours here. Use another, or enter your password.');
    }
    throw error;
  }
}

function ceremonyProblem(error: unknown, ceremony: 'registration' | 'sign-in'): ApiProblem {
  const { code, name, message } = (error ?? {}) as Partial<WebAuthnError>;
  if (code === 'ERROR_CEREMONY_ABORTED') return new ApiProblem(0, 'passkey_cancelled', 'The passkey request was cancelled.');
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return new ApiProblem(0, 'passkey_exists', 'This device already has a passkey for your account: you can sign in with it.');
  }
  // NotAllowedError: the person closed the prompt, or it timed out. Browsers say no more, on purpose.
  if (code === 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY' || name === 'NotAllowedError') {
    return new ApiProblem(
      0,
      'passkey_cancelled',
      ceremony === 'registration'
        ? 'No passkey was created: the request was cancelled or timed out. Try again.'
        : 'No passkey was used: the request was cancelled or timed out. Try again, or sign in with your password.',
    );
  }
  return new ApiProblem(0, 'passkey_failed', `This device could not use a passkey (${message ?? 'unknown error'}).`);
}
