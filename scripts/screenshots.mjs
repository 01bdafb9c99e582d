// `npm run screenshots`: the README's and docs' pictures of the product, taken from the real app.
// Builds the app, serves it on a fresh local server (PORT, or a free port) with the demo and its 60
// days of history, and writes docs/screenshots/<screen>-<size>-<scheme>.png for Users, Manage user,
// the "No free seat" chooser and Reports, at phone 412×915, tablet 820×1180 and desktop 1366×850,
// light and dark, in Debian's Chromium (CHROMIUM_PATH). Nothing is changed in the demo: the chooser
// is opened and closed. PNGs are shrunk with pngquant or oxipng when one is installed. Prints how
// long each part took. Documentation, not a test: `npm test` does not run it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { freePort } from './local-api.mjs';
import { DEMO, seedDemo, startServer } from './server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'docs/screenshots');
const SIZES = [
  { size: 'phone', viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true },
  { size: 'tablet', viewport: { width: 820, height: 1180 }, isMobile: false, hasTouch: true },
  { size: 'desktop', viewport: { width: 1366, height: 850 }, isMobile: false, hasTouch: false },
];
const SCHEMES = ['light', 'dark'];
// Who the pictures show: a busy technician's seat, and a technician without one when all are taken.
const HOLDER = 'Alex Moreno';
const WITHOUT_SEAT = 'Lena Fischer';
const WAIT = { timeout: 30_000 };

const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

let step = performance.now();
const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
if (built.status !== 0) {
  process.stdout.write(built.stdout);
  process.stderr.write(built.stderr);
  throw new Error('npm run build failed');
}
console.log(`Built the app in ${seconds(step)}`);

step = performance.now();
const persistTo = mkdtempSync(join(tmpdir(), 'setme-screenshots-'));
const server = await startServer({ port: Number(process.env.PORT ?? (await freePort())), persistTo, quiet: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const written = [];
try {
  const story = await seedDemo(server);
  console.log(`Served the demo on ${server.baseUrl} in ${seconds(step)} (history: ${story?.sessions ?? '?'} console sessions)`);
  mkdirSync(OUT, { recursive: true });
  step = performance.now();
  for (const { size, ...device } of SIZES) {
    for (const scheme of SCHEMES) {
      const context = await browser.newContext({ ...device, baseURL: server.baseUrl, colorScheme: scheme, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const shoot = async (screen, options = {}) => {
        const path = join(OUT, `${screen}-${size}-${scheme}.png`);
        await page.screenshot({ path, animations: 'disabled', caret: 'hide', ...options });
        written.push(path);
      };
      await signIn(page);
      await usersScreen(page);
      await shoot('users');

      await page.getByRole('button', { name: `Manage user ${HOLDER}` }).click();
      await page.getByRole('checkbox', { name: 'Assign seat' }).waitFor(WAIT);
      await page.getByRole('heading', { name: HOLDER }).first().waitFor(WAIT);
      await shoot('manage-user');

      await usersScreen(page);
      await page.getByRole('button', { name: `Manage user ${WITHOUT_SEAT}` }).click();
      await page.getByRole('checkbox', { name: 'Assign seat' }).check();
      const chooser = page.getByRole('dialog', { name: `No free seat for ${WITHOUT_SEAT}` });
      await chooser.waitFor(WAIT);
      await shoot('seat-chooser');
      await page.keyboard.press('Escape');
      await chooser.waitFor({ state: 'hidden', ...WAIT });

      await page.goto('/reports');
      await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor(WAIT);
      // The idle-seat list comes last; by then the chart and the activity table are there too.
      await page.getByText('Jordan Blake').last().waitFor(WAIT);
      await page.waitForLoadState('networkidle');
      await shoot('reports', { fullPage: true });
      await context.close();
    }
  }
  console.log(`Took ${written.length} screenshots in ${seconds(step)}`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}

// Screens that are no longer taken should not linger: anything else in the folder is reported.
const stale = readdirSync(OUT).filter((name) => !written.some((path) => path.endsWith(`/${name}`)));
if (stale.length > 0) console.log(`Not written by this run (remove if obsolete): ${stale.join(', ')}`);

step = performance.now();
const before = totalSize(written);
const shrunk = shrink(written);
console.log(
  `${shrunk ? `Shrunk them with ${shrunk} in ${seconds(step)}: ` : 'Neither pngquant nor oxipng is installed, so the PNGs are as Chromium wrote them: '}` +
    `${Math.round(before / 1000)} kB${shrunk ? ` → ${Math.round(totalSize(written) / 1000)} kB` : ''} in ${OUT.replace(ROOT, '')}`,
);
console.log(`npm run screenshots: done in ${seconds(started)}`);

/** Signs in as the demo's administrator through the sign-in screen. */
async function signIn(page) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(DEMO.admin.email);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Opens Users and waits until the list, the seat meter and the live connection are there. */
async function usersScreen(page) {
  if (new URL(page.url()).pathname !== '/') await page.goto('/');
  await page.getByText(`6 of ${DEMO.seats} seats assigned`).first().waitFor(WAIT);
  await page.getByText('Noah Kowalski').first().waitFor(WAIT);
  await page.getByText('Live', { exact: true }).waitFor(WAIT);
}

/** Compresses the PNGs in place with the first tool installed; returns its name, or null. */
function shrink(files) {
  if (has('pngquant')) {
    // Lossy but visually the same for flat UI colours; keeps the original when it cannot do better.
    spawnSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--quality=70-95', '--ext', '.png', ...files]);
    return 'pngquant';
  }
  if (has('oxipng')) {
    execFileSync('oxipng', ['-o', '3', '--strip', 'safe', '-q', ...files]);
    return 'oxipng';
  }
  return null;
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function totalSize(files) {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}
