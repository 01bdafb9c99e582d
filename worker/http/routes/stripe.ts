/**
 * `POST /api/billing/stripe`: Stripe's webhooks. The signature is checked with the `stripe`
 * package (its WebCrypto provider, as Workers have no Node crypto) against the signing secret from
 * configuration; a missing, wrong or stale (over 5 minutes old) signature is 400 and changes
 * nothing. A `customer.subscription.created/updated` event for a linked customer sets its
 * subscription's purchased seats (worker/objects/billing.ts); anything else is acknowledged and
 * ignored, so Stripe stops retrying it.
 */
import { Hono } from 'hono';
import Stripe from 'stripe';
import { z } from 'zod';
import { stripeSecret } from '../../notify/config';
import type { SeatPurchase } from '../../objects/billing';
import type { AppEnv } from '../context';
import { ProblemError } from '../problem';

const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** The part of a Stripe subscription event this reads (Stripe sends much more). */
const SubscriptionEvent = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number().int(),
  data: z.object({
    object: z.object({
      customer: z.union([z.string(), z.object({ id: z.string() })]),
      status: z.string(),
      current_period_end: z.number().int().optional(),
      items: z.object({
        data: z.array(
          z.object({ quantity: z.number().int().optional(), price: z.object({ id: z.string() }), current_period_end: z.number().int().optional() }),
        ),
      }),
    }),
  }),
});

/** Stripe subscription states in which the customer pays for (or is trying) the seats. */
const PAYING = new Set(['active', 'trialing', 'past_due']);

/** The seats a verified Stripe event sets, or null when it says nothing about them. */
export function seatPurchaseOf(event: unknown, seatPrice: string): SeatPurchase | null {
  const parsed = SubscriptionEvent.safeParse(event);
  if (!parsed.success) return null;
  const { id, type, created, data } = parsed.data;
  if (type !== 'customer.subscription.created' && type !== 'customer.subscription.updated') return null;
  const subscription = data.object;
  const item = seatPrice ? subscription.items.data.find((i) => i.price.id === seatPrice) : subscription.items.data[0];
  const periodEnd = item?.current_period_end ?? subscription.current_period_end ?? null;
  return {
    eventId: id,
    created,
    customerId: typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id,
    quantity: PAYING.has(subscription.status) ? (item?.quantity ?? null) : null,
    periodEnd: periodEnd === null ? null : periodEnd * 1000,
  };
}

export const stripeWebhooks = new Hono<AppEnv>().post('/', async (c) => {
  const secret = stripeSecret(c.env);
  if (!secret) throw new ProblemError({ ok: false, code: 'not_found', detail: 'Billing is not configured on this deployment (STRIPE_WEBHOOK_SECRET).' });
  const body = await c.req.text();
  let event: unknown;
  try {
    event = await Stripe.webhooks.constructEventAsync(body, c.req.header('stripe-signature') ?? '', secret, undefined, cryptoProvider);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProblemError({ ok: false, code: 'stripe_signature_invalid', detail: `The Stripe-Signature header does not verify: ${reason}` });
  }
  const purchase = seatPurchaseOf(event, c.env.STRIPE_SEAT_PRICE);
  if (!purchase) return c.json({ received: true, outcome: 'ignored' });
  const subscriptionId = await c.env.BILLING_INDEX.getByName(purchase.customerId).lookup();
  if (!subscriptionId) return c.json({ received: true, outcome: 'ignored' });
  const applied = await c.env.SUBSCRIPTION.getByName(subscriptionId).applySeatPurchase(purchase);
  return c.json({ received: true, outcome: applied.ok ? applied.value : 'ignored' });
});
