/**
 * Team pools: an administrator splits the subscription's seats into pools, each with a reserve
 * only its members may use and a maximum it may borrow up to; users in no pool share the rest.
 * Who is in a pool is set on the user (`poolId` on POST/PATCH /users).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { CreatePoolBody, IdParams, PoolAnswer, PoolList, PoolPatch } from '../../contract';

const RESERVE_RULE =
  'The reserve always stays free for the pool: the seats held plus every pool\'s unused reserve never exceed the purchased seats ' +
  '(409 `pool_in_use`, listing the holders whose seats it would need).';

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['Team pools'],
  summary: 'Team pools with their reserve, maximum and the seats their members hold',
  responses: { 200: json(PoolList, 'Every pool, oldest first') },
});

const create = signedInRoute({
  method: 'post',
  path: '/',
  tags: ['Team pools'],
  summary: 'Create a team pool (administrators)',
  description: RESERVE_RULE,
  request: { body: jsonBody(CreatePoolBody) },
  responses: { 201: json(PoolAnswer, 'The new pool'), ...problems('forbidden', 'pool_in_use', 'already_exists') },
});

const update = signedInRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['Team pools'],
  summary: "Rename a team pool or change its reserve or maximum (administrators)",
  description: `The maximum never goes below the seats its members hold (409 \`pool_in_use\` with them). ${RESERVE_RULE}`,
  request: { params: IdParams, body: jsonBody(PoolPatch) },
  responses: { 200: json(PoolAnswer, 'The pool'), ...problems('forbidden', 'not_found', 'pool_in_use', 'already_exists') },
});

const remove = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['Team pools'],
  summary: 'Delete a team pool (administrators): its members keep their seats in the shared remainder',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...problems('forbidden', 'not_found') },
});

export const pools = new OpenAPIHono<AppEnv>()
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listPools(c.var.call)), 200))
  .openapi(create, async (c) => {
    const pool = unwrapReply(c, await c.var.subscription.createPool(c.var.call, c.req.valid('json')));
    return c.json({ pool }, 201);
  })
  .openapi(update, async (c) => {
    const pool = unwrapReply(c, await c.var.subscription.updatePool(c.var.call, c.req.valid('param').id, c.req.valid('json')));
    return c.json({ pool }, 200);
  })
  .openapi(remove, async (c) => {
    unwrapReply(c, await c.var.subscription.deletePool(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  });
