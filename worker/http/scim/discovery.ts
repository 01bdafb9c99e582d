/**
 * What the SCIM service supports (RFC 7644 §4): `ServiceProviderConfig`, `ResourceTypes` and
 * `Schemas`, which directories read when they connect.
 */
import { Hono } from 'hono';
import { SCIM_SCHEMAS } from '../../contract';
import type { AppEnv } from '../context';
import { ScimHttpError } from './errors';
import { scimBase, scimJson } from './request';
import { listResponse } from './users';

const attribute = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const SCHEMAS = [
  {
    id: SCIM_SCHEMAS.user,
    name: 'User',
    description: 'A user of the subscription. The primary email is the sign-in email; roles are "administrator" or "technician".',
    attributes: [
      attribute('userName', 'string', { required: true, uniqueness: 'server' }),
      attribute('name', 'complex', { subAttributes: [attribute('givenName', 'string'), attribute('familyName', 'string'), attribute('formatted', 'string')] }),
      attribute('displayName', 'string'),
      attribute('emails', 'complex', { multiValued: true, subAttributes: [attribute('value', 'string'), attribute('type', 'string'), attribute('primary', 'boolean')] }),
      attribute('active', 'boolean'),
      attribute('externalId', 'string', { caseExact: true }),
      attribute('roles', 'complex', { multiValued: true, subAttributes: [attribute('value', 'string', { canonicalValues: ['administrator', 'technician'] }), attribute('primary', 'boolean')] }),
    ],
  },
  {
    id: SCIM_SCHEMAS.group,
    name: 'Group',
    description: 'A directory group. An administrator can make its members get a seat.',
    attributes: [
      attribute('displayName', 'string', { required: true, uniqueness: 'server' }),
      attribute('externalId', 'string', { caseExact: true }),
      attribute('members', 'complex', { multiValued: true, subAttributes: [attribute('value', 'string', { mutability: 'immutable' }), attribute('display', 'string', { mutability: 'readOnly' })] }),
    ],
  },
];

export const scimDiscovery = new Hono<AppEnv>()
  .get('/ServiceProviderConfig', (c) =>
    scimJson({
      schemas: [SCIM_SCHEMAS.serviceProviderConfig],
      documentationUri: `${new URL(c.req.url).origin}/api/docs`,
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [
        { type: 'oauthbearertoken', name: 'Directory token', description: 'A token made with scope "scim", sent as Authorization: Bearer.', primary: true },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${scimBase(c)}/ServiceProviderConfig` },
    }),
  )
  .get('/ResourceTypes', (c) => {
    const types = ['User', 'Group'].map((name) => resourceType(scimBase(c), name));
    return scimJson(listResponse(types, types.length, 1));
  })
  .get('/ResourceTypes/:name', (c) => {
    const name = ['User', 'Group'].find((n) => n === c.req.param('name'));
    if (!name) throw new ScimHttpError(404, 'The resource types are User and Group.');
    return scimJson(resourceType(scimBase(c), name));
  })
  .get('/Schemas', (c) => {
    const schemas = SCHEMAS.map((s) => withMeta(scimBase(c), s));
    return scimJson(listResponse(schemas, schemas.length, 1));
  })
  .get('/Schemas/:id', (c) => {
    const schema = SCHEMAS.find((s) => s.id === c.req.param('id'));
    if (!schema) throw new ScimHttpError(404, `The schemas are ${SCHEMAS.map((s) => s.id).join(' and ')}.`);
    return scimJson(withMeta(scimBase(c), schema));
  });

function resourceType(base: string, name: string) {
  return {
    schemas: [SCIM_SCHEMAS.resourceType],
    id: name,
    name,
    endpoint: `/${name}s`,
    schema: name === 'User' ? SCIM_SCHEMAS.user : SCIM_SCHEMAS.group,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${name}` },
  };
}

function withMeta(base: string, schema: (typeof SCHEMAS)[number]) {
  return { schemas: [SCIM_SCHEMAS.schema], ...schema, meta: { resourceType: 'Schema', location: `${base}/Schemas/${schema.id}` } };
}
