/**
 * A subscription with hundreds of users: the Users screen keeps only the rows near the viewport in
 * the page (so scrolling stays cheap at 10,000), yet every user is reachable by scrolling, by the
 * keyboard and by search, and each row says where it stands in the whole list.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, manageButton, signIn, type Team, test, userEntry } from './fixtures';

/** Users added to the team's four (the administrator and three technicians). */
const MANY = 300;
const TOTAL = MANY + 4;
/** More rows than a tall screen shows twice over, far fewer than the list holds. */
const MOST_ROWS_IN_PAGE = 80;

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

/** User rows in the page (cards on phones and tablets, table rows on desktops); spacers are not rows. */
const rowsInPage = (page: Page) => page.locator('li.user, tbody tr:not([aria-hidden="true"])');

/** Scrolls to the end of the list until every page is loaded ("Showing 304 users", no "so far"). */
async function scrollToTheEnd(page: Page): Promise<void> {
  const count = page.getByRole('status').filter({ hasText: /^Showing \d+ users/ });
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(count).toHaveText(`Showing ${TOTAL} users`, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  // The last page came a screen before the end: now to the end itself.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

/**
 * Walks the page from top to bottom a screen at a time, as a person scrolling would, and returns
 * every name seen on the way and the most rows the page held at once.
 */
function walk(page: Page): Promise<{ names: string[]; mostRows: number }> {
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const names = new Set<string>();
    let mostRows = 0;
    window.scrollTo(0, 0);
    for (let y = 0; ; y += Math.round(innerHeight * 0.8)) {
      window.scrollTo(0, y);
      await frame();
      const rows = document.querySelectorAll('li.user, tbody tr:not([aria-hidden="true"])');
      mostRows = Math.max(mostRows, rows.length);
      for (const row of rows) names.add(row.querySelector('.name')?.textContent ?? '');
      if (y >= document.documentElement.scrollHeight - innerHeight) break;
    }
    return { names: [...names], mostRows };
  });
}

/** Scrolls down from the top, a screen at a time, until `name`'s row is in the page, then to it. */
async function scrollToUser(page: Page, name: string): Promise<void> {
  await page.evaluate(async (name) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const find = () => [...document.querySelectorAll('.user .name, tbody .name')].find((el) => el.textContent === name);
    for (let y = 0; !find() && y < document.documentElement.scrollHeight; y += Math.round(innerHeight * 0.8)) {
      window.scrollTo(0, y);
      await frame();
    }
    find()?.scrollIntoView({ block: 'center' });
    await frame();
  }, name);
}

test.describe('A subscription with many users', () => {
  test(`${TOTAL} users: all reachable by scrolling, keyboard and search, with a bounded number of rows in the page`, async ({
    page,
    team,
  }, testInfo) => {
    test.skip(testInfo.project.name === 'tablet', 'the same cards as on a phone, beside the detail pane');
    test.setTimeout(240_000);
    await addMembers(team);
    await signIn(page, team);
    const table = testInfo.project.name === 'desktop';

    await scrollToTheEnd(page);
    await expect(userEntry(page, memberName(MANY))).toBeVisible();
    expect(await rowsInPage(page).count()).toBeLessThanOrEqual(MOST_ROWS_IN_PAGE);

    // Where each row stands is said in the whole list's terms, not the page's.
    const last = userEntry(page, memberName(MANY));
    if (table) {
      await expect(page.getByRole('table', { name: 'Users' })).toHaveAttribute('aria-rowcount', String(TOTAL + 1));
      await expect(last).toHaveAttribute('aria-rowindex', String(TOTAL + 1));
    } else {
      await expect(last).toHaveAttribute('aria-posinset', String(TOTAL));
      await expect(last).toHaveAttribute('aria-setsize', String(TOTAL));
    }

    // Spacers and windowed rows are sound to assistive technology (axe, as a11y.spec.ts runs it).
    const axe = await new AxeBuilder({ page }).include('.list').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    const { names, mostRows } = await walk(page);
    expect(mostRows).toBeLessThanOrEqual(MOST_ROWS_IN_PAGE);
    const missing = Array.from({ length: MANY }, (_, i) => memberName(i + 1)).filter((name) => !names.includes(name));
    expect(missing).toEqual([]);

    // Keyboard: focus on a row far down stays put while the page scrolls away, and Tab goes on from it.
    await scrollToUser(page, memberName(250));
    await manageButton(page, memberName(250)).focus();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await expect(manageButton(page, memberName(250))).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(manageButton(page, memberName(251))).toBeFocused();
    await expect(manageButton(page, memberName(251))).toBeInViewport();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(manageButton(page, memberName(249))).toBeFocused();
    await expect(manageButton(page, memberName(249))).toBeInViewport();

    // Search reaches a user far down at once, whatever is loaded.
    await page.getByLabel('Search users').fill(memberName(287));
    await expect(userEntry(page, memberName(287))).toBeVisible();
    await expect(rowsInPage(page)).toHaveCount(1);
  });
});
