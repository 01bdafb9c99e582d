/**
 * Stripe's side of billing, for tests: `customer.subscription.*` events as Stripe sends them,
 * signed with the `stripe` package's own test-header helper (the same HMAC Stripe uses) and POSTed
 * to the real Worker route, which verifies them with the package's WebCrypto provider.
 */
import { exports } from 'cloudflare:workers';
import Stripe from 'stripe';
import { DEVELOPMENT_STRIPE_SECRET } from '../../worker/notify/config';
import { ORIGIN } from './helpers';

const DAY = 24 * 3600_000;
const crypto = Stripe.createSubtleCryptoProvider();
let counter = 0;

/** A Stripe id nobody used yet in this run, e.g. `cus_…`. */
export const stripeId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${++counter}`;

/** A `customer.subscription.updated` event as Stripe sends it (the parts we read, and a few more). */
export function subscriptionEvent(customer: string, quantity: number, options: { created?: number; periodEnd?: number; type?: string; status?: string } = {}) {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  return {
    id: stripeId('evt_test'),
    object: 'event',
    api_version: '2025-10-29.clover',
    type: options.type ?? 'customer.subscription.updated',
    created,
    livemode: false,
    data: {
      object: {
        id: 'sub_1Seats',
        object: 'subscription',
        customer,
        status: options.status ?? 'active',
        items: {
          object: 'list',
          data: [{ id: 'si_seats', object: 'subscription_item', quantity, price: { id: 'price_seats', object: 'price' }, current_period_end: Math.floor((options.periodEnd ?? Date.now() + 30 * DAY) / 1000) }],
        },
      },
    },
  };
}

/** POSTs an event to the Worker, signed as Stripe would sign it (or with another secret or time). */
export async function sendStripeEvent(event: object, options: { secret?: string; timestamp?: number; signature?: string | null } = {}) {
  const payload = JSON.stringify(event);
  const header = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: options.secret ?? DEVELOPMENT_STRIPE_SECRET,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    cryptoProvider: crypto,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.signature !== null) headers['stripe-signature'] = options.signature ?? header;
  const res = await exports.default.fetch(`${ORIGIN}/api/billing/stripe`, { method: 'POST', headers, body: payload });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
