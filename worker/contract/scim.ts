/**
 * The SCIM 2.0 service (RFC 7643/7644) at `/scim/v2`, for Okta, Microsoft Entra ID and other
 * directories: what they send (users, groups, PATCH operations) and what they get back. Directories
 * send more than we keep (enterprise extensions, locale, passwords…): unknown attributes are
 * accepted and ignored, as RFC 7644 allows, so an unchanged directory mapping never fails.
 */
import { z } from 'zod';
import { Text } from './common';
import { Role } from './users';

export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** Entra ID sends booleans as the strings "True" and "False". */
export const ScimBoolean = z.union([
  z.boolean(),
  z.string().regex(/^(true|false)$/i, 'Expected true or false.').transform((s) => s.toLowerCase() === 'true'),
]);

/** Free text from a directory, policed like every free text of the contract (no control or text-direction characters). */
const Free = (max: number, what: string) => Text({ max, what });

export const ScimName = z.looseObject({
  givenName: Free(100, 'name.givenName').nullish(),
  familyName: Free(100, 'name.familyName').nullish(),
  formatted: Free(200, 'name.formatted').nullish(),
});

export const ScimEmail = z.looseObject({
  value: Free(254, 'Emails'),
  type: z.string().max(50).nullish(),
  primary: ScimBoolean.nullish(),
});

/** The roles a directory may give: a team manager's pools are set in the app, not by a directory. */
export const DirectoryRole = Role.exclude(['team_manager']);
export type DirectoryRole = z.infer<typeof DirectoryRole>;

export const ScimRoleValue = z.looseObject({
  value: z.string().trim().toLowerCase().pipe(DirectoryRole),
  primary: ScimBoolean.nullish(),
  type: z.string().max(50).nullish(),
  display: z.string().max(100).nullish(),
});

/** A user as a directory sends it (POST, PUT, or what a PATCH leaves). */
export const ScimUserInput = z.looseObject({
  schemas: z.array(z.string()).optional(),
  userName: Free(254, 'userName').min(1, 'userName is required.'),
  name: ScimName.nullish(),
  displayName: Free(100, 'displayName').nullish(),
  emails: z.array(ScimEmail).max(20).nullish(),
  active: ScimBoolean.nullish(),
  externalId: Free(200, 'externalId').nullish(),
  roles: z.array(ScimRoleValue).max(5).nullish(),
});
export type ScimUserInput = z.input<typeof ScimUserInput>;

/** A group member as sent: the member's id (`value`), in this service a user's id. */
export const ScimMember = z.looseObject({ value: z.string().min(1).max(200), display: z.string().max(200).nullish() });

export const ScimGroupInput = z.looseObject({
  schemas: z.array(z.string()).optional(),
  displayName: Free(200, 'displayName').min(1, 'displayName is required.'),
  externalId: Free(200, 'externalId').nullish(),
  members: z.array(ScimMember).max(10_000).nullish(),
});
export type ScimGroupInput = z.input<typeof ScimGroupInput>;

/** One PATCH operation. Entra ID capitalises op names ("Replace", "Add", "Remove"). */
export const ScimPatchOperation = z.looseObject({
  op: z
    .string()
    .transform((op) => op.toLowerCase())
    .pipe(z.enum(['add', 'remove', 'replace'], { error: 'op must be "add", "remove" or "replace".' })),
  path: z.string().max(500).optional(),
  value: z.unknown().optional(),
});
export type ScimPatchOperation = z.output<typeof ScimPatchOperation>;

export const ScimPatchBody = z.looseObject({
  schemas: z.array(z.string()).optional(),
  Operations: z.array(ScimPatchOperation).min(1, 'Operations is empty.').max(1_000),
});

/** `startIndex` (1-based), `count`, `filter`, `attributes`, `excludedAttributes` of a list. */
export const ScimListQuery = z.looseObject({
  startIndex: z.coerce.number().int().catch(1).transform((n) => Math.max(1, n)).default(1),
  count: z.coerce.number().int().catch(100).transform((n) => Math.min(Math.max(0, n), 1_000)).default(100),
  filter: z.string().max(1_000).optional(),
  attributes: z.string().max(1_000).optional(),
  excludedAttributes: z.string().max(1_000).optional(),
});
export type ScimListQuery = z.output<typeof ScimListQuery>;

// ── What the service answers ────────────────────────────────────────────────────────────────

export const ScimMeta = z.object({
  resourceType: z.enum(['User', 'Group']),
  created: z.string(),
  lastModified: z.string(),
  location: z.string(),
  version: z.string().meta({ description: 'A weak ETag, W/"…", that changes with the resource.' }),
});

export const ScimUser = z.object({
  schemas: z.array(z.string()),
  id: z.string(),
  externalId: z.string().optional(),
  userName: z.string(),
  name: z.object({ givenName: z.string(), familyName: z.string(), formatted: z.string() }),
  displayName: z.string().optional(),
  emails: z.array(z.object({ value: z.string(), type: z.literal('work'), primary: z.literal(true) })),
  active: z.boolean(),
  roles: z.array(z.object({ value: DirectoryRole, primary: z.literal(true) })),
  meta: ScimMeta,
});
export type ScimUser = z.infer<typeof ScimUser>;

export const ScimGroup = z.object({
  schemas: z.array(z.string()),
  id: z.string(),
  externalId: z.string().optional(),
  displayName: z.string(),
  members: z.array(z.object({ value: z.string(), display: z.string(), $ref: z.string(), type: z.literal('User') })).optional(),
  meta: ScimMeta,
});
export type ScimGroup = z.infer<typeof ScimGroup>;

export const ScimError = z.object({
  schemas: z.tuple([z.literal(SCIM_SCHEMAS.error)]),
  status: z.string(),
  scimType: z.string().optional(),
  detail: z.string(),
});
export type ScimError = z.infer<typeof ScimError>;
