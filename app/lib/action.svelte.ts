/**
 * What every control that changes something needs: busy while its work runs (so it cannot be
 * pressed twice), and the refusal's sentence to show when the work fails. One per form, list or
 * screen. Mark its controls with `unavailable(busy)` (aria-disabled, presses ignored), not
 * `disabled`: a disabled control loses keyboard focus, and the person their place.
 *
 * @example
 * const saving = new Action();
 * await saving.run(() => usersApi.update(id, { name }));
 * // markup: <button {@attach unavailable(saving.busy)}>, {#if saving.error}<p role="alert">{saving.error}</p>{/if}
 */
import { messageOf } from '#lib/api/request.ts';

export class Action {
  busy = $state(false);
  /** The last failure's sentence, until the next run starts. */
  error = $state<string | null>(null);

  /**
   * Runs `work`: busy meanwhile, and a thrown error becomes `error` (its problem's sentence, or
   * what `message` makes of it). Never throws; resolves whether the work succeeded.
   */
  async run(work: () => Promise<unknown>, options: { message?: (error: unknown) => string } = {}): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (error) {
      this.error = (options.message ?? messageOf)(error);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
