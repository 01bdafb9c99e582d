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
