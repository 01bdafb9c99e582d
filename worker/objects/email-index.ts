/**
 * One EmailIndex object per email address (lower-cased), so sign-in emails are unique across the
 * whole service with strong consistency: the object serializes every claim on its address.
 *
 * A claim is "pending" while the owning subscription creates the user, then "confirmed". If a
 * subscription stops between the two (or fails to release a refused claim), the index repairs
 * itself: a stale claim is checked with its owner before anyone else may take the address.
 *
 * It also counts what is tried on its address: password checks (per client address, and from
 * addresses that never signed in to it) and the mail sent to it (attempts.ts decides, with the rules
 * in domain/throttle.ts). Unknown addresses are counted exactly like known ones, so the answers
 * reveal nothing about who has an account.
 *
 * Every address anyone types reaches its object (a sign-in, a reset, a sign-up), so an object
 * keeps nothing for a stranger: the schema is created by the first claim, by the first sign-in or
 * by a bucket of attempts that reached PERSIST_FROM, never by the constructor, and a lookup of an
 * address nobody claimed reads an empty database and writes nothing.
 */
import { DurableObject } from 'cloudflare:workers';
import { TRUSTED_ADDRESS_MS, type RuleName, type Verdict } from '../domain/throttle';
import { ATTEMPTS_SCHEMA, Attempts } from './attempts';
import { hasSchema, migrate } from './migrate';
import { Sql } from './sql';

/** How long a pending claim is trusted without asking its owner. */
const PENDING_TRUST_MS = 60_000;

type ClaimRow = { subscription_id: string; user_id: string; email: string; state: string; claimed_at: number };

/** The EmailIndex object's schema, as numbered, append-only migrations (see migrate.ts). */
export const EMAIL_INDEX_MIGRATIONS: readonly string[] = [
  // 1: the one claim on this address. "IF NOT EXISTS": objects made before numbered migrations
  // already have this table, at version 0.
  `
  CREATE TABLE IF NOT EXISTS claim (
    subscription_id TEXT NOT NULL, user_id TEXT NOT NULL, email TEXT NOT NULL,
    state TEXT NOT NULL, claimed_at INTEGER NOT NULL);
  `,
  // 2: attempts on this address (see attempts.ts), and the client addresses its owner signed in
  // from (by their tag, see worker/http/client-address.ts), which the slower limit spares.
  `
  ${ATTEMPTS_SCHEMA}
  CREATE TABLE trusted_addresses (address TEXT PRIMARY KEY, signed_in_at INTEGER NOT NULL);
  `,
];

/** A password check of this email from a client address (its tag), counted from its start. */
export interface SignInAttempt {
  id: string;
  address: string;
}

export class EmailIndex extends DurableObject<Env> {
  readonly #sql: Sql;
  readonly #attempts: Attempts;
  /**
   * The tables exist and are up to date. Known once seen: tables are never dropped, so every call
   * after the first needs neither a look at sqlite_master nor the migrations' bookkeeping.
   */
  #schemaReady = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    this.#attempts = new Attempts(this.#sql, { exists: () => this.#hasSchema(), create: () => this.#createSchema() });
    // An object that already holds a claim is brought up to date here; a new one waits for its first claim.
    void ctx.blockConcurrencyWhile(async () => {
      if (hasSchema(this.#sql)) this.#createSchema();
    });
  }

  /** Reserves this address for a user about to be created; false when someone else holds it. */
  async claim(subscriptionId: string, userId: string, email: string): Promise<boolean> {
    await this.#dropStaleClaim({ exceptFor: { subscriptionId, userId }, confirmedToo: true });
    // Decide on what holds after the last await, in one synchronous block.
    const current = this.#claim();
    if (current) return current.subscription_id === subscriptionId && current.user_id === userId;
    this.#createSchema();
    this.#sql.run(
      "INSERT INTO claim (subscription_id, user_id, email, state, claimed_at) VALUES (?, ?, ?, 'pending', ?)",
      subscriptionId,
      userId,
      email,
      Date.now(),
    );
    return true;
  }

  /** Marks the claim as final once the user exists. */
  confirm(subscriptionId: string, userId: string): void {
    if (!this.#hasSchema()) return;
    this.#sql.run(
      "UPDATE claim SET state = 'confirmed' WHERE subscription_id = ? AND user_id = ?",
      subscriptionId,
      userId,
    );
  }

  /** Frees the address, if this user still holds it. */
  release(subscriptionId: string, userId: string): void {
    if (!this.#hasSchema()) return;
    this.#sql.run('DELETE FROM claim WHERE subscription_id = ? AND user_id = ?', subscriptionId, userId);
  }

  /**
   * The subscription whose user signs in with this address, or null. A confirmed claim is trusted
   * here: if its user is gone, the subscription itself refuses the sign-in.
   */
  async lookup(): Promise<string | null> {
    await this.#dropStaleClaim({ confirmedToo: false });
    const current = this.#claim();
    return current?.state === 'confirmed' ? current.subscription_id : null;
  }

  // ── Throttling what is tried on this address ───────────────────────────────────────────────

  /**
   * A password check of this email is about to start: counts it as failed, per client address and
   * (from an address that has not signed in here in 30 days) against the slower limit, unless a
   * limit is reached. With it, the subscription this email signs in to (null when none, or when
   * refused), so a sign-in asks the index once. Known and unknown emails are counted alike.
   */
  async beginSignIn(attempt: SignInAttempt): Promise<{ verdict: Verdict; subscriptionId: string | null }> {
    const now = Date.now();
    const buckets: { bucket: string; rule: RuleName }[] = [{ bucket: `signin:${attempt.address}`, rule: 'signInsToEmailFromAddress' }];
    if (!this.#trusted(attempt.address, now)) buckets.push({ bucket: 'signin-new', rule: 'signInsToEmailFromNewAddresses' });
    const verdict = this.#attempts.count(attempt.id, buckets, now);
    return { verdict, subscriptionId: verdict.ok ? await this.lookup() : null };
  }

  /**
   * The password was right and the user is signed in: their address's failures here are forgotten,
   * this attempt no longer counts, and the address is spared the slower limit for 30 days.
   */
  signedIn(attempt: SignInAttempt): void {
    this.#attempts.clear(`signin:${attempt.address}`);
    this.#attempts.forget('signin-new', attempt.id);
    this.#createSchema();
    this.#sql.run(
      'INSERT INTO trusted_addresses (address, signed_in_at) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET signed_in_at = excluded.signed_in_at',
      attempt.address,
      Date.now(),
    );
    this.#sql.run('DELETE FROM trusted_addresses WHERE signed_in_at <= ?', Date.now() - TRUSTED_ADDRESS_MS);
  }

  /** Counts a mail to this address (a sign-up confirmation or a reset link), unless too many went out lately. */
  sendMail(id: string): Verdict {
    return this.#attempts.count(id, [{ bucket: 'mail', rule: 'mailToEmail' }], Date.now());
  }

  /**
   * What a sign-in (or a reset) of an unknown email asks where a known one asks its subscription:
   * nothing, but the same number of calls, so both take about as long.
   */
  noPassword(): null {
    return null;
  }

  #trusted(address: string, now: number): boolean {
    if (!this.#hasSchema()) return false;
    const row = this.#sql.one<{ signed_in_at: number }>('SELECT signed_in_at FROM trusted_addresses WHERE address = ?', address);
    return row !== null && row.signed_in_at > now - TRUSTED_ADDRESS_MS;
  }

  /** Creates (or brings up to date) this object's tables, before its first write. */
  #createSchema(): void {
    if (this.#schemaReady) return;
    migrate(this.#sql, this.ctx.storage, EMAIL_INDEX_MIGRATIONS);
    this.#schemaReady = true;
  }

  /** Whether this object has its tables yet (reading this writes nothing). */
  #hasSchema(): boolean {
    if (!this.#schemaReady && hasSchema(this.#sql)) this.#createSchema();
    return this.#schemaReady;
  }

  #claim(): ClaimRow | null {
    return this.#hasSchema() ? this.#sql.one<ClaimRow>('SELECT * FROM claim') : null;
  }

  /**
   * Checks a claim that may be stale with the subscription that made it: a pending claim older than
   * a minute, or (when about to hand the address to someone else) a confirmed one. Asking the owner
   * lets other calls run in between, so the row is only changed if it is still the same claim.
   */
  async #dropStaleClaim(options: { confirmedToo: boolean; exceptFor?: { subscriptionId: string; userId: string } }) {
    const row = this.#claim();
    if (!row) return;
    const ours = options.exceptFor?.subscriptionId === row.subscription_id && options.exceptFor.userId === row.user_id;
    const stalePending = row.state === 'pending' && Date.now() - row.claimed_at >= PENDING_TRUST_MS;
    if (ours || !(stalePending || (row.state === 'confirmed' && options.confirmedToo))) return;
    const held = await this.env.SUBSCRIPTION.getByName(row.subscription_id).holdsEmail(row.email, row.user_id);
    const again = this.#claim();
    if (!again || again.subscription_id !== row.subscription_id || again.user_id !== row.user_id) return;
    if (held) this.confirm(row.subscription_id, row.user_id);
    else this.release(row.subscription_id, row.user_id);
  }
}

// ── How a subscription uses the index ────────────────────────────────────────────────────────

/** Reserves `email` for a user a subscription is about to create; false when someone else holds it. */
export function claimEmail(index: Env['EMAIL_INDEX'], email: string, subscriptionId: string, userId: string): Promise<boolean> {
  return index.getByName(email.toLowerCase()).claim(subscriptionId, userId, email);
}

/** Makes a claim final once the user exists. */
export async function confirmEmail(index: Env['EMAIL_INDEX'], email: string, subscriptionId: string, userId: string): Promise<void> {
  // A lost confirmation is repaired by the index itself, which asks us when a claim looks stale.
  await index.getByName(email.toLowerCase()).confirm(subscriptionId, userId).catch((error: unknown) => {
    console.error('email confirm failed', error);
  });
}

/** Frees an email: a refused creation's claim, or a deleted user's address. */
export async function releaseEmail(index: Env['EMAIL_INDEX'], email: string, subscriptionId: string, userId: string): Promise<void> {
  await index.getByName(email.toLowerCase()).release(subscriptionId, userId).catch((error: unknown) => {
    console.error('email release failed', error);
  });
}
