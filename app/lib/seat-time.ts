/**
 * When a seat leaves, in words: "returns to Alex Moreno at 17:00", "frees at 14:05 tomorrow",
 * "in 2 h 5 min". Times are the device's local time.
 */
import type { Seat } from '#contract';

type Revocation = NonNullable<Seat['revocation']>;
import { clock, once } from '#lib/format.ts';

const DAY_MS = 86_400_000;

function startOfDay(at: number): number {
  const d = new Date(at);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

const dayMonth = once(() => new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' }));

/** "17:00" today, "17:00 tomorrow", or "3 Dec, 17:00". */
export function at(iso: string, now = Date.now()): string {
  const when = Date.parse(iso);
  const days = Math.round((startOfDay(when) - startOfDay(now)) / DAY_MS);
  const time = clock(new Date(when));
  if (days === 0) return time;
  if (days === 1) return `${time} tomorrow`;
  return `${dayMonth().format(when)}, ${time}`;
}

/** "in 2 h 5 min", "in 4 min", "in less than a minute", "any moment now". */
export function countdown(iso: string, now = Date.now()): string {
  const minutes = Math.ceil((Date.parse(iso) - now) / 60_000);
  if (minutes <= 0) return 'any moment now';
  if (minutes === 1) return 'in less than a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `in ${Math.round(hours / 24)} days`;
  const rest = minutes % 60;
  return rest === 0 ? `in ${hours} h` : `in ${hours} h ${rest} min`;
}

/** When a seat leaves its holder, and what happens then; null for a seat with no end. */
export interface SeatEnd {
  /** "Returns to Alex Moreno at 17:00", "Frees when their session ends", "Moves to Lena Fischer at 14:05". */
  text: string;
  /** The moment, for a countdown; null when it waits for the holder's sessions. */
  endsAt: string | null;
  kind: 'loan' | 'revocation';
}

/** Where a seat being taken goes: "Moves to Lena Fischer", "Returns to Alex Moreno", "Frees". */
function destination(revocation: Revocation, seat: Seat): string {
  switch (revocation.action) {
    case 'transfer':
      return revocation.transferTo ? `Moves to ${revocation.transferTo.name}` : 'Frees';
    case 'return':
      return seat.loan?.returnsTo ? `Returns to ${seat.loan.returnsTo.name}` : 'Frees';
    case 'unassign':
      return 'Frees';
    default:
      return revocation.action satisfies never;
  }
}

/** Describes where `seat` goes and when, as seen by an administrator ("their session"). */
export function seatEnd(seat: Seat | null, now = Date.now()): SeatEnd | null {
  if (!seat) return null;
  const revocation = seat.revocation;
  if (revocation) {
    const when = revocation.endsAt ? `at ${at(revocation.endsAt, now)}` : 'when their session ends';
    return { text: `${destination(revocation, seat)} ${when}`, endsAt: revocation.endsAt, kind: 'revocation' };
  }
  if (seat.loan) {
    const until = at(seat.loan.until, now);
    const text = seat.loan.returnsTo ? `Lent: returns to ${seat.loan.returnsTo.name} at ${until}` : `Lent: frees at ${until}`;
    return { text, endsAt: seat.loan.until, kind: 'loan' };
  }
  return null;
}
