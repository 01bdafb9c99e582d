/**
 * Time travel for timers: the Subscription object keeps every timed step (grace ends, loan ends,
 * heartbeat deadlines) in its `timers` table and its one alarm at the earliest. `elapse` moves
 * those deadlines `ms` closer, as if that much time had passed, then runs the alarm the way the
 * runtime would (`runDurableObjectAlarm`). Times already shown to clients do not move.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { vi } from 'vitest';

export const MINUTE = 60_000;

const stubOf = (subscriptionId: string) => env.SUBSCRIPTION.getByName(subscriptionId);

/** Lets `ms` pass for the subscription's timers and runs its alarm; true if an alarm was set. */
export async function elapse(subscriptionId: string, ms: number): Promise<boolean> {
  await runInDurableObject(stubOf(subscriptionId), (_instance, state) => {
    state.storage.sql.exec('UPDATE timers SET due_at = due_at - ?', ms);
  });
  return runDurableObjectAlarm(stubOf(subscriptionId));
}

/** The subscription's timers and the time its alarm is set for. */
export async function timers(subscriptionId: string) {
  return runInDurableObject(stubOf(subscriptionId), async (_instance, state) => ({
    timers: state.storage.sql.exec<{ kind: string; ref: string; due_at: number }>('SELECT kind, ref, due_at FROM timers ORDER BY due_at').toArray(),
    alarm: await state.storage.getAlarm(),
  }));
}

/** Runs SQL inside the subscription's object (to set up facts with chosen timestamps). */
export async function sql<T extends Record<string, SqlStorageValue>>(subscriptionId: string, query: string, ...params: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(stubOf(subscriptionId), (_instance, state) => state.storage.sql.exec<T>(query, ...params).toArray());
}

/** Records a console session with chosen times: history the reports and the seat chooser read. */
export async function session(subscriptionId: string, userId: string, startedAt: string, endedAt: string | null): Promise<void> {
  const id = `con_${Math.random().toString(36).slice(2, 12).padEnd(10, 'a')}aaaaaaaaaa`;
  await sql(
    subscriptionId,
    'INSERT INTO console_sessions (id, user_id, computer, started_at, ended_at, last_heartbeat_at, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id,
    userId,
    'PC',
    startedAt,
    endedAt,
    endedAt ?? startedAt,
    endedAt ? 'closed' : null,
  );
}

/**
 * Wall-clock time for rules that read the calendar (shift schedules, idle days): the test's and
 * the objects' `Date` (one isolate) say `iso` from now on, while timers and I/O still run. Call
 * `realTime()` after the test.
 */
export function setNow(iso: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

/** Back to the real clock. */
export function realTime(): void {
  vi.useRealTimers();
}

/** Sets the wall clock to `iso` and runs the subscription's alarm, as the runtime would when it is due. */
export async function travelTo(subscriptionId: string, iso: string): Promise<boolean> {
  setNow(iso);
  return runDurableObjectAlarm(stubOf(subscriptionId));
}
