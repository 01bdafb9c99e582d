/**
 * Small builders that keep route definitions short: a JSON body, a JSON answer, the problem
 * answers a route can give, and `signedInRoute`, which declares a route's authentication where the
 * route is declared, all feeding the generated OpenAPI document.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { z } from 'zod';
import { Problem } from '../contract';
import { authenticate, REVISION_HEADER, revisionHeader } from './auth';
import { idempotency } from './idempotency';
import { statusOf, type HttpFailure } from './problem';

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** A JSON response. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

type Responses = RouteConfig['responses'];
type ProblemResponse = { description: string; content: { 'application/problem+json': { schema: typeof Problem } } };

/** Problem responses, grouped by status, for the codes a route can answer with. */
export function problems(...codes: HttpFailure['code'][]): Record<number, ProblemResponse> {
  return withProblems({}, [...codes, 'validation_failed', 'internal_error']) as Record<number, ProblemResponse>;
}

/** `responses` with these problem codes added to the description of their status. */
function withProblems(responses: Responses, codes: HttpFailure['code'][]): Responses {
  const merged: Responses = { ...responses };
  for (const code of codes) {
    const status = statusOf(code);
    const existing = merged[status];
    const described = existing && 'description' in existing ? existing.description : null;
    if (described?.includes(`\`${code}\``)) continue;
    merged[status] = {
      description: described ? `${described}, \`${code}\`` : `Problem: \`${code}\``,
      content: { 'application/problem+json': { schema: Problem } },
    };
  }
  return merged;
}

/** Both ways to authenticate, for routes that need a signed-in caller. */
const signedIn: Record<string, string[]>[] = [{ Cookie: [] }, { Bearer: [] }];

const revisionHeaderDoc = {
  [REVISION_HEADER]: {
    description: "The subscription's revision this answer reflects: one more with every committed change (see GET /live).",
    schema: { type: 'integer' as const },
  },
};

/** `responses` with `SetMe-Revision` documented on each success. */
function withRevision(responses: Responses): Responses {
  const documented: Responses = { ...responses };
  for (const [status, response] of Object.entries(documented)) {
    if (Number(status) < 300 && !('$ref' in response)) documented[Number(status)] = { ...response, headers: { ...response.headers, ...revisionHeaderDoc } };
  }
  return documented;
}

const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description:
    'Makes a retry safe: the answer is stored with the work, and a retry with the same key and body gets it again ' +
    '(`Idempotent-Replayed: true`) instead of running twice. 1–255 printable ASCII characters, kept 48 hours per user.',
  schema: { type: 'string' as const, pattern: '^[\\x21-\\x7e]{1,255}$' },
};

/**
 * A route for signed-in callers: the OpenAPI `security` flag and the check that enforces it
 * (`authenticate`, then `idempotency` for POSTs) come from this one declaration, so they cannot
 * disagree. Also documents 401, `SetMe-Revision` on every success, and for a POST its
 * `Idempotency-Key` with the two idempotency problems.
 * @example const list = signedInRoute({ method: 'get', path: '/', responses: { 200: json(Page, 'A page') } });
 */
export function signedInRoute<const R extends Omit<RouteConfig, 'security' | 'middleware' | 'parameters'>>(config: R) {
  const post = config.method === 'post';
  const codes: HttpFailure['code'][] = ['unauthenticated', 'token_expired', ...(post ? (['idempotency_key_reused', 'idempotency_in_progress'] as const) : [])];
  const responses = withRevision(withProblems(config.responses, codes));
  return createRoute({
    ...config,
    security: signedIn,
    middleware: [authenticate(), idempotency()],
    // Only documentation was added: the answers' schemas are the route's own.
    responses: responses as R['responses'],
    ...(post ? { parameters: [idempotencyKeyParameter] } : {}),
  });
}

/**
 * A route that signs a device in (password, passkey, invitation, reset link, sign-up): no
 * credential is needed, and its success carries `SetMe-Revision` like a signed-in answer (the
 * route passes its reply through `unwrapReply`), documented here as there.
 * @example const login = signInRoute({ method: 'post', path: '/auth/login', responses: { 200: json(Account, 'Signed in') } });
 */
export function signInRoute<const R extends Omit<RouteConfig, 'middleware'>>(config: R) {
  return createRoute({
    ...config,
    middleware: [revisionHeader()],
    // Only documentation was added: the answers' schemas are the route's own.
    responses: withRevision(config.responses) as R['responses'],
  });
}
