/**
 * Push notifications in the real browser, end to end: an administrator turns push on in
 * Me › Notifications, a technician asks for a seat, the Worker sends an encrypted push, and the
 * administrator approves from the notification.
 *
 * What is real: the app's button, the permission, `POST /push-subscriptions`, the Worker's VAPID
 * signature and RFC 8291 encryption, a push service (web-push-testing, in this process) that
 * checks the signature and decrypts the message with the subscription's private key, the service
 * worker's `push` handler (a real push event, delivered over CDP with the decrypted message, as a
 * browser's push service would hand it over), `showNotification`, and the Approve call the service
 * worker makes with the session cookie.
 * What is driven: Chromium's own push service (FCM) is unreachable here, so `PushManager.subscribe`
 * answers with a subscription made at the local push service; and no one can tap a notification
 * headlessly, so the test dispatches `notificationclick` (with action "approve") to the service
 * worker for the notification it shows.
 */
import type { Worker } from '@playwright/test';
import type { PushMessage } from '../../worker/contract';
import { startPushService } from '../support/receivers.mjs';
import { expect, test } from './fixtures';
import { technicianApi } from './seat-support';

/** The service worker's globals the test uses inside it (this config has no WebWorker types). */
interface WorkerScope {
  registration: { getNotifications(filter?: { tag?: string }): Promise<Notification[]> };
  dispatchEvent(event: Event): boolean;
}
declare const NotificationEvent: new (type: string, init: { notification: Notification; action: string }) => Event;

test.describe('Push notifications', () => {
  test.use({ serviceWorkers: 'allow' });

  test('turn push on, a seat request arrives as a push, Approve on the notification gives the seat', { tag: '@once' }, async ({ signedIn: page, context, team, baseURL }) => {
    const push = await startPushService();
    try {
      const { vapidPublicKey } = await team.api.ok<{ vapidPublicKey: string }>('GET', '/notifications');
      const subscribed = await fetch(`${push.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ applicationServerKey: vapidPublicKey, userVisibleOnly: 'true' }),
      });
      const { data: subscription } = (await subscribed.json()) as { data: { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string } };
      await page.addInitScript(stubPushManager, { endpoint: subscription.endpoint, keys: subscription.keys, key: vapidPublicKey });
      await context.grantPermissions(['notifications'], { origin: baseURL });

      await page.goto('/me');
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.getByRole('button', { name: 'Turn on push notifications' }).click();
      await expect(page.getByText(/on for this device \(Chrome on Linux\)/)).toBeVisible();
      const settings = await team.api.ok<{ devices: { device: string }[] }>('GET', '/notifications');
      expect(settings.devices).toEqual([expect.objectContaining({ device: 'Chrome on Linux' })]);

      const request = await (await technicianApi(team, 'Lena')).ok<{ id: string }>('POST', '/seat-requests', { reason: 'On call this weekend' });
      let message: PushMessage | undefined;
      await expect.poll(async () => (message = (await received(push.url, subscription.clientHash))[0])?.kind, { timeout: 15_000 }).toBe('seat_request');
      expect(message).toMatchObject({ kind: 'seat_request', title: 'Lena Fischer asks for a seat', requestId: request.id, seatsFull: false });

      const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
      const cdp = await context.newCDPSession(page);
      const registrationId = await registrationOf(cdp);
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(baseURL!).origin, registrationId, data: JSON.stringify(message) });
      // As long as the push's own arrival above: under load the service worker takes seconds to show it.
      await expect.poll(() => shown(worker), { timeout: 15_000 }).toEqual([{ title: 'Lena Fischer asks for a seat', body: 'On call this weekend', actions: ['approve', 'decline'] }]);

      await worker.evaluate(async (tag) => {
        const scope = self as unknown as WorkerScope;
        const [notification] = await scope.registration.getNotifications({ tag });
        // A script-made event: its handler runs (and its waitUntil throws, which is expected here).
        scope.dispatchEvent(new NotificationEvent('notificationclick', { notification: notification!, action: 'approve' }));
      }, `request-${request.id}`);
      await expect.poll(() => shown(worker), { timeout: 15_000 }).toEqual([{ title: 'Lena Fischer has a seat now', body: 'Tap to open the requests.', actions: [] }]);
      const lena = await team.api.ok<{ seat: unknown }>('GET', `/users/${team.users.Lena!.id}`);
      expect(lena.seat).not.toBeNull();
    } finally {
      await push.close();
    }
  });
});

/** Runs in the page before the app: PushManager answers with the subscription at the local push service. */
function stubPushManager(given: { endpoint: string; keys: { p256dh: string; auth: string }; key: string }) {
  let current: PushSubscription | null = null;
  const bytes = Uint8Array.from(atob(given.key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const made = {
    endpoint: given.endpoint,
    expirationTime: null,
    options: { applicationServerKey: bytes.buffer, userVisibleOnly: true },
    toJSON: () => ({ endpoint: given.endpoint, expirationTime: null, keys: given.keys }),
    unsubscribe: async () => ((current = null), true),
    getKey: () => null,
  } as unknown as PushSubscription;
  PushManager.prototype.subscribe = async function () {
    return (current = made);
  };
  PushManager.prototype.getSubscription = async function () {
    return current;
  };
}

/** The messages the push service received for a subscription and decrypted, parsed. */
async function received(base: string, clientHash: string): Promise<PushMessage[]> {
  const got = await fetch(`${base}/get-notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientHash }) });
  return ((await got.json()) as { data: { messages: string[] } }).data.messages.map((m) => JSON.parse(m) as PushMessage);
}

/** The app's service worker registration id, as the DevTools protocol names it. */
async function registrationOf(cdp: import('@playwright/test').CDPSession): Promise<string> {
  const found = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const live = registrations.find((r) => !r.isDeleted);
      if (live) resolve(live.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  return found;
}

/** The notifications the service worker shows now. */
function shown(worker: Worker) {
  return worker.evaluate(async () => {
    const scope = self as unknown as WorkerScope;
    const list = await scope.registration.getNotifications();
    return list.map((n) => ({ title: n.title, body: n.body, actions: ((n as unknown as { actions: { action: string }[] }).actions ?? []).map((a) => a.action) }));
  });
}
