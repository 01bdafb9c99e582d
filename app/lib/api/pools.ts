/**
 * `/pools` (worker/http/routes/pools.ts): team pools — a reserve only their members may use and a
 * maximum they may borrow up to. Who is in a pool is set on the user (`usersApi.update`).
 */
import type { CreatePoolBody, Pool, PoolAnswer, PoolList, PoolPatch } from '#contract';
import { request, segment } from './request.ts';

export const poolsApi = {
  list: () => request<PoolList>('GET', '/pools'),
  /** A reserve that needs seats others hold: `pool_in_use`, listing them. */
  create: (body: CreatePoolBody) => request<PoolAnswer>('POST', '/pools', body).then((answer) => answer.pool),
  /** A maximum below the seats held, or a reserve others' seats would need: `pool_in_use`. */
  update: (id: string, patch: PoolPatch) => request<PoolAnswer>('PATCH', `/pools/${segment(id)}`, patch).then((answer) => answer.pool),
  /** Its members keep their seats, in the shared remainder. */
  remove: (id: string) => request<void>('DELETE', `/pools/${segment(id)}`),
};
