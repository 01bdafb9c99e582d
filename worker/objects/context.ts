/**
 * What the Subscription object hands to the modules that carry out its RPC methods: its storage,
 * its way of writing (one transaction, then the waitlist, the alarm and live clients), and the
 * little of the outside world a few methods need. The object builds one in its constructor.
 */
import type { Sql } from './sql';

export interface ObjectContext {
  readonly sql: Sql;
  /**
   * Runs related writes as one transaction. In the same transaction a seat the change freed goes
   * to the waitlist; afterwards the alarm is set for the earliest timer and live clients are told
   * (once per turn) that things changed.
   */
  write<T>(fn: () => T): T;
  /** The open live-update sockets of one user. */
  liveSockets(userId: string): WebSocket[];
  /** Where sign-in emails are claimed, so they stay unique across every subscription. */
  readonly emailIndex: Env['EMAIL_INDEX'];
}
