/**
 * Our check of Stripe's webhook signature against the `stripe` package's own signer: what Stripe
 * signs verifies, and anything else (another body, secret, scheme, or an old timestamp) is refused.
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { STRIPE_TOLERANCE_SECONDS, verifyStripeSignature } from '../../worker/http/stripe-signature';

const provider = Stripe.createSubtleCryptoProvider();
const SECRET = 'whsec_test_signature_check';
const body = JSON.stringify({ id: 'evt_1', type: 'customer.subscription.updated' });
const now = Date.now();
const seconds = Math.floor(now / 1000);

const signed = (payload: string, secret = SECRET, timestamp = seconds) =>
  Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp, cryptoProvider: provider });

describe('Stripe webhook signature', () => {
  it('verifies what Stripe signed and answers the parsed body', async () => {
    expect(await verifyStripeSignature(body, await signed(body), SECRET, now)).toEqual(JSON.parse(body));
  });

  it('accepts a header that also carries a signature for another secret (Stripe rolling a secret)', async () => {
    const old = (await signed(body, 'whsec_rolled_away')).split(',').find((part) => part.startsWith('v1='));
    expect(await verifyStripeSignature(body, `${await signed(body)},${old}`, SECRET, now)).toEqual(JSON.parse(body));
    expect(await verifyStripeSignature(body, `t=${seconds},${old},${(await signed(body)).split(',')[1]}`, SECRET, now)).toEqual(JSON.parse(body));
  });

  it('refuses another body, another secret, no v1 signature, no timestamp or no header', async () => {
    const header = await signed(body);
    await expect(verifyStripeSignature(body.replace('evt_1', 'evt_2'), header, SECRET, now)).rejects.toThrow(/No signatures found matching/);
    await expect(verifyStripeSignature(body, await signed(body, 'whsec_other'), SECRET, now)).rejects.toThrow(/No signatures found matching/);
    await expect(verifyStripeSignature(body, header.replace('v1=', 'v0='), SECRET, now)).rejects.toThrow(/expected scheme/);
    await expect(verifyStripeSignature(body, header.replace(/t=\d+,/, ''), SECRET, now)).rejects.toThrow(/timestamp/);
    await expect(verifyStripeSignature(body, `t=${seconds},v1=zz`, SECRET, now)).rejects.toThrow(/No signatures found matching/);
    await expect(verifyStripeSignature(body, undefined, SECRET, now)).rejects.toThrow(/No stripe-signature header/);
  });

  it('refuses a signature older than the tolerance (a replay), and accepts one just inside it', async () => {
    const edge = seconds - STRIPE_TOLERANCE_SECONDS;
    expect(await verifyStripeSignature(body, await signed(body, SECRET, edge), SECRET, now)).toEqual(JSON.parse(body));
    await expect(verifyStripeSignature(body, await signed(body, SECRET, edge - 1), SECRET, now)).rejects.toThrow(/tolerance/);
  });
});
