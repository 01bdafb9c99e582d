/** Billing (administrators): the Stripe customer this subscription is linked to, and a pending seat decrease. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { Billing, BillingKeepBody, BillingLinkBody } from '../../contract';

const tags = ['Billing'];

const get = signedInRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'The Stripe link, the seats paid, and a pending decrease (administrators)',
  responses: { 200: json(Billing, 'Billing'), ...problems('forbidden') },
});

const link = signedInRoute({
  method: 'put',
  path: '/',
  tags,
  summary: 'Link this subscription to a Stripe customer: its seat quantity then sets the purchased seats',
  description:
    'More seats apply when Stripe says so; fewer apply when the paid period ends, and until then administrators ' +
    'choose who keeps a seat (PUT /billing/keep). A customer pays for one subscription (409 `billing_customer_taken`).',
  request: { body: jsonBody(BillingLinkBody) },
  responses: { 200: json(Billing, 'Billing, linked'), ...problems('forbidden', 'billing_customer_taken') },
});

const unlink = signedInRoute({
  method: 'delete',
  path: '/',
  tags,
  summary: 'Unlink the Stripe customer: purchased seats are changed by hand again',
  responses: { 204: { description: 'Unlinked' }, ...problems('forbidden') },
});

const keep = signedInRoute({
  method: 'put',
  path: '/keep',
  tags,
  summary: 'Choose who keeps a seat when a pending decrease applies (the others lose theirs then, least used first)',
  request: { body: jsonBody(BillingKeepBody) },
  responses: { 200: json(Billing, 'Billing, with the choice'), ...problems('forbidden', 'not_found') },
});

export const billing = new OpenAPIHono<AppEnv>()
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.getBilling(c.var.call)), 200))
  .openapi(link, async (c) => c.json(unwrapReply(c, await c.var.subscription.linkBilling(c.var.call, c.req.valid('json').customerId)), 200))
  .openapi(unlink, async (c) => {
    unwrapReply(c, await c.var.subscription.unlinkBilling(c.var.call));
    return c.body(null, 204);
  })
  .openapi(keep, async (c) => c.json(unwrapReply(c, await c.var.subscription.setBillingKeep(c.var.call, c.req.valid('json').userIds)), 200));
