/**
 * Seat changes as the admin experiences them: each one tells every screen to refresh and offers
 * Undo (the inverse call) for a few seconds. Giving a seat when all are taken asks whom to take
 * it from and moves it in one atomic transfer, so nobody else can grab it in between.
 */
import { api, ApiProblem } from './api';
import { live } from './live.svelte';
import { seatChooser } from './seat-chooser.svelte';
import { toasts } from './toasts.svelte';
import type { SeatHolder, User } from './types';

type Person = Pick<User, 'id' | 'name'>;

async function undoing<T>(call: Promise<T>): Promise<T> {
  const result = await call;
  live.changed();
  return result;
}

/** Gives `user` a seat; when none is free, offers the holders to take it from. Null if cancelled. */
export async function giveSeat(user: Person): Promise<User | null> {
  try {
    const updated = await api.assignSeat(user.id);
    live.changed();
    toasts.show(`Seat assigned to ${user.name}.`, { undo: () => undoing(api.unassignSeat(user.id)) });
    return updated;
  } catch (error) {
    const full = error instanceof ApiProblem ? error.seatHolders : null;
    if (!full) throw error;
    const holder = await seatChooser.ask({ recipient: user.name, ...full });
    if (!holder) return null;
    return (await moveSeat(holder, user)).to;
  }
}

/** Takes `user`'s seat back. */
export async function takeSeatBack(user: Person): Promise<User> {
  const updated = await api.unassignSeat(user.id);
  live.changed();
  toasts.show(`Seat taken back from ${user.name}.`, { undo: () => undoing(api.assignSeat(user.id)) });
  return updated;
}

/** Moves a seat from one user to another in one step; Undo moves it back. */
export async function moveSeat(from: Person | SeatHolder, to: Person): Promise<{ from: User; to: User }> {
  const moved = await api.transferSeat(from.id, to.id);
  live.changed();
  toasts.show(`Seat moved from ${from.name} to ${to.name}.`, { undo: () => undoing(api.transferSeat(to.id, from.id)) });
  return moved;
}
