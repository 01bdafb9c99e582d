/** The caller's devices that receive push notifications (a browser's PushSubscription). */
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { IdParams, PushDevice, PushSubscriptionBody } from '../../contract';

const tags = ['Notifications'];

const add = signedInRoute({
  method: 'post',
  path: '/',
  tags,
  summary: "Turn on push notifications for this device: send its PushSubscription's JSON (administrators)",
  description:
    'Subscribe with `applicationServerKey` = `vapidPublicKey` from GET /notifications. The same endpoint again ' +
    'updates its keys. A push service that answers 404 or 410 later removes the device.',
  request: { body: jsonBody(PushSubscriptionBody) },
  responses: { 201: json(PushDevice, 'The device'), ...problems('forbidden', 'destination_not_allowed', 'push_not_configured') },
});

const remove = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Turn push notifications off for one of your devices',
  request: { params: IdParams },
  responses: { 204: { description: 'Turned off' }, ...problems('forbidden', 'not_found') },
});

const test = signedInRoute({
  method: 'post',
  path: '/test',
  tags,
  summary: 'Send a test notification to each of your devices',
  responses: { 202: json(z.object({ devices: z.number().int() }), 'How many devices it was sent to'), ...problems('forbidden') },
});

export const pushSubscriptions = new OpenAPIHono<AppEnv>()
  .openapi(add, async (c) => {
    const { endpoint, keys, device } = c.req.valid('json');
    return c.json(unwrapReply(c, await c.var.subscription.addPushDevice(c.var.call, { endpoint, keys, device })), 201);
  })
  .openapi(test, async (c) => c.json(unwrapReply(c, await c.var.subscription.sendTestPush(c.var.call)), 202))
  .openapi(remove, async (c) => {
    unwrapReply(c, await c.var.subscription.removePushDevice(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  });
