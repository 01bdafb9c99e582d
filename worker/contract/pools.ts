/**
 * Team pools (`/api/v1/pools`): a share of the subscription's seats with a reserve only its
 * members may use and a maximum it may borrow up to. Users carry `poolId` (null: shared).
 */
import { z } from 'zod';
import { MAX_REPORT_DAYS, MAX_SEATS, Name, Person, Timestamp } from './common';

export const PoolId = z
  .string()
  .regex(/^pool_[a-z2-7]{20}$/, 'Not a valid pool id.')
  .meta({ example: 'pool_3kq7m2x4p5r6s7t2u3v4' });

const PoolSeats = z.number().int().min(0).max(MAX_SEATS);

export const Pool = z
  .object({
    id: z.string(),
    name: z.string(),
    reserved: z.number().int().meta({ description: 'Seats always available to this pool and to no one else.' }),
    maximum: z.number().int().meta({ description: 'The most seats its members may hold: the reserve plus what they may borrow from unreserved seats.' }),
    assigned: z.number().int().meta({ description: 'Seats its members hold now.' }),
  })
  .meta({ id: 'Pool' });
export type Pool = z.infer<typeof Pool>;

export const PoolList = z.object({ items: z.array(Pool) }).meta({ id: 'PoolList' });
export type PoolList = z.infer<typeof PoolList>;

export const PoolAnswer = z.object({ pool: Pool }).meta({ id: 'PoolAnswer' });
export type PoolAnswer = z.infer<typeof PoolAnswer>;

export const CreatePoolBody = z
  .object({ name: Name.meta({ example: 'Service desk' }), reserved: PoolSeats, maximum: PoolSeats })
  .strict()
  .refine((b) => b.reserved <= b.maximum, { message: '"reserved" cannot be more than "maximum".', path: ['reserved'] });
export type CreatePoolBody = z.input<typeof CreatePoolBody>;

export const PoolPatch = z
  .object({ name: Name.optional(), reserved: PoolSeats.optional(), maximum: PoolSeats.optional() })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'Give "name", "reserved", "maximum", or several.');
export type PoolPatch = z.input<typeof PoolPatch>;

// ── The per-pool report ─────────────────────────────────────────────────────────────────────

/** One pool's use (or, with `pool` null, the shared remainder's). */
export const PoolUsage = z
  .object({
    pool: Person.nullable().meta({ description: 'The pool; null: users in no pool.' }),
    reserved: z.number().int(),
    capacity: z.number().int().meta({ description: "The most seats it may hold now: a pool's maximum; for the shared remainder, purchased minus every reserve." }),
    assigned: z.number().int(),
    utilisationPercent: z.number().int().meta({ description: 'Seats held as a share of the capacity, rounded.' }),
    idleSeats: z.number().int().meta({ description: 'Holders with no console session in `days` days (as in the idle-seats report).' }),
  })
  .meta({ id: 'PoolUsage' });
export type PoolUsage = z.infer<typeof PoolUsage>;

export const PoolReport = z.object({ days: z.number().int(), since: Timestamp, items: z.array(PoolUsage) }).meta({ id: 'PoolReport' });
export type PoolReport = z.infer<typeof PoolReport>;

export const PoolReportQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(MAX_REPORT_DAYS).default(14),
    format: z.enum(['json', 'csv']).default('json').meta({ description: '"csv" downloads the table as CSV.' }),
  })
  .strict();
export type PoolReportQuery = z.input<typeof PoolReportQuery>;
