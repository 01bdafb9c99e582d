/**
 * What the Expert Console asks before and while it is connected to a remote computer: sessions
 * follow the seat, so only a seat holder can start one, each sends a heartbeat, and one whose seat
 * is taken back ends as the administrator chose.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { newId } from '../../crypto';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import {
  ConsoleSession,
  ConsoleSessionBody,
  ConsoleSessionQuery,
  Heartbeat,
  IdParams,
  pageOf,
  StartedConsoleSession,
} from '../../contract';

const start = signedInRoute({
  method: 'post',
  path: '/sessions',
  tags: ['Expert Console'],
  summary: 'Start a remote session: allowed only for a user holding a seat',
  description:
    '403 `seat_required` without a seat; 403 `seat_revoked` while the seat is being taken back; 409 `session_limit` ' +
    'when the caller already has the subscription\'s `maxConsoleSessionsPerSeat` sessions open (they are listed in ' +
    '`sessions`: end one first). ' +
    'Send a heartbeat every `heartbeatSeconds`: a session that misses two ends.',
  request: { body: jsonBody(ConsoleSessionBody) },
  responses: {
    201: json(StartedConsoleSession, 'The session may start'),
    ...problems('seat_required', 'seat_revoked', 'session_limit'),
  },
});

const beat = signedInRoute({
  method: 'post',
  path: '/sessions/{id}/heartbeat',
  tags: ['Expert Console'],
  summary: 'The session is still running',
  description:
    '`status: "ending"` while the seat is being taken back: finish by `endsAt` (null: when you disconnect). ' +
    '403 `seat_revoked` once the seat is gone: disconnect. 409 `session_ended` when only this session ended ' +
    '(e.g. missed heartbeats): start a new one.',
  request: { params: IdParams },
  responses: {
    200: json(Heartbeat, 'Keep going, or finish up'),
    ...problems('seat_revoked', 'not_found', 'session_ended'),
  },
});

const end = signedInRoute({
  method: 'delete',
  path: '/sessions/{id}',
  tags: ['Expert Console'],
  summary: 'End a session: your own, or anyone’s for administrators (idempotent)',
  request: { params: IdParams },
  responses: { 204: { description: 'Ended' }, ...problems('not_found') },
});

const list = signedInRoute({
  method: 'get',
  path: '/sessions',
  tags: ['Expert Console'],
  summary: 'Active sessions: everyone’s (or one user’s) for administrators, your own for technicians',
  request: { query: ConsoleSessionQuery },
  responses: { 200: json(pageOf(ConsoleSession), 'The active sessions, oldest first'), ...problems('forbidden') },
});

export const consoleRoutes = new OpenAPIHono<AppEnv>()
  .openapi(start, async (c) => {
    const { computer } = c.req.valid('json');
    return c.json(unwrapReply(c, await c.var.subscription.startConsoleSession(c.var.call, { id: newId('con'), computer })), 201);
  })
  .openapi(beat, async (c) =>
    c.json(unwrapReply(c, await c.var.subscription.heartbeatConsoleSession(c.var.call, c.req.valid('param').id)), 200),
  )
  .openapi(end, async (c) => {
    unwrapReply(c, await c.var.subscription.endConsoleSession(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  })
  .openapi(list, async (c) =>
    c.json(unwrapReply(c, await c.var.subscription.listConsoleSessions(c.var.call, c.req.valid('query').userId)), 200),
  );
