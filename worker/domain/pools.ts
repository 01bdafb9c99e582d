/**
 * The team-pool rules, pure and synchronous (the Subscription object reads the ledger, asks these,
 * and writes in the same transaction).
 *
 * A pool holds back `reserved` seats that only its members may use, and lets its members borrow
 * unreserved seats up to `maximum`. Users in no pool share what is left. Precisely:
 *
 *   committed  = Σ over pools of max(reserved, assigned) + seats held by users in no pool
 *   unreserved free seats = purchased − committed
 *
 * The invariants: committed ≤ purchased (which gives assigned ≤ purchased and Σ reserved ≤
 * purchased), and per pool assigned ≤ maximum. Seats reserved for one pool are never used by
 * another: a seat outside a pool's reserve always comes out of the unreserved free seats.
 *
 * A member of pool P may take a seat when P.assigned < P.maximum and (P.assigned < P.reserved, or
 * an unreserved seat is free); a user in no pool only when an unreserved seat is free.
 */
import type { Pool, PoolUsage, SeatHolder } from '../contract';
import { fail, type Failure } from './result';

/** What the pool rules need to know: seats bought, seats held outside pools, and every pool. */
export interface PoolLedger {
  purchased: number;
  /** Seats held by users in no pool. */
  sharedAssigned: number;
  pools: Pool[];
}

/** Seats counted against the purchased ones: each pool's reserve or its holders, whichever is more, and the shared holders. */
export function committed(ledger: PoolLedger): number {
  return ledger.pools.reduce((sum, pool) => sum + Math.max(pool.reserved, pool.assigned), ledger.sharedAssigned);
}

/** Seats held back for pools and not used by them yet. */
export function unusedReserve(ledger: PoolLedger): number {
  return ledger.pools.reduce((sum, pool) => sum + Math.max(0, pool.reserved - pool.assigned), 0);
}

/** Free seats nobody has reserved: what shared users may take and pools may borrow. */
export function unreservedFree(ledger: PoolLedger): number {
  return Math.max(0, ledger.purchased - committed(ledger));
}

/** The ledger after one seat is added to (`+1`) or taken from (`-1`) a pool (null: the shared remainder). */
export function withSeat(ledger: PoolLedger, poolId: string | null, delta: 1 | -1): PoolLedger {
  if (poolId === null) return { ...ledger, sharedAssigned: ledger.sharedAssigned + delta };
  return { ...ledger, pools: ledger.pools.map((p) => (p.id === poolId ? { ...p, assigned: p.assigned + delta } : p)) };
}

/** Which limit stops a seat: the pool's maximum, or no free unreserved seat (for a pool past its reserve, or a shared user). */
export type SeatLimit = 'room' | { limit: 'maximum'; pool: Pool } | { limit: 'reserve'; pool: Pool } | { limit: 'shared' };

/**
 * Whether a user in `poolId` (null: in no pool) may take one more seat.
 * @example seatRoom({ purchased: 5, sharedAssigned: 2, pools: [desk(3 reserved, 0 held)] }, null) // → { limit: 'shared' }
 */
export function seatRoom(ledger: PoolLedger, poolId: string | null): SeatLimit {
  const free = unreservedFree(ledger);
  if (poolId === null) return free > 0 ? 'room' : { limit: 'shared' };
  const pool = ledger.pools.find((p) => p.id === poolId);
  // A pool that does not exist holds nothing back: its user is served like a shared one.
  if (!pool) return free > 0 ? 'room' : { limit: 'shared' };
  if (pool.assigned >= pool.maximum) return { limit: 'maximum', pool };
  if (pool.assigned < pool.reserved || free > 0) return 'room';
  return { limit: 'reserve', pool };
}

/** A seat refused by a limit, as the refusal that explains it; `holders` lists who to take one from. */
export function seatRefusal(limit: Exclude<SeatLimit, 'room'>, ledger: PoolLedger, holders: () => SeatHolder[]): Failure {
  const assigned = ledger.pools.reduce((sum, p) => sum + p.assigned, ledger.sharedAssigned);
  const seats = { purchased: ledger.purchased, assigned, available: Math.max(0, ledger.purchased - assigned) };
  if (limit.limit === 'shared') return fail('no_seats_available', { seats, holders: holders(), reserved: unusedReserve(ledger) });
  const { pool } = limit;
  const detail =
    limit.limit === 'maximum'
      ? `${pool.name} holds ${pool.assigned} of its ${pool.maximum} seats (its maximum). Take a seat back from one of its ` +
        'holders or move one within the pool, or ask an administrator to raise its maximum.'
      : `${pool.name} uses its ${pool.reserved} reserved seat${pool.reserved === 1 ? '' : 's'} and ${pool.assigned - pool.reserved} borrowed, ` +
        'and no unreserved seat is free to borrow. Take a seat back from one of its holders or move one within the pool, ' +
        'or ask an administrator to raise its reserve or buy more seats.';
  return fail('pool_full', { limit: limit.limit, pool, holders: holders(), detail });
}

/** The limits a pool may be given, before the seats it holds are considered. */
export function checkPoolShape(reserved: number, maximum: number): Failure | null {
  if (reserved > maximum) {
    return fail('validation_failed', { detail: `"reserved" (${reserved}) cannot be more than "maximum" (${maximum}).` });
  }
  return null;
}

/**
 * Whether pool `poolId` (new: not yet in the ledger) may have these limits: its maximum not below
 * the seats its members hold, and its reserve not taking seats that others hold (committed ≤ purchased).
 */
export function decidePoolLimits(
  ledger: PoolLedger,
  pool: { id: string; name: string; reserved: number; maximum: number },
  holders: () => SeatHolder[],
): 'allow' | Failure {
  const shape = checkPoolShape(pool.reserved, pool.maximum);
  if (shape) return shape;
  const current = ledger.pools.find((p) => p.id === pool.id);
  const assigned = current?.assigned ?? 0;
  const next: Pool = { ...pool, assigned };
  if (assigned > pool.maximum) {
    return fail('pool_in_use', {
      pool: next,
      holders: holders(),
      toFree: assigned - pool.maximum,
      detail: `${pool.name} holds ${assigned} seats, so its maximum cannot go down to ${pool.maximum}. Take back ${assigned - pool.maximum} of its seats first.`,
    });
  }
  const after: PoolLedger = { ...ledger, pools: [...ledger.pools.filter((p) => p.id !== pool.id), next] };
  const over = committed(after) - ledger.purchased;
  if (over > 0) {
    return fail('pool_in_use', {
      pool: next,
      holders: holders(),
      toFree: over,
      detail:
        `Reserving ${pool.reserved} seats for ${pool.name} needs ${over} more than are free outside the pools' reserves ` +
        `(${ledger.purchased} purchased). Take back ${over} seat${over === 1 ? '' : 's'} from users outside ${pool.name}, lower another pool's reserve, or buy more seats.`,
    });
  }
  return 'allow';
}

/** Whether the purchased seats may go down to `requested`: never below what is held or reserved. */
export function decidePurchasedWithPools(ledger: PoolLedger, requested: number, holders: () => SeatHolder[]): 'change' | Failure {
  const need = committed(ledger);
  if (requested >= need) return 'change';
  const assigned = ledger.pools.reduce((sum, p) => sum + p.assigned, ledger.sharedAssigned);
  return fail('seats_in_use', {
    seats: { purchased: ledger.purchased, assigned, available: Math.max(0, ledger.purchased - assigned) },
    requested,
    toFree: need - requested,
    reserved: unusedReserve(ledger),
    holders: holders(),
  });
}

/**
 * Each pool's use, then the shared remainder's: seats held against what it may hold, and how many
 * of its seats are idle (`idle` counts idle holders by pool id, null for users in no pool).
 */
export function poolUsage(ledger: PoolLedger, idle: ReadonlyMap<string | null, number>): PoolUsage[] {
  const percent = (assigned: number, capacity: number) => (capacity > 0 ? Math.round((assigned / capacity) * 100) : 0);
  const rows = ledger.pools.map((p) => ({
    pool: { id: p.id, name: p.name },
    reserved: p.reserved,
    capacity: p.maximum,
    assigned: p.assigned,
    utilisationPercent: percent(p.assigned, p.maximum),
    idleSeats: idle.get(p.id) ?? 0,
  }));
  const sharedCapacity = Math.max(0, ledger.purchased - ledger.pools.reduce((sum, p) => sum + p.reserved, 0));
  const shared = {
    pool: null,
    reserved: 0,
    capacity: sharedCapacity,
    assigned: ledger.sharedAssigned,
    utilisationPercent: percent(ledger.sharedAssigned, sharedCapacity),
    idleSeats: idle.get(null) ?? 0,
  };
  return [...rows, shared];
}
