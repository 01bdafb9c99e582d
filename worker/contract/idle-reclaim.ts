/**
 * Idle-seat reclaim, as `/api/v1/policies/idle-reclaim` answers and accepts it: take back seats
 * nobody used (no console session, as the server measured it) for N days, with a warning two days
 * before, exemptions by user or directory group, and a dry run of who would lose a seat today.
 */
import { z } from 'zod';
import { Person, Timestamp, UserId } from './common';

export const MIN_IDLE_DAYS = 3;
export const MAX_IDLE_DAYS = 365;

const Exemptions = z
  .object({
    userIds: z.array(UserId).max(1000).default([]),
    groupIds: z.array(z.string().min(1).max(200)).max(100).default([]).meta({ description: 'Directory groups whose members are exempt.' }),
  })
  .strict();

export const IdleReclaimBody = z
  .object({
    enabled: z.boolean(),
    days: z
      .number()
      .int()
      .min(MIN_IDLE_DAYS, `Seats must stay unused for at least ${MIN_IDLE_DAYS} days before they are taken back.`)
      .max(MAX_IDLE_DAYS)
      .meta({ description: 'Take back a seat unused for this many days (a warning goes out two days before).', example: 14 }),
    exemptions: Exemptions.default({ userIds: [], groupIds: [] }),
  })
  .strict();
export type IdleReclaimBody = z.input<typeof IdleReclaimBody>;

export const IdleReclaimPolicy = z
  .object({
    enabled: z.boolean(),
    days: z.number().int(),
    exemptions: z.object({ userIds: z.array(z.string()), groupIds: z.array(z.string()) }),
    nextCheckAt: Timestamp.nullable().meta({ description: 'When the daily check next runs (null: off).' }),
  })
  .meta({ id: 'IdleReclaimPolicy' });
export type IdleReclaimPolicy = z.infer<typeof IdleReclaimPolicy>;

export const IdleReclaimItem = z
  .object({
    user: Person,
    lastUsedAt: Timestamp.nullable().meta({ description: 'The end (or last heartbeat) of their last console session; null: none.' }),
    idleDays: z.number().int(),
    reason: z.string().meta({ example: 'no console session since 12 Nov' }),
    action: z.enum(['reclaim', 'warn']).meta({ description: '"reclaim": the seat goes at the next check; "warn": within two days.' }),
    reclaimAt: Timestamp,
  })
  .meta({ id: 'IdleReclaimItem' });
export type IdleReclaimItem = z.infer<typeof IdleReclaimItem>;

export const IdleReclaimPreview = z.object({ items: z.array(IdleReclaimItem) }).meta({ id: 'IdleReclaimPreview' });
export type IdleReclaimPreview = z.infer<typeof IdleReclaimPreview>;
