/**
 * "Take the seat from…": when every seat is taken, instead of an error the app lists the current
 * holders (least recently active first) and lets the admin pick one. One dialog for the whole
 * app (rendered by the signed-in layout); `ask` resolves with the choice or null. A holder who is
 * connected to computers comes with the choice of what happens to their sessions; a seat moved to
 * someone can be lent until a set time.
 */
import type { ReleaseChoice, SeatCounts, SeatHolder } from '#contract';

export interface SeatChoiceAnswer {
  holder: SeatHolder;
  /** Set when the holder is connected: what happens to their sessions. */
  release?: ReleaseChoice;
  /** Set when the seat is lent to the recipient until then (ISO). */
  until?: string;
}

export interface SeatChoice {
  /** Who gets the seat, or null when the admin is freeing one for a user not created yet. */
  recipient: string | null;
  seats: SeatCounts;
  holders: SeatHolder[];
  /** A loan chosen before (Manage user → Lend until…): the chooser starts with it. */
  until?: string;
  resolve: (answer: SeatChoiceAnswer | null) => void;
}

class SeatChooser {
  choice = $state<SeatChoice | null>(null);

  ask(request: Omit<SeatChoice, 'resolve'>): Promise<SeatChoiceAnswer | null> {
    this.choice?.resolve(null);
    return new Promise((resolve) => {
      this.choice = { ...request, resolve };
    });
  }

  answer(answer: SeatChoiceAnswer | null): void {
    const choice = this.choice;
    this.choice = null;
    choice?.resolve(answer);
  }
}

export const seatChooser = new SeatChooser();
