/**
 * `/seat-requests` (worker/http/routes/seat-requests.ts): a user without a seat asks for one;
 * administrators approve (a free seat, or one moved `from` a holder) or decline.
 */
import type {
  ApprovedSeatRequest,
  ApproveSeatRequestBody,
  DeclineSeatRequestBody,
  Page,
  SeatRequest,
  SeatRequestBody,
  SeatRequestQuery,
} from '#contract';
import { announceUsers } from '#lib/answers.ts';
import { request, segment } from './request.ts';

const seatRequest = (id: string) => `/seat-requests/${segment(id)}`;

export const seatRequestsApi = {
  /** All requests for administrators, one's own for technicians; `status: 'pending'` is the waitlist. */
  list: (query: SeatRequestQuery) => request<Page<SeatRequest>>('GET', '/seat-requests', undefined, query),
  /** With the subscription's `autoAssignRequests` and a free seat, the answer is already approved. */
  create: (body: SeatRequestBody) => request<SeatRequest>('POST', '/seat-requests', body),
  approve: (id: string, body: ApproveSeatRequestBody = {}) =>
    request<ApprovedSeatRequest>('POST', `${seatRequest(id)}/approve`, body).then((approved) => {
      announceUsers(approved.user, approved.from);
      return approved;
    }),
  decline: (id: string, body: DeclineSeatRequestBody) => request<SeatRequest>('POST', `${seatRequest(id)}/decline`, body),
  /** Withdraws a pending request: one's own, or any for administrators. */
  withdraw: (id: string) => request<void>('DELETE', seatRequest(id)),
};
