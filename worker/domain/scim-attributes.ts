/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), pure: which attributes of a resource
 * an answer carries. `id`, `schemas` and `meta` always stay; names are case-insensitive and may be
 * URN-qualified or dotted (`name.givenName`).
 */

/** The comma-separated attribute names of a query parameter, lower-cased, without the core URN. */
export function attributeList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((name) => name.trim().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(?:User|Group):/i, '').toLowerCase())
    .filter(Boolean);
}

const ALWAYS = new Set(['id', 'schemas', 'meta']);

/**
 * The resource with only the `attributes` asked for (when any), minus the `excluded` ones.
 * @example project(user, ['username'], []) // → { schemas, id, userName, meta }
 */
export function project<T extends Record<string, unknown>>(resource: T, attributes: string[], excluded: string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const name = key.toLowerCase();
    if (ALWAYS.has(name)) {
      out[key] = value;
      continue;
    }
    if (excluded.includes(name)) continue;
    if (attributes.length === 0 || attributes.includes(name)) {
      out[key] = value;
      continue;
    }
    // Sub-attributes asked for by dotted name: name.givenName keeps only that part of name.
    const parts = attributes.filter((a) => a.startsWith(`${name}.`)).map((a) => a.slice(name.length + 1));
    if (parts.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).filter(([sub]) => parts.includes(sub.toLowerCase())));
    }
  }
  return out as Partial<T>;
}
