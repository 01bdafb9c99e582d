/**
 * A subscription with hundreds of users: scrolling the Users screen loads page after page until
 * every user is in the list. It once stalled at 100: a change made elsewhere reloads the first 100
 * rows, the end of the list stayed in view throughout, and an observer that reports only the end
 * coming into view never asked for the next page again.
 */
import type { Page } from '@playwright/test';
import { expect, signIn, type Team, test, userEntry } from './fixtures';

/** Users added to the team's four (the administrator and three technicians): five pages of 50 and some. */
const MANY = 250;
const TOTAL = MANY + 4;

const memberName = (i: number) => `Member ${String(i).padStart(3, '0')}`;

/** Creates the members through the API, a few at a time (the list shows them in this order). */
async function addMembers(team: Team): Promise<void> {
  const tag = team.admin.email.split('@')[0];
  let next = 1;
  const worker = async () => {
    // Taken in order so each worker's users are created one after another; the list is ordered by creation.
    while (next <= MANY) {
      const i = next++;
      await team.api.createUser({ name: memberName(i), email: `member-${i}-${tag}@test.setme.test`, assignSeat: false });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The list's count, "Showing 150 users so far". */
const countOf = (page: Page) => page.getByRole('status').filter({ hasText: /^Showing \d+ users/ });

/** Scrolls to the end of the page, again while the list grows, until the list says `text`. */
async function scrollUntil(page: Page, text: string | RegExp): Promise<void> {
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(countOf(page)).toHaveText(text, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

test.describe('A subscription with many users', () => {
  test(`${TOTAL} users: scrolling to the end loads every one of them, also after the list reloads`, async ({ page, team }, testInfo) => {
    test.skip(testInfo.project.name === 'tablet', 'the same cards as on a phone, beside the detail pane');
    // Seeding 250 users through the API takes a while on a busy machine.
    test.setTimeout(180_000);
    await addMembers(team);
    await signIn(page, team);
    await expect(page.getByText('Live', { exact: true })).toBeVisible();

    // Three pages in, at the end of the list, someone else adds a user: the list reloads its first
    // 100 rows with the end still in view, and must go on from there.
    await scrollUntil(page, /^Showing 1[5-9]\d users so far$/);
    const reloaded = page.waitForResponse((r) => /\/api\/v1\/users\?.*limit=100/.test(r.url()));
    const script = await team.newApi();
    await script.createUser({ name: 'Latecomer', email: `latecomer-${team.organization.slice(-8)}@test.setme.test`, assignSeat: false });
    await reloaded;

    await scrollUntil(page, `Showing ${TOTAL + 1} users`);
    await expect(page.getByRole('button', { name: 'Show more users' })).toHaveCount(0);
    await expect(userEntry(page, memberName(MANY))).toBeInViewport();
    const names = await page.locator('li.user .name, tbody tr .name').allTextContents();
    const missing = [...Array.from({ length: MANY }, (_, i) => memberName(i + 1)), 'Latecomer'].filter((name) => !names.includes(name));
    expect(missing).toEqual([]);
  });
});
