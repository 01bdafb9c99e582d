import type { Page, Response, WebSocketRoute } from '@playwright/test';
import { expect, manageButton, meter, signIn, test, userEntry } from './fixtures';

/** The API paths the page GETs from now on, in order (the live socket itself is not a GET of ours). */
function recordGets(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'GET' && path.startsWith('/api/v1/') && path !== '/api/v1/live') paths.push(path);
  });
  return paths;
}

/** The paths that were fetched more than once. */
const repeated = (paths: string[]) => paths.filter((path, i) => paths.indexOf(path) !== i);

test.describe('Live updates', () => {
  test('a seat change made in a second browser shows up in the first within seconds, without a reload', async ({
    signedIn: page,
    team,
    browser,
  }) => {
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await expect(meter(page, 2, 3)).toBeVisible();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signIn(otherPage, team);
    await manageButton(otherPage, 'Lena Fischer').click();
    await otherPage.getByRole('checkbox', { name: 'Assign seat' }).check();
    await expect(otherPage.getByText('Seat assigned to Lena Fischer.')).toBeVisible();
    await other.close();

    await expect(meter(page, 3, 3)).toBeVisible({ timeout: 3_000 });
    await expect(userEntry(page, 'Lena Fischer').getByText('Seat assigned')).toBeVisible({ timeout: 3_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  test('a user added by a script appears on an open Users screen', { tag: '@once' }, async ({ signedIn: page, team }) => {
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    const script = await team.newApi();
    await script.createUser({ name: 'Jordan Blake', email: `jordan-${team.organization.slice(-8)}@test.setme.test`, assignSeat: false });

    await expect(page.getByText('Jordan Blake', { exact: true })).toBeVisible({ timeout: 3_000 });
  });

  test('a seat change made here fetches nothing: its answer is shown, its own live message is not fetched again', async ({
    signedIn: page,
    team,
  }, testInfo) => {
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    // Manage user shows Lena at once from the list, then reads her and the schedules: record after those.
    const path = (response: Response) => new URL(response.url()).pathname;
    const paneRead = Promise.all([
      page.waitForResponse((response) => path(response) === `/api/v1/users/${team.users.Lena!.id}`),
      page.waitForResponse((response) => path(response) === '/api/v1/schedules'),
    ]);
    await manageButton(page, 'Lena Fischer').click();
    const seat = page.getByRole('checkbox', { name: 'Assign seat' });
    await expect(seat).not.toBeChecked();
    await paneRead;

    const gets = recordGets(page);
    await seat.check();
    await expect(page.getByText('Seat assigned to Lena Fischer.')).toBeVisible();
    await expect(seat).toBeChecked();
    if (testInfo.project.name === 'phone') await page.getByRole('link', { name: '← All users' }).click();
    // The list shows the answer; the meter follows the change's live message, which fetched nothing.
    await expect(userEntry(page, 'Lena Fischer').getByText('Seat assigned')).toBeVisible();
    await expect(meter(page, 3, 3)).toBeVisible();
    expect(gets).toEqual([]);

    // Someone else's change: every screen fetches what it shows, once.
    await team.api.ok('DELETE', `/users/${team.users.Alex!.id}/seat`);
    await expect(userEntry(page, 'Alex Moreno').getByText('No seat')).toBeVisible({ timeout: 10_000 });
    await expect(meter(page, 2, 3)).toBeVisible();
    expect(gets).toContain('/api/v1/users');
    expect(repeated(gets)).toEqual([]);
  });

  test('a lost live connection says "Reconnecting…", comes back by itself, and then shows what changed meanwhile', async ({
    page,
    team,
  }, testInfo) => {
    // Between the page and the server: pass the live socket through, or (the server "restarting") refuse it.
    let refusing = false;
    let connected: WebSocketRoute | null = null;
    await page.routeWebSocket('**/api/v1/live', (socket) => {
      if (refusing) {
        void socket.close({ code: 1012, reason: 'Service restart' });
        return;
      }
      socket.connectToServer();
      connected = socket;
    });
    await signIn(page, team);
    await manageButton(page, 'Lena Fischer').click();
    const seat = page.getByRole('checkbox', { name: 'Assign seat' });
    await expect(seat).not.toBeChecked();
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    refusing = true;
    await connected!.close({ code: 1012, reason: 'Service restart' });
    const reconnecting = page.getByRole('status').filter({ hasText: 'Reconnecting…' });
    await expect(reconnecting).toBeVisible();

    // Meanwhile another administrator gives Lena a seat: no live message can tell this page.
    await team.api.ok('PUT', `/users/${team.users.Lena!.id}/seat`);

    refusing = false;
    await expect(reconnecting).toBeHidden({ timeout: 20_000 });
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    // The first message on the new connection refreshed every screen, not only the seat meter.
    await expect(seat).toBeChecked();
    if (testInfo.project.name !== 'phone') {
      await expect(userEntry(page, 'Lena Fischer').getByText('Seat assigned')).toBeVisible();
      await expect(meter(page, 3, 3)).toBeVisible();
    }
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });
});
