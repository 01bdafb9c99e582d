/**
 * Every API token of a subscription, for its administrators: whose each one is, so they can
 * revoke any of them (DELETE /tokens/{id}).
 */
import { z } from 'zod';
import { ApiToken } from './account';

/** A token with the user it belongs to (and acts as). */
export const OwnedApiToken = ApiToken.extend({
  owner: z.object({ id: z.string(), name: z.string(), email: z.string() }),
}).meta({ id: 'OwnedApiToken' });
export type OwnedApiToken = z.infer<typeof OwnedApiToken>;
