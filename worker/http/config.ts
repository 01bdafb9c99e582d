/**
 * What a deployment configures: its public origin (the `PUBLIC_ORIGIN` var in wrangler.toml), which
 * every link we mail and the passkey relying party use — never the request's Host header, which
 * anyone can set — and its secret key (`npx wrangler secret put SECRET_KEY`), which signs every
 * secret we hand out. Both have local defaults, so `npm start` and the tests need nothing set.
 */
import { deriveKeys, type SecretKeys } from '../crypto';

/** Where `npm start` serves by default. */
const LOCAL_ORIGIN = 'http://127.0.0.1:8787';

/**
 * The key used when SECRET_KEY is not set. It is public (it is right here), so it is only accepted
 * while the public origin is a loopback address: a deployment without its own key fails loudly
 * instead of signing with a key everyone knows.
 */
export const DEVELOPMENT_SECRET_KEY = 'setme-seats DEVELOPMENT key: not secret, never for production';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a hostname names this machine (only ever true for local development). */
export const isLoopback = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname);

interface Config {
  PUBLIC_ORIGIN?: string;
  SECRET_KEY?: string;
  ENVIRONMENT?: string;
}

/** This deployment's origin, e.g. `https://seats.example.com`, for links and the passkey relying party. */
export function publicOrigin(env: Config): string {
  return new URL(env.PUBLIC_ORIGIN || LOCAL_ORIGIN).origin;
}

let derived: { from: string; keys: Promise<SecretKeys> } | null = null;

/**
 * The Worker's signing and sealing keys, derived once per isolate from SECRET_KEY (or, on a
 * loopback origin in development only, from the development key).
 * @example const secret = await newSecret(await secretKeys(c.env), subscriptionId);
 */
export function secretKeys(env: Config): Promise<SecretKeys> {
  const secret = env.SECRET_KEY || developmentKey(env);
  if (derived?.from !== secret) derived = { from: secret, keys: deriveKeys(secret) };
  return derived.keys;
}

function developmentKey(env: Config): string {
  if (env.ENVIRONMENT !== 'development' || !isLoopback(new URL(publicOrigin(env)).hostname)) {
    throw new Error(
      `SECRET_KEY is not set for ${publicOrigin(env)}: run \`npx wrangler secret put SECRET_KEY\` with at least 32 random bytes ` +
        '(e.g. `openssl rand -base64 48`). The development key only serves loopback origins with ENVIRONMENT = "development".',
    );
  }
  return DEVELOPMENT_SECRET_KEY;
}
