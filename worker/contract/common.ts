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
/** The most console sessions an administrator can allow one seat at once (the default is 5). */
export const MAX_CONSOLE_SESSIONS_PER_SEAT = 100;

// ── Primitives ──────────────────────────────────────────────────────────────────────────────

/** An id with a prefix and 20 base32 characters (100 random bits). */
export const idOf = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}_[a-z2-7]{20}$`), `Not a valid ${prefix} id.`).meta({ example });

export const UserId = idOf('usr', 'usr_3kq7m2x4p5r6s7t2u3v4');

/** A moment, as ISO 8601 in UTC. */
export const Timestamp = z.string().meta({ format: 'date-time', example: '2026-11-29T14:00:00.000Z' });

/**
 * Characters no free text may hold: C0 and C1 controls (and DEL), the line and paragraph
 * separators, and the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
 * which can make `Admin\u202Egnp.exe` show as `Adminexe.png`. The marks U+200E/U+200F stay
 * allowed: they cannot reorder text, and names pasted from right-to-left scripts carry them.
 */
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** The same but line breaks (LF, CR), for text typed in a multi-line box. */
const CONTROL_OR_BIDI_BUT_LINE_BREAKS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Free text as typed (a name, a reason, a note, a computer's name): trimmed, within `max`, and
 * refused when it holds a control or text-direction character, with a sentence that says so.
 * Every free-text field of the contract is one, so every route refuses them alike.
 * @example const Reason = Text({ max: 500, lines: true, what: 'Reasons' });
 */
export const Text = ({ max, min = 0, lines = false, what = 'Text' }: { max: number; min?: number; lines?: boolean; what?: string }) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((text) => !(lines ? CONTROL_OR_BIDI_BUT_LINE_BREAKS : CONTROL_OR_BIDI).test(text), {
      message: `${what} cannot contain control characters${lines ? ' (other than line breaks)' : ''} or text-direction characters such as U+202E.`,
    });

/** A person's (or organization's, or token's) name as typed. */
export const Name = Text({ min: 1, max: NAME_MAX, what: 'Names' });

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
