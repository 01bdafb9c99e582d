/**
 * Directory sync as the app shows it: the subscription's directory tokens (any administrator sees
 * and can revoke each), when a directory last called, and what directories changed lately. A
 * directory acts as its token (the actor's id is the token's), so its audit entries are those
 * whose actor is a token.
 */
import type { DirectoryStatus } from '../contract';
import type { Sql } from './sql';
import { toAuditEntry, type AuditRow } from './views';

const EVENTS_SHOWN = 20;

/** The directory tokens, the last call, and the latest directory changes, newest first. */
export function directoryStatus(sql: Sql): DirectoryStatus {
  const tokens = sql
    .all<{ id: string; name: string; created_at: string; last_used_at: string | null; expires_at: string | null; user_id: string; user_name: string }>(
      `SELECT t.id, t.name, t.created_at, t.last_used_at, t.expires_at, u.id AS user_id, u.name AS user_name
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.scope = 'scim' ORDER BY t.created_at DESC`,
    )
    .map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: t.created_at,
      lastUsedAt: t.last_used_at,
      expiresAt: t.expires_at,
      createdBy: { id: t.user_id, name: t.user_name },
    }));
  const events = sql
    .all<AuditRow>("SELECT * FROM audit WHERE actor_id >= 'tok_' AND actor_id < 'tok`' ORDER BY seq DESC LIMIT ?", EVENTS_SHOWN)
    .map(toAuditEntry);
  const times = [...tokens.map((t) => t.lastUsedAt), events[0]?.at ?? null].filter((at): at is string => at !== null);
  const lastSyncAt = times.sort().at(-1) ?? null;
  return { tokens, lastSyncAt, events };
}
