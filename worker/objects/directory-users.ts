/**
 * Users as a directory (SCIM) provisions them: created without a password (an invitation is mailed
 * by the Worker), replaced (PUT) or patched (PATCH, applied with scim-patch to the user as SCIM
 * shows them), deactivated and reactivated like the app does it, and found by the filters
 * directories send. userName and email are unique within the subscription here; the email also
 * service-wide, which the Subscription object claims in the EmailIndex around these functions.
 */
import { scimPatch, type ScimResource } from 'scim-patch';
import { ScimUserInput, type DirectoryRole, type Role, type ScimPatchOperation } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import type { UserCondition } from '../domain/scim-filter';
import { fromScimUser, toScimUser, type DirectoryUserInput, type DirectoryUserView } from '../domain/scim-users';
import type { z } from 'zod';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { storeLink } from './credentials';
import { followGroups } from './group-seats';
import type { Sql } from './sql';
import { updateUser } from './user-admin';
import { notFound } from './users';

/** A user a directory provisions: what it said, the id the Worker made, and their invitation's hash. */
export interface NewDirectoryUser extends DirectoryUserInput {
  id: string;
  invitationHash: string;
  invitationExpiresAt: string;
}

/** How a directory changes a user: the whole user (PUT), or PATCH operations on it. */
export type DirectoryUserChange =
  | { kind: 'replace'; user: z.output<typeof ScimUserInput> }
  | { kind: 'patch'; operations: ScimPatchOperation[] };

type Row = {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  given_name: string | null;
  family_name: string | null;
  scim_user_name: string | null;
  external_id: string | null;
  display_name: string | null;
  created_at: string;
  updated_at: string | null;
};

const COLUMNS = `id, name, email, role, status, given_name, family_name, scim_user_name, external_id, display_name, created_at, updated_at`;

function toView(row: Row): DirectoryUserView {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    // The raw column: a team manager is a technician to a directory.
    role: row.role as DirectoryRole,
    status: row.status as DirectoryUserView['status'],
    givenName: row.given_name,
    familyName: row.family_name,
    userName: row.scim_user_name,
    externalId: row.external_id,
    displayName: row.display_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One user as a directory sees them, or `not_found`. */
export function directoryUser(sql: Sql, userId: string): Result<DirectoryUserView> {
  const row = sql.one<Row>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, userId);
  return row ? ok(toView(row)) : notFound('user');
}

const WHERE: Record<UserCondition['attribute'], string> = {
  userName: 'COALESCE(scim_user_name, email) = ? COLLATE NOCASE',
  email: 'email = ?',
  externalId: 'external_id = ?',
  id: 'id = ?',
  active: "(status != 'deactivated') = ?",
};

/** Users matching every condition, oldest first: `count` of them from the 1-based `startIndex`, and how many match. */
export function directoryUsersPage(
  sql: Sql,
  conditions: UserCondition[],
  startIndex: number,
  count: number,
): Result<{ total: number; items: DirectoryUserView[] }> {
  const where = conditions.length ? `WHERE ${conditions.map((c) => WHERE[c.attribute]).join(' AND ')}` : '';
  const params = conditions.map((c) => (typeof c.value === 'boolean' ? (c.value ? 1 : 0) : c.value));
  const total = sql.count(`SELECT COUNT(*) FROM users ${where}`, ...params);
  const rows = count > 0 ? sql.all<Row>(`SELECT ${COLUMNS} FROM users ${where} ORDER BY seq LIMIT ? OFFSET ?`, ...params, count, startIndex - 1) : [];
  return ok({ total, items: rows.map(toView) });
}

/** A refusal when another user of this subscription has this userName or email (SCIM `uniqueness`). */
export function checkUnique(sql: Sql, input: { userName: string; email: string }, selfId: string | null): Result<null> {
  const taken = sql.one<{ id: string }>(
    'SELECT id FROM users WHERE (COALESCE(scim_user_name, email) = ? COLLATE NOCASE OR email = ?) AND id IS NOT ?',
    input.userName,
    input.email,
    selfId,
  );
  return taken ? fail('already_exists', { detail: `A user with userName "${input.userName}" or email ${input.email} already exists.` }) : ok(null);
}

/**
 * Creates a user as a directory sent them: invited (they set a password from the mailed link, or
 * use a passkey later), or deactivated when sent inactive. Their seat comes from groups, later.
 */
export function createDirectoryUser(sql: Sql, actor: Actor, input: NewDirectoryUser, now: number): Result<DirectoryUserView> {
  const unique = checkUnique(sql, input, null);
  if (!unique.ok) return unique;
  const at = new Date(now).toISOString();
  sql.run(
    `INSERT INTO users (id, name, email, role, status, created_at, given_name, family_name, scim_user_name, external_id,
       display_name, directory, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
    input.id,
    input.name,
    input.email,
    input.role,
    input.active ? 'invited' : 'deactivated',
    at,
    input.givenName,
    input.familyName,
    input.userName,
    input.externalId,
    input.displayName,
    at,
  );
  const details = { role: input.role, email: input.email, userName: input.userName, ...(input.active ? {} : { status: 'deactivated' }) };
  recordAudit(sql, now, actor, 'user.created', { type: 'user', id: input.id, name: input.name }, details);
  if (input.active) storeLink(sql, 'invitations', { userId: input.id, hash: input.invitationHash, expiresAt: input.invitationExpiresAt }, now);
  return directoryUser(sql, input.id);
}

/**
 * What a change would make of a user: a PUT keeps the role and status when it leaves them out (a
 * directory that does not map roles must not demote an administrator); a PATCH applies its
 * operations to the user as SCIM shows them.
 */
export function resolveChange(sql: Sql, userId: string, change: DirectoryUserChange): Result<{ before: DirectoryUserView; next: DirectoryUserInput }> {
  const found = directoryUser(sql, userId);
  if (!found.ok) return found;
  const before = found.value;
  const current = toScimUser(before, '');
  let sent: z.output<typeof ScimUserInput>;
  if (change.kind === 'replace') {
    sent = { ...change.user, roles: change.user.roles ?? current.roles, active: change.user.active ?? current.active };
  } else {
    const resource = { ...current, meta: { resourceType: 'User' } } as unknown as ScimResource;
    let patched: unknown;
    try {
      patched = scimPatch(resource, change.operations as Parameters<typeof scimPatch>[1], { mutateDocument: false, treatMissingAsAdd: true });
    } catch (error) {
      return fail('validation_failed', { detail: `The PATCH cannot be applied: ${(error as Error).message}` });
    }
    const parsed = ScimUserInput.safeParse(patched);
    if (!parsed.success) return fail('validation_failed', { detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    sent = parsed.data;
  }
  const next = fromScimUser(sent);
  return next.ok ? ok({ before, next: next.value }) : next;
}

/**
 * Writes a user as the directory now says: name, role and status through the app's own rules
 * (deactivating frees their seat and ends their access; the last administrator stays), the rest
 * here. A change of status decides their seat again from their groups.
 */
export function applyDirectoryUser(sql: Sql, actor: Actor, userId: string, next: DirectoryUserInput, now: number): Result<DirectoryUserView> {
  const found = directoryUser(sql, userId);
  if (!found.ok) return found;
  const before = found.value;
  const unique = checkUnique(sql, next, userId);
  if (!unique.ok) return unique;
  const status = next.active ? 'active' : 'deactivated';
  const statusChanged = next.active !== (before.status !== 'deactivated');
  const updated = updateUser(sql, actor, userId, { name: next.name, role: next.role, ...(statusChanged ? { status } : {}) }, now);
  if (!updated.ok) return updated;
  const details: Record<string, unknown> = {};
  if (next.email !== before.email) details.email = { from: before.email, to: next.email };
  if (next.userName !== (before.userName ?? before.email)) details.userName = { from: before.userName ?? before.email, to: next.userName };
  if (next.externalId !== before.externalId) details.externalId = { from: before.externalId, to: next.externalId };
  sql.run(
    `UPDATE users SET email = ?, given_name = ?, family_name = ?, scim_user_name = ?, external_id = ?, display_name = ?, directory = 1
     WHERE id = ?`,
    next.email,
    next.givenName,
    next.familyName,
    next.userName,
    next.externalId,
    next.displayName,
    userId,
  );
  if (Object.keys(details).length > 0) recordAudit(sql, now, actor, 'user.updated', { type: 'user', id: userId, name: next.name }, details);
  if (statusChanged) followGroups(sql, actor, [userId], now);
  return directoryUser(sql, userId);
}

/**
 * A refusal when an administrator renames a user the directory manages, or changes their role:
 * the directory owns those (and would change them back at its next sync).
 */
export function managedByDirectory(sql: Sql, userId: string, change: { name?: string; role?: Role }): Result<null> {
  const row = sql.one<{ name: string; role: string; directory: number }>('SELECT name, role, directory FROM users WHERE id = ?', userId);
  const changes = row && ((change.name !== undefined && change.name !== row.name) || (change.role !== undefined && change.role !== row.role));
  if (!row?.directory || !changes) return ok(null);
  return fail('forbidden', {
    detail: `${row.name} is managed by your directory: change their name and role there. Their seat and access you can still change here.`,
  });
}
