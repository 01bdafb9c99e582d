import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM } from '../../playwright.config';
import { expect, manageButton, meter, test } from './fixtures';

test.describe('Installable app', () => {
  test.use({ serviceWorkers: 'allow' });

  test('the manifest names the app, runs standalone and lists 192, 512 and maskable icons and screenshots', { tag: '@once' }, async ({ request }) => {
    const manifest = await (await request.get('/manifest.webmanifest')).json();
    expect(manifest).toMatchObject({ name: 'SetMe Seats', short_name: 'Seats', start_url: '/', scope: '/', display: 'standalone' });
    const icons = manifest.icons as { src: string; sizes: string; purpose: string }[];
    expect(icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const file of [...icons, ...manifest.screenshots] as { src: string; type: string }[]) {
      const response = await request.get(file.src);
      expect(response.status(), file.src).toBe(200);
      expect(response.headers()['content-type'], file.src).toContain(file.type);
    }
  });

  test('Chromium reports no installability errors', { tag: '@once' }, async ({ baseURL, viewport }) => {
    // The default context is incognito, which is never installable: use a real profile.
    const profile = mkdtempSync(join(tmpdir(), 'setme-install-'));
    const context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM,
      baseURL,
      viewport,
      serviceWorkers: 'allow',
    });
    try {
      const page = await context.newPage();
      await page.goto('/signin');
      await page.evaluate(() => navigator.serviceWorker.ready);
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send('Page.getAppManifest');
      expect(manifest.errors).toEqual([]);
      await expect
        .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, { timeout: 10_000 })
        .toEqual([]);
      // Chromium then offers installation, and the app shows its own button for it.
      await page.reload();
      await expect(page.getByRole('button', { name: 'Install app' })).toBeVisible({ timeout: 10_000 });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

test.describe('Offline', () => {
  test.use({ serviceWorkers: 'allow' });

  test('a reload without network shows the last known users, "offline — as of HH:MM", and turns changes off', async ({
    signedIn: page,
    context,
  }) => {
    await expect(meter(page, 2, 3)).toBeVisible();
    // The first visit installs the service worker; wait until it controls the page and has the shell.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.reload();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();

    await context.setOffline(true);
    await page.reload();

    await expect(page.getByText(/^Offline — as of \d{1,2}:\d\d(\s?[AP]M)?\.$/)).toBeVisible();
    await expect(page.getByText('Changes are turned off while offline')).toBeVisible();
    await expect(meter(page, 2, 3)).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
    await expect(page.getByText('Lena Fischer', { exact: true })).toBeVisible();

    await manageButton(page, 'Alex Moreno').click();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeDisabled();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();

    await context.setOffline(false);
    await expect(page.getByText(/^Offline — as of/)).toBeHidden({ timeout: 10_000 });
    await expect(page.getByText('Live', { exact: true })).toBeVisible({ timeout: 10_000 });
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeEnabled();
  });

  test('right after signing in, a reload without network still shows who is signed in and the users, marked offline', async ({
    page,
    team,
    context,
  }) => {
    // A browser that has opened the app before: the service worker has the shell and is in charge.
    await page.goto('/signin');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    // The live connection's first message makes every screen read again (GET /me among them). Here
    // it comes at once; on a phone's network it can come a second or more after the list, when the
    // person may already be offline: hold it back, so what counts is what signing in itself kept.
    await page.routeWebSocket('**/api/v1/live', () => {});

    await page.getByLabel('Email').fill(team.admin.email);
    await page.getByLabel('Password').fill(team.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
    const me = await (await page.request.get('/api/v1/me')).json();
    await context.setOffline(true);
    await page.reload();

    await expect(page.getByText(/^Offline — as of \d{1,2}:\d\d(\s?[AP]M)?\.$/)).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
    await expect(meter(page, 2, 3)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeHidden();
    // What the copy keeps for /me is what the server answers to GET /me.
    expect(await page.evaluate(async () => {
      const name = (await caches.keys()).find((key) => key.startsWith('setme-api-'));
      const stored = name ? await (await caches.open(name)).match('/api/v1/me') : undefined;
      return stored ? { at: stored.headers.get('x-setme-cached-at'), account: await stored.json() } : null;
    })).toEqual({ at: expect.any(String), account: me });
  });

  test('signing out forgets the stored data, so nothing shows offline afterwards', { tag: '@once' }, async ({ signedIn: page, context }) => {
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.reload();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
    await page.getByRole('link', { name: 'Me', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();

    await context.setOffline(true);
    await page.goto('/');
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeHidden();
  });
});
