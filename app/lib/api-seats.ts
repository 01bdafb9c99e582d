/**
 * Seats over time through the API: what happens to a holder's console sessions when their seat is
 * taken, loans ("lend until 17:00"), seat requests, console sessions and the reports. Goes through
 * the same `request` as every other call (see api.ts).
 */
import type {
  ApprovedSeatRequest,
  ConsoleActivityReport,
  ConsoleSession,
  IdleSeatsReport,
  ApproveSeatRequestBody,
  Page,
  ReleaseChoice,
  SeatRequest,
  SeatRequestStatus,
  Subscription,
  Transferred,
  User,
  UtilisationReport,
} from '#contract';
import { request } from './api';

/** Approving a request: a free seat, or one moved `from` a holder; lent `until` a time. */
export type Approval = Pick<ApproveSeatRequestBody, 'from' | 'until' | 'note'>;

const users = (id: string) => `/users/${encodeURIComponent(id)}`;
const seatRequest = (id: string) => `/seat-requests/${encodeURIComponent(id)}`;
/** A release choice as the API takes it: `graceMinutes` is refused without `grace`. */
function releaseFields(release?: ReleaseChoice): Partial<ReleaseChoice> {
  if (!release) return {};
  return release.onActiveSessions === 'grace' && release.graceMinutes !== undefined
    ? { onActiveSessions: 'grace', graceMinutes: release.graceMinutes }
    : { onActiveSessions: release.onActiveSessions };
}
const releaseQuery = (release?: ReleaseChoice) => ({ ...releaseFields(release) });

/** Report paths, for JSON calls and for the CSV download links. */
export const REPORTS = {
  utilisation: '/reports/utilisation',
  activity: '/reports/console-activity',
  idle: '/reports/idle-seats',
} as const;

/** The URL of a report as CSV: a plain link downloads it with the session cookie. */
export function csvUrl(path: string, query: Record<string, string | number>): string {
  const params = new URLSearchParams({ ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])), format: 'csv' });
  return `/api/v1${path}?${params}`;
}

export const seatApi = {
  /** Gives a seat, or on a holder sets its end: `until` lends it, null makes it permanent. */
  give: (id: string, until?: string | null) => request<User>('PUT', `${users(id)}/seat`, until === undefined ? undefined : { until }),
  /** Takes a seat back; a connected holder keeps it until the moment `release` chooses. */
  takeBack: (id: string, release?: ReleaseChoice) => request<User>('DELETE', `${users(id)}/seat`, undefined, releaseQuery(release)),
  /** Ends a loan early: the seat goes back to whom it was lent from (or is freed). */
  endLoan: (id: string, release?: ReleaseChoice) => request<User>('POST', `${users(id)}/seat/return`, undefined, releaseQuery(release)),
  /** Moves a seat in one step (lent `until` a time); a connected `from` keeps it until `release` says. */
  transfer: (body: { from: string; to: string; until?: string }, release?: ReleaseChoice) =>
    request<Transferred>('POST', '/seats/transfer', { ...body, ...releaseFields(release) }),

  /** Active sessions: everyone's (or one user's) for administrators, your own for technicians. */
  consoleSessions: (userId?: string) => request<Page<ConsoleSession>>('GET', '/console/sessions', undefined, { userId }),

  seatRequests: (query: { status?: SeatRequestStatus; userId?: string; limit?: number; cursor?: string }) =>
    request<Page<SeatRequest>>('GET', '/seat-requests', undefined, { ...query }),
  requestSeat: (reason: string) => request<SeatRequest>('POST', '/seat-requests', { reason }),
  approveRequest: (id: string, approval: Approval = {}, release?: ReleaseChoice) =>
    request<ApprovedSeatRequest>('POST', `${seatRequest(id)}/approve`, {
      ...approval,
      ...releaseFields(release),
    }),
  declineRequest: (id: string, note?: string) => request<SeatRequest>('POST', `${seatRequest(id)}/decline`, note ? { note } : {}),
  withdrawRequest: (id: string) => request<void>('DELETE', seatRequest(id)),
  setAutoAssign: (autoAssignRequests: boolean) => request<Subscription>('PATCH', '/subscription', { autoAssignRequests }),

  utilisation: (from: string, to: string) =>
    request<UtilisationReport>('GET', REPORTS.utilisation, undefined, { from, to }),
  consoleActivity: (days: number) => request<ConsoleActivityReport>('GET', REPORTS.activity, undefined, { days }),
  idleSeats: (days: number) => request<IdleSeatsReport>('GET', REPORTS.idle, undefined, { days }),
};
