/**
 * Live updates: each signed-in client may hold a hibernating WebSocket on the subscription's
 * object. After every committed change each socket receives
 * `{"type":"changed", revision, seats, at}` and the client refetches what it shows, unless it
 * already has that revision (every signed-in answer says which it reflects, in SetMe-Revision);
 * revoking a user's access closes their sockets.
 */
import type { Credential } from './access';
import type { Sql } from './sql';
import { subscriptionView } from './users';

/** The Worker passes a live-update socket's credential in these headers. */
export const CREDENTIAL_HEADERS = { kind: 'x-setme-credential-kind', hash: 'x-setme-credential-hash' } as const;

/** The credential the Worker put in a live-update request's headers, or null. */
export function credentialFromHeaders(headers: Headers): Credential | null {
  const kind = headers.get(CREDENTIAL_HEADERS.kind);
  const hash = headers.get(CREDENTIAL_HEADERS.hash);
  return (kind === 'device' || kind === 'token') && hash ? { kind, hash, intent: 'read' } : null;
}

/** What every socket is sent after a change (and on connecting). */
export function changedMessage(sql: Sql, now: number): string {
  return JSON.stringify({ type: 'changed', revision: revisionOf(sql), seats: subscriptionView(sql).seats, at: new Date(now).toISOString() });
}

/** The subscription's revision: how many changes have committed (0 before sign-up). */
export function revisionOf(sql: Sql): number {
  return sql.one<{ revision: number }>('SELECT revision FROM subscription')?.revision ?? 0;
}

/** Counts one more committed change; call it in the change's transaction. Returns the new revision. */
export function nextRevision(sql: Sql): number {
  return sql.one<{ revision: number }>('UPDATE subscription SET revision = revision + 1 RETURNING revision')?.revision ?? 0;
}

/** Sends one message to every socket. */
export function broadcast(sockets: WebSocket[], message: string): void {
  for (const ws of sockets) {
    try {
      ws.send(message);
    } catch {
      // A socket that is closing; the runtime drops it.
    }
  }
}

/** Closes a user's sockets when their access is revoked (clients see code 4001). */
export function closeSockets(sockets: WebSocket[]): void {
  for (const ws of sockets) ws.close(4001, 'access revoked');
}
