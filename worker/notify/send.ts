/**
 * Sending one delivery: a webhook signed per Standard Webhooks, a push message encrypted per
 * RFC 8291 (aes128gcm) with VAPID (RFC 8292), or a mail through the mailer. Each returns what
 * happened as an `Attempt`; none of them throws. They run outside any transaction.
 */
import { buildPushPayload, type VapidKeys } from '@block65/webcrypto-web-push';
import { Webhook } from 'standardwebhooks';
import { checkDestination, type DestinationPolicy } from '../domain/destinations';
import type { Mail, Mailer } from '../mail';
import type { Attempt } from '../objects/deliveries';

/** How long a receiver has to answer. */
export const SEND_TIMEOUT_MS = 15_000;
/** Push messages are kept by the push service this long for an offline device. */
const PUSH_TTL_SECONDS = 24 * 3600;

/**
 * POSTs a webhook: `webhook-id` (the event id, the same on every retry), `webhook-timestamp`, and
 * `webhook-signature` with one `v1,…` signature per valid secret (two during a rotation).
 */
export async function sendWebhook(
  target: { url: string; secrets: string[] },
  event: { id: string; payload: string },
  policy: DestinationPolicy,
): Promise<Attempt> {
  const allowed = checkDestination(target.url, policy);
  if (!allowed.ok) return refused(allowed.detail);
  const at = new Date();
  const signature = target.secrets.map((secret) => new Webhook(secret).sign(event.id, at, event.payload)).join(' ');
  return post(target.url, {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'SetMe-Seats-Webhooks/1.0',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body: event.payload,
  });
}

/**
 * Sends a push message to a device's push service. Push services are https (RFC 8030); in local
 * development a test push service may be plain http on this machine, so the message is built (and
 * its VAPID audience named) for the https form of its URL and sent to the URL as it is.
 */
export async function sendPush(
  device: { endpoint: string; p256dh: string; auth: string },
  message: string,
  vapid: VapidKeys,
  policy: DestinationPolicy,
): Promise<Attempt> {
  const allowed = checkDestination(device.endpoint, policy);
  if (!allowed.ok) return refused(allowed.detail);
  const built = device.endpoint.replace(/^http:/, 'https:');
  let request: Awaited<ReturnType<typeof buildPushPayload>>;
  try {
    request = await buildPushPayload(
      { data: message, options: { ttl: PUSH_TTL_SECONDS, urgency: 'high' } },
      { endpoint: built, expirationTime: null, keys: { p256dh: device.p256dh, auth: device.auth } },
      vapid,
    );
  } catch (error) {
    return refused(`The message could not be encrypted for this device: ${String(error)}`);
  }
  return post(device.endpoint, { headers: request.headers, body: request.body });
}

/** Hands a mail to the mailer; a transport that throws is an attempt to repeat. */
export async function sendMail(mailer: Mailer, mail: Mail): Promise<Attempt> {
  const started = Date.now();
  try {
    await mailer.send(mail);
    return { answer: { status: 200, retryAfter: null }, latencyMs: Date.now() - started, error: null };
  } catch (error) {
    return { answer: { status: null, retryAfter: null }, latencyMs: Date.now() - started, error: String(error) };
  }
}

async function post(url: string, init: { headers: Record<string, string>; body: string | Uint8Array<ArrayBuffer> }): Promise<Attempt> {
  const started = Date.now();
  try {
    // Redirects are not followed: a receiver must answer itself (and cannot bounce us elsewhere).
    const res = await fetch(url, { method: 'POST', ...init, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    const latencyMs = Date.now() - started;
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return { answer: { status: res.status, retryAfter: res.headers.get('retry-after') }, latencyMs, error: ok ? null : `Answered ${res.status}` };
  } catch (error) {
    const latencyMs = Date.now() - started;
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { answer: { status: null, retryAfter: null }, latencyMs, error: timedOut ? `No answer within ${SEND_TIMEOUT_MS / 1000} s` : `Could not connect: ${String(error)}` };
  }
}

function refused(detail: string): Attempt {
  return { answer: { status: null, retryAfter: null }, latencyMs: 0, error: detail };
}
