// The Users screen of a big subscription in Chromium, for the benchmark: how long until the first
// user row is on screen, until a search shows only what matches, and what scrolling leaves in the
// page. Phone size, no throttling, the service worker blocked (as in the browser tests).
import { chromium } from '@playwright/test';

// The same browser and flags as the browser tests (playwright.config.ts CHROMIUM).
const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
const TIMEOUT_MS = 20_000;

/** Sets the search box and resolves to the ms until every row shown matches in `field`. */
function searchIn(page, query, field) {
  return page.evaluate(
    async ({ query, field, timeout }) => {
      const input = document.querySelector('#user-search');
      const matches = () => {
        const cells = [...document.querySelectorAll(`.user .${field}`)];
        return cells.length > 0 && cells.every((c) => c.textContent.toLowerCase().includes(query.toLowerCase()));
      };
      const t0 = performance.now();
      input.value = query;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((resolve, reject) => {
        const check = () => (matches() ? resolve() : performance.now() - t0 > timeout ? reject(new Error(`no match for ${query}`)) : requestAnimationFrame(check));
        check();
      });
      return performance.now() - t0;
    },
    { query, field, timeout: TIMEOUT_MS },
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Opens the Users screen `runs` times, signed in as `account` ({ email, password }).
 * @param {{ name: string, email: string }} queries a name prefix, and a piece of an email's middle
 */
export async function usersScreenTimings(baseUrl, account, queries, runs = 3) {
  const browser = await chromium.launch(LAUNCH);
  const firstRows = [];
  const nameSearches = [];
  const emailSearches = [];
  let rowsAfterScroll = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        serviceWorkers: 'block',
      });
      // Signed in through the context, so the cookies are in the browser's jar: the app reads this
      // device's key from document.cookie before it asks who is signed in.
      const login = await context.request.post(`${baseUrl}/api/v1/auth/login`, { data: account, headers: { origin: baseUrl } });
      if (login.status() !== 200) throw new Error(`sign-in answered ${login.status()}`);
      // When the first row enters the page, measured in the page (ms since navigation start).
      await context.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (document.querySelector('.user')) {
            window.__firstRow = performance.now();
            observer.disconnect();
          }
        }).observe(document, { subtree: true, childList: true });
      });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT_MS);
      await page.goto(`${baseUrl}/`);
      await page.locator('.user').first().waitFor();
      firstRows.push(await page.evaluate(() => window.__firstRow));
      nameSearches.push(await searchIn(page, queries.name, 'name'));
      emailSearches.push(await searchIn(page, queries.email, 'email'));
      if (run === 0) {
        // Back to everyone, then scroll to the end of the list up to three times (each loads a page).
        await page.fill('#user-search', '');
        await page.waitForFunction(() => document.querySelectorAll('.user').length >= 50);
        for (let i = 0; i < 3 && (await page.getByRole('button', { name: 'Show more users' }).count()) > 0; i++) {
          const before = await page.locator('.user').count();
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
          await page.waitForFunction((n) => document.querySelectorAll('.user').length > n, before);
        }
        rowsAfterScroll = await page.locator('.user').count();
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { runs, firstRow: median(firstRows), nameSearch: median(nameSearches), emailSearch: median(emailSearches), rowsAfterScroll };
}
