/**
 * Administrators' devices that receive push notifications (a browser's PushSubscription: its push
 * service endpoint and the keys messages are encrypted for), and each administrator's notification
 * settings. A device belongs to the user who turned it on; the same browser turned on by another
 * user moves to them.
 */
import type { NotificationSettings, NotificationSettingsPatch, PushDevice, PushMessage } from '../contract';
import { checkDestination, type DestinationPolicy } from '../domain/destinations';
import { fail, ok, type Result } from '../domain/result';
import type { Actor } from './access';
import { choicesOf, setChoices, setThresholds, thresholdsOf } from './alerts';
import { recordAudit } from './audit';
import { cancelQueue, enqueue } from './deliveries';
import { prefixedId } from './ids';
import type { Sql } from './sql';
import { subscriptionView } from './users';

/** A device's subscription, as validated from `PushSubscription.toJSON()`. */
export interface NewPushDevice {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  device: string;
}

/** Each user's devices are capped: a browser that subscribes again replaces its row. */
const MAX_DEVICES = 20;

type DeviceRow = { id: string; device: string; endpoint: string; created_at: string; last_sent_at: string | null };

/** Stores (or refreshes) the caller's device; refused for a push service the deployment may not reach. */
export function addPushDevice(sql: Sql, actor: Actor, input: NewPushDevice, policy: DestinationPolicy, now: number): Result<PushDevice> {
  const allowed = checkDestination(input.endpoint, policy);
  if (!allowed.ok) return allowed;
  const existing = sql.one<{ id: string }>('SELECT id FROM push_subscriptions WHERE endpoint = ?', input.endpoint);
  if (!existing && sql.count('SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?', actor.id) >= MAX_DEVICES) {
    return fail('validation_failed', { detail: `You can receive notifications on ${MAX_DEVICES} devices. Turn them off on one you no longer use.` });
  }
  const id = existing?.id ?? prefixedId('psh');
  sql.run(
    `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, device, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, device = excluded.device`,
    id,
    actor.id,
    input.endpoint,
    input.keys.p256dh,
    input.keys.auth,
    input.device,
    new Date(now).toISOString(),
  );
  return ok(devicesOf(sql, actor.id).find((d) => d.id === id)!);
}

/** Forgets one of the caller's devices, with what was still queued for it. */
export function removePushDevice(sql: Sql, actor: Actor, id: string, now: number): Result<null> {
  if (!sql.run('DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?', id, actor.id)) {
    return fail('not_found', { detail: 'No such device of yours receives notifications.' });
  }
  cancelQueue(sql, id, 'The device was turned off.', now);
  return ok(null);
}

export function devicesOf(sql: Sql, userId: string): PushDevice[] {
  return sql
    .all<DeviceRow>('SELECT id, device, endpoint, created_at, last_sent_at FROM push_subscriptions WHERE user_id = ? ORDER BY created_at', userId)
    .map((r) => ({ id: r.id, device: r.device, endpointOrigin: new URL(r.endpoint).origin, createdAt: r.created_at, lastSentAt: r.last_sent_at }));
}

/** Queues a test notification to each of the caller's devices; how many. */
export function sendTestPush(sql: Sql, actor: Actor, now: number): Result<{ devices: number }> {
  const devices = devicesOf(sql, actor.id);
  if (devices.length === 0) {
    return fail('validation_failed', { detail: 'No device of yours receives notifications yet. Turn them on on this device first.' });
  }
  const message: PushMessage = {
    kind: 'test',
    title: 'SetMe Seats notifications work',
    body: `${actor.name}, this device will tell you when someone asks for a seat in ${subscriptionView(sql).name}.`,
    url: '/me/notifications',
    tag: 'test',
    requestId: null,
    seatsFull: false,
  };
  const event = { id: `test-${now}`, type: 'test' };
  for (const device of devices) enqueue(sql, 'push', device.id, event, JSON.stringify(message), now);
  return ok({ devices: devices.length });
}

/** The caller's notification settings. */
export function notificationSettings(sql: Sql, actor: Actor, vapidPublicKey: string | null): NotificationSettings {
  return { choices: choicesOf(sql, actor.id), thresholds: thresholdsOf(sql), devices: devicesOf(sql, actor.id), vapidPublicKey };
}

/** Changes the caller's choices and, for the whole subscription, the alert thresholds. */
export function updateNotificationSettings(
  sql: Sql,
  actor: Actor,
  patch: NotificationSettingsPatch,
  vapidPublicKey: string | null,
  now: number,
): Result<NotificationSettings> {
  setChoices(sql, actor.id, patch, now);
  if (patch.thresholds) {
    const before = thresholdsOf(sql);
    const after = [...patch.thresholds].sort((a, b) => a - b);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      setThresholds(sql, after);
      const view = subscriptionView(sql);
      recordAudit(sql, now, actor, 'alerts.thresholds_changed', { type: 'subscription', id: view.id, name: view.name }, { thresholds: { from: before, to: after } });
    }
  }
  return ok(notificationSettings(sql, actor, vapidPublicKey));
}
