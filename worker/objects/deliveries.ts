/**
 * The delivery queue: one row per event and target (a webhook endpoint, an administrator's push
 * device, a mailbox), written in the transaction that published the event. Each target's rows go
 * out in order: the oldest pending one (its head) is attempted when the target's `delivery` timer is
 * due, and the next waits until it succeeded or finally failed. A slow or failing target therefore
 * holds up only its own queue. The sending itself (fetch, mail) happens outside any transaction, in
 * the object's alarm (worker/notify/dispatcher.ts); these functions read a head and write back what
 * an attempt gave, each inside the write path.
 */
import type { Delivery, DeliveryStatus, WebhookEvent } from '../contract';
import { decideAfterAttempt, type Answer, type Channel } from '../domain/deliveries';
import { fail, ok, type Result } from '../domain/result';
import { prefixedId } from './ids';
import type { Sql } from './sql';
import { clearTimer, setTimer, setTimerIfAbsent } from './timers';
import { decodeCursor, page, type Page } from './views';

/** Events and finished deliveries are kept this long (a pending delivery keeps its event). */
const KEEP_MS = 7 * 24 * 3600_000;
/** Every this many events, old ones are pruned. */
const PRUNE_EVERY = 100;

/** The mailbox target of an administrator. */
export const mailTarget = (userId: string) => `mail:${userId}`;

/** Adds a delivery of `event` to `target`'s queue; the target's timer is set to now unless it already waits. */
export function enqueue(sql: Sql, channel: Channel, target: string, event: { id: string; type: string }, body: string | null, now: number): void {
  sql.run(
    `INSERT INTO deliveries (id, channel, target, event_id, event_type, body, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
    prefixedId('dlv'),
    channel,
    target,
    event.id,
    event.type,
    body,
    new Date(now).toISOString(),
  );
  setTimerIfAbsent(sql, 'delivery', target, now);
}

/** Queues `event` for every enabled webhook endpoint that wants its type (an empty list wants all). */
export function enqueueWebhooks(sql: Sql, event: WebhookEvent, now: number): void {
  const endpoints = sql.all<{ id: string; event_types: string }>('SELECT id, event_types FROM webhooks WHERE enabled = 1');
  for (const endpoint of endpoints) {
    const wanted = JSON.parse(endpoint.event_types) as string[];
    if (wanted.length === 0 || wanted.includes(event.type)) enqueue(sql, 'webhook', endpoint.id, event, null, now);
  }
}

/**
 * Keeps `event` in the outbox for its deliveries: what a webhook delivery sends (and Redeliver
 * sends again) is this row's payload. Every 100th event prunes the old ones.
 */
export function storeEvent(sql: Sql, event: WebhookEvent, now: number): void {
  const stored = sql.one<{ seq: number }>(
    'INSERT INTO outbox (id, type, at, payload) VALUES (?, ?, ?, ?) RETURNING seq',
    event.id,
    event.type,
    event.timestamp,
    JSON.stringify(event),
  );
  if ((stored?.seq ?? 0) % PRUNE_EVERY === 0) prune(sql, now);
}

/** What the dispatcher needs to attempt a target's head delivery. */
export type Job = { seq: number; target: string; attempts: number; eventId: string } & (
  | { channel: 'webhook'; url: string; secrets: string[]; payload: string }
  | { channel: 'push'; endpoint: string; p256dh: string; auth: string; body: string }
  | { channel: 'mail'; body: string }
);

type HeadRow = {
  seq: number;
  channel: Channel;
  target: string;
  attempts: number;
  event_id: string;
  body: string | null;
  payload: string | null;
  url: string | null;
  enabled: number | null;
  secret: string | null;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  endpoint: string | null;
  p256dh: string | null;
  auth: string | null;
};

/**
 * The head of `target`'s queue, ready to send; null when there is nothing (the timer is then
 * cleared). Deliveries whose target or event is gone are cancelled on the way.
 */
export function headOf(sql: Sql, target: string, now: number): Job | null {
  for (;;) {
    const row = sql.one<HeadRow>(
      `SELECT d.seq, d.channel, d.target, d.attempts, d.event_id, d.body, o.payload, w.url, w.enabled, w.secret,
              w.previous_secret, w.previous_secret_expires_at, p.endpoint, p.p256dh, p.auth
       FROM deliveries d LEFT JOIN outbox o ON o.id = d.event_id
       LEFT JOIN webhooks w ON w.id = d.target LEFT JOIN push_subscriptions p ON p.id = d.target
       WHERE d.target = ? AND d.status = 'pending' ORDER BY d.seq LIMIT 1`,
      target,
    );
    if (!row) {
      clearTimer(sql, 'delivery', target);
      return null;
    }
    const job = jobOf(row, now);
    if (job) return job;
    finish(sql, row.seq, 'cancelled', { error: 'The endpoint, device or event no longer exists.' }, now);
  }
}

function jobOf(row: HeadRow, now: number): Job | null {
  const base = { seq: row.seq, target: row.target, attempts: row.attempts, eventId: row.event_id };
  if (row.channel === 'webhook') {
    if (!row.url || !row.secret || row.payload === null || row.enabled !== 1) return null;
    const previous = row.previous_secret && row.previous_secret_expires_at && Date.parse(row.previous_secret_expires_at) > now ? [row.previous_secret] : [];
    return { ...base, channel: 'webhook', url: row.url, secrets: [row.secret, ...previous], payload: row.payload };
  }
  if (row.channel === 'push') {
    if (!row.endpoint || !row.p256dh || !row.auth || row.body === null) return null;
    return { ...base, channel: 'push', endpoint: row.endpoint, p256dh: row.p256dh, auth: row.auth, body: row.body };
  }
  return row.body === null ? null : { ...base, channel: 'mail', body: row.body };
}

/** What one attempt gave: the answer, how long it took, and an error when there was no answer. */
export interface Attempt {
  answer: Answer;
  latencyMs: number;
  error: string | null;
}

/**
 * Writes back an attempt at `job`: delivered; gone (a webhook endpoint is disabled, a push device
 * forgotten, and their other pending deliveries cancelled); tried again later (the target's timer
 * moves to then, so its later events wait); or finally failed. Then the target's next delivery is due.
 */
export function recordAttempt(sql: Sql, job: Job, attempt: Attempt, now: number): void {
  // Cancelled meanwhile (the endpoint was disabled or deleted while this attempt was on its way).
  if (sql.one<{ status: string }>('SELECT status FROM deliveries WHERE seq = ?', job.seq)?.status !== 'pending') return;
  const attempts = job.attempts + 1;
  const verdict = decideAfterAttempt(job.channel, attempt.answer, attempts, now);
  sql.run(
    'UPDATE deliveries SET attempts = ?, last_attempt_at = ?, response_status = ?, latency_ms = ?, error = ? WHERE seq = ?',
    attempts,
    new Date(now).toISOString(),
    attempt.answer.status,
    Math.round(attempt.latencyMs),
    attempt.error,
    job.seq,
  );
  switch (verdict.kind) {
    case 'delivered':
      finish(sql, job.seq, 'delivered', {}, now);
      if (job.channel === 'push') sql.run('UPDATE push_subscriptions SET last_sent_at = ? WHERE id = ?', new Date(now).toISOString(), job.target);
      break;
    case 'retry':
      setTimer(sql, 'delivery', job.target, now + verdict.delayMs);
      return;
    case 'give_up':
      finish(sql, job.seq, 'failed', {}, now);
      break;
    case 'gone':
      finish(sql, job.seq, 'failed', {}, now);
      targetGone(sql, job, now);
      return;
  }
  setTimer(sql, 'delivery', job.target, now);
}

/** A webhook endpoint answered 410 Gone: it is disabled. A push service said the device is gone: it is forgotten. */
function targetGone(sql: Sql, job: Job, now: number): void {
  if (job.channel === 'webhook') {
    const reason = `The endpoint answered 410 Gone on ${new Date(now).toISOString()}. Enable it again once it accepts events.`;
    sql.run('UPDATE webhooks SET enabled = 0, disabled_reason = ? WHERE id = ?', reason, job.target);
  }
  if (job.channel === 'push') sql.run('DELETE FROM push_subscriptions WHERE id = ?', job.target);
  cancelQueue(sql, job.target, 'The target is gone.', now);
}

/** Cancels every pending delivery to `target` and clears its timer (an endpoint disabled or deleted, a device removed). */
export function cancelQueue(sql: Sql, target: string, why: string, now: number): void {
  sql.run(
    "UPDATE deliveries SET status = 'cancelled', error = COALESCE(error, ?), last_attempt_at = COALESCE(last_attempt_at, ?) WHERE target = ? AND status = 'pending'",
    why,
    new Date(now).toISOString(),
    target,
  );
  clearTimer(sql, 'delivery', target);
}

function finish(sql: Sql, seq: number, status: DeliveryStatus, fields: { error?: string }, now: number): void {
  sql.run('UPDATE deliveries SET status = ?, error = COALESCE(?, error), last_attempt_at = COALESCE(last_attempt_at, ?) WHERE seq = ?', status, fields.error ?? null, new Date(now).toISOString(), seq);
}

/** Records a delivery that was attempted at once, outside the queue (a test event). */
export function recordImmediate(sql: Sql, target: string, event: WebhookEvent, attempt: Attempt, now: number): Delivery {
  // Kept like any event, so "Redeliver" works on a test event too (it is queued for no other endpoint).
  sql.run('INSERT INTO outbox (id, type, at, payload) VALUES (?, ?, ?, ?)', event.id, event.type, event.timestamp, JSON.stringify(event));
  const delivered = attempt.answer.status !== null && attempt.answer.status >= 200 && attempt.answer.status < 300;
  const id = prefixedId('dlv');
  sql.run(
    `INSERT INTO deliveries (id, channel, target, event_id, event_type, status, attempts, created_at, last_attempt_at, response_status, latency_ms, error)
     VALUES (?, 'webhook', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
    id,
    target,
    event.id,
    event.type,
    delivered ? 'delivered' : 'failed',
    new Date(now).toISOString(),
    new Date(now).toISOString(),
    attempt.answer.status,
    Math.round(attempt.latencyMs),
    attempt.error,
  );
  return deliveryById(sql, target, id)!;
}

type DeliveryRow = {
  seq: number;
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  created_at: string;
  last_attempt_at: string | null;
  response_status: number | null;
  latency_ms: number | null;
  error: string | null;
  next_at: number | null;
};

const DELIVERY_SELECT = `SELECT d.seq, d.id, d.event_id, d.event_type, d.status, d.attempts, d.created_at, d.last_attempt_at,
  d.response_status, d.latency_ms, d.error,
  CASE WHEN d.status = 'pending' AND d.seq = (SELECT MIN(h.seq) FROM deliveries h WHERE h.target = d.target AND h.status = 'pending')
    THEN (SELECT t.due_at FROM timers t WHERE t.kind = 'delivery' AND t.ref = d.target) END AS next_at
  FROM deliveries d`;

/** An endpoint's delivery log, newest first. */
export function deliveryLog(sql: Sql, target: string, query: { limit: number; cursor?: string }): Result<Page<Delivery>> {
  const before = decodeCursor(query.cursor);
  if (before === 'invalid') return fail('validation_failed', { detail: 'The cursor is not one this API returned.' });
  const rows = sql.all<DeliveryRow>(
    `${DELIVERY_SELECT} WHERE d.target = ? AND d.seq < ? ORDER BY d.seq DESC LIMIT ?`,
    target,
    before ?? Number.MAX_SAFE_INTEGER,
    query.limit + 1,
  );
  return ok(page(rows, query.limit, toDelivery));
}

export function deliveryById(sql: Sql, target: string, id: string): Delivery | null {
  const row = sql.one<DeliveryRow>(`${DELIVERY_SELECT} WHERE d.target = ? AND d.id = ?`, target, id);
  return row ? toDelivery(row) : null;
}

/** Sends a delivery's event to its endpoint again: a new delivery at the end of the queue, with the same `webhook-id`. */
export function redeliver(sql: Sql, target: string, deliveryId: string, now: number): Result<Delivery> {
  const row = sql.one<{ event_id: string; event_type: string }>('SELECT event_id, event_type FROM deliveries WHERE target = ? AND id = ?', target, deliveryId);
  if (!row) return fail('not_found', { detail: 'No such delivery for this endpoint.' });
  if (!sql.one('SELECT id FROM outbox WHERE id = ?', row.event_id)) {
    return fail('not_found', { detail: `The event ${row.event_id} is no longer kept (events are kept 7 days), so it cannot be sent again.` });
  }
  enqueue(sql, 'webhook', target, { id: row.event_id, type: row.event_type }, null, now);
  const id = sql.one<{ id: string }>('SELECT id FROM deliveries WHERE target = ? ORDER BY seq DESC LIMIT 1', target)!.id;
  return ok(deliveryById(sql, target, id)!);
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_at === null ? null : new Date(row.next_at).toISOString(),
    responseStatus: row.response_status,
    latencyMs: row.latency_ms,
    error: row.error,
  };
}

/** Drops events and finished deliveries older than a week (a pending delivery keeps its event). */
function prune(sql: Sql, now: number): void {
  const cutoff = new Date(now - KEEP_MS).toISOString();
  sql.run(
    `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE at < ? ORDER BY seq LIMIT 1000)
     AND id NOT IN (SELECT event_id FROM deliveries WHERE status = 'pending')`,
    cutoff,
  );
  sql.run("DELETE FROM deliveries WHERE seq IN (SELECT seq FROM deliveries WHERE status != 'pending' AND created_at < ? ORDER BY seq LIMIT 1000)", cutoff);
}
