/**
 * The building blocks every resource of the API contract shares: limits, ids, timestamps, a person
 * as named in other resources, pages, and the RFC 9457 problem. Imports only zod, so both the Worker
 * (validation and OpenAPI) and the app (types) can use it.
 */
import { z } from 'zod';

// ── Limits that are part of the contract ────────────────────────────────────────────────────

export const MIN_SEATS = 1;
export const MAX_SEATS = 10_000;
/** The longest grace period an administrator can give a connected holder. */
export const MAX_GRACE_MINUTES = 24 * 60;
/** The longest period a report covers. */
export const MAX_REPORT_DAYS = 366;
/** Names (people, organizations, tokens) are at most this long. */
export const NAME_MAX = 100;
export const PASSWORD_MIN = 10;

// ── Primitives ──────────────────────────────────────────────────────────────────────────────

/** An id with a prefix and 20 base32 characters (100 random bits). */
export const idOf = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}_[a-z2-7]{20}$`), `Not a valid ${prefix} id.`).meta({ example });

export const UserId = idOf('usr', 'usr_3kq7m2x4p5r6s7t2u3v4');

/** A moment, as ISO 8601 in UTC. */
export const Timestamp = z.string().meta({ format: 'date-time', example: '2026-11-29T14:00:00.000Z' });

/** A person's (or organization's) name as typed. */
export const Name = z.string().trim().min(1).max(NAME_MAX);

export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email()).meta({ example: 'ada@example.com' });

export const Password = z.string().min(PASSWORD_MIN, `Passwords need at least ${PASSWORD_MIN} characters.`).max(256);

/** Someone named inside another resource: a seat's lender, a request's requester. */
export const Person = z.object({ id: z.string(), name: z.string() }).meta({ id: 'Person' });
export type Person = z.infer<typeof Person>;

/** `{id}` in a path. Ids are checked by the object (an unknown one is 404), so only the length here. */
export const IdParams = z.object({ id: z.string().min(1).max(200) });

// ── Pages ───────────────────────────────────────────────────────────────────────────────────

/** A page of a list: pass `nextCursor` back as `cursor` for the next page. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const Limit = z.coerce.number().int().min(1).max(100).default(50);
export const Cursor = z.string().max(100).optional();

// ── Problems ────────────────────────────────────────────────────────────────────────────────

/** RFC 9457 problem details, with a stable `code`; some codes add fields (see each route). */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().meta({ example: 'no_seats_available' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, with a stable `code`.' });
export type Problem = z.infer<typeof Problem>;

/** One bad field of a `validation_failed` problem: where (dotted path) and what is wrong. */
export const FieldError = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldError>;
