/**
 * The tests' side of the local receivers (test/support/receivers.mjs, started by vitest's
 * globalSetup in Node): configure a webhook receiver and read what it got and verified; subscribe
 * to the local push service and read the messages it decrypted.
 */
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    receiverUrl: string;
    pushServiceUrl: string;
  }
}

export interface Received {
  at: number;
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
  body: string;
  /** The receiver's own `Webhook.verify` accepted the signature. */
  verified: boolean;
  error: string | null;
}

let counter = 0;

/** Waits until `check` holds (deliveries run in the object's alarm, which the runtime may fire on its own). */
export async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


/** A fresh receiver endpoint: its URL, and functions to configure it and read what it received. */
export function webhookReceiver(label = 'hook') {
  const name = `${label}-${Date.now().toString(36)}-${++counter}`;
  const base = inject('receiverUrl');
  return {
    url: `${base}/hooks/${name}`,
    async configure(options: { secret?: string; plan?: { status: number; retryAfter?: number; delayMs?: number }[] }) {
      await fetch(`${base}/_/configure/${name}`, { method: 'POST', body: JSON.stringify(options) });
    },
    async received(): Promise<Received[]> {
      return (await fetch(`${base}/_/requests/${name}`)).json();
    },
    /** The events received, parsed. */
    async events(): Promise<any[]> {
      return (await this.received()).map((r) => JSON.parse(r.body));
    },
  };
}

/** A subscription at the local push service, for the Worker's VAPID key: what a browser's PushManager would give. */
export async function pushSubscription(applicationServerKey: string) {
  const base = inject('pushServiceUrl');
  const reply = await fetch(`${base}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ applicationServerKey, userVisibleOnly: 'true' }),
  });
  const { data } = (await reply.json()) as { data: { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string } };
  return {
    json: { endpoint: data.endpoint, keys: data.keys },
    /** The messages the push service received and decrypted, parsed. */
    async messages(): Promise<any[]> {
      const got = await fetch(`${base}/get-notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientHash: data.clientHash }) });
      return ((await got.json()) as { data: { messages: string[] } }).data.messages.map((m) => JSON.parse(m));
    },
    /** The browser unsubscribed: the push service answers 410 from now on. */
    async expire(): Promise<void> {
      await fetch(`${base}/expire-subscription/${data.clientHash}`, { method: 'POST' });
    },
  };
}
