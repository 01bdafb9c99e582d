/** What the Expert Console asks before it connects to a remote computer. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { newId } from '../../crypto';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedIn } from '../openapi';
import { unwrap } from '../problem';
import { ConsoleSessionBody, ConsoleSessionSchema } from '../schemas';

const start = createRoute({
  method: 'post',
  path: '/sessions',
  tags: ['Expert Console'],
  summary: 'Start a remote session: allowed only for a user holding a seat',
  security: signedIn,
  request: { body: jsonBody(ConsoleSessionBody) },
  responses: {
    201: json(ConsoleSessionSchema, 'The session may start'),
    ...problems('unauthenticated', 'seat_required'),
  },
});

export const consoleRoutes = new OpenAPIHono<AppEnv>().openapi(start, async (c) => {
  const { computer } = c.req.valid('json');
  return c.json(unwrap(await c.var.subscription.startConsoleSession(c.var.credential, { id: newId('con'), computer })), 201);
});
