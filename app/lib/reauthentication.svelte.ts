/**
 * "Confirm it is you": creating an API token or a passkey needs a sign-in within 10 minutes, and
 * the server refuses with `reauthentication_required` otherwise. `withReauthentication` runs the
 * work, and on that refusal asks (the one ReauthenticateDialog, rendered by the signed-in layout)
 * for the password or a passkey, then runs the work again.
 *
 * @example
 * const created = await withReauthentication('create an API token', () => tokensApi.create(body));
 */
import { ApiProblem } from '#lib/api/request.ts';
import { Question } from '#lib/question.svelte.ts';

export interface ReauthenticationQuestion {
  /** What needs it, after "To …": "create an API token". */
  what: string;
}

export const reauthentication = new Question<ReauthenticationQuestion, true>();

/** Runs `work`; if the server asks to confirm it is you first, asks, then runs it once more. */
export async function withReauthentication<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiProblem && error.code === 'reauthentication_required')) throw error;
    if (!(await reauthentication.ask({ what }))) {
      throw new ApiProblem(0, 'reauthentication_cancelled', `Nothing changed: confirm it is you to ${what}.`);
    }
    return work();
  }
}
