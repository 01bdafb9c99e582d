/**
 * When a delivery is tried again, and what an answer means: pure rules, no I/O. Webhooks follow
 * the Standard Webhooks retry schedule; push messages give up sooner (a seat request pushed hours
 * late helps nobody); mail sits between.
 */

export type Channel = 'webhook' | 'push' | 'mail';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Waits after each failed attempt: after the first, 5 s; after the second, 5 min; … The attempt
 * after the last wait is the final one (8 attempts for webhooks, per the Standard Webhooks spec).
 */
export const RETRY_SCHEDULE: Record<Channel, readonly number[]> = {
  webhook: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
  push: [5 * SECOND, 5 * MINUTE, 30 * MINUTE],
  mail: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR],
};

/** A `Retry-After` is respected up to this long; beyond it the schedule's wait is used. */
const MAX_RETRY_AFTER = 24 * HOUR;

/** What the target answered: an HTTP status (null when the request never got one) and its Retry-After. */
export interface Answer {
  status: number | null;
  retryAfter: string | null;
}

/**
 * What to do after an attempt: done; the target is gone for good (a webhook's 410, a push
 * service's 404 or 410: disable or forget it); or try again after `delayMs` — or give up, when
 * this was the last attempt.
 */
export type Verdict = { kind: 'delivered' } | { kind: 'gone' } | { kind: 'retry'; delayMs: number } | { kind: 'give_up' };

/**
 * Decides what follows attempt number `attempts` (1 for the first) of a delivery on `channel`.
 * @example decideAfterAttempt('webhook', { status: 503, retryAfter: '120' }, 1, now) // retry in 120 s
 */
export function decideAfterAttempt(channel: Channel, answer: Answer, attempts: number, now: number): Verdict {
  if (answer.status !== null && answer.status >= 200 && answer.status < 300) return { kind: 'delivered' };
  if (answer.status === 410 || (channel === 'push' && answer.status === 404)) return { kind: 'gone' };
  const wait = RETRY_SCHEDULE[channel][attempts - 1];
  if (wait === undefined) return { kind: 'give_up' };
  const asked = retryAfterMs(answer.retryAfter, now);
  return { kind: 'retry', delayMs: asked !== null && asked > wait && asked <= MAX_RETRY_AFTER ? asked : wait };
}

/** A `Retry-After` header (seconds, or an HTTP date) as milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
