/**
 * Request and response schemas. The same objects validate requests and generate the OpenAPI
 * document, so the documentation cannot drift from what the API accepts.
 */
import { z } from '@hono/zod-openapi';
import { MAX_REPORT_DAYS } from '../domain/reports';
import { MAX_GRACE_MINUTES } from '../domain/seat-timing';
import { MAX_SEATS, MIN_SEATS } from '../domain/seats';

const name = z.string().trim().min(1).max(100);
const email = z.string().trim().toLowerCase().max(254).pipe(z.email()).openapi({ example: 'ada@example.com' });
const password = z.string().min(10, 'Passwords need at least 10 characters.').max(256);
const seats = z.number().int().min(MIN_SEATS).max(MAX_SEATS);
export const role = z.enum(['administrator', 'technician']);
const id = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}_[a-z2-7]{20}$`), `Not a valid ${prefix} id.`).openapi({ example });
export const userId = id('usr', 'usr_3kq7m2x4p5r6s7t2u3v4');
const timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-29T14:00:00.000Z' });
const person = z.object({ id: z.string(), name: z.string() });

// ── Shapes the API returns ──────────────────────────────────────────────────────────────────

export const SeatCountsSchema = z
  .object({ purchased: z.number().int(), assigned: z.number().int(), available: z.number().int() })
  .openapi('SeatCounts');

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    seats: SeatCountsSchema,
    autoAssignRequests: z.boolean().openapi({ description: 'Freed seats go to the oldest pending seat request at once.' }),
  })
  .openapi('Subscription');

export const SeatSchema = z
  .object({
    assignedAt: timestamp,
    expiresAt: timestamp.nullable().openapi({ description: "When the seat leaves this user at the latest: a loan's or a grace period's end." }),
    loan: z
      .object({ until: timestamp, returnsTo: person.nullable().openapi({ description: 'Who gets the seat back then; null: it is freed.' }) })
      .nullable()
      .openapi({ description: 'A time-boxed seat.' }),
    revocation: z
      .object({
        action: z.enum(['unassign', 'transfer', 'return']),
        onActiveSessions: z.enum(['grace', 'after_session']),
        endsAt: timestamp.nullable().openapi({ description: "The grace period's end; null: when the holder's last session ends." }),
        transferTo: person.nullable(),
        requestedAt: timestamp,
      })
      .nullable()
      .openapi({ description: 'The seat is being taken while its holder is connected; it still counts as theirs until then.' }),
  })
  .openapi('Seat');

export const UserSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role,
    status: z.enum(['invited', 'active', 'deactivated']),
    seat: SeatSchema.nullable(),
    createdAt: timestamp,
    lastActiveAt: timestamp.nullable(),
  })
  .openapi('User');

export const AccountSchema = z.object({ user: UserSchema, subscription: SubscriptionSchema }).openapi('Account');

export const InvitationSchema = z
  .object({ token: z.string(), url: z.string(), expiresAt: timestamp })
  .openapi('Invitation');

const tokenScope = z.enum(['read', 'write']).openapi({ description: '"read" tokens may only read; any write with one is 403.' });

export const TokenSchema = z
  .object({ id: z.string(), name: z.string(), scope: tokenScope, createdAt: timestamp, lastUsedAt: timestamp.nullable() })
  .openapi('ApiToken');

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: timestamp,
    actor: z.object({ id: z.string(), name: z.string() }).nullable(),
    action: z.string().openapi({ example: 'seat.assigned' }),
    target: z.object({ type: z.string(), id: z.string(), name: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

const sessionStatus = {
  status: z.enum(['active', 'ending']).openapi({ description: '"ending": the seat is being taken back; finish up by `endsAt`.' }),
  endsAt: timestamp.nullable().openapi({ description: 'When the seat (and so the session) ends, if known.' }),
};

export const HeartbeatSchema = z.object(sessionStatus).openapi('Heartbeat');

export const ConsoleSessionSchema = z
  .object({ id: z.string(), user: person, computer: z.string(), startedAt: timestamp, lastHeartbeatAt: timestamp.nullable(), ...sessionStatus })
  .openapi('ConsoleSession');

export const StartedConsoleSessionSchema = ConsoleSessionSchema.extend({
  heartbeatSeconds: z.number().int().openapi({ description: 'Send a heartbeat this often; two missed ones end the session.' }),
}).openapi('StartedConsoleSession');

export const SeatRequestSchema = z
  .object({
    id: z.string(),
    user: person,
    reason: z.string(),
    status: z.enum(['pending', 'approved', 'declined', 'cancelled']),
    createdAt: timestamp,
    position: z.number().int().nullable().openapi({ description: 'Place in the waitlist (1 is next) while pending.' }),
    decidedAt: timestamp.nullable(),
    decidedBy: person.nullable(),
    note: z.string().nullable(),
  })
  .openapi('SeatRequest');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'no_seats_available' }),
  })
  .catchall(z.unknown())
  .openapi('Problem', { description: 'RFC 9457 problem details, with a stable `code`.' });

/** A page of a list: pass `nextCursor` back as `cursor` for the next page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

// ── Request bodies and queries ──────────────────────────────────────────────────────────────

export const SignupBody = z
  .object({
    organization: name.openapi({ example: 'Acme Support' }),
    name: name.openapi({ example: 'Ada Lovelace' }),
    email,
    password,
    seats: seats.openapi({ example: 6 }),
    assignSeat: z.boolean().default(true),
  })
  .strict();

export const LoginBody = z.object({ email, password: z.string().min(1).max(256) }).strict();

export const PasswordResetBody = z.object({ email }).strict();

export const PasswordResetConfirmBody = z.object({ token: z.string().min(1).max(200), password }).strict();

export const AcceptInvitationBody = z.object({ token: z.string().min(1).max(200), password }).strict();

export const TokenBody = z
  .object({ name: name.openapi({ example: 'Provisioning script' }), scope: tokenScope.default('write') })
  .strict();

export const SubscriptionPatch = z
  .object({ seats: seats.optional(), name: name.optional(), autoAssignRequests: z.boolean().optional() })
  .strict()
  .refine(
    (b) => b.seats !== undefined || b.name !== undefined || b.autoAssignRequests !== undefined,
    'Give "seats", "name", "autoAssignRequests", or several.',
  );

export const CreateUserBody = z
  .object({
    name: name.openapi({ example: 'Grace Hopper' }),
    email,
    role: role.default('technician'),
    assignSeat: z.boolean().default(true).openapi({ description: 'The "Assign seat" checkbox: checked by default.' }),
  })
  .strict();

export const UserPatch = z
  .object({ name: name.optional(), role: role.optional(), status: z.enum(['active', 'deactivated']).optional() })
  .strict();

// ── When a seat leaves: loans and connected holders ─────────────────────────────────────────

const until = z.iso
  .datetime({ offset: true })
  .openapi({ example: '2026-11-29T17:00:00+01:00', description: 'Lend the seat until then (ISO 8601, in the future).' });
const onActiveSessions = z.enum(['end_now', 'grace', 'after_session']).openapi({
  description: 'If the holder is connected: end their sessions now, after `graceMinutes` (default 5), or when their last one ends.',
});
const graceMinutes = z.number().int().min(1).max(MAX_GRACE_MINUTES);
const graceOnlyWithGrace = {
  check: (b: { onActiveSessions?: string; graceMinutes?: number }) => b.graceMinutes === undefined || b.onActiveSessions === 'grace',
  message: '"graceMinutes" only applies with "onActiveSessions": "grace".',
};

export const SeatBody = z.object({ until: until.nullable().optional() }).strict();

export const ReleaseQuery = z
  .object({ onActiveSessions: onActiveSessions.default('grace'), graceMinutes: z.coerce.number().pipe(graceMinutes).optional() })
  .strict()
  .refine(graceOnlyWithGrace.check, graceOnlyWithGrace.message);

export const TransferBody = z
  .object({ from: userId, to: userId, until: until.optional(), onActiveSessions: onActiveSessions.default('grace'), graceMinutes: graceMinutes.optional() })
  .strict()
  .refine(graceOnlyWithGrace.check, graceOnlyWithGrace.message);

const note = z.string().trim().max(500);

export const SeatRequestBody = z
  .object({ reason: z.string().trim().min(1).max(500).openapi({ example: 'On call this weekend for the Berlin office' }) })
  .strict();

export const ApproveSeatRequestBody = z
  .object({
    from: userId.optional().openapi({ description: 'Transfer the seat from this holder; leave out to assign a free seat.' }),
    until: until.optional(),
    onActiveSessions: onActiveSessions.default('grace'),
    graceMinutes: graceMinutes.optional(),
    note: note.optional(),
  })
  .strict()
  .refine(graceOnlyWithGrace.check, graceOnlyWithGrace.message);

export const DeclineSeatRequestBody = z.object({ note: note.optional() }).strict();

export const ConsoleSessionBody = z
  .object({ computer: z.string().trim().min(1).max(200).openapi({ example: 'FRONTDESK-PC-07' }) })
  .strict();

const limit = z.coerce.number().int().min(1).max(100).default(50);
const cursor = z.string().max(100).optional();

export const UserListQuery = z
  .object({
    seat: z.enum(['assigned', 'unassigned']).optional(),
    role: role.optional(),
    status: z.enum(['invited', 'active', 'deactivated']).optional(),
    q: z.string().trim().max(100).optional(),
    limit,
    cursor,
  })
  .strict();

export const SeatRequestQuery = z
  .object({ status: z.enum(['pending', 'approved', 'declined', 'cancelled']).optional(), userId: userId.optional(), limit, cursor })
  .strict();

export const ConsoleSessionQuery = z.object({ userId: userId.optional() }).strict();

const format = z.enum(['json', 'csv']).default('json').openapi({ description: '"csv" downloads the table as CSV.' });
const reportDays = (fallback: number) => z.coerce.number().int().min(1).max(MAX_REPORT_DAYS).default(fallback);

export const UtilisationQuery = z
  .object({ from: z.iso.date().optional(), to: z.iso.date().optional(), format })
  .strict()
  .openapi({ description: 'UTC days; by default the last 30 up to today.' });

export const ConsoleActivityQuery = z.object({ days: reportDays(30), format }).strict();

export const IdleSeatsQuery = z.object({ days: reportDays(14), format }).strict();

export const AuditQuery = z
  .object({ limit, cursor, action: z.string().max(50).optional(), userId: userId.optional() })
  .strict();

export const UserParams = z.object({ id: z.string().max(40).openapi({ param: { name: 'id', in: 'path' } }) });
export const TokenParams = UserParams;
