/**
 * One BillingIndex object per Stripe customer id: which subscription that customer pays for, so a
 * Stripe webhook (which names only the customer) reaches the right Subscription object without a
 * global table, as EmailIndex does for emails. A subscription claims the customer when an
 * administrator links it; a claim whose subscription no longer links the customer is repaired by
 * asking that subscription.
 */
import { DurableObject } from 'cloudflare:workers';
import { migrate } from './migrate';
import { Sql } from './sql';

/** The BillingIndex object's schema, as numbered, append-only migrations (see migrate.ts). */
export const BILLING_INDEX_MIGRATIONS: readonly string[] = [
  // 1: the one subscription this customer pays for.
  `
  CREATE TABLE link (subscription_id TEXT NOT NULL, linked_at INTEGER NOT NULL);
  `,
];

export class BillingIndex extends DurableObject<Env> {
  readonly #sql: Sql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql, ctx.storage, BILLING_INDEX_MIGRATIONS);
    });
  }

  /**
   * Links this customer to `subscriptionId`; false when another subscription still links it. (A
   * link left behind by a subscription that moved on is dropped after asking it.)
   */
  async claim(subscriptionId: string, customerId: string): Promise<boolean> {
    const current = this.#linked();
    if (current && current !== subscriptionId) {
      const still = await this.env.SUBSCRIPTION.getByName(current).billingCustomer();
      // Decide on what holds after the await.
      if (still === customerId && this.#linked() === current) return false;
      if (this.#linked() === current) this.#sql.run('DELETE FROM link');
    }
    const now = this.#linked();
    if (now) return now === subscriptionId;
    this.#sql.run('INSERT INTO link (subscription_id, linked_at) VALUES (?, ?)', subscriptionId, Date.now());
    return true;
  }

  /** Unlinks, if `subscriptionId` holds the link. */
  release(subscriptionId: string): void {
    this.#sql.run('DELETE FROM link WHERE subscription_id = ?', subscriptionId);
  }

  /** The subscription this customer pays for, or null. */
  lookup(): string | null {
    return this.#linked();
  }

  #linked(): string | null {
    return this.#sql.one<{ subscription_id: string }>('SELECT subscription_id FROM link')?.subscription_id ?? null;
  }
}
