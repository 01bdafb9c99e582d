/**
 * What a request counts before it checks a password or sends mail, and the 429 it gets when a
 * limit is reached (the rules: worker/domain/throttle.ts). The client address is asked first, then
 * the email, so a request refused for its address uses up nothing of the email's allowance. The
 * answers never depend on whether the email has an account.
 */
import type { Context } from 'hono';
import type { Verdict } from '../domain/throttle';
import type { AppEnv } from './context';
import { clientAddress } from './client-address';
import { ProblemError } from './problem';

/** A password check under way: it counts as a failure until `succeeded()`. */
export interface PasswordCheck {
  /** The subscription the email signs in to, or null when it has none. */
  subscriptionId: string | null;
  /** The password was right: the attempt stops counting, and this address is trusted for the email. */
  succeeded(): Promise<void>;
}

/**
 * Starts a throttled password check of `email` (sign-in, and a password change's current
 * password): counted per client address, per email from that address and per email from new
 * addresses, in one step per object, or refused with 429 `rate_limited`.
 * @example const check = await beginPasswordCheck(c, email); … if (matched) await check.succeeded();
 */
export async function beginPasswordCheck(c: Context<AppEnv>, email: string): Promise<PasswordCheck> {
  const address = await clientAddress(c);
  const attempt = { id: crypto.randomUUID(), address: address ?? 'unknown' };
  const throttle = address ? c.env.ADDRESS_THROTTLE.getByName(address) : null;
  if (throttle) refuseUnless(await throttle.beginSignIn(attempt.id));
  const index = c.env.EMAIL_INDEX.getByName(email);
  const begun = await index.beginSignIn(attempt);
  refuseUnless(begun.verdict);
  return {
    subscriptionId: begun.subscriptionId,
    async succeeded() {
      await Promise.all([index.signedIn(attempt), throttle?.signedIn(attempt.id)]);
    },
  };
}

/** Counts a mail to `email` that the caller asks for (a sign-up confirmation, a reset link), or refuses with 429. */
export async function countMail(c: Context<AppEnv>, email: string): Promise<void> {
  const address = await clientAddress(c);
  const id = crypto.randomUUID();
  if (address) refuseUnless(await c.env.ADDRESS_THROTTLE.getByName(address).sendMail(id));
  refuseUnless(await c.env.EMAIL_INDEX.getByName(email).sendMail(id));
}

/** What happened and what to do instead, for each rule; `wait` is e.g. "12 minutes". */
const ADVICE = {
  signInsFromAddress: (wait: string) => `Too many failed sign-ins from your network. Try again in ${wait}.`,
  signInsToEmailFromAddress: (wait: string) =>
    `Too many failed sign-ins to this email from your network. Try again in ${wait}, or reset your password if you forgot it.`,
  signInsToEmailFromNewAddresses: (wait: string) =>
    `Too many failed sign-ins to this email from places it does not usually sign in from. Sign in from a device you ` +
    `used before, reset your password, or try again in ${wait}.`,
  mailFromAddress: (wait: string) => `Too many emails were asked for from your network. Try again in ${wait}.`,
  mailToEmail: (wait: string) =>
    `Several emails went to this address in the last hour: the newest link in them works (check your spam folder too). ` +
    `For another, try again in ${wait}.`,
} satisfies Record<Extract<Verdict, { ok: false }>['rule'], (wait: string) => string>;

function refuseUnless(verdict: Verdict): void {
  if (verdict.ok) return;
  const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
  const detail = ADVICE[verdict.rule](`${minutes} minute${minutes === 1 ? '' : 's'}`);
  throw new ProblemError({ ok: false, code: 'rate_limited', retryAfterSeconds: verdict.retryAfterSeconds, detail });
}
