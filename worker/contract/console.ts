/** The Expert Console: remote sessions that follow the seat, with heartbeats. */
import { z } from 'zod';
import { Person, Text, Timestamp, UserId } from './common';

const sessionStatus = {
  status: z.enum(['active', 'ending']).meta({ description: '"ending": the seat is being taken back; finish up by `endsAt`.' }),
  endsAt: Timestamp.nullable().meta({ description: 'When the seat (and so the session) ends, if known.' }),
};

/** What a heartbeat answers: keep going, or finish up because the seat leaves at `endsAt`. */
export const Heartbeat = z.object(sessionStatus).meta({ id: 'Heartbeat' });
export type Heartbeat = z.infer<typeof Heartbeat>;

export const ConsoleSession = z
  .object({ id: z.string(), user: Person, computer: z.string(), startedAt: Timestamp, lastHeartbeatAt: Timestamp.nullable(), ...sessionStatus })
  .meta({ id: 'ConsoleSession' });
export type ConsoleSession = z.infer<typeof ConsoleSession>;

export const StartedConsoleSession = ConsoleSession.extend({
  heartbeatSeconds: z.number().int().meta({ description: 'Send a heartbeat this often; two missed ones end the session.' }),
}).meta({ id: 'StartedConsoleSession' });
export type StartedConsoleSession = z.infer<typeof StartedConsoleSession>;

/** An open session as listed in a `session_limit` problem: enough to recognise it and end it. */
export const OpenConsoleSession = z.object({ id: z.string(), computer: z.string(), startedAt: Timestamp }).meta({ id: 'OpenConsoleSession' });
export type OpenConsoleSession = z.infer<typeof OpenConsoleSession>;

export const ConsoleSessionBody = z.object({ computer: Text({ min: 1, max: 200, what: 'Computer names' }).meta({ example: 'FRONTDESK-PC-07' }) }).strict();
export type ConsoleSessionBody = z.input<typeof ConsoleSessionBody>;

export const ConsoleSessionQuery = z.object({ userId: UserId.optional() }).strict();
export type ConsoleSessionQuery = z.input<typeof ConsoleSessionQuery>;
