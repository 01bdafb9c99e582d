/**
 * The reports' facts, read from the object's storage and handed to the pure functions in
 * worker/domain/reports.ts: the audit log for utilisation, console sessions for activity and idle
 * seats, and the waitlist for reassignment suggestions.
 */
import {
  consoleActivity,
  idleSeats,
  isoDate,
  SEAT_EVENT_ACTIONS,
  utilisationByDay,
} from '../domain/reports';
import { MAX_REPORT_DAYS, type ConsoleActivityReport, type IdleSeatsReport, type UtilisationReport } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import type { Sql } from './sql';
import { ROLE_OF_U } from './users';

const DAY_MS = 86_400_000;


/** Assigned against purchased seats per UTC day (YYYY-MM-DD, inclusive), by default the last 30 days. */
export function utilisationReport(sql: Sql, period: { from?: string; to?: string }, now: number): Result<UtilisationReport> {
  const { from: fromDate, to: toDate } = period;
  const to = toDate ?? isoDate(now);
  const from = fromDate ?? isoDate(Date.parse(`${to}T00:00:00.000Z`) - 29 * DAY_MS);
  const span = (Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS;
  if (Number.isNaN(span) || span < 0) return fail('validation_failed', { detail: '"from" must be a day on or before "to" (YYYY-MM-DD).' });
  if (span >= MAX_REPORT_DAYS) return fail('validation_failed', { detail: `A report covers at most ${MAX_REPORT_DAYS} days. Choose a shorter period.` });
  const end = new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS).toISOString();
  const marks = SEAT_EVENT_ACTIONS.map(() => '?').join(', ');
  const events = sql
    .all<{ at: string; action: string; details: string }>(
      `SELECT at, action, details FROM audit WHERE action IN (${marks}) AND at < ? ORDER BY at, seq`,
      ...SEAT_EVENT_ACTIONS,
      end,
    )
    .map((e) => ({ at: e.at, action: e.action, details: JSON.parse(e.details) as Record<string, unknown> }));
  return ok({ from, to, items: utilisationByDay(events, from, to) });
}

/** Console activity of every user over the last `days` days. */
export function consoleActivityReport(sql: Sql, days: number, now: number): ConsoleActivityReport {
  const from = now - days * DAY_MS;
  const people = sql
    .all<{ id: string; name: string; email: string; role: string; held: number; last_start: string | null }>(
      `SELECT u.id, u.name, u.email, ${ROLE_OF_U} AS role, s.user_id IS NOT NULL AS held,
         (SELECT MAX(c.started_at) FROM console_sessions c WHERE c.user_id = u.id) AS last_start
       FROM users u LEFT JOIN seats s ON s.user_id = u.id ORDER BY u.seq`,
    )
    .map((p) => ({ id: p.id, name: p.name, email: p.email, role: p.role, hasSeat: p.held === 1, lastConnectionAt: p.last_start }));
  const spans = sql
    .all<{ user_id: string; started_at: string; ended_at: string | null }>(
      'SELECT user_id, started_at, ended_at FROM console_sessions WHERE started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)',
      new Date(now).toISOString(),
      new Date(from).toISOString(),
    )
    .map((s) => ({ userId: s.user_id, startedAt: s.started_at, endedAt: s.ended_at }));
  return {
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    items: consoleActivity(people, spans, from, now),
  };
}

/** Seats whose holders have not connected for `days` days, with a suggestion for each. */
export function idleSeatsReport(sql: Sql, days: number, now: number): IdleSeatsReport {
  const holders = sql
    .all<{ id: string; name: string; email: string; assigned_at: string; last_start: string | null; last_end: string | null; open: number }>(
      `SELECT u.id, u.name, u.email, s.assigned_at,
         MAX(c.started_at) AS last_start, MAX(c.ended_at) AS last_end, COUNT(c.id) - COUNT(c.ended_at) AS open
       FROM seats s JOIN users u ON u.id = s.user_id LEFT JOIN console_sessions c ON c.user_id = s.user_id
       GROUP BY u.id ORDER BY u.seq`,
    )
    .map((h) => ({
      id: h.id,
      name: h.name,
      email: h.email,
      seatAssignedAt: h.assigned_at,
      lastConnectionAt: h.last_start,
      lastDisconnectionAt: h.last_end,
      connectedNow: h.open > 0,
    }));
  const waiting = sql
    .all<{ id: string; user_id: string; name: string; created_at: string }>(
      `SELECT r.id, r.user_id, u.name, r.created_at FROM seat_requests r JOIN users u ON u.id = r.user_id
       LEFT JOIN seats s ON s.user_id = r.user_id
       WHERE r.status = 'pending' AND u.status = 'active' AND s.user_id IS NULL ORDER BY r.seq`,
    )
    .map((r) => ({ requestId: r.id, user: { id: r.user_id, name: r.name }, createdAt: r.created_at }));
  return {
    days,
    since: new Date(now - days * DAY_MS).toISOString(),
    items: idleSeats(holders, waiting, days, now),
  };
}
