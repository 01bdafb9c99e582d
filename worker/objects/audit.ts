/** The audit log: every change, who made it, to what, with the details that matter. */
import { fail, ok, type Result } from '../domain/result';
import type { Actor } from './access';
import { noteAudited } from './events';
import type { Sql } from './sql';
import { decodeCursor, page, toAuditEntry, type AuditEntry, type AuditRow, type Page } from './views';

export interface AuditTarget {
  type: 'user' | 'subscription' | 'token' | 'group' | 'webhook' | 'schedule' | 'pool';
  id: string;
  name: string | null;
}

/** Appends one entry, made at `now`, and notes its event; call it inside the transaction that makes the change. */
export function recordAudit(
  sql: Sql,
  now: number,
  actor: Actor | null,
  action: string,
  target: AuditTarget,
  details: Record<string, unknown> = {},
): void {
  sql.run(
    `INSERT INTO audit (at, actor_id, actor_name, action, target_type, target_id, target_name, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    new Date(now).toISOString(),
    actor?.id ?? null,
    actor?.name ?? null,
    action,
    target.type,
    target.id,
    target.name,
    JSON.stringify(details),
  );
  // The change's event (if it has one) goes to the outbox in this same transaction.
  noteAudited(sql, now, actor, action, target, details);
}

export interface AuditQuery {
  limit: number;
  cursor?: string;
  action?: string;
  userId?: string;
}

/** One page of entries, newest first, optionally for one action or one user (as actor or target). */
export function auditPage(sql: Sql, query: AuditQuery): Result<Page<AuditEntry>> {
  const before = decodeCursor(query.cursor);
  if (before === 'invalid') return fail('validation_failed', { detail: 'The cursor is not one this API returned.' });
  const where = ['seq < ?'];
  const params: SqlStorageValue[] = [before ?? Number.MAX_SAFE_INTEGER];
  if (query.action) {
    where.push('action = ?');
    params.push(query.action);
  }
  if (query.userId) {
    where.push('(target_id = ? OR actor_id = ?)');
    params.push(query.userId, query.userId);
  }
  const rows = sql.all<AuditRow>(
    `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
    ...params,
    query.limit + 1,
  );
  return ok(page(rows, query.limit, toAuditEntry));
}

/** The newest entry's sequence number, to find the entries a call writes after it. */
export function auditMark(sql: Sql): number {
  return sql.count('SELECT COALESCE(MAX(seq), 0) FROM audit');
}

/** Adds `details` to every entry written since `mark` (e.g. the Idempotency-Key of the call that wrote them). */
export function annotateAuditSince(sql: Sql, mark: number, details: Record<string, string>): void {
  for (const [name, value] of Object.entries(details)) {
    sql.run('UPDATE audit SET details = json_set(details, ?, ?) WHERE seq > ?', `$.${name}`, value, mark);
  }
}
