/**
 * The password policy, applied by every route that sets a password (sign-up, accepting an
 * invitation, a reset link, a change) before it hashes one. The contract already refuses fewer than
 * 10 characters; this refuses the passwords an attacker tries first:
 * - one of the 49,233 common passwords of @zxcvbn-ts/language-common (ignoring case), or one of
 *   them dressed with digits, symbols or spaces before or after ("Summer2024!", "dragon123456");
 * - one that contains the person's name or email address (or a word of either, 4 letters or more).
 * The list loads on the first check, so requests that set no password never pay for it.
 */
import { PASSWORD_MIN } from '../contract';
import { ProblemError } from './problem';

/** Whose password it is: what it must not contain. */
export interface PasswordOwner {
  name: string;
  email: string;
}

/** Shorter words of a name or email are too common inside passwords to refuse them. */
const WORD_MIN = 4;
/** Digits, punctuation, symbols and spaces: what people add around a common password. */
const DRESSING = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;

let common: Promise<Set<string>> | null = null;

/** The common passwords, decompressed once per isolate on first use (about 50 ms). */
function commonPasswords(): Promise<Set<string>> {
  common ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => new Set(dictionary['passwords-common']));
  return common;
}

/**
 * Why this password may not be used, as a sentence for the person choosing it; null if it may.
 * @example await passwordWeakness('Summer2024!!', { name: 'Ada Lovelace', email: 'ada@example.com' }) // → 'This password is…'
 */
export async function passwordWeakness(password: string, owner: PasswordOwner): Promise<string | null> {
  const lower = password.toLowerCase();
  const passwords = await commonPasswords();
  const base = lower.replace(DRESSING, '');
  if (passwords.has(lower) || (base.length >= WORD_MIN && passwords.has(base))) {
    return (
      'This password is one of the most used ones (or one of them with digits or symbols added), so it is among the ' +
      'first an attacker tries. Choose another: a few unrelated words make a strong one.'
    );
  }
  if (containsOwner(lower, owner)) {
    return 'Choose a password that does not contain your name or your email address: they are the first things an attacker tries.';
  }
  return null;
}

/**
 * Throws `validation_failed`, with the sentence as the error of `field`, when the password may not
 * be used. (At least PASSWORD_MIN characters is already checked by the contract.)
 */
export async function requireAllowedPassword(password: string, owner: PasswordOwner, field = 'password'): Promise<void> {
  const weakness = password.length >= PASSWORD_MIN ? await passwordWeakness(password, owner) : null;
  if (!weakness) return;
  throw new ProblemError({ ok: false, code: 'validation_failed', detail: `${field}: ${weakness}`, errors: [{ path: field, message: weakness }] });
}

/** Whether the password holds the email, the whole name, or a word of either (letters and digits compared). */
function containsOwner(lower: string, owner: PasswordOwner): boolean {
  const squeeze = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const password = squeeze(lower);
  const email = owner.email.toLowerCase();
  const local = email.split('@')[0] ?? '';
  const parts = [email, local, owner.name, ...owner.name.split(/\s+/), ...local.split(/[._+-]/)].map(squeeze);
  return parts.some((part) => part.length >= WORD_MIN && password.includes(part));
}
