/**
 * SCIM `Groups`: list (with `excludedAttributes=members`, as Entra ID asks), get, create, replace
 * (PUT), patch (members added, removed or replaced, in Okta's and Entra ID's forms), delete. A
 * change of members is one call, so one transaction, however many members it names.
 */
import { Hono, type Context } from 'hono';
import { newId } from '../../crypto';
import { ScimGroupInput, ScimPatchBody, SCIM_SCHEMAS, type ScimGroup } from '../../contract';
import { attributeList, project } from '../../domain/scim-attributes';
import { weakEtag } from '../../domain/scim-users';
import type { GroupView } from '../../objects/directory-groups';
import type { AppEnv } from '../context';
import { scimBase, scimBody, scimJson, unwrapScim } from './request';
import { listQuery, listResponse } from './users';

function toScimGroup(c: Context<AppEnv>, group: GroupView): ScimGroup {
  const base = scimBase(c);
  const body = {
    schemas: [SCIM_SCHEMAS.group],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(group.members
      ? { members: group.members.map((m) => ({ value: m.id, display: m.name, $ref: `${base}/Users/${m.id}`, type: 'User' as const })) }
      : {}),
  };
  const meta = {
    resourceType: 'Group' as const,
    created: group.createdAt,
    lastModified: group.updatedAt,
    location: `${base}/Groups/${group.id}`,
    version: weakEtag({ ...body, members: undefined, updatedAt: group.updatedAt }),
  };
  return { ...body, meta };
}

/** Whether an answer shows members: not when excluded, nor when other attributes alone are asked for. */
function wantsMembers(attributes: string[], excluded: string[]): boolean {
  return !excluded.includes('members') && (attributes.length === 0 || attributes.some((a) => a === 'members' || a.startsWith('members.')));
}

function groupAnswer(c: Context<AppEnv>, group: GroupView, status = 200) {
  const resource = toScimGroup(c, group);
  const query = c.req.query();
  const body = project(resource, attributeList(query.attributes), attributeList(query.excludedAttributes));
  return scimJson(body, status, { etag: resource.meta.version, ...(status === 201 ? { location: resource.meta.location } : {}) });
}

const membersAsked = (c: Context<AppEnv>) => wantsMembers(attributeList(c.req.query('attributes')), attributeList(c.req.query('excludedAttributes')));

export const scimGroups = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = listQuery(c, 'Group');
    const withMembers = wantsMembers(query.attributes, query.excluded);
    const page = unwrapScim(await c.var.subscription.scimListGroups(c.var.call, { ...query, withMembers }));
    const resources = page.items.map((group) => project(toScimGroup(c, group), query.attributes, query.excluded));
    return scimJson(listResponse(resources, page.total, query.startIndex));
  })
  .get('/:id', async (c) => groupAnswer(c, unwrapScim(await c.var.subscription.scimGetGroup(c.var.call, c.req.param('id'), membersAsked(c)))))
  .post('/', async (c) => {
    const group = await scimBody(c, ScimGroupInput);
    return groupAnswer(c, unwrapScim(await c.var.subscription.scimCreateGroup(c.var.call, { id: newId('grp'), group })), 201);
  })
  .put('/:id', async (c) => {
    const group = await scimBody(c, ScimGroupInput);
    return groupAnswer(c, unwrapScim(await c.var.subscription.scimChangeGroup(c.var.call, c.req.param('id'), { kind: 'replace', group })));
  })
  .patch('/:id', async (c) => {
    const { Operations } = await scimBody(c, ScimPatchBody);
    unwrapScim(await c.var.subscription.scimChangeGroup(c.var.call, c.req.param('id'), { kind: 'patch', operations: Operations }));
    // Okta and Entra ID both take 204 to a group PATCH: no need to send back a 500-member group.
    return c.body(null, 204);
  })
  .delete('/:id', async (c) => {
    unwrapScim(await c.var.subscription.scimDeleteGroup(c.var.call, c.req.param('id')));
    return c.body(null, 204);
  });
