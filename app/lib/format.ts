/** Words and dates as people read them. */
import type { Role, User, UserStatus } from '#contract';

export const ROLE_LABEL: Record<Role, string> = { administrator: 'Administrator', technician: 'Technician' };
export const STATUS_LABEL: Record<UserStatus, string> = { invited: 'Invited', active: 'Active', deactivated: 'Deactivated' };

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
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
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** "14:05" in the device's time zone. */
export function clock(date: Date): string {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** "29 Nov 2026, 14:05". */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "29 Nov 2026". */
export function date(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', { dateStyle: 'medium' });
}

export function seatLabel(user: User): string {
  return user.seat ? 'Has a seat' : 'No seat';
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
