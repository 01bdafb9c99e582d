/**
 * The service worker's side of push notifications: show what the Worker sent (worker/objects/
 * alerts.ts builds it), and act on a tap. A seat request has Approve and Decline: the service
 * worker calls the API with the administrator's session cookie (same origin) and shows how it went;
 * when every seat is taken, Approve opens the app's seat chooser instead (/requests?approve=…).
 */
import { self } from '$app/service-worker';
import type { PushMessage } from '#contract';

const ICON = '/icons/icon-192.png';

/** What a notification keeps for its click: the message as sent. */
type NotificationData = Pick<PushMessage, 'kind' | 'url' | 'requestId' | 'seatsFull'>;

/** Shows a push message as a notification; Approve and Decline on a seat request. */
export async function showPush(event: PushEvent): Promise<void> {
  let message: PushMessage;
  try {
    message = event.data?.json() as PushMessage;
  } catch {
    message = { kind: 'test', title: 'SetMe Seats', body: event.data?.text() ?? '', url: '/', tag: 'setme', requestId: null, seatsFull: false };
  }
  const actions = message.requestId && (message.kind === 'seat_request' || message.kind === 'directory_waitlist')
    ? [
        { action: 'approve', title: message.seatsFull ? 'Approve…' : 'Approve' },
        { action: 'decline', title: 'Decline' },
      ]
    : [];
  const data: NotificationData = { kind: message.kind, url: message.url, requestId: message.requestId, seatsFull: message.seatsFull };
  // `actions` is in the Notifications API but not yet in TypeScript's NotificationOptions.
  await self.registration.showNotification(message.title, { body: message.body, tag: message.tag, icon: ICON, data, actions } as NotificationOptions);
}

/** A tap on a notification or one of its actions. */
export async function clickPush(event: NotificationEvent): Promise<void> {
  const data = event.notification.data as NotificationData | null;
  event.notification.close();
  if (!data) return openPage('/');
  if (data.requestId && event.action === 'approve') {
    if (data.seatsFull) return openPage(`/requests?approve=${encodeURIComponent(data.requestId)}`);
    return answer(data.requestId, 'approve');
  }
  if (data.requestId && event.action === 'decline') return answer(data.requestId, 'decline');
  return openPage(data.url);
}

/** Approves or declines through the API, then says how it went (a refusal offers the app). */
async function answer(requestId: string, verb: 'approve' | 'decline'): Promise<void> {
  let title: string;
  let body: string;
  let url = '/requests';
  try {
    const response = await fetch(`/api/v1/seat-requests/${encodeURIComponent(requestId)}/${verb}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'idempotency-key': `push-${verb}-${requestId}` },
      body: '{}',
    });
    if (response.ok) {
      const request = (await response.json()) as { user: { name: string } };
      title = verb === 'approve' ? `${request.user.name} has a seat now` : `Declined ${request.user.name}'s request`;
      body = 'Tap to open the requests.';
    } else {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; code?: string };
      if (problem.code === 'no_seats_available') url = `/requests?approve=${encodeURIComponent(requestId)}`;
      title = verb === 'approve' ? 'Not approved' : 'Not declined';
      body = problem.detail ?? `The server answered ${response.status}. Tap to open the app.`;
    }
  } catch {
    title = 'You are offline';
    body = 'Nothing was changed. Tap to answer the request in the app.';
  }
  const data: NotificationData = { kind: 'seat_request', url, requestId: null, seatsFull: false };
  await self.registration.showNotification(title, { body, tag: `request-${requestId}`, icon: ICON, data });
}

/** Focuses an open window of the app on `url`, or opens one. */
async function openPage(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows[0];
  if (open) {
    await open.focus();
    await open.navigate(url).catch(() => null);
    return;
  }
  await self.clients.openWindow(url);
}
