/**
 * What a deployment gets from wrangler.toml alone: production. The public development keys serve
 * only `npm start`, the scripts and these tests, which pass ENVIRONMENT = "development".
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { secretKeys } from '../../worker/http/config';
import { destinationPolicy, stripeSecret, vapidKeys } from '../../worker/notify/config';

describe('Configuration', () => {
  it('these tests run as development, as npm start does', () => {
    expect(env.ENVIRONMENT).toBe('development');
  });

  it('wrangler.toml alone is production: no built-in key is used, destinations are public https only', async () => {
    const deployed = { ENVIRONMENT: 'production', PUBLIC_ORIGIN: 'http://127.0.0.1:8787' };
    expect(() => secretKeys(deployed)).toThrow(/SECRET_KEY is not set/);
    expect(vapidKeys(deployed)).toBeNull();
    expect(stripeSecret(deployed)).toBeNull();
    expect(destinationPolicy(deployed)).toBe('production');
    // Without ENVIRONMENT at all, the same.
    expect(() => secretKeys({ PUBLIC_ORIGIN: 'http://127.0.0.1:8787' })).toThrow(/SECRET_KEY is not set/);
    expect(destinationPolicy({})).toBe('production');
  });

  it('development uses the public keys only on this machine', async () => {
    const local = { ENVIRONMENT: 'development', PUBLIC_ORIGIN: 'http://127.0.0.1:8787' };
    await expect(secretKeys(local)).resolves.toBeTruthy();
    expect(vapidKeys(local)).not.toBeNull();
    expect(() => secretKeys({ ENVIRONMENT: 'development', PUBLIC_ORIGIN: 'https://seats.example.com' })).toThrow(/SECRET_KEY is not set/);
  });
});
