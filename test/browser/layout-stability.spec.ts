import { expect, signIn, test } from './fixtures';

declare global {
  interface Window {
    /** Every layout shift the page made that no input caused, as the browser scores them. */
    __shifts: { value: number; sources: string[] }[];
  }
}

/** The administrator's screens, each with the heading that says it has loaded. */
const SCREENS: [string, string, (team: { users: Record<string, { id: string }> }) => string][] = [
  ['Users', 'Users', () => '/'],
  ['Manage user', 'Manage Lena Fischer', (team) => `/users/${team.users.Lena!.id}`],
  ['Add user', 'Add user', () => '/users/new'],
  ['Requests', 'Seat requests', () => '/requests'],
  ['Reports', 'Reports', () => '/reports'],
  ['Subscription', 'Subscription', () => '/subscription'],
  ['Me', 'Dana Whitfield', () => '/me'],
  ['Security', 'Security', () => '/me/security'],
];

// On a phone, where the header once wrapped and each screen's data pushed what was already shown.
test.describe('Nothing on screen moves while a screen loads', () => {
  for (const [screen, heading, path] of SCREENS) {
    test(`${screen}: from the first paint to live and loaded, nothing in sight moved`, { tag: '@phone' }, async ({ page, team }) => {
      await signIn(page, team);
      await page.addInitScript(() => {
        window.__shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node?: Node }[] })[]) {
            if (entry.hadRecentInput) continue;
            const sources = entry.sources.map((s) => (s.node instanceof Element ? `${s.node.tagName.toLowerCase()}.${s.node.className}` : String(s.node?.nodeName)));
            window.__shifts.push({ value: entry.value, sources });
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
      await page.goto(path(team));
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      await expect(page.getByText('Live', { exact: true })).toBeAttached();
      await page.waitForLoadState('networkidle');
      const shifts = await page.evaluate(() => window.__shifts);
      // Lighthouse's goal is a CLS of at most 0.02; the sources say what moved when this fails.
      expect(shifts.reduce((sum, s) => sum + s.value, 0), JSON.stringify(shifts)).toBeLessThanOrEqual(0.02);
    });
  }
});
