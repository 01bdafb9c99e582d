/**
 * What administrators are told, and how: push notifications to their devices (a seat request
 * waits, seats are full or cross a threshold, a lent seat returns soon, the directory put someone
 * on the waitlist), and mail (threshold alerts, a daily digest). Each administrator chooses per
 * kind; push is on by default once they turn it on for a device, mail is opt-in. Everything here
 * only queues deliveries, inside the transaction of the change; the alarm sends them.
 */
import type { NotificationChoices, NotificationSettingsPatch, PushMessage, WebhookEvent } from '../contract';
import { thresholdChanges } from '../domain/thresholds';
import { digestMail, thresholdMail } from './alert-mail';
import { enqueue, mailTarget } from './deliveries';
import { noteEvent } from './events';
import { idleSeatsReport } from './reports';
import { storedCounts } from './seats';
import type { Sql } from './sql';
import { clearTimer, setTimer, setTimerIfAbsent } from './timers';
import { subscriptionView } from './users';

/** How long before a lent seat returns its lender's administrators hear of it. */
export const LOAN_REMINDER_MS = 15 * 60_000;
/** The daily digest goes out at this hour, UTC. */
const DIGEST_HOUR_UTC = 7;
const DAY_MS = 24 * 3600_000;

type Choice = `push.${keyof NotificationChoices['push']}` | `mail.${keyof NotificationChoices['mail']}`;

const DEFAULTS: Record<Choice, boolean> = {
  'push.seatRequests': true,
  'push.seatsFull': true,
  'push.loansReturning': true,
  'push.directoryWaitlist': true,
  'mail.thresholds': false,
  'mail.digest': false,
};

/** One administrator's choices, defaults filled in. */
export function choicesOf(sql: Sql, userId: string): NotificationChoices {
  const stored = new Map(
    sql.all<{ choice: string; enabled: number }>('SELECT choice, enabled FROM notification_choices WHERE user_id = ?', userId).map((r) => [r.choice, r.enabled === 1]),
  );
  const value = (choice: Choice) => stored.get(choice) ?? DEFAULTS[choice];
  return {
    push: {
      seatRequests: value('push.seatRequests'),
      seatsFull: value('push.seatsFull'),
      loansReturning: value('push.loansReturning'),
      directoryWaitlist: value('push.directoryWaitlist'),
    },
    mail: { thresholds: value('mail.thresholds'), digest: value('mail.digest') },
  };
}

/** Stores an administrator's changed choices; opting in to the digest schedules it. */
export function setChoices(sql: Sql, userId: string, patch: Pick<NotificationSettingsPatch, 'push' | 'mail'>, now: number): void {
  const entries = [
    ...Object.entries(patch.push ?? {}).map(([key, on]) => [`push.${key}`, on] as const),
    ...Object.entries(patch.mail ?? {}).map(([key, on]) => [`mail.${key}`, on] as const),
  ];
  for (const [choice, on] of entries) {
    if (on === undefined) continue;
    sql.run(
      'INSERT INTO notification_choices (user_id, choice, enabled) VALUES (?, ?, ?) ON CONFLICT (user_id, choice) DO UPDATE SET enabled = excluded.enabled',
      userId,
      choice,
      on ? 1 : 0,
    );
  }
  if (patch.mail?.digest) setTimerIfAbsent(sql, 'digest', 'daily', nextDigestAt(now));
}

/** The subscription's thresholds, lowest first. */
export function thresholdsOf(sql: Sql): number[] {
  return sql.all<{ percent: number }>('SELECT percent FROM alert_thresholds ORDER BY percent').map((r) => r.percent);
}

/** Replaces the thresholds; those already reached start out crossed, so changing them alerts nobody. */
export function setThresholds(sql: Sql, percents: number[]): void {
  const { purchased, assigned } = storedCounts(sql);
  sql.run('DELETE FROM alert_thresholds');
  for (const percent of percents) {
    const reached = purchased > 0 && assigned * 100 >= percent * purchased;
    sql.run('INSERT INTO alert_thresholds (percent, crossed) VALUES (?, ?)', percent, reached ? 1 : 0);
  }
}

/**
 * After a change: a threshold the seats in use reached from below fires `seats.threshold` (once),
 * and one they fell below re-arms. Runs once per call, on the seats as the call left them.
 */
export function noteThresholds(sql: Sql, now: number): void {
  const rows = sql.all<{ percent: number; crossed: number }>('SELECT percent, crossed FROM alert_thresholds');
  if (rows.length === 0) return;
  const { fire, rearm } = thresholdChanges(rows.map((r) => ({ percent: r.percent, crossed: r.crossed === 1 })), storedCounts(sql));
  for (const percent of rearm) sql.run('UPDATE alert_thresholds SET crossed = 0 WHERE percent = ?', percent);
  for (const percent of fire) {
    sql.run('UPDATE alert_thresholds SET crossed = 1 WHERE percent = ?', percent);
    noteEvent(sql, now, null, 'seats.threshold', () => ({ percent, subscription: subscriptionView(sql) }));
  }
}

/** Queues the pushes and mails an event calls for. */
export function notifyFor(sql: Sql, event: WebhookEvent, now: number): void {
  if (event.type === 'seat.requested' && event.data.request.status === 'pending') {
    const { request, seats } = event.data;
    const directory = event.data.origin === 'directory';
    const full = seats.available === 0;
    pushTo(sql, directory ? 'push.directoryWaitlist' : 'push.seatRequests', event, {
      kind: directory ? 'directory_waitlist' : 'seat_request',
      title: directory ? `Directory sync put ${request.user.name} on the waitlist` : `${request.user.name} asks for a seat`,
      body: `${request.reason}${full ? `\nNo seat is free (${seats.assigned} of ${seats.purchased}): approving means choosing whose seat moves.` : ''}`,
      url: '/requests',
      tag: `request-${request.id}`,
      requestId: request.id,
      seatsFull: full,
    }, now);
  }
  if (event.type === 'seats.threshold') {
    const { percent, subscription } = event.data;
    const { assigned, purchased } = subscription.seats;
    // Named after the threshold that fired (several can fire at once), not the seats right now.
    const full = percent >= 100;
    pushTo(sql, 'push.seatsFull', event, {
      kind: 'seats',
      title: full ? `All ${purchased} seats are in use` : `${percent} % of seats are in use`,
      body: `${assigned} of ${purchased} seats are assigned in ${subscription.name}.`,
      url: '/',
      tag: 'seats',
      requestId: null,
      seatsFull: full,
    }, now);
    for (const admin of recipients(sql, 'mail.thresholds')) {
      enqueue(sql, 'mail', mailTarget(admin.id), event, JSON.stringify(thresholdMail(admin, percent, subscription)), now);
    }
  }
}

/** Sets (or moves, or clears) the reminder before a lent seat returns to its lender. */
export function scheduleLoanReminder(sql: Sql, userId: string, until: string | null, returnsTo: string | null): void {
  const at = until && returnsTo ? Date.parse(until) - LOAN_REMINDER_MS : null;
  if (at === null) clearTimer(sql, 'loan_reminder', userId);
  else setTimer(sql, 'loan_reminder', userId, at);
}

/** The `loan_reminder` timer: a lent seat returns in 15 minutes. */
export function loanReturningSoon(sql: Sql, userId: string, now: number): void {
  const row = sql.one<{ holder: string; until: string; lender: string | null }>(
    `SELECT h.name AS holder, s.expires_at AS until, l.name AS lender FROM seats s JOIN users h ON h.id = s.user_id
     LEFT JOIN users l ON l.id = s.returns_to WHERE s.user_id = ? AND s.expires_at IS NOT NULL AND s.returns_to IS NOT NULL`,
    userId,
  );
  if (!row || Date.parse(row.until) <= now) return;
  const at = `${row.until.slice(11, 16)} UTC`;
  const event = { id: `loan-${userId}-${row.until}`, type: 'loan.returning' };
  pushTo(sql, 'push.loansReturning', event, {
    kind: 'loan_returning',
    title: `${row.holder}'s seat returns to ${row.lender ?? 'its lender'} at ${at}`,
    body: 'In 15 minutes. Open the user to extend the loan or end it now.',
    url: `/users/${userId}`,
    tag: `loan-${userId}`,
    requestId: null,
    seatsFull: false,
  }, now);
}

/**
 * The `digest` timer (due at `dueAt`): each administrator who opted in gets pending requests and
 * idle seats. The next one is a day after this one was due (not after `now`), so a late alarm
 * keeps the hour; with nobody opted in any more, the timer stops.
 */
export function sendDigests(sql: Sql, dueAt: number, now: number): void {
  const admins = recipients(sql, 'mail.digest');
  if (admins.length === 0) return;
  const pending = sql.all<{ name: string; reason: string; created_at: string }>(
    `SELECT u.name, r.reason, r.created_at FROM seat_requests r JOIN users u ON u.id = r.user_id WHERE r.status = 'pending' ORDER BY r.seq`,
  );
  const idle = idleSeatsReport(sql, 14, now).items;
  const subscription = subscriptionView(sql);
  const event = { id: `digest-${new Date(now).toISOString().slice(0, 10)}`, type: 'digest' };
  for (const admin of admins) {
    enqueue(sql, 'mail', mailTarget(admin.id), event, JSON.stringify(digestMail(admin, subscription, pending, idle)), now);
  }
  let next = dueAt + DAY_MS;
  while (next <= now) next += DAY_MS;
  setTimer(sql, 'digest', 'daily', next);
}

/** Pushes `message` to every device of the administrators who chose `choice`. */
function pushTo(sql: Sql, choice: Choice, event: { id: string; type: string }, message: PushMessage, now: number): void {
  const devices = sql.all<{ id: string }>(
    `SELECT p.id FROM push_subscriptions p JOIN (${RECIPIENTS}) a ON a.id = p.user_id ORDER BY p.created_at`,
    choice,
    DEFAULTS[choice] ? 1 : 0,
  );
  for (const device of devices) enqueue(sql, 'push', device.id, event, JSON.stringify(message), now);
}

const RECIPIENTS = `SELECT u.id, u.name, u.email FROM users u
  LEFT JOIN notification_choices c ON c.user_id = u.id AND c.choice = ?
  WHERE u.role = 'administrator' AND u.status = 'active' AND COALESCE(c.enabled, ?) = 1`;

/** Active administrators who chose `choice`. */
function recipients(sql: Sql, choice: Choice): { id: string; name: string; email: string }[] {
  return sql.all<{ id: string; name: string; email: string }>(RECIPIENTS, choice, DEFAULTS[choice] ? 1 : 0);
}

function nextDigestAt(now: number): number {
  const next = new Date(now);
  next.setUTCHours(DIGEST_HOUR_UTC, 0, 0, 0);
  if (next.getTime() <= now) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime();
}
