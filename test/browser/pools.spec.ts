/**
 * A team manager on a phone: their Users screen is their team with the pool's meter; a full pool
 * offers its own holders to move a seat from; a user outside their pool is refused, and told why;
 * Requests lists their team's requests only, and approving one when the pool is full opens the chooser with
 * the pool's holders (after the chooser was used before in the same walk) and moves a seat within it.
 */
import type { Page } from '@playwright/test';
import { expect, manageButton, type Team, test, type TeamShape } from './fixtures';
import { signInAsTechnician, technicianApi } from './seat-support';

const TEAM: TeamShape = {
  seats: 4,
  technicians: [
    ['Mia Lindqvist', false],
    ['Alex Moreno', true],
    ['Ben Okafor', false],
    ['Priya Natarajan', true],
    ['Lena Fischer', false],
  ],
};

test.use({ teamShape: TEAM });

/**
 * The one-seat pool `pool` is full and the chooser for `to` is opening: it says so, and moving
 * `from`'s seat to `to` there is said on screen and done (as the API reads them afterwards).
 */
async function moveSeatInFullPool(page: Page, team: Team, pool: string, from: string, to: string): Promise<void> {
  const chooser = page.getByRole('dialog', { name: `No free seat for ${to}` });
  await expect(chooser).toContainText(`All 1 seats ${pool} may use are assigned.`);
  await chooser.getByRole('radio', { name: new RegExp(from) }).check();
  await chooser.getByRole('button', { name: `Move seat from ${from} to ${to}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Seat moved from ${from} to ${to}.` })).toBeVisible();
  const byName = (name: string) => team.api.user(team.users[name.split(' ')[0]!]!.id);
  expect((await byName(to)).seat).not.toBeNull();
  expect((await byName(from)).seat).toBeNull();
}

test('a team manager moves a seat within their pool and is refused outside it, with the reason', { tag: '@phone' }, async ({ page, team }) => {
  // Three flows in one walk (move, refusal, requests): more than the default 30 s on a busy machine.
  test.setTimeout(60_000);
  // The administrator (through the API) makes a one-seat "Service desk" pool of Alex, Ben and Mia, managed by Mia.
  const { pool } = await team.api.ok<{ pool: { id: string } }>('POST', '/pools', { name: 'Service desk', reserved: 1, maximum: 1 });
  for (const first of ['Alex', 'Ben']) await team.api.ok('PATCH', `/users/${team.users[first]!.id}`, { poolId: pool.id });
  await team.api.ok('PATCH', `/users/${team.users.Mia!.id}`, { poolId: pool.id, role: 'team_manager', pools: [pool.id] });

  await signInAsTechnician(page, team, 'Mia');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await expect(page.getByText('Service desk: 1 of 1 seats')).toBeVisible();
  await expect(page.getByText('(reserved 1, may borrow 0)')).toBeVisible();
  await expect(manageButton(page, 'Ben Okafor')).toBeVisible();
  await expect(page.getByText('Priya Natarajan')).toHaveCount(0);

  // Ben gets Alex's seat: the pool is full, so the chooser offers the pool's holder and moves it in one step.
  await manageButton(page, 'Ben Okafor').click();
  await page.getByRole('checkbox', { name: 'Assign seat' }).check();
  await moveSeatInFullPool(page, team, 'Service desk', 'Alex Moreno', 'Ben Okafor');
  await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();

  // Lena is not in the pool: giving her a seat is refused, and the page says why and what to do.
  await page.goto(`/users/${team.users.Lena!.id}`);
  // click, not check: the refusal may put the box back before check() looks at it.
  await page.getByRole('checkbox', { name: 'Assign seat' }).click();
  await expect(page.getByRole('alert')).toContainText('Lena Fischer is not in a pool you manage, so you cannot change their seat. Ask an administrator');
  await expect(page.getByRole('checkbox', { name: 'Assign seat' })).not.toBeChecked();
  expect((await team.api.user(team.users.Lena!.id)).seat).toBeNull();

  // Alex (in the pool, now without a seat) and Lena (outside it) ask for a seat: Mia sees Alex's only.
  for (const first of ['Alex', 'Lena']) await (await technicianApi(team, first)).ok('POST', '/seat-requests', { reason: 'Customer call at 3' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Requests/ }).click();
  const requests = page.getByRole('list', { name: 'Pending requests, oldest first' }).getByRole('listitem');
  await expect(requests).toHaveCount(1);
  await expect(requests.first()).toContainText('Alex Moreno');

  // The pool is full (Ben holds its one seat): Approve opens the chooser with the pool's holders, and moves Ben's seat to Alex.
  await page.getByRole('button', { name: 'Approve request from Alex Moreno' }).click();
  await moveSeatInFullPool(page, team, 'Service desk', 'Ben Okafor', 'Alex Moreno');
  await expect(requests).toHaveCount(0);
});

test('an administrator adds a user into a team pool; a full pool offers its own holders to move a seat from; Manage user changes her pools', { tag: '@once' }, async ({ signedIn: page, team }) => {
  test.setTimeout(60_000);
  // "Field team" holds one seat at most, and Alex holds it.
  const { pool } = await team.api.ok<{ pool: { id: string } }>('POST', '/pools', { name: 'Field team', reserved: 1, maximum: 1 });
  await team.api.ok('PATCH', `/users/${team.users.Alex!.id}`, { poolId: pool.id });

  await page.goto('/users/new');
  await page.getByLabel('Name').fill('Nora Quinn');
  await page.getByLabel('Email').fill(`nora.${Date.now()}@example.com`);
  await page.getByLabel('Team pool').selectOption({ label: 'Field team' });
  await expect(page.getByText('Their seat comes from Field team: 1 of its 1 seats are held (reserved 1).')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();
  await page.getByRole('button', { name: 'Add user' }).click();

  const chooser = page.getByRole('dialog', { name: 'No free seat for Nora Quinn' });
  await expect(chooser).toContainText('All 1 seats Field team may use are assigned.');
  await expect(chooser.getByRole('radio')).toHaveCount(1);
  await chooser.getByRole('radio', { name: /Alex Moreno/ }).check();
  await chooser.getByRole('button', { name: 'Move seat from Alex Moreno to Nora Quinn' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Nora Quinn was added with a seat.' })).toBeVisible();
  const nora = (await team.api.ok<{ items: { id: string; name: string; poolId: string | null; seat: unknown }[] }>('GET', '/users?q=Nora')).items[0]!;
  expect(nora).toMatchObject({ name: 'Nora Quinn', poolId: pool.id });
  expect(nora.seat).not.toBeNull();
  expect((await team.api.user(team.users.Alex!.id)).seat).toBeNull();

  // Manage user shows the same fields with her pool chosen; made a team manager, she is given the pool to manage.
  await page.goto(`/users/${nora.id}`);
  await expect(page.getByLabel('Team pool')).toHaveValue(pool.id);
  await page.getByLabel('Role').selectOption('team_manager');
  await page.getByRole('group', { name: 'Manages the seats of' }).getByRole('checkbox', { name: 'Field team' }).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved Nora Quinn.' })).toBeVisible();
  expect(await team.api.user(nora.id)).toMatchObject({ role: 'team_manager', poolId: pool.id, pools: [pool.id] });
});

test('a team manager is not offered Add user, and is told whom to ask', { tag: '@once' }, async ({ page, team }) => {
  const { pool } = await team.api.ok<{ pool: { id: string } }>('POST', '/pools', { name: 'Service desk', reserved: 1, maximum: 2 });
  await team.api.ok('PATCH', `/users/${team.users.Mia!.id}`, { poolId: pool.id, role: 'team_manager', pools: [pool.id] });
  await signInAsTechnician(page, team, 'Mia');
  await page.goto('/');
  await expect(page.getByText('Service desk: 0 of 2 seats')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add user' })).toHaveCount(0);
  await page.goto('/users/new');
  await expect(page.getByText('Only administrators add users. Ask one to add someone to your team')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add user' })).toHaveCount(0);
});
