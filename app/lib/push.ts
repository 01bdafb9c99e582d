/**
 * This browser's push subscription (the Push API, through the app's service worker). The server
 * keeps one row per subscription endpoint; these helpers only talk to the browser.
 */

/** Why push cannot be turned on here, or null when it can. */
export function pushUnsupported(): string | null {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || typeof PushManager === 'undefined') {
    return 'This browser cannot receive push notifications.';
  }
  if (typeof Notification !== 'undefined' && Notification.permission === 'denied') {
    return 'Notifications are blocked for this site in the browser’s settings.';
  }
  return null;
}

/** The subscription this browser holds for the app, if any. */
export async function currentPushSubscription(): Promise<PushSubscription | null> {
  if (pushUnsupported()) return null;
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/**
 * Asks for permission and subscribes this browser with the server's VAPID public key; answers the
 * subscription as JSON (endpoint and keys) for `POST /push-subscriptions`.
 */
export async function subscribePush(vapidPublicKey: string): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications were not allowed.');
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  // A subscription made for another key (e.g. after the server's keys changed) cannot be reused.
  if (existing && keyOf(existing) !== vapidPublicKey) await existing.unsubscribe();
  const subscription =
    (existing && keyOf(existing) === vapidPublicKey ? existing : null) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(vapidPublicKey) }));
  const json = subscription.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) throw new Error('The browser gave an incomplete push subscription.');
  return { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
}

/** A short name for this device, to tell devices apart in the list. */
export function deviceName(): string {
  const ua = navigator.userAgent;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'Unknown system';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return `${browser} on ${os}`;
}

function keyOf(subscription: PushSubscription): string | null {
  const key = subscription.options.applicationServerKey;
  return key ? toBase64Url(new Uint8Array(key)) : null;
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
