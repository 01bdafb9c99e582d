/**
 * Words and dates as people read them. The labels are records over the contract's enums, so a
 * value added to one breaks the type check here until it has its words.
 */
import type { Role, SeatSource, TokenScope, UserStatus } from '#contract';

/** In the order the role pickers offer them: most people are technicians. */
export const ROLE_LABEL: Record<Role, string> = { technician: 'Technician', team_manager: 'Team manager', administrator: 'Administrator' };
export const STATUS_LABEL: Record<UserStatus, string> = { invited: 'Invited', active: 'Active', deactivated: 'Deactivated' };
export const SCOPE_LABEL: Record<TokenScope, string> = { read: 'Read-only', write: 'Read and write', scim: 'Directory (SCIM)' };

/**
 * One formatter of each kind, made on first use: making one is slow (tens of milliseconds on a
 * phone), too slow for the app's start or for every row of a list (`toLocaleString` makes a new one
 * each call).
 */
export function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const relative = once(() => new Intl.RelativeTimeFormat('en', { numeric: 'auto' }));
const relativeShort = once(() => new Intl.RelativeTimeFormat('en', { numeric: 'always', style: 'narrow' }));
// Dates and times in the browser's locale, the one its date and time pickers use too: a loan picked
// as "05:00 PM" reads "5:00 PM" everywhere, one picked as "17:00" reads "17:00".
const clockFormat = once(() => new Intl.DateTimeFormat([], { timeStyle: 'short' }));
const dateTimeFormat = once(() => new Intl.DateTimeFormat([], { dateStyle: 'medium', timeStyle: 'short' }));
const dateFormat = once(() => new Intl.DateTimeFormat([], { dateStyle: 'medium' }));

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "3 days ago", "just now", or "never". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative().format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** "3d ago", "5m ago", "now", "never": `ago` for a narrow column (the full date goes in its title). */
export function agoShort(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeShort().format(Math.round(seconds / size), unit);
  }
  return 'now';
}

/** "14:05" (or "2:05 PM") in the device's time zone and locale. */
export function clock(date: Date): string {
  return clockFormat().format(date);
}

/** "29 Nov 2026, 14:05". */
export function dateTime(iso: string): string {
  return dateTimeFormat().format(new Date(iso));
}

/** "29 Nov 2026". */
export function date(iso: string): string {
  return dateFormat().format(new Date(iso));
}

/** Console time in words: "2 h 10 min", "45 min", "none". */
export function duration(minutes: number): string {
  if (minutes <= 0) return 'none';
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Where a seat came from: "via Support Tier 2" (a directory group) or "by Dana Whitfield". */
export function seatSourceText(source: SeatSource): string {
  switch (source.kind) {
    case 'group':
      return `via ${source.group.name}`;
    case 'schedule':
      return `for shift ${source.schedule.name}`;
    case 'manual':
      return source.by ? `by ${source.by.name}` : 'given by hand';
    default:
      return source satisfies never;
  }
}
