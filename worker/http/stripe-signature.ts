/**
 * Stripe's webhook signature, checked as Stripe documents it (docs.stripe.com/webhooks/signature,
 * "verify manually"): the `Stripe-Signature` header carries a timestamp `t` and one or more `v1`
 * signatures, each the hex HMAC-SHA256 of `${t}.${body}` under the endpoint's signing secret; one
 * must match, and the timestamp must be at most five minutes old (a replayed request is refused).
 * WebCrypto does the HMAC and compares in constant time. The `stripe` package (722 KiB, most of
 * the Worker's bundle after zod) stays a test dependency: the tests sign with its own helper.
 */

/** How old a signed request may be, as Stripe's own libraries allow by default. */
export const STRIPE_TOLERANCE_SECONDS = 300;

const HEX = /^(?:[0-9a-f]{2})+$/i;

/**
 * The signed body parsed as JSON, or throws an Error saying why the signature does not verify.
 * @example const event = await verifyStripeSignature(await c.req.text(), c.req.header('stripe-signature'), secret, Date.now());
 */
export async function verifyStripeSignature(body: string, header: string | undefined, secret: string, now: number): Promise<unknown> {
  if (!body) throw new Error('No webhook payload was provided.');
  if (!header) throw new Error('No stripe-signature header value was provided.');
  let timestamp = -1;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const [key, value = ''] = item.split('=');
    if (key === 't') timestamp = Number.parseInt(value, 10);
    if (key === 'v1') signatures.push(value);
  }
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new Error('Unable to extract timestamp and signatures from header');
  if (signatures.length === 0) throw new Error('No signatures found with expected scheme');
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const signed = new TextEncoder().encode(`${timestamp}.${body}`);
  let matched = false;
  for (const signature of signatures) {
    if (HEX.test(signature) && (await crypto.subtle.verify('HMAC', key, hexBytes(signature), signed))) matched = true;
  }
  if (!matched) throw new Error('No signatures found matching the expected signature for payload.');
  if (Math.floor(now / 1000) - timestamp > STRIPE_TOLERANCE_SECONDS) throw new Error('Timestamp outside the tolerance zone');
  return JSON.parse(body);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
