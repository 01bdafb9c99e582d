/** Audit entries about seats over time — loans, connected holders, console sessions, seat requests — as sentences. */
import type { AuditEntry } from '#contract';
import { at } from '#lib/seat-time.ts';

export const SEAT_ACTIONS: Record<string, string> = {
  'seat.loan_updated': 'Loan changed',
  'seat.loan_ended': 'Loan ended',
  'seat.revocation_scheduled': 'Seat leaving after sessions',
  'seat.revocation_cancelled': 'Seat kept',
  'console.session_started': 'Console session started',
  'console.session_ended': 'Console session ended',
  'seat_request.created': 'Seat requested',
  'seat_request.approved': 'Seat request approved',
  'seat_request.declined': 'Seat request declined',
  'seat_request.cancelled': 'Seat request withdrawn',
};

const nameOf = (value: unknown) => (value as { name?: string } | null)?.name ?? null;
const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The sentence for one of SEAT_ACTIONS, or null for any other action. */
export function describeSeatEntry(entry: AuditEntry): string | null {
  // Without an actor it was SetMe itself: a timer (a loan's or a grace period's end), or a freed seat
  // going to the oldest request.
  const actor = entry.actor?.name ?? 'SetMe';
  const target = entry.target.name ?? 'a deleted user';
  const d = entry.details;
  switch (entry.action) {
    case 'seat.loan_updated': {
      const until = text((d.until as { to?: unknown } | undefined)?.to);
      return until ? `${actor} lent ${target}’s seat until ${at(until)}` : `${actor} made ${target}’s seat permanent`;
    }
    case 'seat.loan_ended':
      return d.outcome === 'returned'
        ? `${actor} ended ${target}’s loan: the seat went back to ${nameOf(d.returnedTo) ?? 'its lender'}`
        : `${actor} ended ${target}’s loan: the seat is free`;
    case 'seat.revocation_scheduled': {
      const endsAt = text(d.endsAt);
      return `${actor} took ${target}’s seat while connected: it leaves ${endsAt ? `at ${at(endsAt)}` : 'after their session'}`;
    }
    case 'seat.revocation_cancelled':
      return `${actor} let ${target} keep the seat`;
    case 'console.session_started':
      return `${target} connected to ${text(d.computer) ?? 'a computer'}`;
    case 'console.session_ended':
      return `${target}’s session on ${text(d.computer) ?? 'a computer'} ended${text(d.reason) ? ` (${String(d.reason).replaceAll('_', ' ')})` : ''}`;
    case 'seat_request.created':
      return `${target} asked for a seat${text(d.reason) ? `: “${d.reason}”` : ''}`;
    case 'seat_request.approved':
      return `${actor} approved ${target}’s seat request`;
    case 'seat_request.declined':
      return `${actor} declined ${target}’s seat request${text(d.note) ? `: “${d.note}”` : ''}`;
    case 'seat_request.cancelled':
      return `${target}’s seat request was withdrawn`;
    default:
      return null;
  }
}
