/**
 * SCIM list filters (RFC 7644 §3.4.2.2), parsed with scim2-parse-filter and narrowed to what this
 * service answers from its indexes: equality on an attribute, joined with `and`. That covers what
 * Okta and Entra ID send (`userName eq "…"`, `externalId eq "…"`, `emails[type eq "work"].value eq
 * "…"`, `displayName eq "…"`). Anything else is refused with a sentence naming what is supported
 * (SCIM `invalidFilter`), never answered wrongly.
 */
import { parse, type Filter } from 'scim2-parse-filter';

/** Attributes a filter may test, per resource type. */
const ATTRIBUTES = {
  User: { username: 'userName', externalid: 'externalId', id: 'id', 'emails.value': 'email', emails: 'email', active: 'active' },
  Group: { displayname: 'displayName', externalid: 'externalId', id: 'id' },
} as const;

type UserAttribute = (typeof ATTRIBUTES.User)[keyof typeof ATTRIBUTES.User];
type GroupAttribute = (typeof ATTRIBUTES.Group)[keyof typeof ATTRIBUTES.Group];

/** One test of a filter: the attribute (as we name it) equals the value. All tests must hold. */
export interface Condition<A extends string = UserAttribute | GroupAttribute> {
  attribute: A;
  value: string | boolean;
}

export type UserCondition = Condition<UserAttribute>;
export type GroupCondition = Condition<GroupAttribute>;

const SUPPORTED = {
  User: 'userName eq "…", externalId eq "…", id eq "…", active eq true|false, emails[type eq "work"].value eq "…", joined with "and"',
  Group: 'displayName eq "…", externalId eq "…", id eq "…", joined with "and"',
};

/**
 * The conditions of a filter, or a refusal saying what is supported.
 * @example parseScimFilter('userName eq "ada@example.com"', 'User') // → { ok: true, conditions: [{ attribute: 'userName', … }] }
 */
export function parseScimFilter<R extends 'User' | 'Group'>(
  text: string,
  resource: R,
): { ok: true; conditions: Condition<R extends 'User' ? UserAttribute : GroupAttribute>[] } | { ok: false; detail: string } {
  let filter: Filter;
  try {
    filter = parse(text);
  } catch (error) {
    return { ok: false, detail: `The filter is not valid SCIM (${(error as Error).message}). Supported: ${SUPPORTED[resource]}.` };
  }
  const conditions: Condition[] = [];
  const unsupported = collect(filter, resource, conditions);
  if (unsupported) return { ok: false, detail: `${unsupported} is not supported. Supported: ${SUPPORTED[resource]}.` };
  return { ok: true, conditions: conditions as Condition<R extends 'User' ? UserAttribute : GroupAttribute>[] };
}

/** Adds the filter's conditions; returns what is not supported, if anything. */
function collect(filter: Filter, resource: 'User' | 'Group', into: Condition[]): string | null {
  if (filter.op === 'and') {
    for (const part of filter.filters) {
      const unsupported = collect(part, resource, into);
      if (unsupported) return unsupported;
    }
    return null;
  }
  if (filter.op === '[]') {
    // emails[type eq "work"]: every email of ours is the work email, so only that test is allowed.
    const inner = filter.valFilter;
    const workEmail =
      resource === 'User' && filter.attrPath.toLowerCase() === 'emails' && inner.op === 'eq' &&
      inner.attrPath.toLowerCase() === 'type' && String(inner.compValue).toLowerCase() === 'work';
    return workEmail ? null : `The filter ${filter.attrPath}[…]`;
  }
  if (filter.op !== 'eq') return `The operator "${filter.op}"`;
  const attribute = (ATTRIBUTES[resource] as Record<string, string>)[stripUrn(filter.attrPath).toLowerCase()];
  if (!attribute) return `Filtering on "${filter.attrPath}"`;
  const value = filter.compValue;
  if (attribute === 'active' ? typeof value !== 'boolean' : typeof value !== 'string') {
    return `Comparing ${filter.attrPath} with ${JSON.stringify(value)}`;
  }
  into.push({ attribute, value } as Condition);
  return null;
}

/** `urn:ietf:params:scim:schemas:core:2.0:User:userName` → `userName`. */
function stripUrn(path: string): string {
  const match = /^urn:ietf:params:scim:schemas:core:2\.0:(?:User|Group):(.+)$/i.exec(path);
  return match ? match[1]! : path;
}
