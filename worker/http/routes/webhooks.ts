/**
 * Webhook endpoints (administrators): where the subscription's events are sent, signed per
 * Standard Webhooks, with a delivery log, redelivery and a test event.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import {
  CreatedWebhook,
  CreateWebhookBody,
  Delivery,
  DeliveryParams,
  DeliveryQuery,
  pageOf,
  UpdateWebhookBody,
  Webhook,
  WebhookParams,
  WebhookSecret,
} from '../../contract';

const tags = ['Webhooks'];

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Webhook endpoints (administrators)',
  responses: { 200: json(pageOf(Webhook), 'Every endpoint'), ...problems('forbidden') },
});

const create = signedInRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Register a webhook endpoint (its signing secret is shown only in this answer)',
  description:
    'Events are POSTed as JSON (`WebhookEvent`) with `webhook-id`, `webhook-timestamp` and `webhook-signature` headers ' +
    '(Standard Webhooks, HMAC-SHA256 with the `whsec_…` secret). Delivery is at least once and in order per endpoint; ' +
    'failures are retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (`Retry-After` respected); `410 Gone` ' +
    'disables the endpoint. In production only public https URLs are accepted (400 `destination_not_allowed`).',
  request: { body: jsonBody(CreateWebhookBody) },
  responses: { 201: json(CreatedWebhook, 'The endpoint and its secret'), ...problems('forbidden', 'destination_not_allowed', 'idempotency_replay_secret') },
});

const get = signedInRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One webhook endpoint (administrators)',
  request: { params: WebhookParams },
  responses: { 200: json(Webhook, 'The endpoint'), ...problems('forbidden', 'not_found') },
});

const update = signedInRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change an endpoint: URL, events, description, enabled (administrators)',
  description: 'Disabling an endpoint cancels what was queued for it; enabling it again sends the events from then on.',
  request: { params: WebhookParams, body: jsonBody(UpdateWebhookBody) },
  responses: { 200: json(Webhook, 'The changed endpoint'), ...problems('forbidden', 'not_found', 'destination_not_allowed') },
});

const remove = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete an endpoint and its delivery log (administrators)',
  request: { params: WebhookParams },
  responses: { 204: { description: 'Deleted' }, ...problems('forbidden', 'not_found') },
});

const rotate = signedInRoute({
  method: 'post',
  path: '/{id}/secret',
  tags,
  summary: 'Rotate the signing secret (shown only in this answer); the previous one keeps signing for 24 hours',
  description: 'Until `previousSecretExpiresAt` every request carries two signatures, one per secret, so a receiver can switch at any time.',
  request: { params: WebhookParams },
  responses: { 200: json(WebhookSecret, 'The new secret'), ...problems('forbidden', 'not_found', 'idempotency_replay_secret') },
});

const deliveries = signedInRoute({
  method: 'get',
  path: '/{id}/deliveries',
  tags,
  summary: "An endpoint's delivery log, newest first: status, attempts, answer, latency",
  request: { params: WebhookParams, query: DeliveryQuery },
  responses: { 200: json(pageOf(Delivery), 'One page of deliveries'), ...problems('forbidden', 'not_found') },
});

const redeliver = signedInRoute({
  method: 'post',
  path: '/{id}/deliveries/{deliveryId}/redeliver',
  tags,
  summary: "Send a delivery's event again (same `webhook-id`), after what is queued for the endpoint",
  request: { params: DeliveryParams },
  responses: { 202: json(Delivery, 'The new delivery, pending'), ...problems('forbidden', 'not_found') },
});

const test = signedInRoute({
  method: 'post',
  path: '/{id}/test',
  tags,
  summary: 'Send a `webhook.test` event now and answer with how it went',
  request: { params: WebhookParams },
  responses: { 200: json(Delivery, 'The attempt: delivered or failed, with the answer and latency'), ...problems('forbidden', 'not_found') },
});

export const webhooks = new OpenAPIHono<AppEnv>()
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listWebhooks(c.var.call)), 200))
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    return c.json(unwrapReply(c, await c.var.subscription.createWebhook(c.var.call, body)), 201);
  })
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.getWebhook(c.var.call, c.req.valid('param').id)), 200))
  .openapi(update, async (c) =>
    c.json(unwrapReply(c, await c.var.subscription.updateWebhook(c.var.call, c.req.valid('param').id, c.req.valid('json'))), 200),
  )
  .openapi(remove, async (c) => {
    unwrapReply(c, await c.var.subscription.deleteWebhook(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  })
  .openapi(rotate, async (c) => c.json(unwrapReply(c, await c.var.subscription.rotateWebhookSecret(c.var.call, c.req.valid('param').id)), 200))
  .openapi(deliveries, async (c) =>
    c.json(unwrapReply(c, await c.var.subscription.listDeliveries(c.var.call, c.req.valid('param').id, c.req.valid('query'))), 200),
  )
  .openapi(redeliver, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.redeliver(c.var.call, id, deliveryId)), 202);
  })
  .openapi(test, async (c) => c.json(unwrapReply(c, await c.var.subscription.sendTestEvent(c.var.call, c.req.valid('param').id)), 200));
