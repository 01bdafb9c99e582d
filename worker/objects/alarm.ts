/** What each kind of timer does when the object's alarm finds it due. */
import { loanReturningSoon, sendDigests } from './alerts';
import { applyDecrease } from './billing';
import { timeOutSession } from './console';
import { followSchedules } from './schedules';
import { idleReclaimTick } from './idle-reclaim';
import { graceEnded, loanEnded, sessionsChanged } from './revocations';
import type { Sql } from './sql';
import { clearTimer, timerWrites, type Timer } from './timers';

/**
 * Runs one due timer; the object calls it inside a transaction, one per timer. False when it
 * changed nothing anyone sees: it wrote no row besides timers (a heartbeat of a session already
 * ended, a loan or grace period of a seat already gone, a decrease billing no longer asks for, a
 * shift boundary or idle check with nothing to do), or it only sent a notification (a loan
 * reminder, the digest). Then the call neither raises the revision nor tells live clients, though
 * it cleared or re-armed its timer.
 */
export function fireTimer(sql: Sql, timer: Timer, now: number): boolean {
  // Cleared first, so a timer runs once even if its handler finds nothing to do (or a kind is unknown).
  clearTimer(sql, timer.kind, timer.ref);
  const written = sql.written;
  const timerRows = timerWrites(sql);
  switch (timer.kind) {
    case 'heartbeat': {
      const userId = timeOutSession(sql, timer.ref, now);
      if (userId) sessionsChanged(sql, userId, now);
      break;
    }
    case 'grace':
      graceEnded(sql, timer.ref, now);
      break;
    case 'loan':
      loanEnded(sql, timer.ref, now);
      break;
    case 'billing':
      applyDecrease(sql, now);
      break;
    case 'loan_reminder':
      // A push to administrators' devices: nothing the app shows changes.
      loanReturningSoon(sql, timer.ref, now);
      return false;
    case 'digest':
      // Mail to administrators: nothing the app shows changes.
      sendDigests(sql, timer.dueAt, now);
      return false;
    case 'schedule':
      return followSchedules(sql, null, now);
    case 'idle_reclaim':
      return idleReclaimTick(sql, timer.dueAt, now);
    case 'delivery':
      // Sent by the alarm's dispatcher, outside any transaction (worker/notify/dispatcher.ts).
      return false;
  }
  // Rows written besides timers (a session ended, a seat moved, its audit entry): a change to tell.
  return sql.written - written > timerWrites(sql) - timerRows;
}
