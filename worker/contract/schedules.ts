/**
 * Shift schedules ("follow the sun"), as `/api/v1/schedules` answers and accepts them: a named
 * weekly pattern in an IANA time zone with exceptions, the users and directory groups on it, and
 * the hourly coverage of what all schedules want against the seats purchased.
 */
import { z } from 'zod';
import { Name, Person, Timestamp, UserId } from './common';

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;

const Time = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Times are "HH:MM", 00:00 to 24:00.')
  .meta({ example: '07:00' });
const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates are "YYYY-MM-DD".')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'Not a calendar date.')
  .meta({ example: '2026-12-25' });

export const ScheduleWindow = z
  .object({
    days: z.array(Weekday).min(1).max(7),
    start: Time,
    end: Time.meta({ description: 'At or before `start`: the window crosses midnight and ends the next day.' }),
  })
  .strict()
  .meta({ id: 'ScheduleWindow' });
export type ScheduleWindow = z.infer<typeof ScheduleWindow>;

export const ScheduleException = z
  .object({
    date: LocalDate,
    kind: z.enum(['off', 'on']).meta({ description: '"off": no shift that day (a holiday); "on": an extra shift from `start` to `end`.' }),
    start: Time.optional(),
    end: Time.optional(),
    userId: UserId.optional().meta({ description: 'Only for this user (one half of a swap); absent: for everyone on the schedule.' }),
  })
  .strict()
  .refine((e) => e.kind === 'off' || (e.start !== undefined && e.end !== undefined), { message: 'An "on" exception needs start and end.', path: ['start'] })
  .meta({ id: 'ScheduleException' });
export type ScheduleException = z.infer<typeof ScheduleException>;

export const Schedule = z
  .object({
    id: z.string(),
    name: z.string(),
    timeZone: z.string().meta({ example: 'Europe/Berlin' }),
    windows: z.array(ScheduleWindow),
    exceptions: z.array(ScheduleException),
    users: z.array(Person).meta({ description: 'Users on this schedule directly.' }),
    groups: z.array(Person).meta({ description: 'Directory groups on this schedule: their members are on it unless on one of their own.' }),
    onShift: z.number().int().meta({ description: 'How many of its people are on shift now.' }),
    nextChangeAt: Timestamp.nullable().meta({ description: 'When a shift of this schedule next starts or ends.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof Schedule>;

export const ScheduleList = z.object({ items: z.array(Schedule) }).meta({ id: 'ScheduleList' });
export type ScheduleList = z.infer<typeof ScheduleList>;

const scheduleFields = {
  name: Name.meta({ example: 'EU day' }),
  timeZone: z.string().min(1).max(64).meta({ description: 'An IANA time zone.', example: 'Europe/Berlin' }),
  windows: z.array(ScheduleWindow).max(50),
  exceptions: z.array(ScheduleException).max(500).default([]),
  userIds: z.array(UserId).max(1000).default([]).meta({ description: 'Users put on this schedule (taken off any other).' }),
  groupIds: z.array(z.string().min(1).max(200)).max(100).default([]).meta({ description: 'Directory groups put on this schedule.' }),
  confirm: z
    .boolean()
    .default(false)
    .meta({ description: 'Save even though some hours want more seats than purchased (409 `schedule_oversubscribed` otherwise).' }),
};

export const CreateScheduleBody = z.object(scheduleFields).strict();
export type CreateScheduleBody = z.input<typeof CreateScheduleBody>;

export const SchedulePatch = z
  .object({
    name: scheduleFields.name.optional(),
    timeZone: scheduleFields.timeZone.optional(),
    windows: scheduleFields.windows.optional(),
    exceptions: z.array(ScheduleException).max(500).optional(),
    userIds: z.array(UserId).max(1000).optional(),
    groupIds: z.array(z.string().min(1).max(200)).max(100).optional(),
    confirm: scheduleFields.confirm,
  })
  .strict();
export type SchedulePatch = z.input<typeof SchedulePatch>;

export const CoverageQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default: the start of the current hour.' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default and at most: a week after `from`.' }),
  })
  .strict();
export type CoverageQuery = z.input<typeof CoverageQuery>;

export const CoverageHour = z
  .object({
    at: Timestamp,
    wanted: z.number().int().meta({ description: 'Seats wanted at the busiest moment of the hour: seats held outside schedules plus everyone on shift.' }),
    purchased: z.number().int(),
    waiting: z.array(Person).meta({ description: 'Who would wait for a seat in this hour (wanted > purchased).' }),
  })
  .meta({ id: 'CoverageHour' });
export type CoverageHour = z.infer<typeof CoverageHour>;

export const Coverage = z.object({ items: z.array(CoverageHour) }).meta({ id: 'Coverage' });
export type Coverage = z.infer<typeof Coverage>;
