/**
 * `/reports` (worker/http/routes/reports.ts): utilisation per day, console activity per person,
 * idle seats, team pools; each also as CSV, downloaded through a plain link with the session cookie.
 */
import type {
  ConsoleActivityQuery,
  ConsoleActivityReport,
  IdleSeatsQuery,
  IdleSeatsReport,
  PoolReport,
  PoolReportQuery,
  UtilisationQuery,
  UtilisationReport,
} from '#contract';
import { request } from './request.ts';

const PATHS = {
  utilisation: '/reports/utilisation',
  activity: '/reports/console-activity',
  idle: '/reports/idle-seats',
  pools: '/reports/pools',
} as const;

/** The link that downloads a report as CSV. */
function csv(path: string, query: Record<string, string | number>): string {
  const params = new URLSearchParams(Object.entries({ ...query, format: 'csv' }).map(([key, value]) => [key, String(value)]));
  return `/api/v1${path}?${params}`;
}

export const reportsApi = {
  utilisation: (query: UtilisationQuery) => request<UtilisationReport>('GET', PATHS.utilisation, undefined, query),
  utilisationCsv: (query: { from: string; to: string }) => csv(PATHS.utilisation, query),
  consoleActivity: (query: ConsoleActivityQuery) => request<ConsoleActivityReport>('GET', PATHS.activity, undefined, query),
  consoleActivityCsv: (query: { days: number }) => csv(PATHS.activity, query),
  idleSeats: (query: IdleSeatsQuery) => request<IdleSeatsReport>('GET', PATHS.idle, undefined, query),
  idleSeatsCsv: (query: { days: number }) => csv(PATHS.idle, query),
  pools: (query: PoolReportQuery) => request<PoolReport>('GET', PATHS.pools, undefined, query),
  poolsCsv: (query: { days: number }) => csv(PATHS.pools, query),
};
