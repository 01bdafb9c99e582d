/**
 * Ask a question, await the answer: one dialog for the whole app shows `current` (rendered by the
 * signed-in layout) and calls `answer`. `ask` resolves with the answer, or null when the dialog
 * was dismissed; a new question dismisses the one before. The dialog (Dialog.svelte) remembers
 * the control focused when the question was asked and returns focus to it however it is answered,
 * so the control that asks must stay focusable meanwhile (`unavailable`, not `disabled`).
 *
 * @example
 * const choice = await seatChooser.ask({ recipient: 'Lena Fischer', seats, holders });
 * if (!choice) return; // cancelled
 */
export class Question<Asked, Answer> {
  /** The question on screen, or null. */
  current = $state<Asked | null>(null);
  #resolve: ((answer: Answer | null) => void) | null = null;

  ask(question: Asked): Promise<Answer | null> {
    this.answer(null);
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.current = question;
    });
  }

  answer(answer: Answer | null): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.current = null;
    resolve?.(answer);
  }
}
