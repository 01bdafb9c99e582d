/**
 * Reports for administrators, to answer "who should hold our seats?": utilisation per day,
 * console activity per person, and idle seats with a reassignment suggestion. Each answers JSON,
 * or a CSV download with `?format=csv`.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../context';
import { toCsv, csvResponse, type CsvColumn } from '../csv';
import { problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import {
  ConsoleActivityQuery,
  ConsoleActivityReport,
  IdleSeatsQuery,
  IdleSeatsReport,
  PoolReport,
  PoolReportQuery,
  type PoolUsage,
  UtilisationQuery,
  UtilisationReport,
  type ConsoleActivity,
  type IdleSeat,
  type UtilisationDay,
} from '../../contract';

/** JSON or CSV, both documented. */
const reportAnswer = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } },
});

const utilisation = signedInRoute({
  method: 'get',
  path: '/utilisation',
  tags: ['Reports'],
  summary: 'Seats assigned against purchased, per UTC day, from the audit log (administrators)',
  request: { query: UtilisationQuery },
  responses: { 200: reportAnswer(UtilisationReport, 'One row per day'), ...problems('forbidden') },
});

const activity = signedInRoute({
  method: 'get',
  path: '/console-activity',
  tags: ['Reports'],
  summary: 'Console sessions, connected time and last connection per person over the last `days` (administrators)',
  request: { query: ConsoleActivityQuery },
  responses: { 200: reportAnswer(ConsoleActivityReport, 'One row per user, the most connected first'), ...problems('forbidden') },
});

const idle = signedInRoute({
  method: 'get',
  path: '/idle-seats',
  tags: ['Reports'],
  summary: 'Holders with no console session in `days` days, each with a reassignment suggestion (administrators)',
  description:
    'A seat counts as idle once it has been held for `days` days without a session. The suggestion approves the ' +
    'oldest waiting seat request with a transfer from this holder, or, with no one waiting, frees the seat.',
  request: { query: IdleSeatsQuery },
  responses: { 200: reportAnswer(IdleSeatsReport, 'Idle seats, the longest idle first'), ...problems('forbidden') },
});

const pools = signedInRoute({
  method: 'get',
  path: '/pools',
  tags: ['Reports'],
  summary: "Each team pool's utilisation and idle seats, then the shared remainder's (administrators)",
  description: 'Idle: holders with no console session in `days` days, counted as the idle-seats report does.',
  request: { query: PoolReportQuery },
  responses: { 200: reportAnswer(PoolReport, 'One row per pool, then the shared remainder'), ...problems('forbidden') },
});

const POOLS_CSV: CsvColumn<PoolUsage>[] = [
  { header: 'pool_id', value: (r) => r.pool?.id ?? null },
  { header: 'pool', value: (r) => r.pool?.name ?? 'Shared' },
  { header: 'reserved', value: (r) => r.reserved },
  { header: 'capacity', value: (r) => r.capacity },
  { header: 'assigned', value: (r) => r.assigned },
  { header: 'utilisation_percent', value: (r) => r.utilisationPercent },
  { header: 'idle_seats', value: (r) => r.idleSeats },
];

const UTILISATION_CSV: CsvColumn<UtilisationDay>[] = [
  { header: 'date', value: (d) => d.date },
  { header: 'purchased', value: (d) => d.purchased },
  { header: 'assigned', value: (d) => d.assigned },
  { header: 'peak_assigned', value: (d) => d.peakAssigned },
];

const ACTIVITY_CSV: CsvColumn<ConsoleActivity>[] = [
  { header: 'user_id', value: (r) => r.user.id },
  { header: 'name', value: (r) => r.user.name },
  { header: 'email', value: (r) => r.user.email },
  { header: 'role', value: (r) => r.user.role },
  { header: 'has_seat', value: (r) => r.hasSeat },
  { header: 'sessions', value: (r) => r.sessions },
  { header: 'connected_seconds', value: (r) => r.connectedSeconds },
  { header: 'last_connection_at', value: (r) => r.lastConnectionAt },
];

const IDLE_CSV: CsvColumn<IdleSeat>[] = [
  { header: 'user_id', value: (r) => r.user.id },
  { header: 'name', value: (r) => r.user.name },
  { header: 'email', value: (r) => r.user.email },
  { header: 'seat_assigned_at', value: (r) => r.seatAssignedAt },
  { header: 'last_connection_at', value: (r) => r.lastConnectionAt },
  { header: 'idle_days', value: (r) => r.idleDays },
  { header: 'suggestion', value: (r) => r.suggestion.action },
  { header: 'request_id', value: (r) => (r.suggestion.action === 'approve_request' ? r.suggestion.requestId : null) },
  { header: 'suggested_user_id', value: (r) => (r.suggestion.action === 'approve_request' ? r.suggestion.to.id : null) },
  { header: 'suggested_user_name', value: (r) => (r.suggestion.action === 'approve_request' ? r.suggestion.to.name : null) },
];

const today = () => new Date().toISOString().slice(0, 10);

export const reports = new OpenAPIHono<AppEnv>()
  .openapi(utilisation, async (c) => {
    const { format, ...period } = c.req.valid('query');
    const answer = unwrapReply(c, await c.var.subscription.utilisationReport(c.var.call, period));
    if (format === 'csv') return csvResponse(toCsv(UTILISATION_CSV, answer.items), `utilisation-${answer.from}-${answer.to}.csv`);
    return c.json(answer, 200);
  })
  .openapi(activity, async (c) => {
    const { format, days } = c.req.valid('query');
    const answer = unwrapReply(c, await c.var.subscription.consoleActivityReport(c.var.call, days));
    if (format === 'csv') return csvResponse(toCsv(ACTIVITY_CSV, answer.items), `console-activity-${today()}.csv`);
    return c.json(answer, 200);
  })
  .openapi(idle, async (c) => {
    const { format, days } = c.req.valid('query');
    const answer = unwrapReply(c, await c.var.subscription.idleSeatsReport(c.var.call, days));
    if (format === 'csv') return csvResponse(toCsv(IDLE_CSV, answer.items), `idle-seats-${today()}.csv`);
    return c.json(answer, 200);
  })
  .openapi(pools, async (c) => {
    const { format, days } = c.req.valid('query');
    const answer = unwrapReply(c, await c.var.subscription.poolReport(c.var.call, days));
    if (format === 'csv') return csvResponse(toCsv(POOLS_CSV, answer.items), `pools-${today()}.csv`);
    return c.json(answer, 200);
  });
