/**
 * Expected outcomes cross the Durable Object boundary as plain values, never as thrown errors:
 * errors thrown across RPC lose their custom fields. One place (worker/http/problem.ts) maps each
 * failure code to an RFC 9457 problem response.
 */
import type { FieldError, OpenConsoleSession, Pool, SeatCounts, SeatHolder } from '../contract';

/** Every expected refusal, by stable code. Extra fields travel into the problem body. */
export type Failure =
  | { ok: false; code: 'validation_failed'; detail: string; errors?: FieldError[] }
  | { ok: false; code: 'unauthenticated'; detail?: string }
  | { ok: false; code: 'invalid_credentials' }
  | { ok: false; code: 'forbidden'; detail: string }
  | { ok: false; code: 'seat_required'; detail: string }
  | { ok: false; code: 'not_found'; detail: string }
  | { ok: false; code: 'no_seats_available'; seats: SeatCounts; holders: SeatHolder[]; reserved?: number }
  | { ok: false; code: 'seats_in_use'; seats: SeatCounts; requested: number; toFree: number; reserved?: number; holders?: SeatHolder[] }
  | { ok: false; code: 'email_taken'; email: string }
  | { ok: false; code: 'last_administrator'; detail: string }
  | { ok: false; code: 'seat_not_held'; userId: string; detail: string }
  | { ok: false; code: 'seat_already_held'; userId: string; detail: string }
  | { ok: false; code: 'user_deactivated'; userId: string; detail: string }
  | { ok: false; code: 'invitation_invalid'; detail: string }
  | { ok: false; code: 'idempotency_key_reused'; detail: string }
  | { ok: false; code: 'idempotency_in_progress'; detail: string }
  | { ok: false; code: 'idempotency_replay_secret'; detail: string; resource: { type: 'user' | 'token' | 'webhook'; id: string } }
  | { ok: false; code: 'rate_limited'; retryAfterSeconds: number; detail: string }
  | { ok: false; code: 'seat_revoked'; detail: string }
  | { ok: false; code: 'session_ended'; detail: string; endedAt: string; reason: string }
  | { ok: false; code: 'seat_not_lent'; userId: string; detail: string }
  | { ok: false; code: 'seat_request_pending'; requestId: string; detail: string }
  | { ok: false; code: 'seat_request_closed'; requestId: string; requestStatus: string; detail: string }
  | { ok: false; code: 'destination_not_allowed'; url: string; detail: string }
  | { ok: false; code: 'push_not_configured'; detail: string }
  | { ok: false; code: 'billing_customer_taken'; customerId: string; detail: string }
  | { ok: false; code: 'session_limit'; limit: number; sessions: OpenConsoleSession[]; detail: string }
  | { ok: false; code: 'reauthentication_required'; detail: string }
  | { ok: false; code: 'confirmation_invalid'; detail: string }
  | { ok: false; code: 'token_expired'; expiredAt: string; detail: string }
  | { ok: false; code: 'passkey_invalid'; detail: string }
  | { ok: false; code: 'passkey_expired'; detail: string }
  | { ok: false; code: 'already_exists'; detail: string }
  | {
      ok: false;
      code: 'schedule_oversubscribed';
      detail: string;
      hours: { at: string; wanted: number; purchased: number }[];
      waiting: { id: string; name: string }[];
    }
  | { ok: false; code: 'pool_full'; limit: 'maximum' | 'reserve'; pool: Pool; holders: SeatHolder[]; detail: string }
  | { ok: false; code: 'pool_in_use'; pool: Pool; holders: SeatHolder[]; toFree: number; detail: string };

export type FailureCode = Failure['code'];

export type Ok<T> = { ok: true; value: T };
export type Result<T> = Ok<T> | Failure;

/** Wraps a value as a successful result. */
export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });

/** Builds a failure of a given code; extra fields are type-checked against the code. */
export const fail = <C extends FailureCode>(
  code: C,
  fields: Omit<Extract<Failure, { code: C }>, 'ok' | 'code'>,
): Extract<Failure, { code: C }> => ({ ok: false, code, ...fields }) as Extract<Failure, { code: C }>;
