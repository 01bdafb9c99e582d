/**
 * Shift schedules, pure: when is a user on shift. A schedule is a weekly pattern of local windows
 * ("Mon–Fri 07:00–15:00") in an IANA time zone, with dated exceptions (a holiday off, an extra or
 * swapped shift on, for everyone or one user). Times are turned into instants with the runtime's
 * `Intl` time-zone data (workerd has the full IANA set; `Temporal` is not available at the
 * project's compatibility date), so DST is the zone's own.
 *
 * Local times that do not exist or happen twice on a DST day follow what Temporal calls
 * "compatible" (and what calendars do): a time in the spring-forward gap moves forward by the gap
 * (02:30 on Berlin's spring Sunday is 03:30 CEST), and a time that happens twice is its first
 * occurrence (02:30 on the autumn Sunday is 02:30 CEST). A window ending at or before its start
 * crosses midnight and ends the next day. Windows that touch or overlap are one stretch on shift.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly window: on these days, from `start` to `end` ("HH:MM" local; `end` may be "24:00"). */
export interface ScheduleWindow {
  days: Weekday[];
  start: string;
  end: string;
}

/**
 * A dated exception: `off` removes the weekly windows that start on `date`; `on` adds a window that
 * day (`start`–`end`). With `userId` it applies to that user only (one half of a swap).
 */
export interface ScheduleException {
  date: string;
  kind: 'off' | 'on';
  start?: string;
  end?: string;
  userId?: string;
}

export interface ScheduleRules {
  timeZone: string;
  windows: ScheduleWindow[];
  exceptions: ScheduleException[];
}

/** A stretch on shift: [start, end) in milliseconds since the epoch. */
export interface Interval {
  start: number;
  end: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The wall-clock time at `instant` in `zone`, as milliseconds of a UTC clock showing it. */
function wallClock(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const seconds = Math.floor(instant / 1000) * 1000;
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall + (instant - seconds);
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
const offsetAt = (instant: number, zone: string) => wallClock(instant, zone) - instant;

/**
 * The instant a wall-clock time (as UTC milliseconds of a clock showing it) happens in `zone`:
 * its first occurrence when it happens twice, moved forward by the gap when it does not exist.
 */
export function instantOf(wall: number, zone: string): number {
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  const fits = [wall - before, wall - after].filter((t) => offsetAt(t, zone) === wall - t);
  if (fits.length > 0) return Math.min(...fits);
  // In the gap: the offset before the change, which reads as a later time after it.
  return wall - before;
}

/** The local date ("YYYY-MM-DD") at `instant` in `zone`. */
export function localDate(instant: number, zone: string): string {
  return new Date(wallClock(instant, zone)).toISOString().slice(0, 10);
}

/** "HH:MM" as minutes after midnight. */
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const weekdayOf = (date: string): Weekday => WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7]!;

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** One local window on `date` as an interval; a window ending at or before its start ends the next day. */
function windowOn(date: string, start: string, end: string, zone: string): Interval | null {
  const day = Date.parse(`${date}T00:00:00Z`);
  const from = minutesOf(start);
  let to = minutesOf(end);
  if (to <= from) to += 24 * 60;
  const interval = { start: instantOf(day + from * 60_000, zone), end: instantOf(day + to * 60_000, zone) };
  return interval.end > interval.start ? interval : null;
}

/** The windows that start on one local date for one user (null: the schedule as it applies to everyone). */
function windowsStartingOn(rules: ScheduleRules, userId: string | null, date: string): Interval[] {
  const exceptions = rules.exceptions.filter((e) => e.date === date && (e.userId === undefined || e.userId === userId));
  const off = exceptions.some((e) => e.kind === 'off');
  const weekday = weekdayOf(date);
  const weekly = off ? [] : rules.windows.filter((w) => w.days.includes(weekday)).map((w) => windowOn(date, w.start, w.end, rules.timeZone));
  const extra = exceptions.filter((e) => e.kind === 'on' && e.start && e.end).map((e) => windowOn(date, e.start!, e.end!, rules.timeZone));
  return [...weekly, ...extra].filter((i): i is Interval => i !== null);
}

/** Sorted, with touching and overlapping intervals joined into one. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged.at(-1);
    if (last && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else merged.push({ ...next });
  }
  return merged;
}

/**
 * The stretches on shift for a user that overlap [from, to), joined where they touch (so a
 * double shift 07–15, 15–23 is one stretch, with no boundary at 15:00).
 * @example shiftsBetween(euDay, 'usr_1', Date.parse('2026-03-23T00:00Z'), Date.parse('2026-03-30T00:00Z'))
 */
export function shiftsBetween(rules: ScheduleRules, userId: string | null, from: number, to: number): Interval[] {
  // A window may start the local day before `from` (it crosses midnight), and a join may reach beyond `to`.
  const first = addDays(localDate(from, rules.timeZone), -1);
  const last = addDays(localDate(to, rules.timeZone), 1);
  const all: Interval[] = [];
  for (let date = first; date <= last; date = addDays(date, 1)) all.push(...windowsStartingOn(rules, userId, date));
  return merge(all).filter((i) => i.end > from && i.start < to);
}

/** Whether the user is on shift at `at`. */
export function onShift(rules: ScheduleRules, userId: string | null, at: number): boolean {
  return shiftsBetween(rules, userId, at, at + 1).some((i) => i.start <= at && at < i.end);
}

/** How far ahead a boundary is looked for (a year: exceptions may add a lone shift months away). */
const HORIZON_DAYS = 370;

/**
 * The next instant after `after` at which any of these users (null: the schedule's own pattern)
 * starts or ends a stretch on shift; null when none does within a year.
 */
export function nextBoundary(rules: ScheduleRules, userIds: (string | null)[], after: number): number | null {
  for (let from = after; from < after + HORIZON_DAYS * DAY; from += 8 * DAY) {
    let next: number | null = null;
    for (const userId of userIds) {
      for (const i of shiftsBetween(rules, userId, from, from + 8 * DAY)) {
        for (const t of [i.start, i.end]) if (t > after && (next === null || t < next)) next = t;
      }
    }
    if (next !== null) return next;
  }
  return null;
}

/** Someone a schedule wants in a seat, in the order seats go to them. */
export interface Scheduled {
  userId: string;
  rules: ScheduleRules;
}

/** One hour of the coverage: how many seats are wanted, and who would wait for one. */
export interface CoverageHour {
  at: number;
  wanted: number;
  purchased: number;
  waiting: string[];
}

/**
 * Hour by hour from `from` (rounded down to the hour) to `to`: the seats wanted at the busiest
 * moment of each hour — `fixed` seats held outside any schedule plus everyone on shift — against
 * `purchased`, and who (the last in `people`'s order) would wait for a seat then.
 */
export function coverage(people: Scheduled[], fixed: number, purchased: number, from: number, to: number): CoverageHour[] {
  const hours: CoverageHour[] = [];
  const shifts = people.map((p) => ({ userId: p.userId, shifts: shiftsBetween(p.rules, p.userId, from - HOUR, to + HOUR) }));
  for (let at = Math.floor(from / HOUR) * HOUR; at < to; at += HOUR) {
    // The busiest moment is the hour's start or a moment a shift starts within it.
    const moments = [at, ...shifts.flatMap((s) => s.shifts.map((i) => i.start)).filter((t) => t > at && t < at + HOUR)];
    let busiest: string[] = [];
    for (const t of moments) {
      const on = shifts.filter((s) => s.shifts.some((i) => i.start <= t && t < i.end)).map((s) => s.userId);
      if (on.length > busiest.length) busiest = on;
    }
    const free = Math.max(0, purchased - fixed);
    hours.push({ at, wanted: fixed + busiest.length, purchased, waiting: busiest.slice(free) });
  }
  return hours;
}
