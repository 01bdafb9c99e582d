/**
 * Team pools (`/api/v1/pools`): a share of the subscription's seats with a reserve only its
 * members may use and a maximum it may borrow up to. Users carry `poolId` (null: shared).
 */
import { z } from 'zod';
import { MAX_SEATS, Name } from './common';

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
