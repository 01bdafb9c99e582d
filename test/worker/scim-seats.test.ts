/**
 * Seats follow directory groups: members of a group whose members get a seat hold one while one
 * is free and otherwise wait, first come first served, for the next one that frees; leaving every
 * seat group, deactivation or deletion takes a group seat back; seats given by hand stay. The
 * invariant holds throughout, checked in SQLite itself.
 */
import { describe, expect, it } from 'vitest';
import { sql } from './clock';
import { allUsers, createUser, type Api } from './helpers';
import { connected, provision, type Directory } from './scim-helpers';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const addMembers = (directory: Directory, groupId: string, ids: string[]) =>
  directory.patch(`/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
const removeMember = (directory: Directory, groupId: string, id: string) =>
  directory.patch(`/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }] });

async function seatGroup(admin: Api, directory: Directory, displayName = 'Support Tier 2', members: string[] = []) {
  const group = (await directory.post('/Groups', { displayName, members: members.map((value) => ({ value })) })).body;
  const marked = await admin.patch(`/v1/groups/${group.id}`, { grantsSeat: true });
  if (marked.status !== 200) throw new Error(`marking failed: ${JSON.stringify(marked.body)}`);
  return group.id as string;
}

/** Who holds a seat (and through what), and who waits, as the API shows it; plus the invariant from SQLite. */
async function seats(admin: Api, subscriptionId: string) {
  const users = await allUsers(admin);
  const holders = users.filter((u) => u.seat).map((u) => ({ id: u.id, source: u.seat.source }));
  const waiting = (await admin.get('/v1/seat-requests?status=pending&limit=100')).body.items;
  const [stored] = await sql<{ assigned: number; purchased: number; rows: number; people: number }>(
    subscriptionId,
    'SELECT assigned, purchased, (SELECT COUNT(*) FROM seats) AS rows, (SELECT COUNT(DISTINCT user_id) FROM seats) AS people FROM subscription',
  );
  expect(stored!.assigned).toBe(stored!.rows);
  expect(stored!.rows).toBe(stored!.people);
  expect(stored!.assigned).toBeLessThanOrEqual(stored!.purchased);
  expect(holders.length).toBe(stored!.assigned);
  return { holders, holderIds: holders.map((h) => h.id), waiting, waitingIds: waiting.map((r: { user: { id: string } }) => r.user.id) };
}

describe('Seats follow directory groups', () => {
  it('members of a seat group get free seats, shown as "via" the group', async () => {
    const { admin, directory, subscription } = await connected(5);
    const [a, b] = [await provision(directory), await provision(directory)];
    const groupId = await seatGroup(admin, directory, 'Support Tier 2', [a, b]);
    const now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual([a, b].sort());
    expect(now.holders[0]!.source).toEqual({ kind: 'group', group: { id: groupId, name: 'Support Tier 2' } });
    expect((await admin.get('/v1/groups')).body.items).toEqual([
      { id: groupId, displayName: 'Support Tier 2', memberCount: 2, grantsSeat: true, seatsHeld: 2, waiting: 0 },
    ]);
  });

  it('an oversubscribed group is never refused: the rest wait in join order and get the next seats that free', async () => {
    const { admin, directory, subscription } = await connected(3);
    const manual = (await createUser(admin, { name: 'Hand Picked', assignSeat: true })).user.id;
    const groupId = await seatGroup(admin, directory);
    const members = [];
    for (let i = 0; i < 5; i++) members.push(await provision(directory, { givenName: `Member${i}`, familyName: 'Tier' }));
    expect((await addMembers(directory, groupId, members)).status).toBe(204);

    let now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual([manual, members[0], members[1]].sort());
    expect(now.waitingIds).toEqual(members.slice(2));
    expect(now.waiting[0]).toMatchObject({ reason: 'Directory group Support Tier 2', position: 1 });

    // An administrator frees a seat: the first in line gets it at once (auto-assign is off).
    expect((await admin.get('/v1/subscription')).body.autoAssignRequests).toBe(false);
    await admin.delete(`/v1/users/${manual}/seat`);
    now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual(members.slice(0, 3).sort());
    expect(now.waitingIds).toEqual(members.slice(3));

    // One member leaves: their seat goes to the next in line.
    await removeMember(directory, groupId, members[0]!);
    now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual(members.slice(1, 4).sort());
    expect(now.waitingIds).toEqual([members[4]]);

    // More seats bought: the last one waiting gets one.
    await admin.patch('/v1/subscription', { seats: 5 });
    now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual(members.slice(1).sort());
    expect(now.waiting).toEqual([]);
  });

  it('deactivation takes the seat; reactivation gives it back only because the group says so', async () => {
    const { admin, directory, subscription } = await connected(3);
    const [inGroup, outside] = [await provision(directory), await provision(directory)];
    await seatGroup(admin, directory, 'Support Tier 2', [inGroup]);
    await admin.put(`/v1/users/${outside}/seat`);
    for (const id of [inGroup, outside]) {
      await directory.patch(`/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    }
    expect((await seats(admin, subscription.id)).holderIds).toEqual([]);
    for (const id of [inGroup, outside]) {
      await directory.patch(`/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    }
    expect((await seats(admin, subscription.id)).holderIds).toEqual([inGroup]);
  });

  it('turning "Members get a seat" off takes back the seats it gave, unless another seat group gives one; seats given by hand stay', async () => {
    const { admin, directory, subscription } = await connected(6);
    const [onlyHere, alsoThere, byHand] = [await provision(directory), await provision(directory), await provision(directory)];
    await admin.put(`/v1/users/${byHand}/seat`);
    const tier2 = await seatGroup(admin, directory, 'Support Tier 2', [onlyHere, alsoThere, byHand]);
    const oncall = await seatGroup(admin, directory, 'On call', [alsoThere]);
    let now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual([onlyHere, alsoThere, byHand].sort());
    expect(now.holders.find((h) => h.id === byHand)!.source).toMatchObject({ kind: 'manual', by: { name: 'Ada Admin' } });

    await admin.patch(`/v1/groups/${tier2}`, { grantsSeat: false });
    now = await seats(admin, subscription.id);
    expect(now.holderIds.sort()).toEqual([alsoThere, byHand].sort());
    expect(now.holders.find((h) => h.id === alsoThere)!.source).toEqual({ kind: 'group', group: { id: oncall, name: 'On call' } });

    // The hand-given seat stays when its holder leaves every group, too.
    await removeMember(directory, tier2, byHand);
    expect((await seats(admin, subscription.id)).holderIds).toContain(byHand);
  });

  it('deleting a user (DELETE /Users) frees their seat and their email, and the next in line gets the seat', async () => {
    const { admin, directory, subscription } = await connected(1);
    const [first, second] = [await provision(directory), await provision(directory)];
    const groupId = await seatGroup(admin, directory, 'Support Tier 2', [first, second]);
    const email = (await directory.get(`/Users/${first}`)).body.userName;
    expect((await directory.delete(`/Users/${first}`)).status).toBe(204);
    expect((await seats(admin, subscription.id)).holderIds).toEqual([second]);
    expect((await directory.get(`/Groups/${groupId}`)).body.members.map((m: { value: string }) => m.value)).toEqual([second]);
    expect((await directory.post('/Users', { userName: email })).status).toBe(201);
  });

  it('a 500-member group added in one PATCH is one change: one revision, invariants after', async () => {
    const { admin, directory, subscription } = await connected(200);
    const groupId = await seatGroup(admin, directory);
    const ids = (
      await sql<{ id: string }>(
        subscription.id,
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
         INSERT INTO users (id, name, email, role, status, created_at, directory)
         SELECT printf('usr_bulk%012d', i), 'Bulk ' || i, printf('bulk%d.%s@example.com', i, ?), 'technician', 'invited', '2026-12-01T00:00:00.000Z', 1 FROM n
         RETURNING id`,
        subscription.id,
      )
    ).map((r) => r.id);
    const before = Number((await admin.get('/v1/subscription')).headers.get('setme-revision'));
    expect((await addMembers(directory, groupId, ids)).status).toBe(204);
    const after = Number((await admin.get('/v1/subscription')).headers.get('setme-revision'));
    expect(after).toBe(before + 1);
    const now = await seats(admin, subscription.id);
    expect(now.holders.length).toBe(200);
    const [waiting] = await sql<{ n: number }>(subscription.id, "SELECT COUNT(*) AS n FROM seat_requests WHERE status = 'pending' AND group_id = ?", groupId);
    expect(waiting!.n).toBe(300);
    const group = (await admin.get('/v1/groups')).body.items[0];
    expect(group).toMatchObject({ memberCount: 500, seatsHeld: 200, waiting: 300 });
  });

  it('every directory change is in the audit log with the directory token as actor', async () => {
    const { admin, directory } = await connected(3, 'Okta');
    const id = await provision(directory, { givenName: 'Audited', familyName: 'Person' });
    await seatGroup(admin, directory, 'Support Tier 2', [id]);
    const entries = (await admin.get(`/v1/audit?userId=${id}`)).body.items;
    const byDirectory = entries.filter((e: { actor: { name: string } | null }) => e.actor?.name === 'Okta').map((e: { action: string }) => e.action);
    expect(byDirectory).toEqual(expect.arrayContaining(['user.created', 'group.member_added']));
    const status = (await admin.get('/v1/directory')).body;
    expect(status.tokens).toEqual([expect.objectContaining({ name: 'Okta', createdBy: expect.objectContaining({ name: 'Ada Admin' }) })]);
    expect(status.lastSyncAt).toEqual(expect.any(String));
    expect(status.events.map((e: { action: string }) => e.action)).toContain('user.created');
  });

  it('the directory status says when each directory token expires (the default 90 days, a chosen time, never)', async () => {
    const { admin } = await connected(3, 'Okta');
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
    expect((await admin.post('/v1/tokens', { name: 'Entra ID', scope: 'scim', expiresAt: inAYear })).status).toBe(201);
    expect((await admin.post('/v1/tokens', { name: 'Directory', scope: 'scim', expiresAt: 'never' })).status).toBe(201);
    const tokens: { name: string; expiresAt: string | null }[] = (await admin.get('/v1/directory')).body.tokens;
    const byName = new Map(tokens.map((t) => [t.name, t.expiresAt]));
    const days = (at: string | null | undefined) => Math.round((Date.parse(at ?? '') - Date.now()) / 86_400_000);
    expect(days(byName.get('Okta'))).toBe(90);
    expect(byName.get('Entra ID')).toBe(inAYear);
    expect(byName.get('Directory')).toBeNull();
  });
});
