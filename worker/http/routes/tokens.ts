/** Personal API tokens for scripts: shown once, stored hashed, acting with their creator's role. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { API_TOKEN_PREFIX, newId, newSecret, sha256 } from '../../crypto';
import { secretKeys } from '../config';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { ApiToken, CreatedApiToken, IdParams, pageOf, TokenBody } from '../../contract';

const create = signedInRoute({
  method: 'post',
  path: '/',
  tags: ['API tokens'],
  summary: 'Create a personal API token (the secret is shown only in this answer)',
  description:
    'Needs a sign-in within the last 10 minutes by the credential asking (a device, or an API token that ' +
    'reauthenticated): otherwise 403 `reauthentication_required`; confirm with POST /me/reauthenticate and retry. ' +
    'The secret is not kept: a retry with the same Idempotency-Key gets 409 `idempotency_replay_secret`, naming the ' +
    'token made (`resource`). Create a new token for a new secret, and revoke that one if its secret is lost.',
  request: { body: jsonBody(TokenBody) },
  responses: {
    201: json(CreatedApiToken, 'The token, with its secret'),
    ...problems('idempotency_replay_secret', 'reauthentication_required'),
  },
});

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['API tokens'],
  summary: "The caller's API tokens",
  responses: { 200: json(pageOf(ApiToken), 'Tokens, newest first'), ...problems() },
});

const revoke = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['API tokens'],
  summary: 'Revoke an API token',
  request: { params: IdParams },
  responses: { 204: { description: 'Revoked' }, ...problems('not_found') },
});

export const tokens = new OpenAPIHono<AppEnv>()
  .openapi(create, async (c) => {
    const { name, scope } = c.req.valid('json');
    const secret = await newSecret(await secretKeys(c.env), c.var.subscriptionId);
    const token = { id: newId('tok'), name, scope, hash: await sha256(secret) };
    const created = unwrapReply(c, await c.var.subscription.createToken(c.var.call, token));
    const { lastUsedAt: _never, ...shown } = created;
    return c.json({ ...shown, token: API_TOKEN_PREFIX + secret }, 201);
  })
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listTokens(c.var.call)), 200))
  .openapi(revoke, async (c) => {
    unwrapReply(c, await c.var.subscription.deleteToken(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  });
