/**
 * Signing up (worker/http/routes/signup.ts): asking mails a confirmation link, the same answer for
 * every address; opening the link creates the subscription and answers with the signed-in
 * `Account` (and sets the session cookie).
 */
import type { Account, SignupAccepted, SignupBody, SignupConfirmBody } from '#contract';
import { request } from './request.ts';

export const signupApi = {
  signUp: (body: SignupBody) => request<SignupAccepted>('POST', '/signup', body),
  confirm: (body: SignupConfirmBody) => request<Account>('POST', '/signup/confirm', body),
};
