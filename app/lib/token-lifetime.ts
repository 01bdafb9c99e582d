/**
 * How long a new API or directory token works, as the forms offer it, and how a token's expiry
 * reads in a list. One place for both token screens (Security › API tokens, Directory sync).
 */
import type { TokenBody } from '#contract';
import { date } from '#lib/format.ts';

/** The choices of the "Expires after" pickers: days, or never. */
export const LIFETIMES = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never (not recommended)' },
] as const;
export type Lifetime = (typeof LIFETIMES)[number]['value'];

/** A lifetime as the API takes it: a time that far from now, or "never". */
export function expiresAtFor(lifetime: Lifetime, now = Date.now()): TokenBody['expiresAt'] {
  return lifetime === 'never' ? 'never' : new Date(now + Number(lifetime) * 86_400_000).toISOString();
}

/** "expires 29 Nov 2027", "expired 2 Dec 2026" or "never expires". */
export function expiry(expiresAt: string | null, now = Date.now()): string {
  if (expiresAt === null) return 'never expires';
  return Date.parse(expiresAt) <= now ? `expired ${date(expiresAt)}` : `expires ${date(expiresAt)}`;
}

/** Whole days until `expiresAt` (0 or less: expired); null for a token that never expires. */
export function daysLeft(expiresAt: string | null, now = Date.now()): number | null {
  return expiresAt === null ? null : Math.ceil((Date.parse(expiresAt) - now) / 86_400_000);
}
