/**
 * Local receivers for the Worker's real outgoing requests, started once in Node (vitest's
 * globalSetup; Playwright's and the benchmark's own setup): they are independent of the Worker and
 * its runtime.
 *
 * - A webhook receiver: `POST /hooks/<name>` records each request and verifies its signature with
 *   the `standardwebhooks` package's own `Webhook.verify`, using the secret a test handed it
 *   (`POST /_/configure/<name> {"secret", "plan"}`); `plan` is a list of answers
 *   (`{"status", "retryAfter", "delayMs"}`) used one per request, then 204. `GET /_/requests/<name>`
 *   lists what arrived.
 * - A push service (`web-push-testing`): subscriptions from `POST /subscribe`, and for each
 *   message sent to a subscription's endpoint it checks the VAPID signature and decrypts the
 *   RFC 8291 payload with the subscription's private key (`POST /get-notifications`).
 */
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { Webhook } from 'standardwebhooks';

const require = createRequire(import.meta.url);

/** Starts the webhook receiver on `port` (0: any free port); resolves to its base URL and a close function. */
export async function startWebhookReceiver(port = 0) {
  /** @type {Map<string, { secret?: string, plan: any[], requests: any[] }>} */
  const endpoints = new Map();
  const state = (name) => {
    if (!endpoints.has(name)) endpoints.set(name, { plan: [], requests: [] });
    return endpoints.get(name);
  };
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const [, kind, name] = new URL(req.url ?? '/', 'http://x').pathname.split('/');
    const reply = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(json === undefined ? '' : JSON.stringify(json));
    };
    if (kind === '_' && req.method === 'POST' && name === 'configure') {
      const target = new URL(req.url ?? '/', 'http://x').pathname.split('/')[3];
      const { secret, plan } = JSON.parse(body || '{}');
      const s = state(target);
      if (secret !== undefined) s.secret = secret;
      if (plan !== undefined) s.plan = plan;
      return reply(200, { ok: true });
    }
    if (kind === '_' && req.method === 'GET' && name === 'requests') {
      const target = new URL(req.url ?? '/', 'http://x').pathname.split('/')[3];
      return reply(200, state(target).requests);
    }
    if (kind !== 'hooks' || !name) return reply(404, { error: 'no such route' });
    const s = state(name);
    const headers = {
      'webhook-id': req.headers['webhook-id'],
      'webhook-timestamp': req.headers['webhook-timestamp'],
      'webhook-signature': req.headers['webhook-signature'],
    };
    let verified = false;
    let error = null;
    if (s.secret) {
      try {
        new Webhook(s.secret).verify(body, headers);
        verified = true;
      } catch (e) {
        error = String(e);
      }
    }
    s.requests.push({ at: Date.now(), headers, body, verified, error });
    const answer = s.plan.shift() ?? { status: 204 };
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.retryAfter) res.setHeader('retry-after', String(answer.retryAfter));
    reply(answer.status ?? 204, answer.status && answer.status >= 400 ? { error: 'planned' } : undefined);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** A free TCP port on this machine (web-push-testing needs a number up front: it puts it in endpoints). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts web-push-testing in this process on `port`; resolves to its base URL and a close function. */
export async function startPushService(port) {
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js');
  const WebPushTestingServer = require('web-push-testing/src/server.js');
  const listen = port ?? (await freePort());
  const service = new WebPushTestingServer(new PushApiModel(), listen);
  // Its "Server running" line is logged once it listens (the listener before ours): mute until then.
  const log = console.log;
  console.log = () => {};
  try {
    service.startServer();
    await new Promise((resolve, reject) => {
      service._server.once('listening', resolve);
      service._server.once('error', reject);
    });
  } finally {
    console.log = log;
  }
  return { url: `http://localhost:${listen}`, close: () => new Promise((r) => service._server.close(() => r())) };
}
