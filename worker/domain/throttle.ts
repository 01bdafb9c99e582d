/**
 * How often people may try passwords and ask for mail (pure: no I/O). The objects keep the
 * attempts; this decides. Every rule counts attempts in a sliding window: once `limit` attempts
 * fall inside it, the next is refused until the oldest of them leaves the window.
 *
 * A password check counts as a failure from the moment it starts (the object reserves it) until
 * it succeeds, so parallel guesses cannot outrun the count. Nothing here depends on whether an
 * email belongs to anyone: unknown emails are counted and refused exactly like known ones.
 */

const MINUTE = 60_000;

export interface Rule {
  limit: number;
  windowMs: number;
}

export const THROTTLE_RULES = {
  /** Failed password checks from one client address, across every email: guessing many accounts from one place. */
  signInsFromAddress: { limit: 30, windowMs: 15 * MINUTE },
  /** Failed password checks of one email from one client address: the attacker's address is slowed, not the owner's. */
  signInsToEmailFromAddress: { limit: 10, windowMs: 15 * MINUTE },
  /**
   * Failed password checks of one email from addresses that have not signed in to it in the last
   * 30 days: slower, and it caps guessing spread over many addresses. Addresses the owner signed in
   * from are not held by it, so the owner still gets in.
   */
  signInsToEmailFromNewAddresses: { limit: 50, windowMs: 60 * MINUTE },
  /** Sign-up confirmations and reset links asked for from one client address. */
  mailFromAddress: { limit: 20, windowMs: 60 * MINUTE },
  /** Sign-up confirmations and reset links sent to one email, whether or not it has an account. */
  mailToEmail: { limit: 5, windowMs: 60 * MINUTE },
} as const satisfies Record<string, Rule>;

export type RuleName = keyof typeof THROTTLE_RULES;

/** How long an address that signed in to an email stays exempt from `signInsToEmailFromNewAddresses`. */
export const TRUSTED_ADDRESS_MS = 30 * 24 * 60 * MINUTE;

/**
 * One or two attempts in a window live only in memory (a typo, a single stranger's request):
 * storage is written from this many on, when someone is clearly trying again and again.
 */
export const PERSIST_FROM = 3;

/** The longest window of any rule: attempts older than this count for nothing. */
export const LONGEST_WINDOW_MS = Math.max(...Object.values(THROTTLE_RULES).map((rule) => rule.windowMs));

export type Verdict = { ok: true } | { ok: false; rule: RuleName; retryAfterSeconds: number };

/**
 * Whether one more attempt is allowed under `rule`, given the times of earlier attempts (any
 * order; those outside the window are ignored).
 * @example verdict([t1, t2], 'mailToEmail', Date.now()) // { ok: true }
 */
export function verdict(times: readonly number[], rule: RuleName, now: number): Verdict {
  const { limit, windowMs } = THROTTLE_RULES[rule];
  const inWindow = times.filter((at) => at > now - windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit) return { ok: true };
  // The attempt that must leave the window before there is room for one more.
  const blocking = inWindow[inWindow.length - limit]!;
  return { ok: false, rule, retryAfterSeconds: Math.max(1, Math.ceil((blocking + windowMs - now) / 1000)) };
}
