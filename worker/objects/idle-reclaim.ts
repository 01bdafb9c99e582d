/**
 * Idle-seat reclaim in the Subscription object: the policy, its dry run, and the daily
 * `idle_reclaim` timer that warns holders (and administrators) two days ahead and then takes the
 * seat back, giving it to the first waiting seat request if there is one. The rule is pure in
 * domain/idle-reclaim.ts; seats are written through seats.ts and mails go out through the outbox.
 */
import type { IdleReclaimItem, IdleReclaimPolicy } from '../contract';
import { decideIdle, type IdleDecision, type IdleHolder } from '../domain/idle-reclaim';
import { fail, ok, type Result } from '../domain/result';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { enqueue, mailTarget } from './deliveries';
import { nextServed, serveRequest } from './seat-requests';
import { takeSeat, target } from './seats';
import type { Sql } from './sql';
import { clearTimer, setTimer } from './timers';
import { html, type Recipient } from './alert-mail';
import type { Mail } from '../mail';

const DAY = 86_400_000;

type PolicyRow = { enabled: number; days: number; exempt_users: string; exempt_groups: string };

const policyRow = (sql: Sql) => sql.one<PolicyRow>('SELECT enabled, days, exempt_users, exempt_groups FROM idle_reclaim WHERE id = 1')!;

/** The policy as the API shows it. */
export function idleReclaimPolicy(sql: Sql): IdleReclaimPolicy {
  const row = policyRow(sql);
  const timer = sql.one<{ due_at: number }>("SELECT due_at FROM timers WHERE kind = 'idle_reclaim' AND ref = 'daily'");
  return {
    enabled: row.enabled === 1,
    days: row.days,
    exemptions: { userIds: JSON.parse(row.exempt_users) as string[], groupIds: JSON.parse(row.exempt_groups) as string[] },
    nextCheckAt: timer ? new Date(timer.due_at).toISOString() : null,
  };
}

/** Sets the policy. On: the daily check runs a day from now (the preview shows who it would take); off: it stops. */
export type IdleReclaimInput = { enabled: boolean; days: number; exemptions: { userIds: string[]; groupIds: string[] } };

export function setIdleReclaim(sql: Sql, actor: Actor, input: IdleReclaimInput, now: number): Result<IdleReclaimPolicy> {
  for (const userId of input.exemptions.userIds) {
    if (!sql.one('SELECT 1 AS x FROM users WHERE id = ?', userId)) return fail('validation_failed', { detail: `No user ${userId} in this subscription.` });
  }
  for (const groupId of input.exemptions.groupIds) {
    if (!sql.one('SELECT 1 AS x FROM groups WHERE id = ?', groupId)) return fail('validation_failed', { detail: `No directory group ${groupId} in this subscription.` });
  }
  const before = idleReclaimPolicy(sql);
  sql.run(
    'UPDATE idle_reclaim SET enabled = ?, days = ?, exempt_users = ?, exempt_groups = ? WHERE id = 1',
    input.enabled ? 1 : 0,
    input.days,
    JSON.stringify(input.exemptions.userIds),
    JSON.stringify(input.exemptions.groupIds),
  );
  if (!input.enabled) {
    clearTimer(sql, 'idle_reclaim', 'daily');
    sql.run('DELETE FROM idle_warnings');
  } else if (!before.enabled) {
    setTimer(sql, 'idle_reclaim', 'daily', now + DAY);
  }
  recordAudit(sql, now, actor, 'policy.idle_reclaim_updated', { type: 'subscription', id: 'idle-reclaim', name: 'Idle-seat reclaim' }, {
    enabled: input.enabled,
    days: input.days,
    exemptions: input.exemptions,
  });
  return ok(idleReclaimPolicy(sql));
}

/** Who the check would warn or take a seat from if it ran now, and why (a dry run; works with the policy off too). */
export function idleReclaimPreview(sql: Sql, now: number): Result<{ items: IdleReclaimItem[] }> {
  return ok({ items: decisions(sql, now).map(toItem) });
}

/** A holder's pending warning, for the app (Me, Manage user): when their seat goes. Null without one. */
export function idleWarningOf(sql: Sql, userId: string): { reclaimAt: string } | null {
  const row = sql.one<{ reclaim_at: string }>('SELECT reclaim_at FROM idle_warnings WHERE user_id = ?', userId);
  return row ? { reclaimAt: row.reclaim_at } : null;
}

/**
 * The daily `idle_reclaim` timer: takes back the seats idle for the policy's days (each to the
 * first waiting seat request, if any), warns the holders within two days of it (once per idle
 * stretch, by mail to them and the administrators), and sets the next check a day later.
 */
export function idleReclaimTick(sql: Sql, dueAt: number, now: number): boolean {
  const policy = policyRow(sql);
  if (policy.enabled !== 1) return false;
  const before = sql.written;
  // A warning belongs to one idle stretch: someone who connected since has none any more.
  const current = decisions(sql, now);
  const warnedIds = new Set(current.map((d) => d.holder.id));
  for (const row of sql.all<{ user_id: string }>('SELECT user_id FROM idle_warnings')) {
    if (!warnedIds.has(row.user_id)) sql.run('DELETE FROM idle_warnings WHERE user_id = ?', row.user_id);
  }
  for (const decision of current) {
    if (decision.action === 'reclaim') reclaim(sql, decision, policy.days, now);
    else warn(sql, decision, now);
  }
  const changed = sql.written > before;
  let next = dueAt + DAY;
  while (next <= now) next += DAY;
  setTimer(sql, 'idle_reclaim', 'daily', next);
  return changed;
}

function reclaim(sql: Sql, decision: IdleDecision, days: number, now: number): void {
  const person = { id: decision.holder.id, name: decision.holder.name };
  sql.run('DELETE FROM idle_warnings WHERE user_id = ?', person.id);
  takeSeat(sql, null, person, now, {
    reason: 'idle',
    summary: `reclaimed: idle ${decision.idleDays} days (policy)`,
    idleDays: decision.idleDays,
    policyDays: days,
    lastUsedAt: decision.holder.lastUsedAt,
  });
  // The first waiting request the pools leave room for gets it (whatever "give freed seats
  // automatically" says: the policy freed it for them), as a shift's or a group's seat if that is
  // what waited.
  const next = nextServed(sql, true);
  if (next) serveRequest(sql, next, now, { reason: 'idle_reclaim', from: person });
}

function warn(sql: Sql, decision: IdleDecision, now: number): void {
  const holder = decision.holder;
  if (sql.one('SELECT 1 AS x FROM idle_warnings WHERE user_id = ?', holder.id)) return;
  const reclaimAt = new Date(decision.reclaimAt).toISOString();
  sql.run('INSERT INTO idle_warnings (user_id, warned_at, reclaim_at) VALUES (?, ?, ?)', holder.id, new Date(now).toISOString(), reclaimAt);
  recordAudit(sql, now, null, 'seat.idle_warning', target(holder), { reason: decision.reason, reclaimAt });
  const event = { id: `idle-${holder.id}-${reclaimAt.slice(0, 10)}`, type: 'seat.idle_warning' };
  const people = sql.all<{ id: string; name: string; email: string }>(
    `SELECT id, name, email FROM users WHERE status = 'active' AND (id = ? OR role = 'administrator') ORDER BY id = ? DESC, seq`,
    holder.id,
    holder.id,
  );
  for (const to of people) {
    enqueue(sql, 'mail', mailTarget(to.id), event, JSON.stringify(idleWarningMail(to, holder.name, to.id === holder.id, decision)), now);
  }
}

/** The warning mail, to the holder ("your seat") or an administrator ("Ada's seat"). */
function idleWarningMail(to: Recipient & { id: string }, holderName: string, own: boolean, decision: IdleDecision): Mail {
  const when = new Date(decision.reclaimAt).toUTCString().slice(0, 16);
  const subject = own ? `Your seat will be taken back on ${when}` : `${holderName}'s seat will be taken back on ${when}`;
  const lines = [
    `Hello ${to.name},`,
    '',
    `${own ? 'Your' : `${holderName}'s`} seat has not been used for ${decision.idleDays} days (${decision.reason}).`,
    `Under the subscription's idle-seat policy it will be taken back on ${when}, and go to whoever waits for a seat.`,
    own ? 'Open a console session before then to keep it.' : 'Exempt them under Policies › Idle reclaim to keep it.',
  ];
  return { to: to.email, subject, text: lines.join('\n'), html: html(subject, lines) };
}

/** Every seat holder's idle decision now, under the stored policy. */
function decisions(sql: Sql, now: number): IdleDecision[] {
  const policy = policyRow(sql);
  const exemptUsers = new Set(JSON.parse(policy.exempt_users) as string[]);
  const exemptGroups = JSON.parse(policy.exempt_groups) as string[];
  const inExemptGroup = new Set(
    exemptGroups.length === 0
      ? []
      : sql
          .all<{ user_id: string }>(`SELECT user_id FROM group_members WHERE group_id IN (${exemptGroups.map(() => '?').join(', ')})`, ...exemptGroups)
          .map((r) => r.user_id),
  );
  const holders = sql
    .all<{ id: string; name: string; assigned_at: string; last_used: string | null; open: number }>(
      `SELECT u.id, u.name, s.assigned_at,
         (SELECT MAX(MAX(c.started_at, COALESCE(c.last_heartbeat_at, ''), COALESCE(c.ended_at, ''))) FROM console_sessions c WHERE c.user_id = u.id) AS last_used,
         (SELECT COUNT(*) FROM console_sessions c WHERE c.user_id = u.id AND c.ended_at IS NULL) AS open
       FROM seats s JOIN users u ON u.id = s.user_id ORDER BY s.assigned_at`,
    )
    .map(
      (h): IdleHolder => ({
        id: h.id,
        name: h.name,
        assignedAt: h.assigned_at,
        lastUsedAt: h.last_used,
        connected: h.open > 0,
        exempt: exemptUsers.has(h.id) || inExemptGroup.has(h.id),
      }),
    );
  return decideIdle(holders, policy.days, now);
}

const toItem = (d: IdleDecision): IdleReclaimItem => ({
  user: { id: d.holder.id, name: d.holder.name },
  lastUsedAt: d.holder.lastUsedAt,
  idleDays: d.idleDays,
  reason: d.reason,
  action: d.action,
  reclaimAt: new Date(d.reclaimAt).toISOString(),
});
