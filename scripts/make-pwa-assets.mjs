// Makes the PWA's PNG files with headless Chromium (no image tools needed):
//   node scripts/make-pwa-assets.mjs icons        app/static/icons/*.png from app/static/icons/icon.svg
//   node scripts/make-pwa-assets.mjs screenshots  real screenshots of the demo subscription for the
//     install UI and the README (both use app/static/screenshots); builds and serves the app.
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { DEMO, seedDemo, startServer } from './server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATIC = join(ROOT, 'app/static');
const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });

async function icons() {
  const svg = readFileSync(join(STATIC, 'icons/icon.svg'), 'utf8');
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  // The maskable icon fills the whole square and keeps the glyph inside the central safe zone.
  const glyphOnly = svg.replace(/<rect [^>]*\/>/, '');
  const maskable = `data:image/svg+xml;base64,${Buffer.from(glyphOnly).toString('base64')}`;
  const browser = await launch();
  const page = await browser.newPage();
  const render = async (file, size, html) => {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<body style="margin:0">${html}</body>`);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    await page.screenshot({ path: join(STATIC, 'icons', file), omitBackground: true });
  };
  for (const size of [192, 512]) {
    await render(`icon-${size}.png`, size, `<img src="${src}" width="${size}" height="${size}">`);
  }
  const solid = (size, scale) =>
    `<div style="width:${size}px;height:${size}px;background:#0b5cc4;display:grid;place-items:center">` +
    `<img src="${maskable}" width="${size * scale}" height="${size * scale}"></div>`;
  await render('icon-maskable-512.png', 512, solid(512, 0.72));
  await render('apple-touch-icon.png', 180, solid(180, 0.85));
  await browser.close();
}

async function screenshots() {
  execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-shots-'));
  const server = await startServer({ port: 8797, persistTo, quiet: true });
  const browser = await launch();
  try {
    await seedDemo(server);
    const shots = [
      { name: 'phone', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true },
      { name: 'desktop', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, hasTouch: false },
    ];
    for (const { name, ...options } of shots) {
      const context = await browser.newContext({ ...options, baseURL: server.baseUrl, colorScheme: 'light' });
      const page = await context.newPage();
      await page.goto('/signin');
      await page.getByLabel('Email').fill(DEMO.admin.email);
      await page.getByLabel('Password').fill(DEMO.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText(`6 of ${DEMO.seats} seats assigned`).waitFor();
      await page.getByText('Noah Kowalski').first().waitFor();
      await page.getByText('Live', { exact: true }).waitFor();
      await page.screenshot({ path: join(STATIC, 'screenshots', `${name}.png`) });
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  // The install UI shows the new screenshots only once they are in build/.
  execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
}

const what = process.argv[2];
if (what === 'icons') await icons();
else if (what === 'screenshots') await screenshots();
else {
  console.error('usage: node scripts/make-pwa-assets.mjs icons|screenshots');
  process.exit(1);
}
