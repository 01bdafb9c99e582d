/** Small sums and words for the reports screen. */
import type { UtilisationDay } from '#contract';
import { once } from '#lib/format.ts';

const DAY_MS = 86_400_000;

/** The UTC day `daysAgo` days before today, as YYYY-MM-DD (the reports count UTC days). */
export function utcDay(daysAgo = 0, now = Date.now()): string {
  return new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
}

const utcDayMonth = once(() => new Intl.DateTimeFormat([], { day: 'numeric', month: 'short', timeZone: 'UTC' }));

/** "12 Nov" for a YYYY-MM-DD day. */
export function shortDay(day: string): string {
  return utcDayMonth().format(new Date(`${day}T12:00:00Z`));
}

/** "2 h 5 min", "45 min", "under a minute", "none". */
export function duration(seconds: number): string {
  if (seconds <= 0) return 'none';
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The sentence that says what the utilisation chart shows (its text alternative, with the table). */
export function utilisationSummary(days: UtilisationDay[]): string {
  if (days.length === 0) return 'No days in this period.';
  const average = days.reduce((sum, d) => sum + d.assigned, 0) / days.length;
  const averagePurchased = days.reduce((sum, d) => sum + d.purchased, 0) / days.length;
  const peak = days.reduce((best, d) => (d.peakAssigned > best.peakAssigned ? d : best), days[0]!);
  const last = days.at(-1)!;
  const percent = averagePurchased > 0 ? Math.round((average / averagePurchased) * 100) : 0;
  return (
    `From ${shortDay(days[0]!.date)} to ${shortDay(last.date)}: on average ${average.toFixed(1)} of ` +
    `${Math.round(averagePurchased * 10) / 10} seats assigned (${percent}%). The most at once was ${peak.peakAssigned}, on ` +
    `${shortDay(peak.date)}. On ${shortDay(last.date)}, ${last.assigned} of ${last.purchased}.`
  );
}
