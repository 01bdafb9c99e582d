/** Seat requests and the waitlist: a user without a seat asks; administrators approve or decline. */
import { z } from 'zod';
import { Cursor, Limit, Person, Text, Timestamp, UserId } from './common';
import { GraceMinutes, graceOnlyWithGrace, OnActiveSessions, Until, User } from './users';

export const SeatRequestStatus = z.enum(['pending', 'approved', 'declined', 'cancelled']);
export type SeatRequestStatus = z.infer<typeof SeatRequestStatus>;

export const SeatRequest = z
  .object({
    id: z.string(),
    user: Person,
    reason: z.string(),
    status: SeatRequestStatus,
    createdAt: Timestamp,
    position: z.number().int().nullable().meta({ description: 'Place in the waitlist (1 is next) while pending.' }),
    decidedAt: Timestamp.nullable(),
    decidedBy: Person.nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'SeatRequest' });
export type SeatRequest = z.infer<typeof SeatRequest>;

export const ApprovedSeatRequest = z
  .object({ request: SeatRequest, user: User, from: User.nullable() })
  .meta({ id: 'ApprovedSeatRequest' });
export type ApprovedSeatRequest = z.infer<typeof ApprovedSeatRequest>;

const Note = Text({ max: 500, lines: true, what: 'Notes' });

export const SeatRequestBody = z
  .object({ reason: Text({ min: 1, max: 500, lines: true, what: 'Reasons' }).meta({ example: 'On call this weekend for the Berlin office' }) })
  .strict();
export type SeatRequestBody = z.input<typeof SeatRequestBody>;

export const ApproveSeatRequestBody = z
  .object({
    from: UserId.optional().meta({ description: 'Transfer the seat from this holder; leave out to assign a free seat.' }),
    until: Until.optional(),
    onActiveSessions: OnActiveSessions.default('grace'),
    graceMinutes: GraceMinutes.optional(),
    note: Note.optional(),
  })
  .strict()
  .refine(graceOnlyWithGrace.check, graceOnlyWithGrace.message);
export type ApproveSeatRequestBody = z.input<typeof ApproveSeatRequestBody>;

export const DeclineSeatRequestBody = z.object({ note: Note.optional() }).strict();
export type DeclineSeatRequestBody = z.input<typeof DeclineSeatRequestBody>;

export const SeatRequestQuery = z.object({ status: SeatRequestStatus.optional(), userId: UserId.optional(), limit: Limit, cursor: Cursor }).strict();
export type SeatRequestQuery = z.input<typeof SeatRequestQuery>;
