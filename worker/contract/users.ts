/**
 * Users, their seats, and the subscription they belong to: what `/users`, `/subscription`, `/me`
 * and `/seats` answer and accept.
 */
import { z } from 'zod';
import { PoolId } from './pools';
import { Cursor, Limit, MAX_CONSOLE_SESSIONS_PER_SEAT, MAX_GRACE_MINUTES, MAX_SEATS, MIN_SEATS, Name, Email, Person, Text, Timestamp, UserId } from './common';

/** `team_manager`: manages seats only within the pools named in their `pools`. */
export const Role = z.enum(['administrator', 'technician', 'team_manager']);
export type Role = z.infer<typeof Role>;

export const UserStatus = z.enum(['invited', 'active', 'deactivated']);
export type UserStatus = z.infer<typeof UserStatus>;

const Seats = z.number().int().min(MIN_SEATS).max(MAX_SEATS);

export const SeatCounts = z
  .object({ purchased: z.number().int(), assigned: z.number().int(), available: z.number().int() })
  .meta({ id: 'SeatCounts' });
export type SeatCounts = z.infer<typeof SeatCounts>;

/**
 * A seat holder as listed in a `no_seats_available` problem (and by `GET /seats/holders`), with what
 * an administrator chooses by: least used first (console time in the last 7 days, then not connected,
 * then the longest since their last console session).
 */
export const SeatHolder = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: Role,
    lastActiveAt: Timestamp.nullable(),
    openConsoleSessions: z.number().int().meta({ description: 'Console sessions open now: taking the seat ends or waits for them.' }),
    consoleMinutesLast7Days: z.number().int().meta({ description: 'Minutes of console time in sessions of the last 7 days.' }),
    lastConsoleSessionAt: Timestamp.nullable().meta({ description: 'When their latest console session ended (now while one is open); null: never connected.' }),
    loanEndsAt: Timestamp.nullable().meta({ description: 'When their lent seat ends; null: not a loan.' }),
  })
  .meta({ id: 'SeatHolder' });
export type SeatHolder = z.infer<typeof SeatHolder>;

/** Who holds the seats, least used first: what the "No free seat" chooser offers. */
export const SeatHolders = z.object({ seats: SeatCounts, holders: z.array(SeatHolder) }).meta({ id: 'SeatHolders' });
export type SeatHolders = z.infer<typeof SeatHolders>;

export const RevocationAction = z.enum(['unassign', 'transfer', 'return']);
export type RevocationAction = z.infer<typeof RevocationAction>;

/** Where a seat came from: given by hand (by whom, if known), or through a directory group whose members get one. */
export const SeatSource = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('manual'), by: Person.nullable().meta({ description: 'Who gave it; null when not recorded (older seats).' }) }),
    z.object({ kind: z.literal('group'), group: Person.meta({ description: 'The directory group, `name` its display name.' }) }),
    z.object({ kind: z.literal('schedule'), schedule: Person.meta({ description: 'The shift schedule: the seat leaves when the shift ends.' }) }),
  ])
  .meta({ id: 'SeatSource' });
export type SeatSource = z.infer<typeof SeatSource>;

export const Seat = z
  .object({
    assignedAt: Timestamp,
    source: SeatSource,
    expiresAt: Timestamp.nullable().meta({ description: "When the seat leaves this user at the latest: a loan's or a grace period's end." }),
    loan: z
      .object({ until: Timestamp, returnsTo: Person.nullable().meta({ description: 'Who gets the seat back then; null: it is freed.' }) })
      .nullable()
      .meta({ description: 'A time-boxed seat.' }),
    revocation: z
      .object({
        action: RevocationAction,
        onActiveSessions: z.enum(['grace', 'after_session']),
        endsAt: Timestamp.nullable().meta({ description: "The grace period's end; null: when the holder's last session ends." }),
        transferTo: Person.nullable(),
        requestedAt: Timestamp,
      })
      .nullable()
      .meta({ description: 'The seat is being taken while its holder is connected; it still counts as theirs until then.' }),
    idleReclaimAt: Timestamp.nullable().meta({
      description: 'The idle-seat policy warned that it takes this seat back then, unless a console session uses it first.',
    }),
  })
  .meta({ id: 'Seat' });
export type Seat = z.infer<typeof Seat>;

export const User = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: Role,
    status: UserStatus,
    seat: Seat.nullable(),
    poolId: z.string().nullable().meta({ description: 'The team pool whose seats this user uses; null: the shared remainder.' }),
    pools: z.array(z.string()).meta({ description: 'For a team manager: the pools whose seats they manage (empty for other roles).' }),
    managedBy: z
      .enum(['directory'])
      .nullable()
      .meta({ description: '"directory": provisioned by a directory (SCIM), which owns the name, email and role.' }),
    scheduleId: z.string().nullable().meta({ description: 'The shift schedule the user is on directly (null: none; a directory group may still put them on one).' }),
    createdAt: Timestamp,
    lastActiveAt: Timestamp.nullable(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const Subscription = z
  .object({
    id: z.string(),
    name: z.string(),
    seats: SeatCounts,
    autoAssignRequests: z.boolean().meta({ description: 'Freed seats go to the oldest pending seat request at once.' }),
    maxConsoleSessionsPerSeat: z
      .number()
      .int()
      .meta({ description: 'How many Expert Console sessions one seat may have open at once (409 `session_limit` beyond).' }),
  })
  .meta({ id: 'Subscription' });
export type Subscription = z.infer<typeof Subscription>;

/** The signed-in user and their subscription: what sign-in, sign-up and `/me` answer. */
export const Account = z.object({ user: User, subscription: Subscription }).meta({ id: 'Account' });
export type Account = z.infer<typeof Account>;

/** A link to set a password; the secret is in the URL's fragment, so it never reaches a server log. */
export const Invitation = z.object({ token: z.string(), url: z.string(), expiresAt: Timestamp }).meta({ id: 'Invitation' });
export type Invitation = z.infer<typeof Invitation>;

export const CreatedUser = z.object({ user: User, invitation: Invitation }).meta({ id: 'CreatedUser' });
export type CreatedUser = z.infer<typeof CreatedUser>;

export const Transferred = z.object({ from: User, to: User }).meta({ id: 'Transferred' });
export type Transferred = z.infer<typeof Transferred>;

// ── Requests ────────────────────────────────────────────────────────────────────────────────

export const CreateUserBody = z
  .object({
    name: Name.meta({ example: 'Grace Hopper' }),
    email: Email,
    role: Role.default('technician'),
    assignSeat: z.boolean().default(true).meta({ description: 'The "Assign seat" checkbox: checked by default.' }),
    poolId: PoolId.nullable().default(null).meta({ description: 'The team pool whose seats they use; null: the shared remainder.' }),
    pools: z.array(PoolId).max(50).default([]).meta({ description: 'With role "team_manager": the pools they manage.' }),
  })
  .strict();
export type CreateUserBody = z.input<typeof CreateUserBody>;

export const UserPatch = z
  .object({
    name: Name.optional(),
    role: Role.optional(),
    status: z.enum(['active', 'deactivated']).optional(),
    scheduleId: z.string().min(1).max(200).nullable().optional().meta({ description: 'Put the user on a shift schedule (null: off it).' }),
    confirm: z.boolean().default(false).meta({
      description: 'With `scheduleId`: put them on it even though some hours then want more seats than purchased (409 `schedule_oversubscribed` otherwise).',
    }),
    poolId: PoolId.nullable().optional().meta({ description: 'Move the user (and a seat they hold) to this pool; null: the shared remainder.' }),
    pools: z.array(PoolId).max(50).optional().meta({ description: 'With role "team_manager": the pools they manage.' }),
  })
  .strict();
export type UserPatch = z.input<typeof UserPatch>;

export const UserListQuery = z
  .object({
    seat: z.enum(['assigned', 'unassigned']).optional(),
    role: Role.optional(),
    status: UserStatus.optional(),
    poolId: z.string().max(40).optional().meta({ description: 'Only members of this pool ("shared": users in no pool).' }),
    q: Text({ max: 100, what: 'Searches' }).optional(),
    limit: Limit,
    cursor: Cursor,
  })
  .strict();
export type UserListQuery = z.input<typeof UserListQuery>;

export const SubscriptionPatch = z
  .object({
    seats: Seats.optional(),
    name: Name.optional(),
    autoAssignRequests: z.boolean().optional(),
    maxConsoleSessionsPerSeat: z.number().int().min(1).max(MAX_CONSOLE_SESSIONS_PER_SEAT).optional(),
  })
  .strict()
  .refine(
    (b) => Object.values(b).some((value) => value !== undefined),
    'Give "seats", "name", "autoAssignRequests", "maxConsoleSessionsPerSeat", or several.',
  );
export type SubscriptionPatch = z.input<typeof SubscriptionPatch>;

// ── When a seat leaves: loans and connected holders ─────────────────────────────────────────

export const Until = z.iso
  .datetime({ offset: true })
  .meta({ example: '2026-11-29T17:00:00+01:00', description: 'Lend the seat until then (ISO 8601, in the future).' });

export const OnActiveSessions = z.enum(['end_now', 'grace', 'after_session']).meta({
  description: 'If the holder is connected: end their sessions now, after `graceMinutes` (default 5), or when their last one ends.',
});
export type OnActiveSessions = z.infer<typeof OnActiveSessions>;

export const GraceMinutes = z.number().int().min(1).max(MAX_GRACE_MINUTES);

/** What happens to a connected holder's console sessions when their seat is taken. */
export const ReleaseChoice = z.object({ onActiveSessions: OnActiveSessions, graceMinutes: GraceMinutes.optional() });
export type ReleaseChoice = z.infer<typeof ReleaseChoice>;

/** "graceMinutes" only makes sense with "grace". */
export const graceOnlyWithGrace = {
  check: (b: { onActiveSessions?: string; graceMinutes?: number }) => b.graceMinutes === undefined || b.onActiveSessions === 'grace',
  message: '"graceMinutes" only applies with "onActiveSessions": "grace".',
};

export const SeatBody = z.object({ until: Until.nullable().optional() }).strict();
export type SeatBody = z.input<typeof SeatBody>;

export const ReleaseQuery = z
  .object({ onActiveSessions: OnActiveSessions.default('grace'), graceMinutes: z.coerce.number().pipe(GraceMinutes).optional() })
  .strict()
  .refine(graceOnlyWithGrace.check, graceOnlyWithGrace.message);
export type ReleaseQuery = z.input<typeof ReleaseQuery>;

export const TransferBody = z
  .object({ from: UserId, to: UserId, until: Until.optional(), onActiveSessions: OnActiveSessions.default('grace'), graceMinutes: GraceMinutes.optional() })
  .strict()
  .refine(graceOnlyWithGrace.check, graceOnlyWithGrace.message);
export type TransferBody = z.input<typeof TransferBody>;
