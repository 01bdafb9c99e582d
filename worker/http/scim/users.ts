/**
 * SCIM `Users` (RFC 7644 §3): list with filter and paging, get, create (an invitation is mailed),
 * replace (PUT), patch, delete. Each is one call on the subscription's object.
 */
import { Hono, type Context } from 'hono';
import { newId, newSecret, sha256 } from '../../crypto';
import { mailerFor } from '../../mail';
import { ScimListQuery, ScimPatchBody, ScimUserInput, SCIM_SCHEMAS } from '../../contract';
import { attributeList, project } from '../../domain/scim-attributes';
import { parseScimFilter } from '../../domain/scim-filter';
import { fromScimUser, toScimUser, type DirectoryUserView } from '../../domain/scim-users';
import { publicOrigin, secretKeys } from '../config';
import type { AppEnv } from '../context';
import { ScimHttpError } from './errors';
import { scimBase, scimBody, scimJson, unwrapResult, unwrapScim } from './request';

const INVITATION_DAYS = 7;

/** The list query, validated; a bad filter is 400 invalidFilter. */
export function listQuery<R extends 'User' | 'Group'>(c: Context<AppEnv>, resource: R) {
  const query = ScimListQuery.parse(c.req.query());
  const filter = query.filter ? parseScimFilter(query.filter, resource) : { ok: true as const, conditions: [] };
  if (!filter.ok) throw new ScimHttpError(400, filter.detail, 'invalidFilter');
  return { ...query, conditions: filter.conditions, attributes: attributeList(query.attributes), excluded: attributeList(query.excludedAttributes) };
}

/** A ListResponse of the page asked for. */
export function listResponse(resources: unknown[], total: number, startIndex: number) {
  return { schemas: [SCIM_SCHEMAS.list], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}

const shown = (c: Context<AppEnv>, user: DirectoryUserView) => toScimUser(user, `${scimBase(c)}/Users/${user.id}`);

/** One user, with its ETag. */
function userAnswer(c: Context<AppEnv>, user: DirectoryUserView, status = 200) {
  const resource = shown(c, user);
  const query = c.req.query();
  const body = project(resource, attributeList(query.attributes), attributeList(query.excludedAttributes));
  return scimJson(body, status, { etag: resource.meta.version, ...(status === 201 ? { location: resource.meta.location } : {}) });
}

export const scimUsers = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = listQuery(c, 'User');
    const page = unwrapScim(await c.var.subscription.scimListUsers(c.var.call, query));
    const resources = page.items.map((user) => project(shown(c, user), query.attributes, query.excluded));
    return scimJson(listResponse(resources, page.total, query.startIndex));
  })
  .get('/:id', async (c) => userAnswer(c, unwrapScim(await c.var.subscription.scimGetUser(c.var.call, c.req.param('id')))))
  .post('/', async (c) => {
    const input = unwrapResult(fromScimUser(await scimBody(c, ScimUserInput)));
    const token = await newSecret(await secretKeys(c.env), c.var.subscriptionId);
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000).toISOString();
    const user = unwrapScim(
      await c.var.subscription.scimCreateUser(c.var.call, { ...input, id: newId('usr'), invitationHash: await sha256(token), invitationExpiresAt: expiresAt }),
    );
    // Mailed after the answer, to the deployment's public origin (never the request's Host).
    if (user.status === 'invited') c.executionCtx.waitUntil(mailInvitation(c.env, user, `${publicOrigin(c.env)}/invitation#token=${token}`));
    return userAnswer(c, user, 201);
  })
  .put('/:id', async (c) => {
    const user = await scimBody(c, ScimUserInput);
    return userAnswer(c, unwrapScim(await c.var.subscription.scimChangeUser(c.var.call, c.req.param('id'), { kind: 'replace', user })));
  })
  .patch('/:id', async (c) => {
    const { Operations } = await scimBody(c, ScimPatchBody);
    return userAnswer(c, unwrapScim(await c.var.subscription.scimChangeUser(c.var.call, c.req.param('id'), { kind: 'patch', operations: Operations })));
  })
  .delete('/:id', async (c) => {
    unwrapScim(await c.var.subscription.scimDeleteUser(c.var.call, c.req.param('id')));
    return c.body(null, 204);
  });

/**
 * The invitation of a user the directory provisioned. Mail that fails is logged, not the
 * directory's problem: the user exists, and an administrator can send a new link from the app.
 */
async function mailInvitation(env: Env, user: DirectoryUserView, link: string): Promise<void> {
  try {
    await mailerFor(env).send({
      to: user.email,
      subject: 'You are invited to SetMe Seats',
      text:
        `Hello ${user.name},\n\nYour company's directory added you to SetMe Seats. Open this link within ` +
        `${INVITATION_DAYS} days to choose your password:\n\n${link}\n\nAfterwards you can also add a passkey.`,
    });
  } catch (error) {
    console.error('invitation mail failed', error);
  }
}
