/**
 * A message tied to the field it is about, so a screen reader hears it on the field itself: the
 * field gets aria-invalid and aria-describedby (after any hint it already has), and focus moves
 * to it when the message appears (the first invalid field, where the person fixes it).
 *
 * @example
 * const emailError = new FieldError('new-email-error');
 * await emailError.show('Another user already signs in with a@b.c.', emailInput);
 * // markup: <input {...emailError.field('new-email-hint')} />
 * //         {#if emailError.message}<p id={emailError.id} class="field-error">{emailError.message}</p>{/if}
 */
import { tick } from 'svelte';
import { ApiProblem } from '#lib/api/request.ts';
import { fieldErrorsOf, fieldWords } from '#lib/field-words.ts';

/** The attributes that tie `message` (shown in the element with id `id`) to a field; hints first. */
export function invalidField(
  id: string,
  message: string | null | undefined,
  ...hints: (string | undefined)[]
): { 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined } {
  const described = [...hints, message ? id : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': message ? 'true' : undefined, 'aria-describedby': described || undefined };
}

export class FieldError {
  message = $state<string | null>(null);

  constructor(readonly id: string) {}

  /** aria-invalid and aria-describedby for the field, after the ids of any hints. */
  field(...hints: (string | undefined)[]) {
    return invalidField(this.id, this.message, ...hints);
  }

  /** Shows `message` under the field and moves focus to the field (selecting what was typed). */
  async show(message: string, field: HTMLElement | null | undefined): Promise<void> {
    this.message = message;
    await tick();
    field?.focus();
    if (field instanceof HTMLInputElement) field.select();
  }

  clear(): void {
    this.message = null;
  }
}

/**
 * Shows a `validation_failed` refusal under the fields it is about, in words ("Enter a name"), and
 * moves focus to the first of them. `fields` maps the API's field names to the field's message and
 * element. Answers false when `error` names none of them (the form then shows it as a whole).
 *
 * @example
 * if (await showFieldErrors(e, { name: [nameError, nameInput], email: [emailError, emailInput] })) return;
 */
export async function showFieldErrors(
  error: unknown,
  fields: Record<string, readonly [FieldError, HTMLElement | null | undefined]>,
): Promise<boolean> {
  const refused = fieldErrorsOf(error instanceof ApiProblem ? error : null) ?? [];
  const shown = refused.filter((e) => fields[e.path]);
  if (shown.length === 0) return false;
  for (const [message] of Object.values(fields)) message.clear();
  for (const e of shown) fields[e.path]![0].message ??= fieldWords(e);
  const [first, element] = fields[shown[0]!.path]!;
  await first.show(first.message!, element);
  return true;
}
