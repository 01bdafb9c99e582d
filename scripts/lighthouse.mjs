// `npm run lighthouse`: Lighthouse on every screen of the app (not part of `npm test`).
//
// Builds the app if it is missing or older than its source, starts the local server on fresh
// temporary storage, creates the demo subscription and signs in as its administrator, then audits
// each screen N times (mobile preset, simulated throttling: Lighthouse's defaults) in the same
// Chromium as the browser tests. Before every run the script clears the origin's storage (cookies,
// caches, the service worker) and the HTTP cache itself, then sets the sign-in cookies for signed-in
// screens (scripts/cdp.mjs): each run is a first visit with a cold cache, signed in. A run that ends
// anywhere but the screen asked for (e.g. the sign-in page) stops the script. Prints the medians per screen and writes every HTML
// report (and its JSON) to lighthouse-reports/. Beside Lighthouse's figures, a blocking time from the
// main thread's CPU time (TBT (CPU)), which a busy machine changes less, and Lighthouse's benchmark
// index of the machine (host index), which says how busy it was.
//
//   npm run lighthouse -- --runs 5 --screens users,signin --port 8840
//
// Options: --runs N (default 3), --screens a,b (names below; default all), --port N (the server's
// port; Chrome's debugging port is N+1; default: free ports), --out DIR, --compare DIR (another
// build of the app, e.g. main's build/ copied aside: served by a second server with its own demo
// subscription, its runs taken in turn with this build's, so both meet the same load; one table each).
// Scores move a few points between runs on a busy machine: compare medians, not single runs.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { coldSignedIn, connectBrowser } from './cdp.mjs';
import { freePort } from './local-api.mjs';
import { cookieHeader, DEMO, seedDemo, startServer } from './server.mjs';
import { table } from './table.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every screen, as a person reaches it; `:user` is a technician of the demo subscription. */
const SCREENS = [
  { name: 'signin', label: 'Sign in', path: '/signin', signedIn: false },
  { name: 'users', label: 'Users', path: '/', signedIn: true },
  { name: 'user', label: 'Manage user', path: '/users/:user', signedIn: true },
  { name: 'new', label: 'Add user', path: '/users/new', signedIn: true },
  { name: 'requests', label: 'Requests', path: '/requests', signedIn: true },
  { name: 'reports', label: 'Reports', path: '/reports', signedIn: true },
  { name: 'subscription', label: 'Subscription', path: '/subscription', signedIn: true },
  { name: 'me', label: 'Me', path: '/me', signedIn: true },
  { name: 'security', label: 'Security', path: '/me/security', signedIn: true },
];

// The same browser as the browser tests (playwright.config.ts CHROMIUM): root in a container, no
// GPU, and a closed network where nothing may phone home.
const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    screens: { type: 'string', default: SCREENS.map((s) => s.name).join(',') },
    port: { type: 'string' },
    out: { type: 'string', default: 'lighthouse-reports' },
    compare: { type: 'string' },
  },
});
const runs = Number(options.runs);
const wanted = options.screens.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = wanted.filter((name) => !SCREENS.some((s) => s.name === name));
if (!(runs >= 1) || unknown.length > 0) {
  console.error(`Usage: npm run lighthouse -- [--runs N] [--screens ${SCREENS.map((s) => s.name).join(',')}] [--port N] [--out DIR]`);
  if (unknown.length > 0) console.error(`Unknown screen(s): ${unknown.join(', ')}`);
  process.exit(2);
}
const screens = SCREENS.filter((s) => wanted.includes(s.name));
const outDir = resolve(ROOT, options.out); // relative to the project, or an absolute path

// ── Build, serve, sign in ─────────────────────────────────────────────────────────────────────

/** The newest modification time of any file under `path`. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

/** Builds the app unless build/ is newer than everything it is built from. */
function buildIfNeeded() {
  const built = `${ROOT}build/index.html`;
  const sources = ['app', 'worker/contract', 'vite.config.ts', 'package.json', 'scripts/build-manifest.mjs', 'scripts/inline-css.mjs', 'scripts/route-preload.mjs', 'scripts/security-headers.mjs'];
  const inputs = sources.map((s) => `${ROOT}${s}`).filter((path) => existsSync(path));
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...inputs.map(newest))) return;
  console.log('Building the app first (build/ is missing or older than its source)…');
  execSync('npm run build', { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Signs in as the demo administrator; returns the session cookie and a technician's id. */
async function signIn(baseUrl) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email: DEMO.admin.email, password: DEMO.password }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status} ${await login.text()}`);
  const cookie = cookieHeader(login.headers.getSetCookie());
  const users = await (await fetch(`${baseUrl}/api/v1/users?limit=50`, { headers: { cookie } })).json();
  const technician = users.items.find((u) => u.role === 'technician' && u.seat);
  return { cookie, userId: technician.id };
}

// ── Measuring ────────────────────────────────────────────────────────────────────────────────

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The CPU time (ms) of every main-thread task after the first paint. Total blocking time from them
 * (`blocking`) instead of from wall-clock time: on a busy machine the wall-clock durations
 * Lighthouse simulates from stretch with the load; the CPU a task used hardly does, so this
 * compares runs made under different loads.
 */
function cpuTasks(trace) {
  const events = trace?.traceEvents ?? [];
  const paint = events.find((e) => e.name === 'firstContentfulPaint');
  if (!paint) return [];
  return events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === paint.pid && e.tid === paint.tid && e.ts >= paint.ts && e.tdur !== undefined)
    .map((e) => e.tdur / 1000);
}

/** Lighthouse's blocking time of `tasks` (ms) with the CPU slowed 4× (the mobile preset): each counts beyond 50 ms. */
const blocking = (tasks) => (tasks.length ? tasks.reduce((sum, t) => sum + Math.max(0, 4 * t - 50), 0) : NaN);

/** The figures of one run that go into the table. */
function figures(lhr) {
  const score = (id) => Math.round((lhr.categories[id]?.score ?? NaN) * 100);
  const value = (id) => lhr.audits[id]?.numericValue ?? NaN;
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    fcp: value('first-contentful-paint'),
    lcp: value('largest-contentful-paint'),
    cls: value('cumulative-layout-shift'),
    tbt: value('total-blocking-time'),
    si: value('speed-index'),
    cpuTbt: blocking(lhr.cpuTasks ?? []),
    benchmarkIndex: lhr.environment?.benchmarkIndex ?? NaN,
  };
}

/**
 * What costs this run points: the elements that shifted (Lighthouse's layout-shift culprits),
 * what blocked the first paint, the largest paint, and every failed accessibility or
 * best-practices audit. Printed under the table for the run closest to the median.
 */
function findings(lhr) {
  const items = (id) => lhr.audits[id]?.details?.items ?? [];
  const lines = [];
  for (const shift of items('layout-shifts').slice(0, 3)) {
    lines.push(`shift ${shift.score?.toFixed(3)}: ${shift.node?.selector ?? shift.node?.nodeLabel ?? '?'}`);
  }
  const blocking = items('render-blocking-insight').length ? items('render-blocking-insight') : items('render-blocking-resources');
  for (const b of blocking) lines.push(`render-blocking: ${String(b.url).replace(/^https?:\/\/[^/]+/, '')} (${Math.round(b.wastedMs ?? b.totalBytes ?? 0)})`);
  const lcp = items('largest-contentful-paint-element')[0]?.items?.[0]?.node ?? items('lcp-discovery-insight')[0]?.node;
  if (lcp) lines.push(`LCP element: ${lcp.selector ?? lcp.nodeLabel}`);
  for (const category of ['accessibility', 'best-practices']) {
    for (const ref of lhr.categories[category]?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) lines.push(`${category} fails: ${ref.id} — ${audit.title}`);
    }
  }
  return lines;
}

async function audit(chrome, browser, url, cookie, screen, run, build) {
  await coldSignedIn(browser, new URL(url).origin, cookie);
  const result = await lighthouse(url, {
    port: chrome.port,
    output: ['html', 'json'],
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices'],
    // Done above, keeping the sign-in cookies.
    disableStorageReset: true,
  });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  result.lhr.cpuTasks = cpuTasks(result.artifacts?.Trace);
  const landed = new URL(result.lhr.finalDisplayedUrl);
  if (landed.pathname !== new URL(url).pathname) throw new Error(`${screen.label}: measured ${landed.pathname}${landed.search}, not ${new URL(url).pathname}`);
  const [html, json] = result.report;
  writeFileSync(join(outDir, `${screen.name}${build.suffix}-${run}.html`), html);
  writeFileSync(join(outDir, `${screen.name}${build.suffix}-${run}.json`), json);
  for (const warning of result.lhr.runWarnings) console.log(`    warning: ${warning}`);
  return result.lhr;
}

const seconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '–');
const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '–');

/** A served build of the app: its server, demo sign-in, and the runs of each screen so far. */
async function serve(port, assets, label, suffix) {
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-lighthouse-'));
  const server = await startServer({ port, persistTo, quiet: true, ...(assets ? { assets } : {}) });
  try {
    await seedDemo(server);
    return { server, persistTo, label, suffix, ...(await signIn(server.baseUrl)) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The table row and findings of one screen's runs on one build. */
function summary(label, lhrs) {
  if (lhrs.length === 0) return { row: [label, 'failed', '', '', '', '', '', '', '', '', ''], lines: ['every run failed: see above'] };
  const all = lhrs.map(figures);
  const m = Object.fromEntries(Object.keys(all[0]).map((k) => [k, median(all.map((f) => f[k]))]));
  // The findings of the run whose performance score is the median one.
  const typical = lhrs[all.map((f) => f.performance).indexOf(median(all.map((f) => f.performance)))] ?? lhrs[0];
  return {
    row: [label, m.performance, m.accessibility, m.bestPractices, seconds(m.fcp), seconds(m.lcp), m.cls.toFixed(3), ms(m.tbt), seconds(m.si), ms(m.cpuTbt), Math.round(m.benchmarkIndex)],
    lines: findings(typical),
  };
}

async function main() {
  const began = performance.now();
  buildIfNeeded();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const port = options.port ? Number(options.port) : await freePort();
  const builds = [];
  let chrome;
  let browser;
  try {
    builds.push(await serve(port, null, 'build/', ''));
    if (options.compare) builds.push(await serve(options.port ? port + 2 : await freePort(), resolve(options.compare), options.compare, '-compare'));
    chrome = await chromeLauncher.launch({
      chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      chromeFlags: CHROME_FLAGS,
      ...(options.port ? { port: port + 1 } : {}),
    });
    browser = await connectBrowser(chrome.port);
    const where = builds.map((b) => `${b.label} on ${b.server.baseUrl}`).join(', in turn with ');
    console.log(`Lighthouse ${runs}× per screen: ${where} (mobile, simulated throttling), reports in ${options.out}/\n`);
    const results = builds.map(() => ({ rows: [], notes: [] }));
    for (const screen of screens) {
      const lhrs = builds.map(() => []);
      for (let run = 1; run <= runs; run++) {
        for (const [i, build] of builds.entries()) {
          const url = build.server.baseUrl + screen.path.replace(':user', build.userId);
          const t0 = performance.now();
          const lhr = await audit(chrome, browser, url, screen.signedIn ? build.cookie : null, screen, run, build);
          const name = `${screen.label}${build.suffix ? ` (${build.label})` : ''} #${run}`;
          // A run Lighthouse could not finish (e.g. a page that never settles) says why and is left out.
          if (lhr.runtimeError) {
            console.log(`  ${name}: FAILED — ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
            continue;
          }
          lhrs[i].push(lhr);
          const f = figures(lhr);
          console.log(`  ${name}: performance ${f.performance}, CLS ${f.cls.toFixed(3)}, FCP ${seconds(f.fcp)} (${seconds(performance.now() - t0)})`);
        }
      }
      for (const [i] of builds.entries()) {
        const { row, lines } = summary(screen.label, lhrs[i]);
        results[i].rows.push(row);
        results[i].notes.push([screen.label, lines]);
      }
    }
    for (const [i, build] of builds.entries()) {
      console.log(`\nMedians of ${runs} run${runs > 1 ? 's' : ''} per screen, ${build.label}:\n`);
      console.log(table(['screen', 'perf', 'a11y', 'best pr.', 'FCP', 'LCP', 'CLS', 'TBT', 'speed index', 'TBT (CPU)', 'host index'], results[i].rows));
    }
    console.log('\nTBT (CPU): the blocking time from the main thread\'s CPU time ×4, which a busy machine changes less (see cpuTasks).');
    console.log(
      "host index: Lighthouse's benchmark index of this machine, measured before each run. It drops while other work competes " +
        "for the CPU, and the simulated figures get worse with it: compare runs of similar index. The mobile preset's 4× CPU " +
        'slowdown is calibrated for an index of about 1500 (Lighthouse docs/throttling.md).',
    );
    for (const [i, build] of builds.entries()) {
      console.log(`\nWhat the typical run of each screen points at${builds.length > 1 ? `, ${build.label}` : ''}:`);
      for (const [label, lines] of results[i].notes) {
        console.log(`  ${label}:${lines.length ? '' : ' nothing'}`);
        for (const line of lines) console.log(`    ${line}`);
      }
    }
  } finally {
    browser?.close();
    await chrome?.kill();
    for (const build of builds) {
      await build.server.stop();
      rmSync(build.persistTo, { recursive: true, force: true });
    }
  }
  console.log(`\nTotal ${seconds(performance.now() - began)}.`);
}

await main();
