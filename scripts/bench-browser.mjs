// The Users screen of a big subscription in Chromium, for the benchmark: how long until the first
// user row is on screen, until a search shows only what matches, and what scrolling through 2,000
// users costs (frames, long tasks, rows left in the page). Phone size, no throttling, the service
// worker blocked (as in the browser tests).
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

/** How many users the scrolling figure scrolls past (the list loads pages of 50 on the way). */
const SCROLL_ROWS = 2_000;
/** The scrolling speed: a steady 200 px a frame (12,000 px/s at 60 Hz), a fast flick held throughout. */
const SCROLL_STEP_PX = 200;

/**
 * Loads `rows` users by scrolling to the end of the list (each end loads a page), then scrolls from
 * the top to the end of them at a steady pace, one step a frame, and measures what that cost: the
 * frames and their gaps, the long tasks (> 50 ms), how many user rows the page held at most and at
 * the end, and the browser's own layout, style and script time (CDP Performance metrics).
 */
async function scrollThrough(page, cdp, rows) {
  const t0 = performance.now();
  const loaded = await page.evaluate(
    async ({ rows, timeout, total }) => {
      const shown = () => Number(document.querySelector('.list .count')?.textContent?.match(/Showing ([\d,]+)/)?.[1].replace(/,/g, '') ?? 0);
      const more = () => document.querySelector('.list .count')?.textContent?.includes('so far');
      const until = (test) =>
        new Promise((resolve) => {
          const t = performance.now();
          const check = () => (test() || performance.now() - t > timeout ? resolve() : requestAnimationFrame(check));
          check();
        });
      // As a person would: scroll to the end, and press "Show more users" if no page comes.
      const deadline = performance.now() + total;
      while (shown() < rows && more() && performance.now() < deadline) {
        const before = shown();
        window.scrollTo(0, document.documentElement.scrollHeight);
        await until(() => shown() > before || !more());
        if (shown() === before) [...document.querySelectorAll('.list button')].find((b) => b.textContent.includes('Show more users'))?.click();
        await until(() => shown() > before || !more());
      }
      return shown();
    },
    { rows, timeout: 2_000, total: 6 * TIMEOUT_MS },
  );
  const loading = performance.now() - t0;

  await cdp.send('Performance.enable');
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metric();
  const walk = await page.evaluate(async (step) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const count = () => document.querySelectorAll('.user').length;
    window.scrollTo(0, 0);
    await frame();
    await frame();
    const gaps = [];
    let mostRows = count();
    let last = await frame();
    // To the end of what is loaded now: the page loaded at the end does not extend the walk.
    const end = document.documentElement.scrollHeight - innerHeight;
    for (let y = 0; y < end; ) {
      y = Math.min(end, y + step);
      window.scrollTo(0, y);
      const now = await frame();
      gaps.push(now - last);
      last = now;
      mostRows = Math.max(mostRows, count());
    }
    await frame();
    observer.disconnect();
    return { gaps, longTasks, mostRows, rowsAtEnd: count(), scrolled: window.scrollY };
  }, SCROLL_STEP_PX);
  const after = await metric();
  const sorted = [...walk.gaps].sort((a, b) => a - b);
  const took = walk.gaps.reduce((a, b) => a + b, 0);
  return {
    loaded,
    loadingMs: loading,
    scrolledPx: walk.scrolled,
    frames: walk.gaps.length,
    seconds: took / 1000,
    fps: walk.gaps.length / (took / 1000),
    p95FrameMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    worstFrameMs: sorted.at(-1) ?? 0,
    // A frame that took more than two vsyncs (33 ms) is one a person sees stutter.
    slowFrames: walk.gaps.filter((g) => g > 33.4).length,
    longTasks: walk.longTasks.length,
    longTaskMs: walk.longTasks.reduce((a, b) => a + b, 0),
    mostRows: walk.mostRows,
    rowsAtEnd: walk.rowsAtEnd,
    domNodes: after.Nodes,
    layoutMs: (after.LayoutDuration - before.LayoutDuration) * 1000,
    styleMs: (after.RecalcStyleDuration - before.RecalcStyleDuration) * 1000,
    scriptMs: (after.ScriptDuration - before.ScriptDuration) * 1000,
  };
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
  let scroll = null;
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
        // Back to everyone: the first page of a big subscription says "so far" (more to load).
        await page.fill('#user-search', '');
        await page.waitForFunction(() => document.querySelector('.list .count')?.textContent?.includes('so far'));
        scroll = await scrollThrough(page, await context.newCDPSession(page), SCROLL_ROWS);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { runs, firstRow: median(firstRows), nameSearch: median(nameSearches), emailSearch: median(emailSearches), scroll };
}
