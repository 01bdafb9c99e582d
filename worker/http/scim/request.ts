/**
 * What the SCIM routes share: who is asking (a directory token, as `Authorization: Bearer`),
 * reading a JSON body (`application/scim+json` or `application/json`) and validating it with the
 * contract's zod schemas, and answering `application/scim+json`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { API_TOKEN_PREFIX, parseSecret, sha256 } from '../../crypto';
import type { Result } from '../../domain/result';
import type { Reply } from '../../objects/call';
import { secretKeys } from '../config';
import type { AppEnv } from '../context';
import { SCIM_CONTENT_TYPE, ScimHttpError, scimErrorOf } from './errors';

/**
 * Requires a directory token (`Authorization: Bearer setme_…`, made with scope "scim"): the
 * subscription's object checks it is one, so ordinary tokens are refused (403) and cookies are
 * not read at all (401).
 */
export function directoryToken(): MiddlewareHandler<AppEnv> {
  return async function directoryToken(c, next) {
    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const secret = bearer?.startsWith(API_TOKEN_PREFIX) ? bearer.slice(API_TOKEN_PREFIX.length) : null;
    // Signed with the Worker's key like every secret: a made-up token is refused before any object is asked.
    const parsed = secret ? await parseSecret(await secretKeys(c.env), secret) : null;
    if (!secret || !parsed) {
      throw new ScimHttpError(401, 'Send the directory token from Subscription › Directory sync as "Authorization: Bearer <token>".');
    }
    const intent = c.req.method === 'GET' ? 'read' : 'write';
    c.set('call', { credential: { kind: 'directory', hash: await sha256(secret), intent } });
    c.set('subscriptionId', parsed.subscriptionId);
    c.set('subscription', c.env.SUBSCRIPTION.getByName(parsed.subscriptionId));
    await next();
  };
}

/** The value of a directory call's reply; throws its refusal as a SCIM error. */
export function unwrapScim<T>(reply: Reply<T>): T {
  if (!('result' in reply)) throw new ScimHttpError(500, 'Unexpected stored answer.');
  return unwrapResult(reply.result);
}

export function unwrapResult<T>(result: Result<T>): T {
  if (!result.ok) throw scimErrorOf(result);
  return result.value;
}

/** The JSON body, validated: 400 invalidSyntax for what is not JSON, invalidValue for what the schema refuses. */
export async function scimBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (type && !/json/i.test(type)) {
    throw new ScimHttpError(400, `Send the body as application/scim+json or application/json, not ${type}.`, 'invalidSyntax');
  }
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    throw new ScimHttpError(400, 'The body is not valid JSON.', 'invalidSyntax');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new ScimHttpError(400, detail, 'invalidValue');
  }
  return parsed.data;
}

/** A SCIM answer. */
export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': SCIM_CONTENT_TYPE, ...headers } });
}

/** The base URL of this SCIM service, e.g. https://seats.example.com/scim/v2. */
export const scimBase = (c: Context) => `${new URL(c.req.url).origin}/scim/v2`;

export { SCIM_CONTENT_TYPE };
