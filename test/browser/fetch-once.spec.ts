import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';

/** Every API GET the page makes from now on, with its query ("/api/v1/users?limit=50"). */
function recordGets(page: Page): string[] {
  const gets: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() === 'GET' && url.pathname.startsWith('/api/v1/') && url.pathname !== '/api/v1/live') {
      gets.push(url.pathname + url.search);
    }
  });
  return gets;
}

const repeated = (gets: string[]) => gets.filter((get, i) => gets.indexOf(get) !== i);

/** The administrator's screens, each with the heading that says it has loaded. */
const SCREENS: [string, string, (team: { users: Record<string, { id: string }> }) => string][] = [
  ['Users', 'Users', () => '/'],
  ['Manage user', 'Manage Lena Fischer', (team) => `/users/${team.users.Lena!.id}`],
  ['Requests', 'Seat requests', () => '/requests'],
  ['Reports', 'Reports', () => '/reports'],
  ['Subscription', 'Subscription', () => '/subscription'],
  ['Audit log', 'Audit log', () => '/subscription/audit'],
  ['Me', 'Dana Whitfield', () => '/me'],
  ['Security', 'Security', () => '/me/security'],
];

test.describe('Each screen fetches its data once', () => {
  for (const [screen, heading, path] of SCREENS) {
    test(`${screen}: opened, live, and left alone for three seconds, it fetched nothing twice`, { tag: '@once' }, async ({ page, team }) => {
      await signIn(page, team);
      const gets = recordGets(page);
      await page.goto(path(team));
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      await expect(page.getByText('Live', { exact: true })).toBeVisible();
      // Nothing changes meanwhile, so nothing should be fetched again (the Requests screen once did, ~20 times a second).
      await page.waitForTimeout(3_000);
      expect(gets.length).toBeGreaterThan(0);
      expect(repeated(gets)).toEqual([]);
    });
  }
});

test.describe('Signing in fetches the first screen once', () => {
  // Runs at every size: a phone's first screen loads its own way (cards, the live state as a dot).
  test('signed in through the form on a fresh page, the Users list shows and goes live having fetched nothing twice', async ({ page, team }) => {
    const gets = recordGets(page);
    await page.goto('/signin');
    await page.getByLabel('Email').fill(team.admin.email);
    await page.getByLabel('Password').fill(team.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    // The first live message carries the revision the sign-in answered with: nothing to fetch
    // again (before, it refetched /me, /seat-requests and the users, as 50 and then 100).
    await page.waitForTimeout(3_000);
    expect(gets).toContain('/api/v1/users?limit=50');
    expect(repeated(gets)).toEqual([]);
    // The sign-in answered with the account: only a refetch reads /me.
    expect(gets).not.toContain('/api/v1/me');
  });
});

test.describe('Fetched only when needed', () => {
  test('Audit log: the users of its user filter are fetched when the filter is opened, not with the log', { tag: '@once' }, async ({ page, team }) => {
    await signIn(page, team);
    const gets = recordGets(page);
    await page.goto('/subscription/audit');
    await expect(page.getByRole('list', { name: 'Audit entries, newest first' }).getByRole('listitem').first()).toBeVisible();
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    const userReads = () => gets.filter((get) => get.startsWith('/api/v1/users?'));
    expect(userReads()).toEqual([]);

    const filter = page.getByLabel('User', { exact: true });
    await filter.focus();
    await expect(filter.getByRole('option', { name: 'Lena Fischer' })).toBeAttached();
    // Opened again (focus leaves and comes back), it asks no more.
    await page.getByLabel('Action').focus();
    await filter.focus();
    await filter.selectOption({ label: 'Lena Fischer' });
    await expect(page.getByRole('list', { name: 'Audit entries, newest first' }).getByRole('listitem').first()).toContainText('Lena Fischer');
    expect(userReads()).toEqual(['/api/v1/users?limit=100']);
  });
});
