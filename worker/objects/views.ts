/**
 * The shapes the API returns, and how stored rows (snake_case) become them (camelCase).
 * Only the Subscription object builds these; routes pass them through.
 */
import type { AuditEntry, Page, Role, Seat, SeatSource, Subscription, User, UserStatus } from '../contract';

export type { Account, ApiToken, AuditEntry, Page, Seat, TokenScope, User } from '../contract';

/** The subscription as the API shows it (named apart from the Subscription object). */
export type SubscriptionView = Subscription;

export type UserRow = {
  seq: number;
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  pool_id: string | null;
  /** JSON array of the pool ids a team manager manages. */
  managed_pools: string;
  created_at: string;
  last_active_at: string | null;
  seat_assigned_at: string | null;
  seat_expires_at: string | null;
  seat_returns_to: string | null;
  seat_returns_to_name: string | null;
  revocation_action: string | null;
  revocation_mode: string | null;
  revocation_ends_at: string | null;
  revocation_transfer_to: string | null;
  revocation_transfer_to_name: string | null;
  revocation_created_at: string | null;
  directory: number;
  seat_given_by_id: string | null;
  seat_given_by_name: string | null;
  seat_via_group: string | null;
  seat_via_group_name: string | null;
  schedule_id: string | null;
  seat_via_schedule: string | null;
  seat_via_schedule_name: string | null;
  seat_idle_reclaim_at: string | null;
};

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role as Role,
    status: row.status as UserStatus,
    seat: row.seat_assigned_at ? toSeat(row, row.seat_assigned_at) : null,
    poolId: row.pool_id,
    pools: JSON.parse(row.managed_pools) as string[],
    managedBy: row.directory ? 'directory' : null,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    scheduleId: row.schedule_id,
  };
}

function toSeat(row: UserRow, assignedAt: string): Seat {
  const revocation = row.revocation_action
    ? {
        action: row.revocation_action as 'unassign' | 'transfer' | 'return',
        onActiveSessions: row.revocation_mode as 'grace' | 'after_session',
        endsAt: row.revocation_ends_at,
        // Someone deleted meanwhile cannot receive it: the seat will be freed instead.
        transferTo:
          row.revocation_transfer_to && row.revocation_transfer_to_name !== null
            ? { id: row.revocation_transfer_to, name: row.revocation_transfer_to_name }
            : null,
        requestedAt: row.revocation_created_at ?? '',
      }
    : null;
  const loan = row.seat_expires_at
    ? {
        until: row.seat_expires_at,
        returnsTo:
          row.seat_returns_to && row.seat_returns_to_name !== null ? { id: row.seat_returns_to, name: row.seat_returns_to_name } : null,
      }
    : null;
  const ends = [row.seat_expires_at, row.revocation_ends_at].filter((t): t is string => t !== null).sort();
  return { assignedAt, source: sourceOf(row), expiresAt: ends[0] ?? null, loan, revocation, idleReclaimAt: row.seat_idle_reclaim_at };
}

/** Through a shift or a seat group (while it exists), else by hand: by whom, if recorded. */
function sourceOf(row: UserRow): SeatSource {
  if (row.seat_via_schedule && row.seat_via_schedule_name !== null) {
    return { kind: 'schedule', schedule: { id: row.seat_via_schedule, name: row.seat_via_schedule_name } };
  }
  if (row.seat_via_group && row.seat_via_group_name !== null) {
    return { kind: 'group', group: { id: row.seat_via_group, name: row.seat_via_group_name } };
  }
  return { kind: 'manual', by: row.seat_given_by_id ? { id: row.seat_given_by_id, name: row.seat_given_by_name ?? '' } : null };
}

export type AuditRow = {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string;
  target_name: string | null;
  details: string;
};

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: `aud_${row.seq}`,
    at: row.at,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '' } : null,
    action: row.action,
    target: { type: row.target_type, id: row.target_id, name: row.target_name },
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** Cursors are opaque to clients: the base64 of the last row's sequence number. */
const encodeCursor = (seq: number): string => btoa(`s${seq}`).replace(/=+$/, '');

export function decodeCursor(cursor: string | undefined): number | null | 'invalid' {
  if (cursor === undefined || cursor === '') return null;
  try {
    const match = /^s(\d{1,15})$/.exec(atob(cursor));
    return match ? Number(match[1]) : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** A page from rows fetched with LIMIT n + 1: the extra row only says that there is more. */
export function page<R extends { seq: number }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { items: shown.map(map), nextCursor: more ? encodeCursor(shown[shown.length - 1]!.seq) : null };
}
