/** `/seats` (worker/http/routes/seats.ts): who holds the seats, and moving one between two users in one step. */
import type { SeatHolders, TransferBody, Transferred } from '#contract';
import { announceUsers } from '#lib/answers.ts';
import { request } from './request.ts';

export const seatsApi = {
  /** The seat counts and who holds the seats, least used first (administrators). */
  holders: () => request<SeatHolders>('GET', '/seats/holders'),
  /** Moves a seat (lent `until` a time); a connected `from` keeps it until `onActiveSessions` says. */
  transfer: (body: TransferBody) =>
    request<Transferred>('POST', '/seats/transfer', body).then((moved) => {
      announceUsers(moved.from, moved.to);
      return moved;
    }),
};
