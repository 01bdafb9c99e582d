/**
 * One AddressThrottle object per client address (its tag: IPv6 by /64, see
 * worker/http/client-address.ts). It counts what one place tries across every account: password
 * checks (guessing many accounts from one address) and the sign-up and reset mail it asks for.
 * What is tried on one email is counted by that email's EmailIndex object.
 *
 * A new address reaches this object with its very first request, so it keeps nothing for one: the
 * counts live in memory until a bucket holds a few attempts (attempts.ts), and the schema is
 * created only then, never by the constructor.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Verdict } from '../domain/throttle';
import { ATTEMPTS_SCHEMA, Attempts } from './attempts';
import { hasSchema, migrate } from './migrate';
import { Sql } from './sql';

/** The AddressThrottle object's schema, as numbered, append-only migrations (see migrate.ts). */
export const ADDRESS_THROTTLE_MIGRATIONS: readonly string[] = [
  // 1: when each failed sign-in happened (the class was called LoginThrottle then). "IF NOT
  // EXISTS": objects made before numbered migrations already have this table, at version 0.
  `
  CREATE TABLE IF NOT EXISTS failures (at INTEGER NOT NULL);
  `,
  // 2: attempts per bucket, counted from the start of a password check (attempts.ts). The old
  // failures counted only finished checks, and are at most 15 minutes old: they go.
  `
  DROP TABLE failures;
  ${ATTEMPTS_SCHEMA}
  `,
];

export class AddressThrottle extends DurableObject<Env> {
  readonly #sql: Sql;
  readonly #attempts: Attempts;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    const createSchema = () => migrate(this.#sql, ctx.storage, ADDRESS_THROTTLE_MIGRATIONS);
    this.#attempts = new Attempts(this.#sql, { exists: () => hasSchema(this.#sql), create: createSchema });
    // An object that already keeps counts is brought up to date here; a new one waits for its first write.
    void ctx.blockConcurrencyWhile(async () => {
      if (hasSchema(this.#sql)) createSchema();
    });
  }

  /** A password check from this address is about to start: counted as failed until `signedIn`, unless too many failed lately. */
  beginSignIn(attemptId: string): Verdict {
    return this.#attempts.count(attemptId, [{ bucket: 'signin', rule: 'signInsFromAddress' }], Date.now());
  }

  /** The password check succeeded: it no longer counts. */
  signedIn(attemptId: string): void {
    this.#attempts.forget('signin', attemptId);
  }

  /** Counts a sign-up or reset mail asked for from this address, unless too many were lately. */
  sendMail(id: string): Verdict {
    return this.#attempts.count(id, [{ bucket: 'mail', rule: 'mailFromAddress' }], Date.now());
  }
}
