/**
 * Every timed step of a subscription is a row here: a grace period's end, a loan's end, a console
 * session's heartbeat deadline. A Durable Object has one alarm; the object keeps it set to the
 * earliest row, and its `alarm()` runs the rows that are due. Rows are written in the same
 * transaction as the change they belong to, so they are the truth of "when".
 */
import type { Sql } from './sql';

export type TimerKind =
  | 'grace'
  | 'loan'
  | 'heartbeat'
  /** A delivery target's next attempt (ref: a webhook id, push device id or `mail:<user id>`). */
  | 'delivery'
  /** 15 minutes before a lent seat returns (ref: the holder's user id). */
  | 'loan_reminder'
  /** The next daily digest mail (ref: 'daily'). */
  | 'digest'
  /** A purchased-seat decrease from billing takes effect (ref: 'decrease'). */
  | 'billing'
  /** A shift of a schedule starts or ends (ref: the schedule id): seats follow the shifts. */
  | 'schedule'
  /** The daily idle-seat check (ref: 'daily'). */
  | 'idle_reclaim';

export interface Timer {
  kind: TimerKind;
  /** A user id (grace, loan) or a console session id (heartbeat). */
  ref: string;
  /** Milliseconds since the epoch. */
  dueAt: number;
}

/** Timer rows written through these functions, per object storage: see `timerWrites`. */
const writes = new WeakMap<Sql, number>();

function counted(sql: Sql, written: number): void {
  if (written > 0) writes.set(sql, (writes.get(sql) ?? 0) + written);
}

/**
 * A count that moves whenever a timer is set, moved or cleared (every timer row is written here):
 * while it stands still, the earliest timer is the one the alarm was last set for.
 */
export function timerWrites(sql: Sql): number {
  return writes.get(sql) ?? 0;
}

/** Sets (or moves) the one timer of this kind for `ref`. */
export function setTimer(sql: Sql, kind: TimerKind, ref: string, dueAt: number): void {
  counted(sql, sql.run(
    `INSERT INTO timers (kind, ref, due_at) VALUES (?, ?, ?)
     ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at`,
    kind,
    ref,
    dueAt,
  ));
}

/** Sets the timer of this kind for `ref` unless one is already set (a later due time stays). */
export function setTimerIfAbsent(sql: Sql, kind: TimerKind, ref: string, dueAt: number): void {
  counted(sql, sql.run('INSERT INTO timers (kind, ref, due_at) VALUES (?, ?, ?) ON CONFLICT (kind, ref) DO NOTHING', kind, ref, dueAt));
}

export function clearTimer(sql: Sql, kind: TimerKind, ref: string): void {
  counted(sql, sql.run('DELETE FROM timers WHERE kind = ? AND ref = ?', kind, ref));
}

/** Clears the timers of these kinds for `ref` in one statement (each a primary-key lookup). */
export function clearTimers(sql: Sql, kinds: readonly TimerKind[], ref: string): void {
  counted(sql, sql.run(`DELETE FROM timers WHERE kind IN (${kinds.map(() => '?').join(', ')}) AND ref = ?`, ...kinds, ref));
}

/** The timers due at `now`, earliest first. */
export function dueTimers(sql: Sql, now: number): Timer[] {
  return sql
    .all<{ kind: string; ref: string; due_at: number }>('SELECT kind, ref, due_at FROM timers WHERE due_at <= ? ORDER BY due_at, kind, ref', now)
    .map((r) => ({ kind: r.kind as TimerKind, ref: r.ref, dueAt: r.due_at }));
}

/** When the next timer is due, or null when none is set: what the object's alarm should be. */
export function nextDue(sql: Sql): number | null {
  return sql.one<{ due: number | null }>('SELECT MIN(due_at) AS due FROM timers')?.due ?? null;
}
