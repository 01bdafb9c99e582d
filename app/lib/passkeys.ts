/**
 * Passkeys in the browser: creating one (from the Security page) and signing in with one. The
 * WebAuthn library (@simplewebauthn/browser) loads only when a ceremony starts, so the first page
 * does not pay for it. Ceremony failures become `ApiProblem`s, shown like any API refusal.
 *
 * Every ceremony gets its own challenge from the server (signed, 5 minutes, good once), so the
 * sign-in form can also offer passkeys in the email field's autofill (conditional UI) in every
 * open tab without one tab's request spoiling another's.
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
  // The server's refusals (passkey_invalid, passkey_expired) already say what to do.
  return accountApi.signInWithPasskey({ response: { ...response, response: { ...response.response } } });
}

/**
 * Offers this site's passkeys in the autofill of the field marked `autocomplete="username webauthn"`
 * and waits: answers the account once one is picked and accepted, or null when the browser has no
 * such autofill, is offline, or the wait was cancelled (the "Sign in with a passkey" button cancels
 * it: one ceremony at a time). Only the server's refusal of a picked passkey is thrown.
 */
export async function passkeyAutofill(): Promise<Account | null> {
  if (!passkeysSupported()) return null;
  const { browserSupportsWebAuthnAutofill, startAuthentication } = await library();
  if (!(await browserSupportsWebAuthnAutofill())) return null;
  const optionsJSON = await accountApi.passkeySignInOptions().catch(() => null);
  if (!optionsJSON) return null;
  const response = await startAuthentication({ optionsJSON, useBrowserAutofill: true }).catch(() => null);
  if (!response) return null;
  return accountApi.signInWithPasskey({ response: { ...response, response: { ...response.response } } });
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
  const { code, name } = (error ?? {}) as Partial<WebAuthnError>;
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
  // The browser's own message is for developers: say what the person can do instead.
  return new ApiProblem(
    0,
    'passkey_failed',
    ceremony === 'registration'
      ? 'This device could not create a passkey. Try again, or use another device or security key.'
      : 'This device could not use a passkey. Try again, or sign in with your password.',
  );
}
