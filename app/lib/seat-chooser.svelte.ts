/**
 * "Take the seat from…": when every seat is taken, instead of an error the app lists the current
 * holders (least recently active first) and lets the admin pick one. One dialog for the whole
 * app (rendered by the signed-in layout); `ask` resolves with the chosen holder or null.
 */
import type { SeatCounts, SeatHolder } from './types';

export interface SeatChoice {
  /** Who gets the seat, or null when the admin is freeing one for a user not created yet. */
  recipient: string | null;
  seats: SeatCounts;
  holders: SeatHolder[];
  resolve: (holder: SeatHolder | null) => void;
}

class SeatChooser {
  choice = $state<SeatChoice | null>(null);

  ask(request: Omit<SeatChoice, 'resolve'>): Promise<SeatHolder | null> {
    this.choice?.resolve(null);
    return new Promise((resolve) => {
      this.choice = { ...request, resolve };
    });
  }

  answer(holder: SeatHolder | null): void {
    const choice = this.choice;
    this.choice = null;
    choice?.resolve(holder);
  }
}

export const seatChooser = new SeatChooser();
