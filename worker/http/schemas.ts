/**
 * Request and response schemas. The same objects validate requests and generate the OpenAPI
 * document, so the documentation cannot drift from what the API accepts.
 */
import { z } from '@hono/zod-openapi';
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

// ── Shapes the API returns ──────────────────────────────────────────────────────────────────

export const SeatCountsSchema = z
  .object({ purchased: z.number().int(), assigned: z.number().int(), available: z.number().int() })
  .openapi('SeatCounts');

export const SubscriptionSchema = z
  .object({ id: z.string(), name: z.string(), seats: SeatCountsSchema })
  .openapi('Subscription');

export const UserSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role,
    status: z.enum(['invited', 'active', 'deactivated']),
    seat: z.object({ assignedAt: timestamp, expiresAt: timestamp.nullable() }).nullable(),
    createdAt: timestamp,
    lastActiveAt: timestamp.nullable(),
  })
  .openapi('User');

export const AccountSchema = z.object({ user: UserSchema, subscription: SubscriptionSchema }).openapi('Account');

export const InvitationSchema = z
  .object({ token: z.string(), url: z.string(), expiresAt: timestamp })
  .openapi('Invitation');

export const TokenSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: timestamp, lastUsedAt: timestamp.nullable() })
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

export const ConsoleSessionSchema = z
  .object({ id: z.string(), computer: z.string(), startedAt: timestamp })
  .openapi('ConsoleSession');

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

export const AcceptInvitationBody = z.object({ token: z.string().min(1).max(200), password }).strict();

export const TokenBody = z.object({ name: name.openapi({ example: 'Provisioning script' }) }).strict();

export const SubscriptionPatch = z
  .object({ seats: seats.optional(), name: name.optional() })
  .strict()
  .refine((b) => b.seats !== undefined || b.name !== undefined, 'Give "seats", "name" or both.');

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

export const TransferBody = z.object({ from: userId, to: userId }).strict();

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

export const AuditQuery = z
  .object({ limit, cursor, action: z.string().max(50).optional(), userId: userId.optional() })
  .strict();

export const UserParams = z.object({ id: z.string().max(40).openapi({ param: { name: 'id', in: 'path' } }) });
export const TokenParams = UserParams;
