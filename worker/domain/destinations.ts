/**
 * Where the Worker may send webhooks and push messages. In production: https only, and never to a
 * loopback, private, link-local or otherwise internal address written as an IP or a local name.
 * In local development (the default, `ENVIRONMENT = "development"`) anything goes, so tests can
 * use receivers on 127.0.0.1. Names are not resolved (Workers have no DNS API), so a public name
 * that resolves to a private address is not caught here; Cloudflare's network does not route
 * Workers' requests to private networks.
 */
import { fail, ok, type Failure, type Ok } from './result';

type Refusal = Extract<Failure, { code: 'destination_not_allowed' }>;

export type DestinationPolicy = 'production' | 'development';

/** The policy a deployment's `ENVIRONMENT` variable selects: anything but "development" is production. */
export const policyOf = (environment: string | undefined): DestinationPolicy => (environment === 'development' ? 'development' : 'production');

/** Whether `url` may receive requests under `policy`; a refusal says why and what to use instead. */
export function checkDestination(url: string, policy: DestinationPolicy): Ok<null> | Refusal {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(url, 'it is not a URL');
  }
  if (parsed.username || parsed.password) return refuse(url, 'it carries a user name or password');
  if (policy === 'development') return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? ok(null) : refuse(url, 'only http and https are allowed');
  if (parsed.protocol !== 'https:') return refuse(url, 'only https URLs are allowed');
  if (isInternalHost(parsed.hostname)) return refuse(url, `${parsed.hostname} is a local, private or link-local address`);
  return ok(null);
}

function refuse(url: string, why: string): Refusal {
  return fail('destination_not_allowed', {
    url,
    detail: `Requests cannot be sent to ${url}: ${why}. Use a public https URL.`,
  });
}

/** Loopback, private, link-local, carrier-grade NAT, unspecified and local names, for IPv4 and IPv6. */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const v4 = ipv4(host);
  if (v4) return internalV4(v4);
  if (host.includes(':')) return internalV6(host);
  // A bare number or hex is an IPv4 address to URL parsers, which already normalised it above.
  return false;
}

function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function internalV4([a, b]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b! >= 64 && b! <= 127) || a! >= 224
  );
}

function internalV6(host: string): boolean {
  if (host === '::' || host === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped) return internalV4(ipv4(mapped[1]!) ?? [0]);
  if (/^::ffff:/.test(host)) return true;
  const first = parseInt(host.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}
