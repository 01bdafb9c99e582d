/**
 * What the ways out need from the deployment's configuration, with safe local defaults so that
 * `npm start` and the tests need nothing set. Production sets `ENVIRONMENT = "production"` and
 * its own VAPID keys and Stripe secret (README: Notifications, Billing).
 */
import type { VapidKeys } from '@block65/webcrypto-web-push';
import { policyOf, type DestinationPolicy } from '../domain/destinations';

/** The configuration these features read; every field is optional (local development). */
export interface NotifyEnv {
  ENVIRONMENT?: string;
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_SEAT_PRICE?: string;
}

/**
 * A fixed key pair for local development and tests only: anyone can read it here, so it is never
 * used when `ENVIRONMENT` is anything but "development".
 */
const DEVELOPMENT_VAPID = {
  publicKey: 'BMLB1otsEw6t-7fr751NXRev55gzKWqVgllUME4mvcUqkCket99xlSd5PQMKBFDKPaqPbrT9dh8m-lhLwAaIAFg',
  privateKey: 'UnnqM7vu7fpL5hMAFna_1oKSITmf8jXgcSWpcmymXkU',
  subject: 'mailto:push@setme-seats.test',
};

/** The signing secret of Stripe's test webhooks in local development (tests sign with it too). */
export const DEVELOPMENT_STRIPE_SECRET = 'whsec_setme_local_development_only';

/** Where requests may go (see worker/domain/destinations.ts). */
export const destinationPolicy = (env: NotifyEnv): DestinationPolicy => policyOf(env.ENVIRONMENT);

const development = (env: NotifyEnv) => destinationPolicy(env) === 'development';

/** The VAPID keys push messages are signed with; null when push is not configured (production without keys). */
export function vapidKeys(env: NotifyEnv): VapidKeys | null {
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) {
    return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT || 'mailto:admin@example.com' };
  }
  return development(env) ? DEVELOPMENT_VAPID : null;
}

/** The secret Stripe signs its webhooks with; null when billing is not configured. */
export function stripeSecret(env: NotifyEnv): string | null {
  return env.STRIPE_WEBHOOK_SECRET || (development(env) ? DEVELOPMENT_STRIPE_SECRET : null);
}
