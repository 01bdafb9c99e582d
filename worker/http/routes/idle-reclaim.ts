/**
 * The idle-seat reclaim policy (administrators): take back seats unused for N days, with a warning
 * two days before, exemptions, and a dry run of who would lose a seat today and why.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { IdleReclaimBody, IdleReclaimPolicy, IdleReclaimPreview } from '../../contract';

const tags = ['Seat policies'];

const get = signedInRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'The idle-seat reclaim policy (administrators)',
  responses: { 200: json(IdleReclaimPolicy, 'The policy'), ...problems('forbidden') },
});

const put = signedInRoute({
  method: 'put',
  path: '/',
  tags,
  summary: 'Turn idle-seat reclaim on or off, with its days and exemptions (administrators)',
  description:
    'On: once a day, seats without a console session (start, heartbeat or end, as the server measured them) for `days` ' +
    'days are taken back and go to the first waiting seat request; holders are warned two days before, in the app and ' +
    'by mail to them and the administrators. A seat given recently counts from when it was given; a connected holder is ' +
    'never idle. `days` below 3 is 400 `validation_failed`. Setting the same policy again changes nothing.',
  request: { body: jsonBody(IdleReclaimBody) },
  responses: { 200: json(IdleReclaimPolicy, 'The policy'), ...problems('forbidden', 'validation_failed') },
});

const preview = signedInRoute({
  method: 'get',
  path: '/preview',
  tags,
  summary: 'Dry run: who would lose a seat at the next check (or be warned), and why',
  responses: { 200: json(IdleReclaimPreview, 'Oldest idle first'), ...problems('forbidden') },
});

export const idleReclaim = new OpenAPIHono<AppEnv>()
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.getIdleReclaim(c.var.call)), 200))
  .openapi(put, async (c) => c.json(unwrapReply(c, await c.var.subscription.setIdleReclaim(c.var.call, c.req.valid('json'))), 200))
  .openapi(preview, async (c) => c.json(unwrapReply(c, await c.var.subscription.idleReclaimPreview(c.var.call)), 200));
