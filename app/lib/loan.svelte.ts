/**
 * "Lend until …": a day and a time in the device's time zone, picked with the native date and
 * time inputs (LoanPicker.svelte). Starts at 17:00 today, or a couple of hours ahead late in the day.
 */
const pad = (n: number) => String(n).padStart(2, '0');

/** YYYY-MM-DD of a local date, as a date input wants it. */
const localDay = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
/** HH:MM of a local time, as a time input wants it. */
const localTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** 17:00 today, or (after 15:00) the full hour two hours from now, which may be tomorrow. */
function suggestion(after: number): Date {
  const d = new Date(after);
  if (d.getHours() < 15) {
    d.setHours(17, 0, 0, 0);
    return d;
  }
  d.setHours(d.getHours() + 2, 0, 0, 0);
  return d;
}

export class LoanChoice {
  /** Whether the seat is lent at all (the "Lend until" box); always true for `new LoanChoice(true)`. */
  lend = $state(false);
  day = $state('');
  time = $state('');

  /** Starts at `start` (ISO) when given, else at the suggestion: 17:00 today, or two hours ahead. */
  constructor(lend = false, start: string | null = null) {
    this.lend = lend;
    const at = start ? new Date(start) : suggestion(Date.now());
    this.day = localDay(at);
    this.time = localTime(at);
  }

  /** The chosen moment, or null when not lending or not a valid date and time. */
  get at(): Date | null {
    if (!this.lend || !/^\d{4}-\d\d-\d\d$/.test(this.day) || !/^\d\d:\d\d/.test(this.time)) return null;
    const at = new Date(`${this.day}T${this.time}`);
    return Number.isNaN(at.getTime()) ? null : at;
  }

  /** Why the choice cannot be used yet, or null. */
  problem(now = Date.now()): string | null {
    if (!this.lend) return null;
    const at = this.at;
    if (!at) return 'Choose a day and a time.';
    if (at.getTime() <= now) return 'That time has passed: choose a later one.';
    return null;
  }

  /** The end as ISO for the API, or undefined for a seat with no end. */
  get until(): string | undefined {
    return this.at?.toISOString();
  }
}
