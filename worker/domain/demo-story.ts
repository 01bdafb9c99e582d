/**
 * The local demo's 60 days, as a script: who signs in when, who connects to which computer for how
 * long, and the seat changes an administrator of a small team makes (a technician joins, the seats
 * run out and a seat is lent on request, a holiday is covered, someone stops using their seat).
 * Pure and deterministic: the same people and "today" always give the same story. The Subscription
 * object replays it through its own methods with these past times (worker/objects/demo.ts).
 */
import type { DemoHabit } from '../contract';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far back the story starts. */
export const DEMO_DAYS = 60;

/** Who acts: the administrator, or a technician by their position in the demo's list. */
export type Who = 'admin' | number;

/** One thing that happens, at `at` (ms since the epoch). */
export type DemoStep = { at: number } & (
  | { kind: 'create' }
  | { kind: 'invite'; who: number; seat: boolean }
  | { kind: 'accept'; who: number }
  | { kind: 'signIn'; who: Who }
  | { kind: 'signOut'; who: Who }
  /** An administrator's assignment; `refused` is the refusal the story expects (the seats ran out). */
  | { kind: 'assign'; who: number; refused?: 'no_seats_available' }
  | { kind: 'unassign'; who: number }
  | { kind: 'lend'; from: number; to: number; until: number }
  | { kind: 'request'; who: number; id: string; reason: string }
  | { kind: 'approve'; id: string; from: number; until: number }
  | { kind: 'start'; who: number; id: string; computer: string }
  | { kind: 'end'; who: number; id: string }
);

/** The plot's roles, found by habit: who joins late, who lends, who borrows, who goes idle. */
interface Cast {
  daily: number;
  regulars: number[];
  partTime: number;
  occasional: number;
  idle: number;
  seatless: number[];
}

/** The cast of the story: the story needs at least one of each habit and two regulars and two without a seat. */
export function castOf(habits: readonly DemoHabit[]): Cast | null {
  const all = (habit: DemoHabit) => habits.flatMap((h, i) => (h === habit ? [i] : []));
  const [daily] = all('daily');
  const [partTime] = all('part_time');
  const [occasional] = all('occasional');
  const [idle] = all('idle');
  const regulars = all('regular');
  const seatless = all('no_seat');
  if (daily === undefined || partTime === undefined || occasional === undefined || idle === undefined) return null;
  if (regulars.length < 2 || seatless.length < 2) return null;
  return { daily, regulars, partTime, occasional, idle, seatless };
}

/**
 * The story for technicians with these habits, ending before `now`, in the order it happens.
 * Sessions only fall where their technician holds a seat, within working hours (UTC); every day a
 * person acts, they sign in before and out after.
 */
export function demoStory(habits: readonly DemoHabit[], now: number): DemoStep[] {
  const cast = castOf(habits);
  if (!cast) throw new Error('The demo needs technicians of every habit (two regulars, two without a seat).');
  const today = Math.floor(now / DAY) * DAY;
  /** A time on the day `daysAgo` days before today, at hh:mm UTC. */
  const day = (daysAgo: number, hh: number, mm = 0) => today - daysAgo * DAY + hh * HOUR + mm * MINUTE;
  const [regular, onHoliday] = cast.regulars as [number, number];
  const [borrower, onCall] = cast.seatless as [number, number];
  const steps: DemoStep[] = [];
  const add = (step: DemoStep) => steps.push(step);

  // Day 60: the subscription, six seats; the team is invited, two of them without a seat.
  add({ kind: 'create', at: day(60, 8, 30) });
  const firstTeam = habits.flatMap((habit, i) => (i === cast.partTime || i === cast.occasional ? [] : [[i, habit !== 'no_seat'] as const]));
  firstTeam.forEach(([who, seat], n) => {
    add({ kind: 'invite', who, seat, at: day(60, 8, 40 + n) });
    add({ kind: 'accept', who, at: day(60, 10, 5 + 7 * n) });
  });
  // A part-timer joins; later the sixth seat goes to someone who connects now and then.
  add({ kind: 'invite', who: cast.partTime, seat: true, at: day(52, 9) });
  add({ kind: 'accept', who: cast.partTime, at: day(52, 13, 20) });
  add({ kind: 'invite', who: cast.occasional, seat: true, at: day(45, 9) });
  add({ kind: 'accept', who: cast.occasional, at: day(45, 9, 45) });
  // Day 40, the seats run out: assigning one is refused, so the technician asks and gets a loan.
  const loanEnds = day(35, 17, 45);
  add({ kind: 'assign', who: borrower, refused: 'no_seats_available', at: day(40, 8, 5) });
  add({ kind: 'request', who: borrower, id: 'srq_demo_migration', reason: 'Customer migration this week: I need the console until Friday.', at: day(40, 8, 10) });
  add({ kind: 'approve', id: 'srq_demo_migration', from: cast.occasional, until: loanEnds, at: day(40, 8, 20) });
  // Days 28–21: a regular is on leave, and their seat is taken back, then given again.
  add({ kind: 'unassign', who: regular, at: day(28, 7, 50) });
  add({ kind: 'assign', who: regular, at: day(21, 7, 55) });
  // Days 16–9: another regular's holiday is covered by lending their seat.
  const holidayEnds = day(9, 17, 50);
  add({ kind: 'lend', from: onHoliday, to: onCall, until: holidayEnds, at: day(16, 7, 45) });
  // Two days ago: the on-call technician asks for a seat again, and waits.
  add({ kind: 'request', who: onCall, id: 'srq_demo_on_call', reason: 'On call next week for the night shift.', at: day(2, 8, 15) });

  /** Whether `who` connects during [from, to]: they hold a seat then (and the idle one still uses theirs). */
  const connects = (who: number, from: number, to: number): boolean => {
    const within = (start: number, end: number) => from >= start && to <= end;
    if (who === borrower) return within(day(40, 8, 20), loanEnds);
    if (who === onCall) return within(day(16, 7, 45), holidayEnds);
    if (who === cast.partTime) return within(day(52, 13, 20), Infinity);
    if (who === cast.occasional) return within(day(45, 9, 45), day(40, 8, 20)) || within(loanEnds, Infinity);
    if (who === regular) return within(day(60, 11), day(28, 7, 50)) || within(day(21, 7, 55), Infinity);
    if (who === onHoliday) return within(day(60, 11), day(16, 7, 45)) || within(holidayEnds, Infinity);
    if (who === cast.idle) return within(day(60, 11), day(22, 18));
    return within(day(60, 11), Infinity);
  };

  const random = mulberry32(20261201);
  let sessions = 0;
  for (let ago = DEMO_DAYS; ago >= 0; ago--) {
    const weekday = new Date(day(ago, 12)).getUTCDay();
    habits.forEach((habit, who) => {
      const plan = workday(habit === 'no_seat' ? 'regular' : habit, weekday, random);
      let at = day(ago, 8, 30 + Math.floor(random() * 60));
      for (const minutes of plan) {
        const end = at + minutes * MINUTE;
        if (end > day(ago, 17, 40) || end > now - 10 * MINUTE) break;
        if (connects(who, at, end)) {
          const id = `con_demo_${String(++sessions).padStart(4, '0')}`;
          const computer = COMPUTERS[Math.floor(random() * COMPUTERS.length)]!;
          add({ kind: 'start', who, id, computer, at });
          add({ kind: 'end', who, id, at: end });
        }
        at = end + (10 + Math.floor(random() * 50)) * MINUTE;
      }
    });
  }
  return withSignIns(steps.sort((a, b) => a.at - b.at));
}

/** Minutes of each session a technician of this habit spends on a day (0 Sunday … 6 Saturday). */
function workday(habit: Exclude<DemoHabit, 'no_seat'>, weekday: number, random: () => number): number[] {
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const weekend = weekday === 0 || weekday === 6;
  switch (habit) {
    case 'daily':
      if (weekday === 0 || (weekday === 6 && random() > 0.3)) return [];
      return Array.from({ length: weekend ? 1 : between(2, 4) }, () => between(25, 110));
    case 'regular':
    case 'idle':
      if (weekend || random() > 0.8) return [];
      return Array.from({ length: between(1, 2) }, () => between(20, 75));
    case 'part_time':
      return weekday === 2 || weekday === 4 ? Array.from({ length: between(1, 2) }, () => between(30, 90)) : [];
    case 'occasional':
      return !weekend && random() < 0.35 ? [between(15, 45)] : [];
  }
}

/**
 * Adds a sign-in before and a sign-out after each person's acts of a day, as the app would: the
 * administrator's sign-up and a technician's accepted invitation already sign them in.
 */
function withSignIns(steps: DemoStep[]): DemoStep[] {
  const days = new Map<string, { who: Who; first: DemoStep; last: DemoStep }>();
  for (const step of steps) {
    const who = actorOf(step);
    const key = `${who} ${Math.floor(step.at / DAY)}`;
    const seen = days.get(key);
    if (seen) seen.last = step;
    else days.set(key, { who, first: step, last: step });
  }
  const extra: DemoStep[] = [];
  for (const { who, first, last } of days.values()) {
    if (first.kind !== 'create' && first.kind !== 'accept') extra.push({ kind: 'signIn', who, at: first.at - 2 * MINUTE });
    extra.push({ kind: 'signOut', who, at: last.at + 2 * MINUTE });
  }
  // A sign-in sorts before what happens at its minute, a sign-out after (stable sort).
  return [...extra.filter((s) => s.kind === 'signIn'), ...steps, ...extra.filter((s) => s.kind === 'signOut')].sort((a, b) => a.at - b.at);
}

/** Who acts in a step. */
export function actorOf(step: DemoStep): Who {
  switch (step.kind) {
    case 'accept':
    case 'request':
    case 'start':
    case 'end':
    case 'signIn':
    case 'signOut':
      return step.who;
    default:
      return 'admin';
  }
}

const COMPUTERS = [
  'FRONTDESK-01', 'FRONTDESK-02', 'ACCT-LAPTOP-07', 'WAREHOUSE-PC', 'CEO-MACBOOK', 'POS-TERMINAL-3',
  'LAB-WS-12', 'RECEPTION-MAC', 'DESIGN-IMAC-2', 'SALES-LAPTOP-14', 'CLINIC-PC-5', 'SERVER-BACKUP',
];

/** A small seeded pseudo-random generator (mulberry32), so the story is the same every time. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
