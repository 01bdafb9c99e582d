/**
 * The API's own OpenAPI document as the list of routes to test: suites generated from it cover a
 * route as soon as it is added, instead of waiting for someone to remember to write its test.
 */
import { env, exports } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { ORIGIN } from './helpers';

/** One documented operation, e.g. `PATCH /users/{id}`. */
export interface Operation {
  key: string;
  method: string;
  /** The path under /api/v1 as documented, with `{param}` placeholders. */
  path: string;
  summary: string;
  /** Whether the document asks for a credential (Session or Bearer). */
  signedIn: boolean;
  /** The documented success status (the first 2xx). */
  success: number;
  /** Statuses the document lists. */
  statuses: number[];
  pathParams: string[];
  queryParams: { name: string; schema: JsonSchema }[];
  /** The JSON request body's schema, when the operation takes one. */
  body: JsonSchema | null;
}

export interface JsonSchema {
  type?: string | string[];
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  $ref?: string;
  [key: string]: unknown;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Reads GET /api/v1/openapi.json through the real Worker and lists its operations. */
export async function documentedOperations(): Promise<Operation[]> {
  const res = await exports.default.fetch(`${ORIGIN}/api/v1/openapi.json`);
  if (res.status !== 200) throw new Error(`openapi.json answered ${res.status}`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, JsonSchema> } };
  const resolve = (schema: JsonSchema | undefined): JsonSchema | null => {
    if (!schema) return null;
    const ref = schema.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
    return ref ? (doc.components?.schemas?.[ref] ?? null) : schema;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters: { name: string; in: string; schema: JsonSchema }[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const statuses = Object.keys(op.responses ?? {}).map(Number);
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        signedIn: Array.isArray(op.security) && op.security.length > 0,
        success: statuses.find((s) => s >= 200 && s < 300) ?? 200,
        statuses,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return operations;
}

/** An id pattern like `^usr_[a-z2-7]{20}$` marks a field that names a resource. */
// Our ids (`usr_…`, `whk_…`); a Stripe customer id (`cus_…`) names nothing stored here.
const ID_PATTERN = /^\^(?!cus_)[a-z]{3}_/;

/** The fields of an operation that name a resource: path parameters, and id-shaped body fields. */
export function idFields(op: Operation): string[] {
  const body = Object.entries(op.body?.properties ?? {})
    .filter(([, schema]) => typeof schema.pattern === 'string' && ID_PATTERN.test(schema.pattern))
    .map(([name]) => `body.${name}`);
  return [...op.pathParams.map((p) => `path.${p}`), ...body];
}

/** Fills `{id}`-style placeholders. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

/** Timestamps that every authenticated read may move; everything else must stay put. */
const VOLATILE_COLUMNS = new Set(['last_seen_at', 'last_used_at', 'last_active_at']);

/**
 * Every row of every table of a subscription's object, read straight from its SQLite storage and
 * sorted, minus the "last seen" timestamps. Tables added later are included automatically.
 */
export async function storedRows(subscriptionId: string): Promise<Record<string, string[]>> {
  return runInDurableObject(env.SUBSCRIPTION.getByName(subscriptionId), (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((t) => t.name)
      .sort();
    const dump: Record<string, string[]> = {};
    for (const table of tables) {
      dump[table] = sql
        .exec(`SELECT * FROM "${table}"`)
        .toArray()
        .map((row) =>
          JSON.stringify(
            Object.fromEntries(
              Object.entries(row)
                .filter(([column]) => !VOLATILE_COLUMNS.has(column))
                .map(([column, value]) => [column, value instanceof ArrayBuffer ? [...new Uint8Array(value)].join(',') : value]),
            ),
          ),
        )
        .sort();
    }
    return dump;
  });
}
