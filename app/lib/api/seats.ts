/** `/seats` (worker/http/routes/seats.ts): moving a seat between two users in one atomic step. */
import type { TransferBody, Transferred } from '#contract';
import { announceUsers } from '#lib/answers.ts';
import { request } from './request.ts';

export const seatsApi = {
  /** Moves a seat (lent `until` a time); a connected `from` keeps it until `onActiveSessions` says. */
  transfer: (body: TransferBody) =>
    request<Transferred>('POST', '/seats/transfer', body).then((moved) => {
      announceUsers(moved.from, moved.to);
      return moved;
    }),
};
