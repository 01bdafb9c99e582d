/**
 * The SCIM 2.0 service for directories (Okta, Microsoft Entra ID…) at `/scim/v2`: Users, Groups,
 * ServiceProviderConfig, ResourceTypes, Schemas. A Hono app of its own, so that every answer it
 * gives — 401, 404, malformed JSON, anything unexpected — is a SCIM Error, never an RFC 9457
 * problem. Every route needs a directory token.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context';
import { securityHeaders } from '../app';
import { scimDiscovery } from './discovery';
import { ScimHttpError } from './errors';
import { scimGroups } from './groups';
import { directoryToken } from './request';
import { scimUsers } from './users';

/** A group of 500 members, named by id, is about 20 KiB; directories batch far fewer per request. */
const MAX_BODY_BYTES = 1024 * 1024;

export const scim = new Hono<AppEnv>().basePath('/scim/v2');

scim.use('*', securityHeaders);
scim.use(
  '*',
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ScimHttpError(413, `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.`);
    },
  }),
);
scim.use('*', directoryToken());
scim.route('/Users', scimUsers);
scim.route('/Groups', scimGroups);
scim.route('/', scimDiscovery);

scim.notFound(() => new ScimHttpError(404, 'No such SCIM resource. The service has Users, Groups, ServiceProviderConfig, ResourceTypes and Schemas.').toResponse());

scim.onError((error) => {
  if (error instanceof ScimHttpError) return error.toResponse();
  if (error instanceof HTTPException && error.status < 500) return new ScimHttpError(400, error.message || 'The request is not valid.', 'invalidSyntax').toResponse();
  console.error('unhandled SCIM error', error);
  return new ScimHttpError(500, 'The request could not be completed. Please try again in a moment.').toResponse();
});
