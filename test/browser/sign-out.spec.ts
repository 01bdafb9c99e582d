/**
 * Signing out really signs out, even offline (issue 9, item 3), and the offline copy of API data
 * keeps only the offline view, one signed-in person at a time (item 16). Both need the service
 * worker, so they run once, at desktop size.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import type { Device, Page as ListPage } from '../../worker/contract';
import { Api } from './api';
import { expect, PASSWORD, test } from './fixtures';

test.use({ serviceWorkers: 'allow' });

/** Waits until the service worker controls the page, so API reads go through it. */
async function serviceWorkerInCharge(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
}

test.describe('Signing out offline', { tag: '@once' }, () => {
  test('signs this browser out at once, and ends the device on the server at the next contact', async ({ signedIn: page, team, context }) => {
    const devices = async () => (await team.api.ok<ListPage<Device>>('GET', '/devices')).items;
    // This browser and the API session the test signed up with.
    expect(await devices()).toHaveLength(2);
    // The app as it is used offline: the service worker has the shell (the sign-in screen's code too).
    await serviceWorkerInCharge(page);

    await page.getByRole('link', { name: 'Me', exact: true }).click();
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    // The browser can no longer act as the administrator, even before the server hears of it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('setme_key');

    await context.setOffline(false);
    expect((await page.request.get('/api/v1/me')).status()).toBe(401);
    await page.reload();
    await expect.poll(async () => (await devices()).length, { timeout: 10_000 }).toBe(1);
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  });
});

test.describe('The offline copy', { tag: '@once' }, () => {
  test('keeps only the offline view: screens like Security are not stored', async ({ signedIn: page, context }) => {
    await serviceWorkerInCharge(page);
    await page.goto('/me/security');
    await expect(page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem')).toHaveCount(2);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByText('You are offline, and this has not been loaded on this device before.').first()).toBeVisible();
    await expect(page.getByRole('list', { name: 'Signed-in devices' })).toBeHidden();
    // One copy, named for this device (a hash), and nothing but the offline view's reads in it.
    const stored = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((name) => name.startsWith('setme-api-'));
      const paths = await Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)));
      return { names, paths: [...new Set(paths.flat())].sort() };
    });
    expect(stored.names).toEqual([expect.stringMatching(/^setme-api-[0-9a-f]{32}$/)]);
    expect(stored.paths.every((path) => ['/api/v1/me', '/api/v1/users', '/api/v1/seat-requests', '/api/v1/subscription'].includes(path))).toBe(true);
  });

  test('after A signs out and B signs in on the same browser, B offline sees nothing of A’s', async ({ signedIn: page, context, baseURL }) => {
    await serviceWorkerInCharge(page);
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
    await page.getByRole('link', { name: 'Me', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();

    const tag = randomUUID().slice(0, 8);
    const b = { name: 'Bea Other', email: `bea-${tag}@test.setme.test`, password: PASSWORD };
    const other = new Api(baseURL!);
    await other.signUp({ organization: `Other Org ${tag}`, ...b, seats: 2, assignSeat: false });
    await other.createUser({ name: 'Kofi Mensah', email: `kofi-${tag}@test.setme.test`, role: 'technician', assignSeat: true });
    await page.getByLabel('Email').fill(b.email);
    await page.getByLabel('Password').fill(b.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Who is signed in is in B's offline copy from the sign-in itself (session.signedIn).
    await expect(page.getByText('Kofi Mensah', { exact: true })).toBeVisible();

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByText(/^Offline — as of \d{1,2}:\d\d(\s?[AP]M)?\.$/)).toBeVisible();
    await expect(page.getByText('Kofi Mensah', { exact: true })).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeHidden();
    await page.goto('/?q=Alex');
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeHidden();
  });
});
