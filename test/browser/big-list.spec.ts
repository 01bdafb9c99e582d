/**
 * A subscription with hundreds of users: scrolling the Users screen loads page after page until
 * every user is in the list, with only the rows near the viewport in the page. It once stalled at
 * 100: a change made elsewhere reloads the list, the end of the list stayed in view throughout,
 * and an observer that reports only the end coming into view never asked for the next page again.
 *
 * The page is scrolled in steps (`scrollBy`) and each step waits, by polling from here, until rows
 * cover the screen: never on a frame callback in the page, which would wait forever if Chromium
 * stopped drawing (as it once did here right after a `scrollIntoView`), and never longer than the
 * poll's own timeout.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page, Request } from '@playwright/test';
import { expect, manageButton, signIn, type Team, test, userEntry } from './fixtures';

/** Users added to the team's four (the administrator and three technicians): five pages of 50 and some. */
const MANY = 250;
const TOTAL = MANY + 4;

/** More rows than a tall screen shows twice over, far fewer than the list holds. */
const MOST_ROWS_IN_PAGE = 80;

const memberName = (i: number) => `Member ${String(i).padStart(3, '0')}`;

/** Creates `count` members through the API, a few at a time (the list shows them in this order); returns their ids by name. */
async function addMembers(team: Team, count = MANY): Promise<Map<string, string>> {
  const tag = team.admin.email.split('@')[0];
  const ids = new Map<string, string>();
  let next = 1;
  const worker = async () => {
    // Taken in order so each worker's users are created one after another; the list is ordered by creation.
    while (next <= count) {
      const i = next++;
      const created = await team.api.createUser({ name: memberName(i), email: `member-${i}-${tag}@test.setme.test`, assignSeat: false });
      ids.set(memberName(i), created.user.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
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

/** User rows in the page (cards on phones and tablets, table rows on desktops); spacers are not rows. */
const rowsInPage = (page: Page) => page.locator('li.user, tbody tr[data-row]');

/**
 * Waits until rows cover the screen where the page is scrolled to now (no spacer in view), then
 * returns the names of the rows in the page and how many there are.
 */
async function rowsOnScreen(page: Page): Promise<{ names: string[]; rows: number }> {
  const spacerInView = () =>
    page.evaluate(() => [...document.querySelectorAll('.spacer')].some((s) => s.getBoundingClientRect().bottom > 1 && s.getBoundingClientRect().top < innerHeight - 1));
  await expect.poll(spacerInView, { message: 'rows cover the screen' }).toBe(false);
  return page.evaluate(() => {
    const rows = document.querySelectorAll('li.user, tbody tr[data-row]');
    return { names: [...rows].map((row) => row.querySelector('.name')?.textContent ?? ''), rows: rows.length };
  });
}

/** Scrolls by `dy` px and says whether the page moved (false at the end). */
const scrollBy = (page: Page, dy: number) =>
  page.evaluate((dy) => {
    const before = scrollY;
    window.scrollBy(0, dy);
    return scrollY !== before;
  }, dy);

/**
 * Walks the page from the top a screen at a time, as a person scrolling would, until `stop` says
 * so or the end; returns every name seen on the way and the most rows the page held at once.
 */
async function walk(page: Page, stop: (names: string[]) => boolean = () => false): Promise<{ names: Set<string>; mostRows: number }> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const names = new Set<string>();
  let mostRows = 0;
  const step = await page.evaluate(() => Math.round(innerHeight * 0.8));
  for (let moved = true; moved; moved = await scrollBy(page, step)) {
    const seen = await rowsOnScreen(page);
    mostRows = Math.max(mostRows, seen.rows);
    for (const name of seen.names) names.add(name);
    if (stop(seen.names)) break;
  }
  return { names, mostRows };
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
    expect(await rowsInPage(page).count()).toBeLessThanOrEqual(MOST_ROWS_IN_PAGE);

    // Where each row stands is said in the whole list's terms, not the page's.
    const last = userEntry(page, 'Latecomer');
    if (testInfo.project.name === 'desktop') {
      await expect(page.getByRole('table', { name: 'Users' })).toHaveAttribute('aria-rowcount', String(TOTAL + 2));
      await expect(last).toHaveAttribute('aria-rowindex', String(TOTAL + 2));
    } else {
      await expect(last).toHaveAttribute('aria-posinset', String(TOTAL + 1));
      await expect(last).toHaveAttribute('aria-setsize', String(TOTAL + 1));
    }

    // Spacers and windowed rows are sound to assistive technology (axe, as a11y.spec.ts runs it).
    const axe = await new AxeBuilder({ page }).include('.list').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    // Every user is reachable by scrolling, with never more than a few screens of rows in the page.
    const { names, mostRows } = await walk(page);
    expect(mostRows).toBeLessThanOrEqual(MOST_ROWS_IN_PAGE);
    const missing = [...Array.from({ length: MANY }, (_, i) => memberName(i + 1)), 'Latecomer'].filter((name) => !names.has(name));
    expect(missing).toEqual([]);

    // Keyboard: focus on a row far down stays put while the page scrolls away, and Tab goes on from it.
    await walk(page, (seen) => seen.includes(memberName(200)));
    await manageButton(page, memberName(200)).focus();
    await page.evaluate(() => window.scrollTo(0, 0));
    await rowsOnScreen(page);
    await expect(page.locator('[data-row="0"]')).toBeInViewport();
    await expect(manageButton(page, memberName(200))).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(manageButton(page, memberName(201))).toBeFocused();
    await expect(manageButton(page, memberName(201))).toBeInViewport();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(manageButton(page, memberName(199))).toBeFocused();
    await expect(manageButton(page, memberName(199))).toBeInViewport();

    // A change made elsewhere reloads the list where it is: row 199 stays on screen, nothing cut back.
    const reloadedInPlace = page.waitForResponse((r) => /\/api\/v1\/users\?.*cursor=/.test(r.url()));
    await script.createUser({ name: 'Second latecomer', email: `second-${team.organization.slice(-8)}@test.setme.test`, assignSeat: false });
    await reloadedInPlace;
    await expect(countOf(page)).toHaveText(`Showing ${TOTAL + 2} users`);
    await expect(manageButton(page, memberName(199))).toBeInViewport();
    await expect(manageButton(page, memberName(199))).toBeFocused();

    // Search reaches a user far down at once, whatever is loaded.
    await page.getByLabel('Search users').fill(memberName(237));
    await expect(userEntry(page, memberName(237))).toBeVisible();
    await expect(rowsInPage(page)).toHaveCount(1);
  });

  test('a change elsewhere reloads the rows on screen with a read or two, one read at a time, however many rows are loaded', async ({ page, team }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'the list logic is the same on every screen size');
    test.setTimeout(240_000);
    const LOADED = 600;
    const ids = await addMembers(team, LOADED);
    await signIn(page, team);
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await scrollUntil(page, `Showing ${LOADED + 4} users`);
    const script = await team.newApi();
    await walk(page, (seen) => seen.includes(memberName(300)));
    await page.waitForLoadState('networkidle');

    // Every read of the list from now on, and how many were on their way at once.
    const reads: string[] = [];
    const inFlight = new Set<Request>();
    let mostInFlight = 0;
    page.on('request', (request) => {
      if (!/\/api\/v1\/users\?/.test(request.url())) return;
      reads.push(request.url());
      inFlight.add(request);
      mostInFlight = Math.max(mostInFlight, inFlight.size);
    });
    page.on('requestfinished', (request) => inFlight.delete(request));
    page.on('requestfailed', (request) => inFlight.delete(request));
    const settled = () => expect.poll(() => inFlight.size, { message: 'the list stops reading' }).toBe(0);

    // One change made elsewhere, to a row on screen: it shows, in place, after a read or two (the
    // rows around the screen, and the list's end, where new users would arrive), not the ~7 reads of
    // 100 that reloading all 604 rows takes.
    await script.ok('PATCH', `/users/${ids.get(memberName(300))}`, { name: 'Member 300 renamed' });
    await expect(userEntry(page, 'Member 300 renamed')).toBeVisible();
    await settled();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.length, reads.join('\n')).toBeLessThanOrEqual(3);
    await expect(countOf(page)).toHaveText(`Showing ${LOADED + 4} users`);

    // A steady stream of changes: never more than one read at a time, and the list ends current.
    reads.length = 0;
    for (let i = 295; i <= 305; i++) await script.ok('PATCH', `/users/${ids.get(memberName(i))}`, { name: `${memberName(i)} v2` });
    for (const i of [295, 300, 305]) await expect(userEntry(page, `${memberName(i)} v2`)).toBeVisible();
    await settled();
    expect(mostInFlight).toBe(1);
    // Each change at most folds into one more reload after the one running: far fewer reads than changes × 7.
    expect(reads.length, reads.join('\n')).toBeLessThanOrEqual(11 * 3);
    await expect(countOf(page)).toHaveText(`Showing ${LOADED + 4} users`);

    // Rows far from the screen are read again when they come on screen: the first ones, renamed meanwhile.
    await script.ok('PATCH', `/users/${ids.get(memberName(2))}`, { name: 'Member 002 renamed' });
    await settled();
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(userEntry(page, 'Member 002 renamed')).toBeInViewport();
  });
});
