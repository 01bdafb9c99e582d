/** What each kind of timer does when the object's alarm finds it due. */
import { loanReturningSoon, sendDigests } from './alerts';
import { applyDecrease } from './billing';
import { timeOutSession } from './console';
import { followSchedules } from './schedules';
import { idleReclaimTick } from './idle-reclaim';
import { graceEnded, loanEnded, sessionsChanged } from './revocations';
import type { Sql } from './sql';
import { clearTimer, type Timer } from './timers';

/**
 * Runs one due timer; the object calls it inside a transaction, one per timer. False when it
 * changed nothing anyone sees (a shift boundary or idle check with nothing to do): then the call
 * neither raises the revision nor tells live clients, though it re-armed its timer.
 */
export function fireTimer(sql: Sql, timer: Timer, now: number): boolean {
  // Cleared first, so a timer runs once even if its handler finds nothing to do (or a kind is unknown).
  clearTimer(sql, timer.kind, timer.ref);
  switch (timer.kind) {
    case 'heartbeat': {
      const userId = timeOutSession(sql, timer.ref, now);
      if (userId) sessionsChanged(sql, userId, now);
      return true;
    }
    case 'grace':
      graceEnded(sql, timer.ref, now);
      return true;
    case 'loan':
      loanEnded(sql, timer.ref, now);
      return true;
    case 'loan_reminder':
      loanReturningSoon(sql, timer.ref, now);
      return true;
    case 'digest':
      sendDigests(sql, timer.dueAt, now);
      return true;
    case 'billing':
      applyDecrease(sql, now);
      return true;
    case 'schedule':
      return followSchedules(sql, null, now);
    case 'idle_reclaim':
      return idleReclaimTick(sql, timer.dueAt, now);
    case 'delivery':
      // Sent by the alarm's dispatcher, outside any transaction (worker/notify/dispatcher.ts).
      return true;
  }
}
