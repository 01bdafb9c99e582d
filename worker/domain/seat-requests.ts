/**
 * The seat-request rules, pure: who may ask for a seat, and which requests may still be answered.
 * Pending requests form the waitlist, oldest first.
 */
import type { SeatRequestStatus } from '../contract';
import { fail, type Failure } from './result';


/** Decides whether a user may ask for a seat: not while holding one, and one waiting request at a time. */
export function decideNewRequest(
  user: { id: string; hasSeat: boolean },
  pending: { id: string; createdAt: string } | null,
): 'create' | Failure {
  if (user.hasSeat) {
    return fail('seat_already_held', { userId: user.id, detail: 'You already hold a seat, so there is nothing to request.' });
  }
  if (pending) {
    return fail('seat_request_pending', {
      requestId: pending.id,
      detail: `You already asked for a seat on ${pending.createdAt.slice(0, 10)}; an administrator will answer it. ` +
        'Cancel that request first to ask again with another reason.',
    });
  }
  return 'create';
}

/** Only a pending request can be approved, declined or cancelled. */
export function decideAnswer(request: { id: string; status: SeatRequestStatus; decidedAt: string | null }): 'answer' | Failure {
  if (request.status === 'pending') return 'answer';
  const when = request.decidedAt ? ` on ${request.decidedAt.slice(0, 10)}` : '';
  return fail('seat_request_closed', {
    requestId: request.id,
    requestStatus: request.status,
    detail: `This request was already ${request.status}${when}. Refresh the list: only pending requests can be answered.`,
  });
}
