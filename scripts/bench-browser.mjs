// The Users screen of a big subscription in Chromium, for the benchmark: how long until the first
// user row is on screen, until a search shows only what matches, what scrolling through 2,000
// users costs (frames, long tasks, rows and DOM nodes left in the page), and what a change made
// elsewhere costs the list with them loaded (reads, time to show it). Phone size, no throttling,
// the service worker blocked (as in the browser tests).
//
// `npm run bench` calls `usersScreenTimings` on its largest subscription. Run alone
// (`node scripts/bench-browser.mjs`), it starts its own server (BENCH_PORT and the next one for its
// inspector, else free ports),
// seeds one subscription through the API (BENCH_USERS users, 10,000 by default, for at most
// BENCH_SEED_BUDGET seconds, 120 by default: it prints how many it reached) and measures that;
// its temporary storage is in BENCH_STORAGE, /dev/shm by default where there is one: wrangler's
// local storage makes each user's EmailIndex object a SQLite file synced to disk, which on a busy
// disk halves the seeding rate and tells nothing about the screen (bench-create.mjs measures it);
// with BENCH_COMPARE_BUILD=<dir of another build> it measures that build too, on the same data.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { createUsers, newSubscription } from './bench-seed.mjs';
import { freePort } from './local-api.mjs';
import { startServer } from './server.mjs';
import { table } from './table.mjs';

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
    // A frame's time; a frame that does not come within a second counts as a one-second gap
    // rather than stopping the benchmark (headless Chromium has been seen to stop drawing).
    const frame = () =>
      new Promise((resolve) => {
        const late = setTimeout(() => resolve(performance.now()), 1_000);
        requestAnimationFrame((time) => {
          clearTimeout(late);
          resolve(time);
        });
      });
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
    domNodesBefore: before.Nodes,
    domNodes: after.Nodes,
    layoutMs: (after.LayoutDuration - before.LayoutDuration) * 1000,
    styleMs: (after.RecalcStyleDuration - before.RecalcStyleDuration) * 1000,
    scriptMs: (after.ScriptDuration - before.ScriptDuration) * 1000,
  };
}

/**
 * A change made elsewhere while the list holds thousands of rows: with the page scrolled to the
 * middle of them, a user on screen is renamed through the API (the app learns of it from its live
 * socket, as of another administrator's change), and this measures the ms until the new name is on
 * screen and how many reads of the list the app made for it (counted until none is in flight for a second).
 */
async function liveChange(page, context, baseUrl) {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
  await page.waitForTimeout(1_000);
  const target = await page.evaluate(() => {
    const onScreen = [...document.querySelectorAll('.user')].filter((row) => row.getBoundingClientRect().top >= 0 && row.getBoundingClientRect().bottom <= innerHeight);
    const row = onScreen[Math.floor(onScreen.length / 2)];
    return { id: row.dataset.id, index: Number(row.dataset.row), loaded: document.querySelector('.list .count')?.textContent ?? '' };
  });
  const reads = [];
  const inFlight = new Set();
  let quietSince = performance.now();
  const isListRead = (request) => /\/api\/v1\/users\?/.test(request.url());
  const sent = (request) => {
    if (!isListRead(request)) return;
    reads.push(request.url());
    inFlight.add(request);
  };
  const over = (request) => {
    if (inFlight.delete(request) && inFlight.size === 0) quietSince = performance.now();
  };
  page.on('request', sent);
  page.on('requestfinished', over);
  page.on('requestfailed', over);
  const name = `Renamed ${Date.now().toString(36)}`;
  const shown = page.evaluate(
    ({ name, timeout }) =>
      new Promise((resolve, reject) => {
        const t0 = performance.now();
        const check = () =>
          [...document.querySelectorAll('.user .name')].some((n) => n.textContent === name)
            ? resolve(performance.now() - t0)
            : performance.now() - t0 > timeout
              ? reject(new Error(`${name} not shown`))
              : requestAnimationFrame(check);
        check();
      }),
    { name, timeout: 6 * TIMEOUT_MS },
  );
  const renamed = await context.request.patch(`${baseUrl}/api/v1/users/${target.id}`, { data: { name }, headers: { origin: baseUrl } });
  if (!renamed.ok()) throw new Error(`rename answered ${renamed.status()}`);
  const ms = await shown;
  while (inFlight.size > 0 || performance.now() - quietSince < 1_000) await new Promise((r) => setTimeout(r, 100));
  page.off('request', sent);
  page.off('requestfinished', over);
  page.off('requestfailed', over);
  return { ms, reads: reads.length, row: target.index + 1, loaded: Number(target.loaded.match(/Showing ([\d,]+)/)?.[1].replace(/,/g, '') ?? 0) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * What the screen searches for among `created` (the `POST /users` answers, in order): a name and a
 * piece of an email's middle, each of a different user, so the second search finds nothing the
 * first one read (no answer from a warm cache). Emails are `tag.<time>.<counter>@…`, so
 * `.<counter>@` is in the middle of exactly one.
 * @param {{ user: { name: string, email: string } }[]} created
 */
export function screenQueries(created) {
  const [first, family] = created.at(-1).user.name.split(' ');
  const other = created[Math.floor(created.length / 2)].user;
  return { name: `${first} ${family.slice(0, 2)}`, email: `.${other.email.split('.').at(-2).replace(/@.*/, '')}@` };
}

/**
 * Opens the Users screen `runs` times, signed in as `account` ({ email, password }).
 * @param {{ name: string, email: string }} queries a name prefix, and a piece of an email's middle
 *   (of two different users: see `screenQueries`)
 */
export async function usersScreenTimings(baseUrl, account, queries, runs = 3) {
  const browser = await chromium.launch(LAUNCH);
  const firstRows = [];
  const nameSearches = [];
  const emailSearches = [];
  let scroll = null;
  let change = null;
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
        change = await liveChange(page, context, baseUrl);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { runs, firstRow: median(firstRows), nameSearch: median(nameSearches), emailSearch: median(emailSearches), scroll, change };
}

// ── Run alone: a server, one big subscription, the figures ────────────────────────────────────

export const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/**
 * Signs up a subscription and creates `wanted - 1` users in it through the API (24 in flight),
 * starting none after `budgetSeconds`. Returns the administrator's sign-in and the creations' answers.
 */
async function seedSubscription(baseUrl, mailbox, wanted, budgetSeconds) {
  const { api, account } = await newSubscription(baseUrl, mailbox, { organization: 'Bench screen' });
  const created = await createUsers(api, { to: wanted - 1, flight: 24, deadline: performance.now() + budgetSeconds * 1000 });
  return { account, created };
}

async function main() {
  const wanted = Number(process.env.BENCH_USERS ?? 10_000);
  const budget = Number(process.env.BENCH_SEED_BUDGET ?? 120);
  const storage = process.env.BENCH_STORAGE ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const persistTo = mkdtempSync(join(storage, 'setme-bench-browser-'));
  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : await freePort();
  // wrangler's inspector next to it, as in bench.mjs (BENCH_PORT picks both).
  const inspectorPort = process.env.BENCH_PORT ? port + 1 : await freePort();
  let server = await startServer({ port, persistTo, quiet: true, inspectorPort });
  try {
    const t0 = performance.now();
    const { account, created } = await seedSubscription(server.baseUrl, server.mailbox, wanted, budget);
    const seconds = (performance.now() - t0) / 1000;
    const size = created.length + 1;
    console.log(
      `Seeded ${size} users through the API in ${fixed(seconds)} s (${fixed(created.length / seconds, 0)} users/s, 24 in flight, storage in ${storage}, load average ${loadavg().map((l) => fixed(l, 2)).join(' ')})` +
        (size < wanted ? `: stopped short of ${wanted}, the ${budget} s budget ran out (BENCH_SEED_BUDGET)` : ''),
    );
    const q = screenQueries(created);
    const screen = await usersScreenTimings(server.baseUrl, account, q);
    printScreen(screen, size, q);
    // BENCH_COMPARE_BUILD: another build of the app (e.g. main's, `npm run build` there), served
    // over the same storage right after, for a same-load comparison.
    const other = process.env.BENCH_COMPARE_BUILD;
    if (other) {
      await server.stop();
      server = await startServer({ port, persistTo, quiet: true, inspectorPort, assets: other });
      console.log(`\nThe same with the app built in ${other}:`);
      printScreen(await usersScreenTimings(server.baseUrl, account, q), size, q);
    }
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

/** The figures as tables (bench.mjs prints the same). */
export function printScreen(screen, size, q) {
  console.log(`\nThe Users screen in Chromium (phone size, no throttling, median of ${screen.runs}) with ${size} users:`);
  console.log(table(['what', 'ms'], [
    ['navigation → first user row visible', fixed(screen.firstRow, 0)],
    [`typing "${q.name}" → only matching rows shown (incl. the 250 ms typing pause)`, fixed(screen.nameSearch, 0)],
    [`typing "${q.email}" → only matching rows shown (incl. the 250 ms typing pause)`, fixed(screen.emailSearch, 0)],
  ]));
  const s = screen.scroll;
  console.log(`Scrolling through ${s.loaded} of them (loaded by scrolling to the end, ${fixed(s.loadingMs / 1000)} s), top to bottom at 200 px a frame:`);
  console.log(table(['what', 'figure'], [
    ['frames, seconds (frames a second)', `${s.frames}, ${fixed(s.seconds)} s (${fixed(s.fps, 0)}/s)`],
    ['frame gap p95 / worst, ms', `${fixed(s.p95FrameMs, 1)} / ${fixed(s.worstFrameMs, 1)}`],
    ['frames over 33 ms (visible stutter)', s.slowFrames],
    ['long tasks (> 50 ms), total ms', `${s.longTasks}, ${fixed(s.longTaskMs, 0)}`],
    ['layout / style / script time while scrolling, ms', `${fixed(s.layoutMs, 0)} / ${fixed(s.styleMs, 0)} / ${fixed(s.scriptMs, 0)}`],
    ['user rows in the page: most at once / at the end', `${s.mostRows} / ${s.rowsAtEnd}`],
    ['DOM nodes before the walk / at the end', `${s.domNodesBefore} / ${s.domNodes}`],
  ]));
  const c = screen.change;
  console.log(`A user on screen renamed through the API (as by another administrator), the list scrolled to row ${c.row} of ${c.loaded} loaded:`);
  console.log(table(['what', 'figure'], [
    ['rename sent → new name on screen, ms', fixed(c.ms, 0)],
    ['reads of the list the app made for it', c.reads],
  ]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
