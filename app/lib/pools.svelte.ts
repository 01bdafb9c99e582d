/**
 * The team pools an administrator chooses from on Add user and Manage user (PoolFields).
 */
import type { Pool } from '#contract';
import { poolsApi } from '#lib/api/pools.ts';
import { session } from '#lib/session.svelte.ts';

/**
 * Lists the subscription's pools when the one signed in is an administrator, once per page that
 * calls it (during a component's initialisation). Empty for everyone else, and when the read
 * fails: the pool fields are then not shown, and the user keeps the pool they have.
 *
 * @example const pools = adminPools(); … <PoolFields pools={pools.items} … />
 */
export function adminPools(): { readonly items: Pool[] } {
  let items = $state<Pool[]>([]);
  $effect(() => {
    if (session.isAdmin) void poolsApi.list().then((answer) => (items = answer.items), () => {});
  });
  return {
    get items() {
      return items;
    },
  };
}
