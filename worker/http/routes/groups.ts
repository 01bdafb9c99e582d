/**
 * Directory sync in the REST API: the groups a directory pushed (and which of them give their
 * members a seat), and how the directory connection is doing. Directory tokens themselves are
 * made with POST /tokens {"scope":"scim"}.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { DirectoryStatus, Group, GroupList, GroupPatch, IdParams } from '../../contract';

const list = signedInRoute({
  method: 'get',
  path: '/groups',
  tags: ['Directory sync'],
  summary: 'Directory groups, with whether their members get a seat and how many hold one (administrators)',
  responses: { 200: json(GroupList, 'Every group, by name'), ...problems('forbidden') },
});

const update = signedInRoute({
  method: 'patch',
  path: '/groups/{id}',
  tags: ['Directory sync'],
  summary: '"Members get a seat" on or off for a group (administrators)',
  description:
    'On: every member gets a free seat, the first to join first; when none is free they wait as seat requests, served ' +
    'before anyone who joins later as seats free. Off: the seats the group gave are taken back (connected holders get ' +
    'the default grace period), unless another seat group of theirs gives one; seats given by hand stay.',
  request: { params: IdParams, body: jsonBody(GroupPatch) },
  responses: { 200: json(Group, 'The group'), ...problems('forbidden', 'not_found') },
});

const status = signedInRoute({
  method: 'get',
  path: '/directory',
  tags: ['Directory sync'],
  summary: 'Directory tokens, the last sync and recent provisioning events (administrators)',
  responses: { 200: json(DirectoryStatus, 'How directory sync is doing'), ...problems('forbidden') },
});

export const groups = new OpenAPIHono<AppEnv>()
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listGroups(c.var.call)), 200))
  .openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.setGroupGrantsSeat(c.var.call, id, c.req.valid('json').grantsSeat)), 200);
  })
  .openapi(status, async (c) => c.json(unwrapReply(c, await c.var.subscription.directoryStatus(c.var.call)), 200));
