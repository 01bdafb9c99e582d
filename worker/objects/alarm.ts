/** What each kind of timer does when the object's alarm finds it due. */
import { loanReturningSoon, sendDigests } from './alerts';
import { applyDecrease } from './billing';
import { timeOutSession } from './console';
import { followSchedules } from './schedules';
import { idleReclaimTick } from './idle-reclaim';
import { graceEnded, loanEnded, sessionsChanged } from './revocations';
import type { Sql } from './sql';
import { clearTimer, type Timer } from './timers';

/** Runs one due timer; the object calls it inside a transaction, one per timer. */
export function fireTimer(sql: Sql, timer: Timer, now: number): void {
  // Cleared first, so a timer runs once even if its handler finds nothing to do (or a kind is unknown).
  clearTimer(sql, timer.kind, timer.ref);
  switch (timer.kind) {
    case 'heartbeat': {
      const userId = timeOutSession(sql, timer.ref, now);
      if (userId) sessionsChanged(sql, userId, now);
      return;
    }
    case 'grace':
      return graceEnded(sql, timer.ref, now);
    case 'loan':
      return loanEnded(sql, timer.ref, now);
    case 'loan_reminder':
      return loanReturningSoon(sql, timer.ref, now);
    case 'digest':
      return sendDigests(sql, timer.dueAt, now);
    case 'billing':
      return applyDecrease(sql, now);
    case 'schedule':
      return followSchedules(sql, null, now);
    case 'idle_reclaim':
      return idleReclaimTick(sql, timer.dueAt, now);
    case 'delivery':
      // Sent by the alarm's dispatcher, outside any transaction (worker/notify/dispatcher.ts).
      return;
  }
}
