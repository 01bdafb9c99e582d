/**
 * Team pools in the Subscription object: the ledger the pure rules in worker/domain/pools.ts
 * decide on, the room a user has for a seat (asked by every path that gives or moves one), and
 * creating, changing and deleting pools. SQLite refuses a broken pool invariant underneath
 * (migration 18's triggers); these decide first so that a refusal explains itself.
 */
import type { Pool, PoolReport } from '../contract';
import { newId } from '../crypto';
import { committed, decidePoolLimits, decidePurchasedWithPools, poolUsage, seatRefusal, seatRoom, withSeat, type PoolLedger } from '../domain/pools';
import { fail, ok, type Failure, type Result } from '../domain/result';
import type { Actor } from './access';
import { recordAudit } from './audit';
import type { Sql } from './sql';
import { idleSeatsReport } from './reports';
import { seatHolders, storedCounts, userKey } from './users';

interface PoolRow {
  id: string;
  name: string;
  reserved: number;
  maximum: number;
  assigned: number;
  [key: string]: SqlStorageValue;
}

const toPool = (row: PoolRow): Pool => ({ id: row.id, name: row.name, reserved: row.reserved, maximum: row.maximum, assigned: row.assigned });

/** Every pool, in the order they were made. */
export function listPools(sql: Sql): Pool[] {
  // Every seat given or moved asks, some twice (a transfer's check, then its hand-over): kept per call.
  return sql.kept('pools', () => sql.all<PoolRow>('SELECT id, name, reserved, maximum, assigned FROM pools ORDER BY seq')).map(toPool);
}

/** One pool, or null. */
export function poolById(sql: Sql, poolId: string): Pool | null {
  const row = sql.one<PoolRow>('SELECT id, name, reserved, maximum, assigned FROM pools WHERE id = ?', poolId);
  return row ? toPool(row) : null;
}

/**
 * The seats held by members of a pool that exists: read through the `users_pool` index, so it costs
 * the pools' members, not the whole user table (every seat given or moved asks).
 */
export const POOLED_SEATS_SQL = 'SELECT COUNT(*) FROM seats s JOIN users u ON u.id = s.user_id WHERE u.pool_id IN (SELECT id FROM pools)';

/** What the pool rules decide on, as stored now. */
export function poolLedger(sql: Sql): PoolLedger {
  const { purchased, assigned } = storedCounts(sql);
  const pools = listPools(sql);
  // Shared seats are all those held (the trigger-kept counter) but the pool members' ones; with
  // no pool (most subscriptions) there are none to count.
  const sharedAssigned = pools.length === 0 ? assigned : assigned - sql.count(POOLED_SEATS_SQL);
  return { purchased, sharedAssigned, pools };
}

/** Seats counted against the purchased ones: those held, and the pools' reserves not yet used. */
export function committedSeats(sql: Sql): number {
  return committed(poolLedger(sql));
}

/** The pool a user belongs to (null: shared, or no such user). */
export function poolOf(sql: Sql, userId: string): string | null {
  // The user's row this call already read, if it did (a seat change reads its users first).
  const kept = sql.peek<{ pool_id: string | null } | null>(userKey(userId));
  if (kept !== undefined) return kept?.pool_id ?? null;
  return sql.one<{ pool_id: string | null }>('SELECT pool_id FROM users WHERE id = ?', userId)?.pool_id ?? null;
}

/**
 * Whether `userId` may take a seat now — with `freeing`'s seat already gone when the seat moves
 * from them in one step (a transfer, a loan's return). Null when there is room; otherwise the
 * refusal that names the limit: `pool_full` (with the pool's holders) or `no_seats_available`.
 */
export function roomFor(sql: Sql, now: number, userId: string, freeing?: string, poolId = poolOf(sql, userId)): Failure | null {
  const { limit, ledger } = limitFor(sql, freeing, poolId);
  if (limit === 'room') return null;
  return seatRefusal(limit, ledger, () => seatHolders(sql, now, limit.limit === 'shared' ? undefined : limit.pool.id));
}

/** Whether `userId` may take a seat now (see roomFor), for callers that need no refusal. */
export function hasRoom(sql: Sql, userId: string, freeing?: string): boolean {
  return limitFor(sql, freeing, poolOf(sql, userId)).limit === 'room';
}

function limitFor(sql: Sql, freeing: string | undefined, poolId: string | null) {
  let ledger = poolLedger(sql);
  if (freeing !== undefined) ledger = withSeat(ledger, poolOf(sql, freeing), -1);
  return { limit: seatRoom(ledger, poolId), ledger };
}

/** Whether the purchased seats may go down to `requested` with the pools as they are. */
export function checkPurchased(sql: Sql, requested: number, now: number): Failure | null {
  const decision = decidePurchasedWithPools(poolLedger(sql), requested, () => seatHolders(sql, now));
  return decision === 'change' ? null : decision;
}

/** Creates a pool; refused when its reserve would take seats others hold. */
export function createPool(sql: Sql, actor: Actor, input: { name: string; reserved: number; maximum: number }, now: number): Result<Pool> {
  const taken = nameTaken(sql, input.name, null);
  if (taken) return taken;
  const id = newId('pool');
  const decision = decidePoolLimits(poolLedger(sql), { id, ...input }, () => []);
  if (decision !== 'allow') return decision.code === 'pool_in_use' ? { ...decision, holders: otherHolders(sql, id, now) } : decision;
  sql.run(
    'INSERT INTO pools (id, name, reserved, maximum, created_at) VALUES (?, ?, ?, ?, ?)',
    id,
    input.name,
    input.reserved,
    input.maximum,
    new Date(now).toISOString(),
  );
  recordAudit(sql, now, actor, 'pool.created', { type: 'pool', id, name: input.name }, { reserved: input.reserved, maximum: input.maximum });
  return ok(poolById(sql, id)!);
}

/**
 * Renames a pool or changes its limits: its maximum never below the seats its members hold (the
 * refusal lists them), its reserve never taking seats that others hold (the refusal lists those).
 */
export function updatePool(
  sql: Sql,
  actor: Actor,
  poolId: string,
  change: { name?: string; reserved?: number; maximum?: number },
  now: number,
): Result<Pool> {
  const before = poolById(sql, poolId);
  if (!before) return noSuchPool();
  const next = { id: poolId, name: change.name ?? before.name, reserved: change.reserved ?? before.reserved, maximum: change.maximum ?? before.maximum };
  if (change.name !== undefined) {
    const taken = nameTaken(sql, change.name, poolId);
    if (taken) return taken;
  }
  const decision = decidePoolLimits(poolLedger(sql), next, () => []);
  if (decision !== 'allow') {
    if (decision.code !== 'pool_in_use') return decision;
    const over = next.maximum < before.assigned;
    return { ...decision, holders: over ? seatHolders(sql, now, poolId) : otherHolders(sql, poolId, now) };
  }
  const details: Record<string, unknown> = {};
  for (const key of ['name', 'reserved', 'maximum'] as const) {
    if (next[key] !== before[key]) details[key] = { from: before[key], to: next[key] };
  }
  if (Object.keys(details).length === 0) return ok(before);
  sql.run('UPDATE pools SET name = ?, reserved = ?, maximum = ? WHERE id = ?', next.name, next.reserved, next.maximum, poolId);
  recordAudit(sql, now, actor, 'pool.updated', { type: 'pool', id: poolId, name: next.name }, details);
  return ok(poolById(sql, poolId)!);
}

/**
 * Deletes a pool: its reserve is released and its members (with their seats) join the shared
 * remainder. This never needs a seat: a pool counts max(reserved, held) and its members only held.
 */
export function deletePool(sql: Sql, actor: Actor, poolId: string, now: number): Result<null> {
  const pool = poolById(sql, poolId);
  if (!pool) return noSuchPool();
  // The pool goes first, so its members never count both as its holders and as shared ones.
  sql.run('DELETE FROM pools WHERE id = ?', poolId);
  const members = sql.run('UPDATE users SET pool_id = NULL WHERE pool_id = ?', poolId);
  recordAudit(sql, now, actor, 'pool.deleted', { type: 'pool', id: poolId, name: pool.name }, { members, seatsHeld: pool.assigned });
  return ok(null);
}

/**
 * Moves a user (and a seat they hold) to another pool (null: the shared remainder): refused when
 * that pool has no room for their seat, with its limit explained.
 */
export function setUserPool(sql: Sql, actor: Actor, user: { id: string; name: string; hasSeat: boolean }, poolId: string | null, now: number): Result<null> {
  const before = poolOf(sql, user.id);
  if (before === poolId) return ok(null);
  const pool = poolId === null ? null : poolById(sql, poolId);
  if (poolId !== null && !pool) return noSuchPool();
  if (user.hasSeat) {
    const refused = roomFor(sql, now, user.id, user.id, poolId);
    if (refused) return refused;
  }
  sql.run('UPDATE users SET pool_id = ? WHERE id = ?', poolId, user.id);
  const name = (id: string | null) => (id === null ? null : (poolById(sql, id)?.name ?? null));
  recordAudit(sql, now, actor, 'user.pool_changed', { type: 'user', id: user.id, name: user.name }, {
    from: before === null ? null : { id: before, name: name(before) },
    to: pool ? { id: pool.id, name: pool.name } : null,
  });
  return ok(null);
}

/** Sets the pools a team manager manages (an empty list for any other role). */
export function setManagedPools(sql: Sql, userId: string, pools: string[]): Result<null> {
  const unknown = pools.find((id) => !poolById(sql, id));
  if (unknown) return fail('validation_failed', { detail: `No pool ${unknown} in this subscription. Create it first (Policies › Team pools).` });
  sql.run('DELETE FROM pool_managers WHERE user_id = ?', userId);
  for (const poolId of new Set(pools)) sql.run('INSERT INTO pool_managers (user_id, pool_id) VALUES (?, ?)', userId, poolId);
  return ok(null);
}

/** The pools a user manages as a team manager. */
export function managedPools(sql: Sql, userId: string): string[] {
  return sql.all<{ pool_id: string }>('SELECT pool_id FROM pool_managers WHERE user_id = ? ORDER BY pool_id', userId).map((r) => r.pool_id);
}

/**
 * The one permission check for seat changes: administrators may change anyone's seat; a team
 * manager only the seats of members of the pools they manage (every user the change touches);
 * anyone else nobody's. A user who does not exist is left to the work, which answers 404.
 */
export function mayManageSeats(sql: Sql, actor: Actor, userIds: readonly string[]): Failure | null {
  if (actor.role === 'administrator') return null;
  if (actor.role !== 'team_manager') return fail('forbidden', { detail: 'Only administrators can do this.' });
  const mine = new Set(managedPools(sql, actor.id));
  for (const userId of userIds) {
    const row = sql.one<{ name: string; pool_id: string | null }>('SELECT name, pool_id FROM users WHERE id = ?', userId);
    if (!row) continue;
    if (row.pool_id === null || !mine.has(row.pool_id)) {
      return fail('forbidden', {
        detail:
          `${row.name} is not in a pool you manage, so you cannot change their seat. ` +
          'Ask an administrator, or have them moved into your pool.',
      });
    }
  }
  return null;
}

/** Holders outside the pool: whose seats a larger reserve would need. */
function otherHolders(sql: Sql, poolId: string, now: number) {
  return seatHolders(sql, now).filter((holder) => poolOf(sql, holder.id) !== poolId);
}

function nameTaken(sql: Sql, name: string, except: string | null): Failure | null {
  const row = sql.one<{ id: string }>('SELECT id FROM pools WHERE name = ? COLLATE NOCASE', name);
  if (!row || row.id === except) return null;
  return fail('already_exists', { detail: `A pool named "${name}" already exists. Pick another name.` });
}

const noSuchPool = () => fail('not_found', { detail: 'No such pool in this subscription.' });

/** Each pool's utilisation and idle seats (idle as the idle-seats report counts them), then the shared remainder's. */
export function poolReport(sql: Sql, days: number, now: number): PoolReport {
  const idle = idleSeatsReport(sql, days, now);
  const byPool = new Map<string | null, number>();
  const known = new Set(listPools(sql).map((p) => p.id));
  for (const seat of idle.items) {
    const pool = poolOf(sql, seat.user.id);
    const key = pool !== null && known.has(pool) ? pool : null;
    byPool.set(key, (byPool.get(key) ?? 0) + 1);
  }
  return { days: idle.days, since: idle.since, items: poolUsage(poolLedger(sql), byPool) };
}
