/**
 * The reports, computed from plain facts with no I/O: seat utilisation per day (replayed from the
 * audit log), console activity per technician, and idle seats with a suggestion for each. Every
 * function takes "now" and the period, so the same facts always give the same report.
 */

import type { ConsoleActivity, IdleSeat, Person, UtilisationDay } from '../contract';

const DAY_MS = 86_400_000;

// ── Utilisation ─────────────────────────────────────────────────────────────────────────────

/** An audit entry that may change the purchased or assigned seats. */
export interface SeatEvent {
  at: string;
  action: string;
  details: Record<string, unknown>;
}


/** The audit actions the utilisation replay reads. */
export const SEAT_EVENT_ACTIONS = [
  'subscription.created',
  'subscription.updated',
  'seat.assigned',
  'seat.unassigned',
  'seat.loan_ended',
] as const;

interface SeatState {
  started: boolean;
  purchased: number;
  assigned: number;
}

/** Applies one event; transfers and returned loans move a seat without changing the count. */
function apply(state: SeatState, event: SeatEvent): void {
  switch (event.action) {
    case 'subscription.created':
      state.started = true;
      state.purchased = Number(event.details.seats ?? state.purchased);
      break;
    case 'subscription.updated': {
      const seats = event.details.seats as { to?: unknown } | undefined;
      if (typeof seats?.to === 'number') state.purchased = seats.to;
      break;
    }
    case 'seat.assigned':
      state.assigned += 1;
      break;
    case 'seat.unassigned':
      state.assigned = Math.max(0, state.assigned - 1);
      break;
    case 'seat.loan_ended':
      if (event.details.outcome === 'freed') state.assigned = Math.max(0, state.assigned - 1);
      break;
  }
}

/**
 * Assigned against purchased seats for each UTC day from `from` to `to` (YYYY-MM-DD, inclusive),
 * by replaying `events` in order. Days before the subscription existed are left out.
 *
 * @example utilisationByDay(events, '2026-11-01', '2026-11-30') // → [{ date: '2026-11-01', purchased: 6, assigned: 4, peakAssigned: 5 }, …]
 */
export function utilisationByDay(events: readonly SeatEvent[], from: string, to: string): UtilisationDay[] {
  const state: SeatState = { started: false, purchased: 0, assigned: 0 };
  const days: UtilisationDay[] = [];
  let next = 0;
  const first = Date.parse(`${from}T00:00:00.000Z`);
  const last = Date.parse(`${to}T00:00:00.000Z`);
  while (next < events.length && Date.parse(events[next]!.at) < first) apply(state, events[next++]!);
  for (let day = first; day <= last; day += DAY_MS) {
    let peak = state.assigned;
    while (next < events.length && Date.parse(events[next]!.at) < day + DAY_MS) {
      apply(state, events[next++]!);
      peak = Math.max(peak, state.assigned);
    }
    if (!state.started) continue;
    days.push({ date: isoDate(day), purchased: state.purchased, assigned: state.assigned, peakAssigned: peak });
  }
  return days;
}

// ── Console activity ────────────────────────────────────────────────────────────────────────

export interface SessionSpan {
  userId: string;
  startedAt: string;
  /** Null while the session is still running. */
  endedAt: string | null;
}

/** A user as console activity counts them. */
export interface ActivityMember {
  id: string;
  name: string;
  email: string;
  role: string;
  hasSeat: boolean;
  /** When they last started a session, ever (the spans may cover only the period). */
  lastConnectionAt: string | null;
}


/** Seconds of a session inside [from, to]; a running session counts until `to`. */
export function secondsWithin(span: SessionSpan, from: number, to: number): number {
  const start = Math.max(from, Date.parse(span.startedAt));
  const end = Math.min(to, span.endedAt === null ? to : Date.parse(span.endedAt));
  return end > start ? Math.floor((end - start) / 1000) : 0;
}

/**
 * Console activity per person in [from, to]: the most connected first, then by name. Sessions in
 * `spans` that do not overlap the period only count towards the last connection.
 */
export function consoleActivity(people: readonly ActivityMember[], spans: readonly SessionSpan[], from: number, to: number): ConsoleActivity[] {
  const rows = new Map<string, ConsoleActivity>();
  for (const p of people) {
    rows.set(p.id, {
      user: { id: p.id, name: p.name, email: p.email, role: p.role },
      hasSeat: p.hasSeat,
      sessions: 0,
      connectedSeconds: 0,
      lastConnectionAt: p.lastConnectionAt,
    });
  }
  for (const span of spans) {
    const row = rows.get(span.userId);
    if (!row) continue;
    if (row.lastConnectionAt === null || span.startedAt > row.lastConnectionAt) row.lastConnectionAt = span.startedAt;
    const overlaps = Date.parse(span.startedAt) <= to && (span.endedAt === null || Date.parse(span.endedAt) >= from);
    if (!overlaps) continue;
    row.sessions += 1;
    row.connectedSeconds += secondsWithin(span, from, to);
  }
  return [...rows.values()].sort((a, b) => b.connectedSeconds - a.connectedSeconds || a.user.name.localeCompare(b.user.name));
}

// ── Idle seats ──────────────────────────────────────────────────────────────────────────────

export interface Holder {
  id: string;
  name: string;
  email: string;
  seatAssignedAt: string;
  /** When their last console session started, or null if never. */
  lastConnectionAt: string | null;
  /** When their last console session ended; null if never connected or still connected. */
  lastDisconnectionAt: string | null;
  connectedNow: boolean;
}

export interface WaitingRequest {
  requestId: string;
  user: Person;
  createdAt: string;
}



/**
 * Holders who had no console session in the last `days` days and have held their seat at least
 * that long, the longest idle first. Each gets a one-tap suggestion: give the seat to the oldest
 * waiting request not already suggested, or else free it.
 */
export function idleSeats(holders: readonly Holder[], waiting: readonly WaitingRequest[], days: number, now: number): IdleSeat[] {
  const since = now - days * DAY_MS;
  const idle = holders
    .filter((h) => !h.connectedNow && Date.parse(h.seatAssignedAt) <= since)
    .map((h) => {
      const lastSession = h.lastDisconnectionAt ?? h.lastConnectionAt;
      return { h, lastUse: Math.max(Date.parse(h.seatAssignedAt), lastSession ? Date.parse(lastSession) : 0) };
    })
    .filter(({ lastUse }) => lastUse < since)
    .sort((a, b) => a.lastUse - b.lastUse || a.h.name.localeCompare(b.h.name));
  const queue = [...waiting].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return idle.map(({ h, lastUse }) => {
    const request = queue.shift();
    return {
      user: { id: h.id, name: h.name, email: h.email },
      seatAssignedAt: h.seatAssignedAt,
      lastConnectionAt: h.lastConnectionAt,
      idleDays: Math.floor((now - lastUse) / DAY_MS),
      suggestion: request
        ? { action: 'approve_request', requestId: request.requestId, to: request.user }
        : { action: 'unassign' },
    };
  });
}

/** YYYY-MM-DD of a UTC instant. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
