/** Reports for administrators: utilisation per day, console activity per person, idle seats. */
import { z } from 'zod';
import { Cursor, Limit, MAX_REPORT_DAYS, Person, Text, Timestamp, UserId } from './common';

export const UtilisationDay = z.object({
  date: z.string().meta({ description: 'A UTC day, YYYY-MM-DD.' }),
  purchased: z.number().int(),
  assigned: z.number().int(),
  peakAssigned: z.number().int(),
});
export type UtilisationDay = z.infer<typeof UtilisationDay>;

export const UtilisationReport = z
  .object({ from: z.string(), to: z.string(), items: z.array(UtilisationDay) })
  .meta({ id: 'UtilisationReport' });
export type UtilisationReport = z.infer<typeof UtilisationReport>;

export const ConsoleActivity = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.string() }),
  hasSeat: z.boolean(),
  sessions: z.number().int().meta({ description: 'Sessions that ran during the period.' }),
  connectedSeconds: z.number().int().meta({ description: 'Seconds connected during the period (sessions cut at its edges).' }),
  lastConnectionAt: Timestamp.nullable().meta({ description: 'When the user last started a session, ever.' }),
});
export type ConsoleActivity = z.infer<typeof ConsoleActivity>;

export const ConsoleActivityReport = z
  .object({ from: Timestamp, to: Timestamp, items: z.array(ConsoleActivity) })
  .meta({ id: 'ConsoleActivityReport' });
export type ConsoleActivityReport = z.infer<typeof ConsoleActivityReport>;

export const IdleSuggestion = z.union([
  z.object({ action: z.literal('approve_request'), requestId: z.string(), to: Person }),
  z.object({ action: z.literal('unassign') }),
]);
export type IdleSuggestion = z.infer<typeof IdleSuggestion>;

export const IdleSeat = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  seatAssignedAt: Timestamp,
  lastConnectionAt: Timestamp.nullable(),
  idleDays: z.number().int().meta({ description: 'Whole days since the seat was last used, or since it was given if that is later.' }),
  suggestion: IdleSuggestion,
});
export type IdleSeat = z.infer<typeof IdleSeat>;

export const IdleSeatsReport = z
  .object({ days: z.number().int(), since: Timestamp, items: z.array(IdleSeat) })
  .meta({ id: 'IdleSeatsReport' });
export type IdleSeatsReport = z.infer<typeof IdleSeatsReport>;

const Format = z.enum(['json', 'csv']).default('json').meta({ description: '"csv" downloads the table as CSV.' });
const reportDays = (fallback: number) => z.coerce.number().int().min(1).max(MAX_REPORT_DAYS).default(fallback);

export const UtilisationQuery = z
  .object({ from: z.iso.date().optional(), to: z.iso.date().optional(), format: Format })
  .strict()
  .meta({ description: 'UTC days; by default the last 30 up to today.' });
export type UtilisationQuery = z.input<typeof UtilisationQuery>;

export const ConsoleActivityQuery = z.object({ days: reportDays(30), format: Format }).strict();
export type ConsoleActivityQuery = z.input<typeof ConsoleActivityQuery>;

export const IdleSeatsQuery = z.object({ days: reportDays(14), format: Format }).strict();
export type IdleSeatsQuery = z.input<typeof IdleSeatsQuery>;

// ── The audit log ───────────────────────────────────────────────────────────────────────────

export const AuditEntry = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor: Person.nullable(),
    action: z.string().meta({ example: 'seat.assigned' }),
    target: z.object({ type: z.string(), id: z.string(), name: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({ limit: Limit, cursor: Cursor, action: Text({ max: 50, what: 'Actions' }).optional(), userId: UserId.optional() }).strict();
export type AuditQuery = z.input<typeof AuditQuery>;
