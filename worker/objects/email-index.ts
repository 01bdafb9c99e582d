/**
 * One EmailIndex object per email address (lower-cased), so sign-in emails are unique across the
 * whole service with strong consistency: the object serializes every claim on its address.
 *
 * A claim is "pending" while the owning subscription creates the user, then "confirmed". If a
 * subscription stops between the two (or fails to release a refused claim), the index repairs
 * itself: a stale claim is checked with its owner before anyone else may take the address.
 */
import { DurableObject } from 'cloudflare:workers';
import { migrate } from './migrate';
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
];

export class EmailIndex extends DurableObject<Env> {
  readonly #sql: Sql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql, ctx.storage, EMAIL_INDEX_MIGRATIONS);
    });
  }

  /** Reserves this address for a user about to be created; false when someone else holds it. */
  async claim(subscriptionId: string, userId: string, email: string): Promise<boolean> {
    await this.#dropStaleClaim({ exceptFor: { subscriptionId, userId }, confirmedToo: true });
    // Decide on what holds after the last await, in one synchronous block.
    const current = this.#claim();
    if (current) return current.subscription_id === subscriptionId && current.user_id === userId;
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
    this.#sql.run(
      "UPDATE claim SET state = 'confirmed' WHERE subscription_id = ? AND user_id = ?",
      subscriptionId,
      userId,
    );
  }

  /** Frees the address, if this user still holds it. */
  release(subscriptionId: string, userId: string): void {
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

  #claim(): ClaimRow | null {
    return this.#sql.one<ClaimRow>('SELECT * FROM claim');
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
