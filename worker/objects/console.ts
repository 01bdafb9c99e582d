/**
 * Expert Console sessions, which follow the seat: only a seat holder may start one, each one sends
 * a heartbeat every HEARTBEAT_SECONDS, and one that misses two ends (a `heartbeat` timer). When a
 * seat is taken, its holder's sessions end as the administrator chose (see revocations.ts).
 */
import {
  endedSessionRefusal,
  HEARTBEAT_SECONDS,
  HEARTBEAT_TIMEOUT_MS,
  sessionStatus,
  type SessionEndReason,
} from '../domain/seat-timing';
import { fail, ok, type Failure, type Result } from '../domain/result';
import type { ConsoleSession, Heartbeat, StartedConsoleSession } from '../contract';
import type { Actor } from './access';
import { recordAudit } from './audit';
import type { Sql } from './sql';
import { clearTimer, setTimer } from './timers';


type SessionRow = {
  id: string;
  user_id: string;
  user_name: string | null;
  computer: string;
  started_at: string;
  ended_at: string | null;
  last_heartbeat_at: string | null;
  end_reason: string | null;
};

const SESSION_SELECT = `SELECT c.id, c.user_id, u.name AS user_name, c.computer, c.started_at, c.ended_at,
  c.last_heartbeat_at, c.end_reason FROM console_sessions c LEFT JOIN users u ON u.id = c.user_id`;

/**
 * Starts a session for the caller if they hold a seat that is not being taken back. The session
 * must send its first heartbeat within two intervals.
 */
export function startSession(
  sql: Sql,
  actor: Actor,
  input: { id: string; computer: string },
  now: number,
): Result<StartedConsoleSession> {
  const seat = seatState(sql, actor.id);
  if (!seat) {
    return fail('seat_required', { detail: 'You need a seat to connect to remote computers. Ask an administrator to assign you one.' });
  }
  if (seat.revocation) {
    const when = seat.revocation.endsAt ? ` at ${seat.revocation.endsAt}` : ' when your current sessions end';
    return fail('seat_revoked', {
      detail: `Your seat is being taken back${when}, so no new session can start. Finish your current work, ` +
        'or ask an administrator to keep your seat.',
    });
  }
  const limited = sessionLimit(sql, actor.id);
  if (limited) return limited;
  const startedAt = new Date(now).toISOString();
  sql.run(
    'INSERT INTO console_sessions (id, user_id, computer, started_at, last_heartbeat_at) VALUES (?, ?, ?, ?, ?)',
    input.id,
    actor.id,
    input.computer,
    startedAt,
    startedAt,
  );
  setTimer(sql, 'heartbeat', input.id, now + HEARTBEAT_TIMEOUT_MS);
  // The seat is in use: an idle-seat warning about it no longer holds.
  sql.run('DELETE FROM idle_warnings WHERE user_id = ?', actor.id);
  recordAudit(sql, now, actor, 'console.session_started', userTarget(actor), { sessionId: input.id, computer: input.computer });
  return ok({
    id: input.id,
    user: { id: actor.id, name: actor.name },
    computer: input.computer,
    startedAt,
    lastHeartbeatAt: startedAt,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    ...sessionStatus(seat),
  });
}

/**
 * A `session_limit` refusal when the user already has as many sessions open as one seat allows
 * (the subscription's `maxConsoleSessionsPerSeat`), listing them so one can be ended.
 */
function sessionLimit(sql: Sql, userId: string): Failure | null {
  const limit = sql.one<{ max: number }>('SELECT max_console_sessions_per_seat AS max FROM subscription')!.max;
  const open = sql.all<{ id: string; computer: string; started_at: string }>(
    'SELECT id, computer, started_at FROM console_sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY started_at',
    userId,
  );
  if (open.length < limit) return null;
  return fail('session_limit', {
    limit,
    sessions: open.map((s) => ({ id: s.id, computer: s.computer, startedAt: s.started_at })),
    detail:
      `You already have ${open.length} console sessions open, and one seat allows ${limit} at once. End one you no ` +
      'longer use (DELETE /api/v1/console/sessions/{id}; a session that stopped sending heartbeats ends by itself ' +
      'within a minute), or ask an administrator to raise the limit in the subscription settings.',
  });
}

/**
 * The caller's session says it is still running: its deadline moves, and the answer says whether
 * the seat is leaving. An ended session is refused with `seat_revoked` or `session_ended`.
 */
export function heartbeat(sql: Sql, actor: Actor, sessionId: string, now: number): Result<Heartbeat> {
  const row = sql.one<SessionRow>(`${SESSION_SELECT} WHERE c.id = ? AND c.user_id = ?`, sessionId, actor.id);
  if (!row) return fail('not_found', { detail: 'No such console session of yours.' });
  const seat = seatState(sql, actor.id);
  if (row.ended_at !== null) return endedSessionRefusal(row.end_reason as SessionEndReason, row.ended_at, seat !== null);
  if (!seat) {
    // Every way of losing a seat ends its sessions; this only guards against one that did not. A
    // refusal writes nothing, so the session is left to its heartbeat deadline, which this does not move.
    return endedSessionRefusal('seat_revoked', new Date(now).toISOString(), false);
  }
  sql.run('UPDATE console_sessions SET last_heartbeat_at = ? WHERE id = ?', new Date(now).toISOString(), sessionId);
  setTimer(sql, 'heartbeat', sessionId, now + HEARTBEAT_TIMEOUT_MS);
  return ok(sessionStatus(seat));
}

/**
 * Ends one session: the caller's own, or anyone's for an administrator. Ending an ended session
 * is a no-op. Returns the session's user, whose seat may have been waiting for it.
 */
export function closeSession(sql: Sql, actor: Actor, sessionId: string, now: number): Result<string> {
  const row = sql.one<SessionRow>(`${SESSION_SELECT} WHERE c.id = ?`, sessionId);
  if (!row || (row.user_id !== actor.id && actor.role !== 'administrator')) {
    return fail('not_found', { detail: 'No such console session.' });
  }
  if (row.ended_at === null) endSession(sql, row, row.user_id === actor.id ? 'closed' : 'ended_by_administrator', actor, now);
  return ok(row.user_id);
}

/** Active sessions: everyone's (or one user's) for administrators, only their own for technicians. */
export function listSessions(sql: Sql, actor: Actor, userId: string | undefined): Result<ConsoleSession[]> {
  if (actor.role !== 'administrator' && userId !== undefined && userId !== actor.id) {
    return fail('forbidden', { detail: 'Technicians can only list their own console sessions. Leave out userId.' });
  }
  const who = actor.role === 'administrator' ? userId : actor.id;
  const rows = who
    ? sql.all<SessionRow>(`${SESSION_SELECT} WHERE c.ended_at IS NULL AND c.user_id = ? ORDER BY c.started_at`, who)
    : sql.all<SessionRow>(`${SESSION_SELECT} WHERE c.ended_at IS NULL ORDER BY c.started_at`);
  const seats = new Map<string, ReturnType<typeof seatState>>();
  return ok(
    rows.map((row) => {
      if (!seats.has(row.user_id)) seats.set(row.user_id, seatState(sql, row.user_id));
      const seat = seats.get(row.user_id) ?? null;
      return toSession(row, seat ? sessionStatus(seat) : { status: 'ending', endsAt: null });
    }),
  );
}

/** The active sessions of a user (`+?`: the statement stays prepared, see sql.ts). */
export function activeSessions(sql: Sql, userId: string): { id: string; computer: string }[] {
  return sql.all<{ id: string; computer: string }>(
    'SELECT id, computer FROM console_sessions WHERE user_id = +? AND ended_at IS NULL ORDER BY started_at',
    userId,
  );
}

/** Ends every active session of a user, for one reason. Returns what ended, for the audit log. */
export function endSessionsOf(sql: Sql, userId: string, reason: SessionEndReason, actor: Actor | null, now: number): { id: string; computer: string }[] {
  const rows = sql.all<SessionRow>(`${SESSION_SELECT} WHERE c.user_id = ? AND c.ended_at IS NULL ORDER BY c.started_at`, userId);
  for (const row of rows) endSession(sql, row, reason, actor, now);
  return rows.map((r) => ({ id: r.id, computer: r.computer }));
}

/**
 * Ends a session whose heartbeat deadline passed; it is taken to have ended at its last heartbeat.
 * Returns its user, or null if it had already ended.
 */
export function timeOutSession(sql: Sql, sessionId: string, now: number): string | null {
  const row = sql.one<SessionRow>(`${SESSION_SELECT} WHERE c.id = ?`, sessionId);
  clearTimer(sql, 'heartbeat', sessionId);
  if (!row || row.ended_at !== null) return null;
  const lastSign = Date.parse(row.last_heartbeat_at ?? row.started_at);
  endSession(sql, row, 'heartbeat_timeout', null, now, Math.min(now, lastSign));
  return row.user_id;
}

/** Ends a session at `now`, or at `endedAt` when it is taken to have ended earlier (a missed heartbeat). */
function endSession(sql: Sql, row: SessionRow, reason: SessionEndReason, actor: Actor | null, now: number, endedAtMs = now): void {
  const endedAt = new Date(endedAtMs).toISOString();
  sql.run('UPDATE console_sessions SET ended_at = ?, end_reason = ? WHERE id = ?', endedAt, reason, row.id);
  clearTimer(sql, 'heartbeat', row.id);
  recordAudit(sql, now, actor, 'console.session_ended', { type: 'user', id: row.user_id, name: row.user_name }, {
    sessionId: row.id,
    computer: row.computer,
    reason,
    startedAt: row.started_at,
    endedAt,
  });
}

/** The holder's seat as sessions see it: its loan end and a revocation waiting on it. Null without a seat. */
function seatState(sql: Sql, userId: string): { loanUntil: string | null; revocation: { endsAt: string | null } | null } | null {
  const row = sql.one<{ expires_at: string | null; revoking: number; ends_at: string | null }>(
    `SELECT s.expires_at, r.user_id IS NOT NULL AS revoking, r.ends_at FROM seats s
     LEFT JOIN seat_revocations r ON r.user_id = s.user_id WHERE s.user_id = ?`,
    userId,
  );
  if (!row) return null;
  return { loanUntil: row.expires_at, revocation: row.revoking ? { endsAt: row.ends_at } : null };
}

function toSession(row: SessionRow, status: Heartbeat): ConsoleSession {
  return {
    id: row.id,
    user: { id: row.user_id, name: row.user_name ?? '' },
    computer: row.computer,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    ...status,
  };
}

const userTarget = (actor: Actor) => ({ type: 'user' as const, id: actor.id, name: actor.name });
