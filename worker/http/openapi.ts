/**
 * Small builders that keep route definitions short: a JSON body, a JSON answer, and the problem
 * answers a route can give, all feeding the generated OpenAPI document.
 */
import type { z } from 'zod';
import { Problem } from '../contract';
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

/** Problem responses, grouped by status, for the codes a route can answer with. */
export function problems(...codes: HttpFailure['code'][]) {
  const byStatus: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }> = {};
  for (const code of [...codes, 'validation_failed', 'internal_error'] as const) {
    const status = statusOf(code);
    const existing = byStatus[status];
    byStatus[status] = {
      description: existing ? `${existing.description}, \`${code}\`` : `Problem: \`${code}\``,
      content: { 'application/problem+json': { schema: Problem } },
    };
  }
  return byStatus;
}

/** Both ways to authenticate, for routes that need a signed-in caller. */
export const signedIn: Record<string, string[]>[] = [{ Session: [] }, { Bearer: [] }];
