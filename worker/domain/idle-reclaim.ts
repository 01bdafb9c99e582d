/**
 * Idle-seat reclaim, pure: which seats have gone unused long enough to be taken back, and whose
 * holders should be warned first. "Used" is what the server measured of console sessions (their
 * start, heartbeats and end); a seat given recently counts from when it was given, and a holder
 * connected right now is never idle. The warning comes two days before the seat is taken.
 */

const DAY = 86_400_000;
/** How many days before the reclaim the warning goes out. */
export const WARNING_DAYS = 2;

export interface IdleHolder {
  id: string;
  name: string;
  /** When the seat was given (ISO). */
  assignedAt: string;
  /** The latest console-session start, heartbeat or end (ISO); null: never connected. */
  lastUsedAt: string | null;
  /** A console session is open now. */
  connected: boolean;
  exempt: boolean;
}

export interface IdleDecision {
  holder: IdleHolder;
  action: 'reclaim' | 'warn';
  idleDays: number;
  /** When the seat goes (ms). */
  reclaimAt: number;
  /** "no console session since 12 Nov" */
  reason: string;
}

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * The holders to take a seat from now (`reclaim`) and to warn (`warn`, within two days of it),
 * oldest idle first.
 * @example decideIdle([{ id: 'usr_1', name: 'Ada', assignedAt: '2026-11-01T00:00:00Z', lastUsedAt: null, connected: false, exempt: false }], 14, Date.parse('2026-11-20T00:00:00Z'))
 */
export function decideIdle(holders: IdleHolder[], days: number, now: number): IdleDecision[] {
  const decisions: IdleDecision[] = [];
  for (const holder of holders) {
    if (holder.exempt || holder.connected) continue;
    const since = Math.max(Date.parse(holder.assignedAt), holder.lastUsedAt ? Date.parse(holder.lastUsedAt) : 0);
    const reclaimAt = since + days * DAY;
    if (now < reclaimAt - WARNING_DAYS * DAY) continue;
    const reason = holder.lastUsedAt && Date.parse(holder.lastUsedAt) >= Date.parse(holder.assignedAt)
      ? `no console session since ${shortDate.format(new Date(holder.lastUsedAt))}`
      : `no console session since the seat was given on ${shortDate.format(new Date(holder.assignedAt))}`;
    decisions.push({ holder, action: now >= reclaimAt ? 'reclaim' : 'warn', idleDays: Math.floor((now - since) / DAY), reclaimAt, reason });
  }
  return decisions.sort((a, b) => a.reclaimAt - b.reclaimAt);
}
