/**
 * A `validation_failed` problem in the words of the form it came from. The API's `errors` say
 * precisely what the schema refused ("name: Too small: expected string to have >=1 characters");
 * the screen says what to do ("Enter a name"), under the field it is about. One mapping for every
 * form: by the field's name (the path's last part) and the kind of refusal.
 */
import type { FieldError } from '#contract';

/** What to enter, by field name, when it was empty or not valid. */
const ENTER: Record<string, string> = {
  name: 'Enter a name',
  organization: "Enter your organization's name",
  email: 'Enter an email address like name@company.com',
  reason: 'Say why you need a seat',
  computer: "Enter the computer's name",
  url: 'Enter an address starting with https://',
};

/** The words for one refused field: "Enter a name", "Use at most 100 characters". */
export function fieldWords(error: FieldError): string {
  const field = error.path.split('.').at(-1) ?? '';
  const too = /^Too (small|big): expected string to have [<>]=(\d+) characters?/.exec(error.message);
  if (too?.[1] === 'big') return `Use at most ${too[2]} characters`;
  if (too?.[1] === 'small' && too[2] !== '1') return `Use at least ${too[2]} characters`;
  if (too || /^Invalid (email|url|input)/i.test(error.message)) return ENTER[field] ?? 'Fill this in';
  // Sentences written for people (a password's length, a control character) are shown as they are.
  return /^[A-Z][^:]*[.!]$/.test(error.message) ? error.message.replace(/\.$/, '') : (ENTER[field] ?? 'Check this field');
}

/** The field errors of a `validation_failed` problem (any thrown value), or null for anything else. */
export function fieldErrorsOf(problem: { code: string; fields: Record<string, unknown> } | null): FieldError[] | null {
  if (problem?.code !== 'validation_failed') return null;
  const errors = problem.fields.errors;
  if (!Array.isArray(errors)) return null;
  return errors.filter((e): e is FieldError => typeof e?.path === 'string' && typeof e?.message === 'string');
}
