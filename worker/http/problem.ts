/**
 * The one place where refusals become HTTP: RFC 9457 problem details
 * (`application/problem+json`) with a stable `code`. Routes throw a `ProblemError` (usually via
 * `unwrap`); the app's `onError` turns it, and anything unexpected, into a response here.
 */
import type { Failure, Result } from '../domain/result';

/** Failures that start in the HTTP layer rather than in a subscription. */
export type HttpFailure =
  | Failure
  | { ok: false; code: 'payload_too_large'; detail: string }
  | { ok: false; code: 'internal_error' }
  | { ok: false; code: 'stripe_signature_invalid'; detail: string };

type Code = HttpFailure['code'];

const STATUS_AND_TITLE: Record<Code, [number, string]> = {
  validation_failed: [400, 'The request is not valid'],
  invitation_invalid: [400, 'Invitation not valid'],
  unauthenticated: [401, 'Sign-in required'],
  invalid_credentials: [401, 'Email or password is incorrect'],
  forbidden: [403, 'Not allowed'],
  seat_required: [403, 'A seat is required'],
  seat_revoked: [403, 'The seat was taken back'],
  reauthentication_required: [403, 'Confirm it is you'],
  not_found: [404, 'Not found'],
  no_seats_available: [409, 'No seat is free'],
  seats_in_use: [409, 'Seats are in use'],
  email_taken: [409, 'Email already in use'],
  last_administrator: [409, 'The last administrator must stay'],
  seat_not_held: [409, 'No seat to move'],
  seat_already_held: [409, 'Already holds a seat'],
  user_deactivated: [409, 'User is deactivated'],
  session_ended: [409, 'The session has ended'],
  seat_not_lent: [409, 'The seat is not time-boxed'],
  seat_request_pending: [409, 'A seat request is already waiting'],
  seat_request_closed: [409, 'The seat request was already answered'],
  session_limit: [409, 'Too many console sessions open'],
  idempotency_in_progress: [409, 'Request still in progress'],
  idempotency_replay_secret: [409, 'The answer was shown only once'],
  already_exists: [409, 'Already exists'],
  payload_too_large: [413, 'Request body too large'],
  idempotency_key_reused: [422, 'Idempotency-Key reused'],
  rate_limited: [429, 'Too many attempts'],
  internal_error: [500, 'Something went wrong on our side'],
  destination_not_allowed: [400, 'Destination not allowed'],
  push_not_configured: [409, 'Push notifications are not configured'],
  billing_customer_taken: [409, 'Stripe customer already linked'],
  stripe_signature_invalid: [400, 'Stripe signature not valid'],
  confirmation_invalid: [400, 'Confirmation link not valid'],
  token_expired: [401, 'The API token has expired'],
  passkey_invalid: [401, 'Passkey not accepted'],
  passkey_expired: [400, 'The passkey request expired'],
  schedule_oversubscribed: [409, 'The schedules want more seats than purchased'],
  pool_full: [409, 'The pool has no seat free'],
  pool_in_use: [409, 'The pool\'s seats are in use'],
};

/** Every code the API can answer with, for the OpenAPI document. */
export const PROBLEM_CODES = Object.keys(STATUS_AND_TITLE) as Code[];

/** The HTTP status a code maps to. */
export const statusOf = (code: Code): number => STATUS_AND_TITLE[code][0];

/** A refusal on its way to the app's error handler. */
export class ProblemError extends Error {
  constructor(readonly failure: HttpFailure) {
    super(failure.code);
  }
}

/**
 * The value of a successful result; throws the failure as a ProblemError otherwise.
 * @example const user = unwrap(await subscription.getUser(credential, id));
 */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new ProblemError(result);
  return result.value;
}

/** Renders a failure as an RFC 9457 problem response. */
export function problemResponse(failure: HttpFailure): Response {
  const [status, title] = STATUS_AND_TITLE[failure.code];
  const { ok: _ok, code, ...fields } = failure as HttpFailure & Record<string, unknown>;
  const body = {
    type: `/api/problems/${code}`,
    title,
    status,
    detail: detailOf(failure),
    code,
    ...fields,
  };
  const headers = new Headers({ 'content-type': 'application/problem+json' });
  if (failure.code === 'rate_limited') headers.set('retry-after', String(failure.retryAfterSeconds));
  if (failure.code === 'idempotency_in_progress') headers.set('retry-after', '1');
  if (failure.code === 'unauthenticated') headers.set('www-authenticate', 'Bearer realm="setme"');
  if (failure.code === 'token_expired') headers.set('www-authenticate', 'Bearer realm="setme", error="invalid_token"');
  return new Response(JSON.stringify(body), { status, headers });
}

/** A sentence a person can act on: what happened and the way forward. */
function detailOf(failure: HttpFailure): string {
  switch (failure.code) {
    case 'no_seats_available': {
      const { purchased, assigned } = failure.seats;
      if (failure.reserved) {
        return (
          `No unreserved seat is free: ${assigned} of ${purchased} seats are assigned and ${failure.reserved} more are reserved ` +
          `for team pools. Free one first: take a seat back from one of its holders, transfer one in a single step, ` +
          `lower a pool's reserve, or buy more seats.`
        );
      }
      return (
        `All ${purchased} seats are assigned (${assigned} of ${purchased}). Free one first: take a seat back ` +
        `from one of its holders, transfer one in a single step, or buy more seats.`
      );
    }
    case 'seats_in_use': {
      const { assigned } = failure.seats;
      if (failure.reserved && failure.requested >= assigned) {
        return (
          `${assigned} seats are assigned and ${failure.reserved} more are reserved for team pools, so the subscription ` +
          `cannot go down to ${failure.requested}. Lower the pools' reserves or take back seats (${failure.toFree} in all) first.`
        );
      }
      return (
        `${assigned} seats are assigned, so the subscription cannot go down to ${failure.requested}. ` +
        `Take back ${failure.toFree} seat${failure.toFree === 1 ? '' : 's'} first.`
      );
    }
    case 'email_taken':
      return `Another user already signs in with ${failure.email}. Use a different email address.`;
    case 'invalid_credentials':
      return 'The email or the password is not right. Check both and try again.';
    case 'internal_error':
      return 'The request could not be completed. Please try again in a moment.';
    default:
      return failure.detail ?? STATUS_AND_TITLE[failure.code][1];
  }
}

