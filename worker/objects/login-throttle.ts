/**
 * One LoginThrottle object per client address: failed sign-ins from one address are counted
 * across every account, so guessing passwords for many accounts from one place is slowed too.
 * (Each account's own failures are counted in its subscription.)
 */
import { DurableObject } from 'cloudflare:workers';
import { migrate } from './migrate';
import { Sql } from './sql';

const ADDRESS_WINDOW_MS = 15 * 60_000;
const ADDRESS_MAX_FAILURES = 30;

/** The LoginThrottle object's schema, as numbered, append-only migrations (see migrate.ts). */
export const LOGIN_THROTTLE_MIGRATIONS: readonly string[] = [
  // 1: when each failed sign-in happened. "IF NOT EXISTS": objects made before numbered
  // migrations already have this table, at version 0.
  `
  CREATE TABLE IF NOT EXISTS failures (at INTEGER NOT NULL);
  `,
];

export class LoginThrottle extends DurableObject<Env> {
  readonly #sql: Sql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql, ctx.storage, LOGIN_THROTTLE_MIGRATIONS);
    });
  }

  /** Seconds until this address may try again; 0 when it may now. */
  retryAfter(): number {
    const now = Date.now();
    this.#sql.run('DELETE FROM failures WHERE at < ?', now - ADDRESS_WINDOW_MS);
    const rows = this.#sql.all<{ at: number }>('SELECT at FROM failures ORDER BY at LIMIT 1 OFFSET ?', ADDRESS_MAX_FAILURES - 1);
    if (rows.length === 0) return 0;
    const oldest = this.#sql.one<{ at: number }>('SELECT MIN(at) AS at FROM failures')!.at;
    return Math.max(1, Math.ceil((oldest + ADDRESS_WINDOW_MS - now) / 1000));
  }

  /** Counts one failed sign-in from this address. */
  recordFailure(): void {
    this.#sql.run('INSERT INTO failures (at) VALUES (?)', Date.now());
  }
}
