/** The subscription itself: its name and purchased seats. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { Subscription, SubscriptionPatch } from '../../contract';

const get = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['Subscription'],
  summary: 'The subscription and its seats: purchased, assigned, available',
  responses: { 200: json(Subscription, 'The subscription'), ...problems() },
});

const update = signedInRoute({
  method: 'patch',
  path: '/',
  tags: ['Subscription'],
  summary: 'Rename the subscription, change its purchased seats or its settings (administrators)',
  description: 'Purchased seats cannot go below the seats assigned: 409 `seats_in_use` says how many to free first.',
  request: { body: jsonBody(SubscriptionPatch) },
  responses: {
    200: json(Subscription, 'The changed subscription'),
    ...problems('forbidden', 'seats_in_use'),
  },
});

export const subscription = new OpenAPIHono<AppEnv>()
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.getSubscription(c.var.call)), 200))
  .openapi(update, async (c) =>
    c.json(unwrapReply(c, await c.var.subscription.updateSubscription(c.var.call, c.req.valid('json'))), 200),
  );
