/**
 * Directory groups (SCIM Groups) and their members, per subscription. Membership changes arrive as
 * a whole group (POST, PUT) or as PATCH operations (applied with scim-patch to the group as SCIM
 * shows it); either way this works out who joined and who left, writes that in one go, and — for a
 * group whose members get a seat — decides their seats again (group-seats.ts), all in the caller's
 * one transaction: a 500-member PATCH is one atomic change.
 */
import { scimPatch, type ScimResource } from 'scim-patch';
import { ScimGroupInput, SCIM_SCHEMAS, type Group, type ScimPatchOperation } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import type { GroupCondition } from '../domain/scim-filter';
import type { z } from 'zod';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { followGroups } from './group-seats';
import { followSchedules } from './schedules';
import type { Sql } from './sql';

/** A group as the SCIM service shows it; `members` is null when not asked for. */
export interface GroupView {
  id: string;
  displayName: string;
  externalId: string | null;
  members: { id: string; name: string }[] | null;
  createdAt: string;
  updatedAt: string;
}

/** A group a directory creates, with the id the Worker made. */
export interface NewGroup {
  id: string;
  group: z.output<typeof ScimGroupInput>;
}

/** How a directory changes a group: the whole group (PUT), or PATCH operations on it. */
export type GroupChange =
  | { kind: 'replace'; group: z.output<typeof ScimGroupInput> }
  | { kind: 'patch'; operations: ScimPatchOperation[] };

type Row = { id: string; display_name: string; external_id: string | null; grants_seat: number; created_at: string; updated_at: string };

const notFound = () => fail('not_found', { detail: 'No such group in this subscription.' });

function membersOf(sql: Sql, groupId: string): { id: string; name: string }[] {
  return sql.all<{ id: string; name: string }>(
    'SELECT u.id, u.name FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY m.seq',
    groupId,
  );
}

function toView(sql: Sql, row: Row, withMembers: boolean): GroupView {
  return {
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    members: withMembers ? membersOf(sql, row.id) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One group, with its members unless left out. */
export function directoryGroup(sql: Sql, groupId: string, withMembers = true): Result<GroupView> {
  const row = sql.one<Row>('SELECT * FROM groups WHERE id = ?', groupId);
  return row ? ok(toView(sql, row, withMembers)) : notFound();
}

const WHERE: Record<GroupCondition['attribute'], string> = {
  displayName: 'display_name = ? COLLATE NOCASE',
  externalId: 'external_id = ?',
  id: 'id = ?',
};

/** Groups matching every condition, oldest first, from the 1-based `startIndex`, and how many match. */
export function directoryGroupsPage(
  sql: Sql,
  query: { conditions: GroupCondition[]; startIndex: number; count: number; withMembers: boolean },
): Result<{ total: number; items: GroupView[] }> {
  const where = query.conditions.length ? `WHERE ${query.conditions.map((c) => WHERE[c.attribute]).join(' AND ')}` : '';
  const params = query.conditions.map((c) => String(c.value));
  const total = sql.count(`SELECT COUNT(*) FROM groups ${where}`, ...params);
  const rows =
    query.count > 0 ? sql.all<Row>(`SELECT * FROM groups ${where} ORDER BY seq LIMIT ? OFFSET ?`, ...params, query.count, query.startIndex - 1) : [];
  return ok({ total, items: rows.map((row) => toView(sql, row, query.withMembers)) });
}

function checkName(sql: Sql, displayName: string, selfId: string | null): Result<null> {
  const taken = sql.one('SELECT id FROM groups WHERE display_name = ? COLLATE NOCASE AND id IS NOT ?', displayName, selfId);
  return taken ? fail('already_exists', { detail: `A group named "${displayName}" already exists.` }) : ok(null);
}

/** Creates a group with its members (ids of users that do not exist here are ignored, and noted). */
export function createGroup(sql: Sql, actor: Actor, input: NewGroup, now: number): Result<GroupView> {
  const named = checkName(sql, input.group.displayName, null);
  if (!named.ok) return named;
  const at = new Date(now).toISOString();
  sql.run(
    'INSERT INTO groups (id, display_name, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    input.id,
    input.group.displayName,
    input.group.externalId ?? null,
    at,
    at,
  );
  recordAudit(sql, now, actor, 'group.created', groupTarget(input.id, input.group.displayName), {});
  setMembers(sql, actor, input.id, (input.group.members ?? []).map((m) => m.value), now);
  return directoryGroup(sql, input.id);
}

/** Renames a group, changes its externalId or members, as a whole group or PATCH operations say. */
export function changeGroup(sql: Sql, actor: Actor, groupId: string, change: GroupChange, now: number): Result<GroupView> {
  const found = directoryGroup(sql, groupId);
  if (!found.ok) return found;
  const before = found.value;
  const next = change.kind === 'replace' ? ok(change.group) : patched(before, change.operations);
  if (!next.ok) return next;
  const group = next.value;
  const named = checkName(sql, group.displayName, groupId);
  if (!named.ok) return named;
  const externalId = group.externalId ?? null;
  if (group.displayName !== before.displayName || externalId !== before.externalId) {
    sql.run('UPDATE groups SET display_name = ?, external_id = ?, updated_at = ? WHERE id = ?', group.displayName, externalId, new Date(now).toISOString(), groupId);
    const details = group.displayName !== before.displayName ? { displayName: { from: before.displayName, to: group.displayName } } : {};
    recordAudit(sql, now, actor, 'group.updated', groupTarget(groupId, group.displayName), details);
  }
  // A PUT without "members" leaves them as they are (Entra ID sends members only in PATCH).
  if (change.kind === 'patch' || group.members) setMembers(sql, actor, groupId, (group.members ?? []).map((m) => m.value), now);
  return directoryGroup(sql, groupId);
}

/** The group after PATCH operations, as the directory would see it. */
function patched(before: GroupView, operations: ScimPatchOperation[]): Result<z.output<typeof ScimGroupInput>> {
  const resource = {
    schemas: [SCIM_SCHEMAS.group],
    id: before.id,
    displayName: before.displayName,
    ...(before.externalId ? { externalId: before.externalId } : {}),
    members: (before.members ?? []).map((m) => ({ value: m.id })),
    meta: { resourceType: 'Group' },
  } as unknown as ScimResource;
  let result: unknown;
  try {
    result = scimPatch(resource, operations as Parameters<typeof scimPatch>[1], { mutateDocument: false, treatMissingAsAdd: true });
  } catch (error) {
    // Removing someone who is not a member leaves the group as it is, as directories expect.
    if ((error as Error).name === 'NoTarget' && operations.every((op) => op.op === 'remove')) {
      return ok({ displayName: before.displayName, externalId: before.externalId, members: (before.members ?? []).map((m) => ({ value: m.id })) });
    }
    return fail('validation_failed', { detail: `The PATCH cannot be applied: ${(error as Error).message}` });
  }
  const parsed = ScimGroupInput.safeParse(result);
  if (!parsed.success) return fail('validation_failed', { detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  return ok({ ...parsed.data, members: parsed.data.members ?? [] });
}

/** Deletes a group; seats its members held through it follow their other groups, or leave. */
export function deleteGroup(sql: Sql, actor: Actor, groupId: string, now: number): Result<null> {
  const found = directoryGroup(sql, groupId);
  if (!found.ok) return found;
  const scheduled = sql.one('SELECT 1 AS x FROM groups WHERE id = ? AND schedule_id IS NOT NULL', groupId) !== null;
  sql.run('DELETE FROM groups WHERE id = ?', groupId);
  recordAudit(sql, now, actor, 'group.deleted', groupTarget(groupId, found.value.displayName), { members: found.value.members?.length ?? 0 });
  followGroups(sql, actor, (found.value.members ?? []).map((m) => m.id), now);
  // Its members are off its schedule now: the seats its shifts gave leave at once.
  if (scheduled) followSchedules(sql, actor, now);
  return ok(null);
}

/**
 * Makes the group's members exactly `wanted` (user ids, in the order sent; unknown ids are ignored
 * and noted), then decides the seats of everyone who joined or left, in the order they joined.
 */
function setMembers(sql: Sql, actor: Actor, groupId: string, wanted: string[], now: number): void {
  const current = new Set(sql.all<{ user_id: string }>('SELECT user_id FROM group_members WHERE group_id = ?', groupId).map((r) => r.user_id));
  const known = sql.all<{ id: string; name: string }>(
    'SELECT u.id, u.name FROM json_each(?) j JOIN users u ON u.id = j.value ORDER BY j.key',
    JSON.stringify([...new Set(wanted)]),
  );
  const keep = new Set(known.map((u) => u.id));
  const joined = known.filter((u) => !current.has(u.id));
  const left = [...current].filter((id) => !keep.has(id));
  const group = sql.one<{ display_name: string; grants_seat: number; schedule_id: string | null }>(
    'SELECT display_name, grants_seat, schedule_id FROM groups WHERE id = ?',
    groupId,
  )!;
  const ref = { id: groupId, name: group.display_name };
  for (const user of joined) {
    sql.run('INSERT INTO group_members (group_id, user_id) VALUES (?, ?)', groupId, user.id);
    recordAudit(sql, now, actor, 'group.member_added', { type: 'user', id: user.id, name: user.name }, { group: ref });
  }
  for (const userId of left) {
    const name = sql.one<{ name: string }>('SELECT name FROM users WHERE id = ?', userId)?.name ?? null;
    sql.run('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', groupId, userId);
    recordAudit(sql, now, actor, 'group.member_removed', { type: 'user', id: userId, name }, { group: ref });
  }
  const ignored = wanted.filter((id) => !keep.has(id));
  if (ignored.length > 0) recordAudit(sql, now, actor, 'group.members_ignored', groupTarget(groupId, group.display_name), { unknownMembers: ignored.slice(0, 20) });
  if (group.grants_seat && joined.length + left.length > 0) followGroups(sql, actor, [...joined.map((u) => u.id), ...left], now);
  // On a shift schedule: who joined mid-shift is on shift at once, who left is off it (not at the next boundary).
  if (group.schedule_id && joined.length + left.length > 0) followSchedules(sql, actor, now);
}

const groupTarget = (id: string, name: string) => ({ type: 'group' as const, id, name });

// ── What the app shows and changes ─────────────────────────────────────────────────────────

/** Every group with its member count, its switch, and how many members hold or wait for a seat through it. */
export function groupList(sql: Sql): Group[] {
  return sql
    .all<{ id: string; display_name: string; grants_seat: number; members: number; held: number; waiting: number }>(
      `SELECT g.id, g.display_name, g.grants_seat,
         (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members,
         (SELECT COUNT(*) FROM seats s WHERE s.via_group = g.id) AS held,
         (SELECT COUNT(*) FROM seat_requests r WHERE r.group_id = g.id AND r.status = 'pending') AS waiting
       FROM groups g ORDER BY g.display_name COLLATE NOCASE`,
    )
    .map((r) => ({
      id: r.id,
      displayName: r.display_name,
      memberCount: r.members,
      grantsSeat: r.grants_seat === 1,
      seatsHeld: r.held,
      waiting: r.waiting,
    }));
}

/**
 * "Members get a seat" on or off. On: every member gets a free seat, first joined first, and the
 * rest wait for one. Off: the seats it gave are taken back (with the default grace for connected
 * holders), unless another seat group of theirs gives it; seats given by hand stay.
 */
export function setGrantsSeat(sql: Sql, actor: Actor, groupId: string, grants: boolean, now: number): Result<Group> {
  const row = sql.one<Row>('SELECT * FROM groups WHERE id = ?', groupId);
  if (!row) return notFound();
  if ((row.grants_seat === 1) !== grants) {
    sql.run('UPDATE groups SET grants_seat = ?, updated_at = ? WHERE id = ?', grants ? 1 : 0, new Date(now).toISOString(), groupId);
    recordAudit(sql, now, actor, 'group.updated', groupTarget(groupId, row.display_name), { grantsSeat: { from: !grants, to: grants } });
    const members = sql.all<{ user_id: string }>('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY seq', groupId);
    followGroups(sql, actor, members.map((m) => m.user_id), now);
  }
  return ok(groupList(sql).find((g) => g.id === groupId)!);
}
