/**
 * A long audit log: scrolling to its end loads older entries page after page until every one is
 * shown. It once stalled: the next page was asked for only when its end came into view, so when
 * a change elsewhere reloaded the log while a page was on its way (that page's answer is then
 * dropped) and the end stayed in view throughout, no page was ever asked for again.
 */
import type { Page } from '@playwright/test';
import type { AuditEntry } from '../../worker/contract';
import { expect, signIn, type Team, test } from './fixtures';

/** Seat changes made through the API: with the team's own entries, six pages of 30 and some. */
const CHANGES = 180;

/** Takes back and gives again the seats of the team's technicians, side by side (one chain each). */
async function seatChanges(team: Team): Promise<void> {
  const each = Math.ceil(CHANGES / 6);
  await Promise.all(
    ['Alex', 'Priya', 'Lena'].map(async (first) => {
      const path = `/users/${team.users[first]!.id}/seat`;
      const holds = team.users[first]!.seat !== null;
      for (let i = 0; i < each; i++) {
        await team.api.ok(holds ? 'DELETE' : 'PUT', path);
        await team.api.ok(holds ? 'PUT' : 'DELETE', path);
      }
    }),
  );
}

/** How many entries the audit log holds, as the API pages through them. */
async function entriesInLog(team: Team): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { items: AuditEntry[]; nextCursor: string | null } = await team.api.ok('GET', `/audit?limit=100${query}`);
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

const entries = (page: Page) => page.getByRole('list', { name: 'Audit entries, newest first' }).getByRole('listitem');

/** Scrolls to the end of the page, again while the log grows, until it shows `count` entries or more. */
async function scrollUntil(page: Page, count: number): Promise<void> {
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await entries(page).count()).toBeGreaterThanOrEqual(count);
  }).toPass({ timeout: 30_000 });
}

/** No older page is on its way (the button that asks for one is usable again). */
const idle = (page: Page) => expect(page.getByRole('button', { name: 'Show older entries' })).not.toHaveAttribute('aria-disabled');

test('a long audit log: scrolling to the end shows every entry, also after a change reloads it while a page is on its way', async ({ page, team }, testInfo) => {
  test.skip(testInfo.project.name === 'tablet', 'the same log as on a phone and a desktop, in between');
  test.setTimeout(120_000);
  await seatChanges(team);
  await signIn(page, team);
  await page.goto('/subscription/audit');
  await expect(entries(page).first()).toBeVisible();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await scrollUntil(page, 60);
  await idle(page);

  // The next older page is held on its way; meanwhile someone else changes a seat, which reloads
  // the log. The held page's answer then comes too late to be shown, with the end still in view.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = () => {};
  const asked = new Promise<void>((resolve) => (holding = resolve));
  await page.route(/\/api\/v1\/audit\?.*cursor=/, async (route) => {
    holding();
    await held;
    await route.continue();
  });
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await asked;
  const reloaded = page.waitForResponse((r) => /\/api\/v1\/audit\?/.test(r.url()) && !r.url().includes('cursor='));
  await (await team.newApi()).ok('DELETE', `/users/${team.users.Alex!.id}/seat`);
  await reloaded;
  // From here on, every page goes through at once.
  release();

  const total = await entriesInLog(team);
  expect(total).toBeGreaterThan(CHANGES);
  await scrollUntil(page, total);
  await expect(entries(page)).toHaveCount(total);
  await expect(page.getByRole('button', { name: 'Show older entries' })).toHaveCount(0);
});
