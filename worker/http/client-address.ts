/**
 * Which client address a request comes from, for throttling. Cloudflare puts the caller's address
 * in `CF-Connecting-IP` (and overwrites whatever the caller sent there). One person with IPv6 is
 * handed a whole /64 and can pick any address in it, so IPv6 addresses are counted by their /64;
 * IPv4 addresses (and IPv4-mapped IPv6 ones) as they are.
 */
import type { Context } from 'hono';
import { signature } from '../crypto';
import type { AppEnv } from './context';
import { secretKeys } from './config';

/**
 * The bucket an address is counted in: `203.0.113.7` stays, `2001:db8:1:2:a:b:c:d` becomes
 * `2001:db8:1:2::/64`. Null when it is not an IP address.
 */
export function addressBucket(address: string): string | null {
  const ip = address.trim().toLowerCase().replace(/%.*$/, '');
  if (isIPv4(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return null;
  // ::ffff:a.b.c.d is an IPv4 client reaching us over IPv6.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/**
 * The caller's address as the throttling objects know it: a tag (an HMAC of its bucket with the
 * Worker's key), so no object stores anyone's IP address. Null when the platform does not say
 * (requests made inside the worker tests) or names a loopback address (every request to a local
 * `wrangler dev`: the browser tests and scripts would all share one address), in which case only
 * the per-email limits apply. Cloudflare never hands a deployed Worker a loopback address.
 */
export async function clientAddress(c: Context<AppEnv>): Promise<string | null> {
  const bucket = addressBucket(c.req.header('cf-connecting-ip') ?? '');
  if (!bucket || bucket.startsWith('127.') || bucket === '0:0:0:0::/64') return null;
  return `ip_${await signature(await secretKeys(c.env), `client address\n${bucket}`)}`;
}

function isIPv4(ip: string): boolean {
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** The eight 16-bit groups of an IPv6 address, or null. */
function ipv6Groups(ip: string): number[] | null {
  const halves = ip.split('::');
  if (halves.length > 2 || !/^[0-9a-f:.]+$/.test(ip)) return null;
  const parse = (half: string | undefined) => (half ? half.split(':') : []).flatMap((part): number[] => {
    if (isIPv4(part)) {
      const [a, b, c, d] = part.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    }
    return /^[0-9a-f]{1,4}$/.test(part) ? [parseInt(part, 16)] : [NaN];
  });
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g)) ? groups : null;
}
