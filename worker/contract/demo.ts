/**
 * The local demo (`POST /api/demo`, only where the Worker runs for local development): the people
 * `npm start` creates, and what it answers. Not part of the documented API.
 */
import { z } from 'zod';
import { Email, MAX_SEATS, MIN_SEATS, Name, Password } from './common';

/** How a technician uses the console in the demo's 60-day story (worker/domain/demo-story.ts). */
export const DemoHabit = z.enum(['daily', 'regular', 'part_time', 'occasional', 'idle', 'no_seat']);
export type DemoHabit = z.infer<typeof DemoHabit>;

export const DemoBody = z
  .object({
    organization: Name,
    seats: z.number().int().min(MIN_SEATS).max(MAX_SEATS),
    password: Password,
    administrator: z.object({ name: Name, email: Email }).strict(),
    technicians: z.array(z.object({ name: Name, email: Email, habit: DemoHabit }).strict()).min(1).max(50),
  })
  .strict();
export type DemoBody = z.input<typeof DemoBody>;

export const DemoCreated = z.object({
  /** False when the administrator's email already has an account: the demo is kept as it is. */
  created: z.boolean(),
  /** What the 60-day story did, when it ran. */
  story: z.object({ steps: z.number().int(), sessions: z.number().int(), milliseconds: z.number().int() }).nullable(),
});
export type DemoCreated = z.infer<typeof DemoCreated>;
