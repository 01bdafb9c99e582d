/**
 * Sends what the delivery queue holds, from the Subscription object's alarm. Every target whose
 * `delivery` timer is due gets its own loop: read the head (a short transaction), send it (no
 * transaction is held across the await), write back the attempt (another short transaction, which
 * moves the target's timer). Loops run side by side, so a slow or failing endpoint only delays its
 * own events; while they run, targets that become due (a request published new events meanwhile)
 * are picked up within `POLL_MS`. A crash between sending and writing back sends that delivery
 * again after the restart: delivery is at least once, and receivers dedupe on `webhook-id`.
 */
import type { VapidKeys } from '@block65/webcrypto-web-push';
import { ok } from '../domain/result';
import type { DestinationPolicy } from '../domain/destinations';
import type { Mail, Mailer } from '../mail';
import { headOf, recordAttempt, type Attempt, type Job } from '../objects/deliveries';
import type { Sql } from '../objects/sql';
import type { WritePath } from '../objects/write-path';
import { sendMail, sendPush, sendWebhook } from './send';

/** How often a running dispatch looks for targets that became due meanwhile. */
const POLL_MS = 250;
/** Deliveries per target in one alarm run; the rest follow in the next run, so one busy target cannot keep the alarm forever. */
const MAX_PER_RUN = 100;

export interface Senders {
  policy: DestinationPolicy;
  vapid: VapidKeys | null;
  mailer: Mailer;
}

export class Dispatcher {
  readonly #calls: WritePath;
  readonly #sql: Sql;
  readonly #senders: () => Senders;

  constructor(calls: WritePath, sql: Sql, senders: () => Senders) {
    this.#calls = calls;
    this.#sql = sql;
    this.#senders = senders;
  }

  /**
   * Targets being sent right now, across runs: the runtime never overlaps alarms, but a test (or a
   * retried alarm) may call `alarm()` while one runs, and a target must never be sent twice at once.
   */
  readonly #sending = new Set<string>();

  /** Sends everything due, one loop per target, and returns when no target it started is due any more. */
  async run(): Promise<void> {
    const loops = new Map<string, Promise<void>>();
    for (;;) {
      for (const target of this.#dueTargets()) {
        if (loops.has(target) || this.#sending.has(target)) continue;
        this.#sending.add(target);
        loops.set(
          target,
          this.#drain(target).finally(() => {
            loops.delete(target);
            this.#sending.delete(target);
          }),
        );
      }
      if (loops.size === 0) return;
      await Promise.race([...loops.values(), new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
    }
  }

  #dueTargets(): string[] {
    return this.#sql.all<{ ref: string }>("SELECT ref FROM timers WHERE kind = 'delivery' AND due_at <= ? ORDER BY due_at", Date.now()).map((r) => r.ref);
  }

  /** Sends one target's due deliveries in order, until one must wait (a retry) or none is left. */
  async #drain(target: string): Promise<void> {
    for (let sent = 0; sent < MAX_PER_RUN; sent++) {
      const head = this.#calls.anonymous((_, now) => ok(isDue(this.#sql, target, now) ? headOf(this.#sql, target, now) : null), { silent: true });
      const job = head.ok ? head.value : null;
      if (!job) return;
      let attempt: Attempt;
      try {
        attempt = await this.#send(job);
      } catch (error) {
        attempt = { answer: { status: null, retryAfter: null }, latencyMs: 0, error: String(error) };
      }
      this.#calls.anonymous((_, now) => {
        recordAttempt(this.#sql, job, attempt, now);
        return ok(null);
      }, { silent: true });
    }
  }

  #send(job: Job): Promise<Attempt> {
    const senders = this.#senders();
    switch (job.channel) {
      case 'webhook':
        return sendWebhook(job, { id: job.eventId, payload: job.payload }, senders.policy);
      case 'push':
        if (!senders.vapid) return Promise.resolve({ answer: { status: null, retryAfter: null }, latencyMs: 0, error: 'Push is not configured (no VAPID keys).' });
        return sendPush(job, job.body, senders.vapid, senders.policy);
      case 'mail':
        return sendMail(senders.mailer, JSON.parse(job.body) as Mail);
    }
  }
}

function isDue(sql: Sql, target: string, now: number): boolean {
  const timer = sql.one<{ due_at: number }>("SELECT due_at FROM timers WHERE kind = 'delivery' AND ref = ?", target);
  return timer !== null && timer.due_at <= now;
}
