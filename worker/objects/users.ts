/** Reading users and seats from the Subscription object's storage. */
import type { Role, SeatCounts, SeatHolder, SeatHolders, UserStatus } from '../contract';
import { fail, ok, type Failure, type Result } from '../domain/result';
import { seatCounts } from '../domain/seats';
import type { Sql } from './sql';
import { decodeCursor, page, toUser, type Account, type Page, type SubscriptionView, type User, type UserRow } from './views';

/**
 * A user's role as the API names it: team managers are stored as technicians with `team_manager`
 * set (migration 18), so every query that shows or filters a role reads it through this.
 */
export const ROLE_OF_U = `CASE WHEN u.team_manager = 1 THEN 'team_manager' ELSE u.role END`;

const USER_COLUMNS = `u.seq, u.id, u.name, u.email, ${ROLE_OF_U} AS role, u.status, u.pool_id,
  (SELECT json_group_array(m.pool_id) FROM pool_managers m WHERE m.user_id = u.id) AS managed_pools, u.created_at, u.last_active_at,
  u.password_hash IS NOT NULL AS has_password, s.assigned_at AS seat_assigned_at, s.expires_at AS seat_expires_at,
  s.returns_to AS seat_returns_to, lender.name AS seat_returns_to_name, r.action AS revocation_action,
  r.mode AS revocation_mode, r.ends_at AS revocation_ends_at, r.transfer_to AS revocation_transfer_to,
  recipient.name AS revocation_transfer_to_name, r.created_at AS revocation_created_at, u.directory,
  s.given_by_id AS seat_given_by_id, s.given_by_name AS seat_given_by_name, s.via_group AS seat_via_group,
  via.display_name AS seat_via_group_name, u.schedule_id, s.via_schedule AS seat_via_schedule, shift.name AS seat_via_schedule_name,
  idle.reclaim_at AS seat_idle_reclaim_at`;
const USER_FROM = `users u LEFT JOIN seats s ON s.user_id = u.id LEFT JOIN users lender ON lender.id = s.returns_to
  LEFT JOIN seat_revocations r ON r.user_id = s.user_id LEFT JOIN users recipient ON recipient.id = r.transfer_to
  LEFT JOIN groups via ON via.id = s.via_group LEFT JOIN schedules shift ON shift.id = s.via_schedule
  LEFT JOIN idle_warnings idle ON idle.user_id = s.user_id`;
/** Enough holders to choose from on a phone without sending the whole team. */
const HOLDERS_SHOWN = 50;

export interface UserQuery {
  seat?: 'assigned' | 'unassigned';
  role?: Role;
  status?: UserStatus;
  /** Members of this pool; "shared": users in no pool. */
  poolId?: string;
  /** Only members of these pools (a team manager's view of the users). */
  withinPools?: string[];
  q?: string;
  limit: number;
  cursor?: string;
}

type UserRowWithPassword = UserRow & { has_password: number };

/** The key a user's row is kept under while a call writes nothing (`Sql.kept`). */
export const userKey = (userId: string) => `user ${userId}`;

/** One user's row, with whether they have set a password (read once per call while it writes nothing). */
export function userRow(sql: Sql, userId: string): UserRowWithPassword | null {
  return sql.kept(userKey(userId), () => readUserRow(sql, userId));
}

/** One user's row; the parameter is written `+?` so that the statement stays prepared (see sql.ts). */
export const USER_ROW_SQL = `SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE u.id = +?`;

function readUserRow(sql: Sql, userId: string): UserRowWithPassword | null {
  return sql.one<UserRowWithPassword>(USER_ROW_SQL, userId);
}

/** One user of this subscription, or `not_found`. */
export function findUser(sql: Sql, userId: string): Result<User> {
  const row = userRow(sql, userId);
  return row ? ok(toUser(row)) : notFound('user');
}

/** A user this very call just read or wrote. */
export function existingUser(sql: Sql, userId: string): User {
  const row = userRow(sql, userId);
  if (!row) throw new Error(`user ${userId} vanished inside one call`);
  return toUser(row);
}

/** A user with their subscription, as sign-in and `me` answer. */
export function accountOf(sql: Sql, userId: string): Account {
  return { user: existingUser(sql, userId), subscription: subscriptionView(sql) };
}

/** Whether a user of this subscription still has this email (the email index asks when a claim looks stale). */
export function holdsEmail(sql: Sql, email: string, userId: string): boolean {
  return sql.one('SELECT id FROM users WHERE id = ? AND email = ?', userId, email) !== null;
}

export function notFound(what: 'user' | 'token'): Failure {
  return fail('not_found', { detail: `No such ${what} in this subscription.` });
}

/**
 * What a search finds, answered by an index (migration 10): with three characters or more, users
 * whose name or email contains them, in any case (the trigram index); with fewer, users whose name
 * or email starts with them. The app's list mirrors this rule (user-list.svelte.ts).
 */
function searchFor(q: string): { where: string; params: SqlStorageValue[] } {
  if ([...q].length >= 3) {
    // One FTS5 phrase: the whole query as it was typed, quotes doubled.
    return { where: 'u.seq IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?)', params: [`"${q.replaceAll('"', '""')}"`] };
  }
  const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    where: "u.seq IN (SELECT seq FROM users WHERE name LIKE ? ESCAPE '\\' UNION SELECT seq FROM users WHERE email LIKE ? ESCAPE '\\')",
    params: [prefix, prefix],
  };
}

/** One page of users, oldest first, filtered by seat, role, status and a search on name or email. */
export function usersPage(sql: Sql, query: UserQuery): Result<Page<User>> {
  const after = decodeCursor(query.cursor);
  if (after === 'invalid') return fail('validation_failed', { detail: 'The cursor is not one this API returned.' });
  const where: string[] = ['u.seq > ?'];
  const params: SqlStorageValue[] = [after ?? 0];
  if (query.seat) where.push(query.seat === 'assigned' ? 's.user_id IS NOT NULL' : 's.user_id IS NULL');
  if (query.poolId) {
    where.push(query.poolId === 'shared' ? 'u.pool_id IS NULL' : 'u.pool_id = ?');
    if (query.poolId !== 'shared') params.push(query.poolId);
  }
  if (query.withinPools) {
    where.push(`u.pool_id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(query.withinPools));
  }
  if (query.role) {
    where.push(`${ROLE_OF_U} = ?`);
    params.push(query.role);
  }
  if (query.status) {
    where.push('u.status = ?');
    params.push(query.status);
  }
  if (query.q) {
    const search = searchFor(query.q);
    where.push(search.where);
    params.push(...search.params);
  }
  const rows = sql.all<UserRow>(
    `SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE ${where.join(' AND ')} ORDER BY u.seq LIMIT ?`,
    ...params,
    query.limit + 1,
  );
  return ok(page(rows, query.limit, toUser));
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

interface SeatHolderRow extends Record<string, string | number | null> {
  id: string;
  name: string;
  email: string;
  role: string;
  last_active_at: string | null;
  loan_ends_at: string | null;
  open_sessions: number;
  console_days: number;
  last_session_at: string | null;
}

/**
 * The holders with what to choose by, least used first. Binds: now, since (7 days before), now,
 * since, since, now, whether to keep one pool's holders only (0 or 1), that pool (null: no pool),
 * limit. Each per-holder aggregate is a lookup in `console_sessions_user` (user_id, started_at) or
 * `console_sessions_active` (test/worker/seat-holders.test.ts checks the plan).
 */
export const SEAT_HOLDERS_SQL = `SELECT u.id, u.name, u.email, ${ROLE_OF_U} AS role, u.last_active_at, s.expires_at AS loan_ends_at,
    (SELECT COUNT(*) FROM console_sessions c WHERE c.user_id = u.id AND c.ended_at IS NULL) AS open_sessions,
    COALESCE((SELECT SUM(julianday(COALESCE(c.ended_at, ?)) - julianday(c.started_at)) FROM console_sessions c
         WHERE c.user_id = u.id AND c.started_at >= ?), 0)
    + COALESCE((SELECT COUNT(*) * (julianday(?) - julianday(?)) FROM console_sessions c
         WHERE c.user_id = u.id AND c.ended_at IS NULL AND c.started_at < ?), 0) AS console_days,
    (SELECT COALESCE(c.ended_at, ?) FROM console_sessions c WHERE c.user_id = u.id
     ORDER BY c.started_at DESC LIMIT 1) AS last_session_at
  FROM seats s JOIN users u ON u.id = s.user_id
  WHERE (? = 0 OR u.pool_id IS ?)
  ORDER BY console_days, open_sessions, last_session_at IS NOT NULL, last_session_at,
    u.last_active_at IS NOT NULL, u.last_active_at, u.seq
  LIMIT ?`;

/**
 * Who holds the seats, least used first: the likeliest ones to spare theirs. Console time counts the
 * sessions started in the last 7 days plus the part of the window of a session still open from
 * before it; every per-holder aggregate reads `console_sessions_user` (user_id, started_at) or
 * `console_sessions_active`, so the cost follows the week's sessions, not the whole history. With
 * `poolId`, only that pool's holders (null: the holders in no pool).
 */
export function seatHolders(sql: Sql, now: number, poolId?: string | null): SeatHolder[] {
  const at = new Date(now).toISOString();
  const since = new Date(now - WEEK_MS).toISOString();
  return sql
    .all<SeatHolderRow>(
      SEAT_HOLDERS_SQL,
      at,
      since,
      at,
      since,
      since,
      at,
      poolId === undefined ? 0 : 1,
      poolId ?? null,
      HOLDERS_SHOWN,
    )
    .map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role as Role,
      lastActiveAt: r.last_active_at,
      openConsoleSessions: r.open_sessions,
      consoleMinutesLast7Days: Math.round(r.console_days * 24 * 60),
      lastConsoleSessionAt: r.last_session_at,
      loanEndsAt: r.loan_ends_at,
    }));
}

/** Who holds the seats and how many there are: what the chooser offers before a seat is asked for. */
export function seatHoldersView(sql: Sql, now: number): SeatHolders {
  return { seats: subscriptionView(sql).seats, holders: seatHolders(sql, now) };
}

export function activeAdministrators(sql: Sql): number {
  return sql.count("SELECT COUNT(*) FROM users WHERE role = 'administrator' AND status = 'active'");
}

type SubscriptionRow = { id: string; name: string; purchased: number; assigned: number; auto: number; sessions: number };

/** The subscription with its seat counts; null before sign-up created it. */
function subscriptionRow(sql: Sql): SubscriptionView | null {
  const row = sql.kept('subscription', () =>
    sql.one<SubscriptionRow>(
      `SELECT id, name, purchased, assigned, auto_assign_requests AS auto, max_console_sessions_per_seat AS sessions
       FROM subscription`,
    ),
  );
  // A new view each time: callers may keep or change theirs.
  return row
    ? {
        id: row.id,
        name: row.name,
        seats: seatCounts(row.purchased, row.assigned),
        autoAssignRequests: row.auto === 1,
        maxConsoleSessionsPerSeat: row.sessions,
      }
    : null;
}

/** The seat counts as stored (all zero before sign-up). */
export function storedCounts(sql: Sql): SeatCounts {
  return subscriptionRow(sql)?.seats ?? seatCounts(0, 0);
}

/** The subscription, which exists for every call after sign-up. */
export function subscriptionView(sql: Sql): SubscriptionView {
  const view = subscriptionRow(sql);
  if (!view) throw new Error('Subscription not initialized');
  return view;
}
