/**
 * "Alex Moreno is connected to 2 computers": before a seat is taken from someone who is
 * connected, the administrator chooses what happens to their sessions — end them now, give them
 * a few minutes, or wait until their session ends. One dialog for the whole app (rendered by the
 * signed-in layout, like the seat chooser); `ask` resolves with the choice or null.
 */
import type { ConsoleSession, OnActiveSessions, ReleaseChoice } from '#contract';

export const DEFAULT_GRACE_MINUTES = 5;
export const MAX_GRACE_MINUTES = 24 * 60;

/** The choice being made, in a form (ReleaseOptions.svelte). */
export class ReleaseForm {
  mode = $state<OnActiveSessions>('grace');
  minutes = $state(DEFAULT_GRACE_MINUTES);

  get valid(): boolean {
    return this.mode !== 'grace' || (Number.isInteger(this.minutes) && this.minutes >= 1 && this.minutes <= MAX_GRACE_MINUTES);
  }

  get release(): ReleaseChoice {
    return this.mode === 'grace' ? { onActiveSessions: 'grace', graceMinutes: this.minutes } : { onActiveSessions: this.mode };
  }
}

export interface ReleaseQuestion {
  /** Whose seat is taken. */
  holder: string;
  sessions: ConsoleSession[];
  /** "Take back Alex Moreno’s seat?" */
  title: string;
  /** The button: "Take back seat". */
  confirm: string;
  /** What happens to the seat: "The seat frees", "The seat returns to Dana Whitfield". */
  outcome: string;
  resolve: (release: ReleaseChoice | null) => void;
}

class ReleaseChooser {
  question = $state<ReleaseQuestion | null>(null);

  ask(question: Omit<ReleaseQuestion, 'resolve'>): Promise<ReleaseChoice | null> {
    this.question?.resolve(null);
    return new Promise((resolve) => {
      this.question = { ...question, resolve };
    });
  }

  answer(release: ReleaseChoice | null): void {
    const question = this.question;
    this.question = null;
    question?.resolve(release);
  }
}

export const releaseChooser = new ReleaseChooser();
