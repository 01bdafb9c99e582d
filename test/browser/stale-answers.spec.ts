/**
 * The screen shows what the server holds now: an answer to a change made here is never painted over
 * by a read that left before the change and arrives after it.
 */
import type { Request } from '@playwright/test';
import { expect, manageButton, test } from './fixtures';

test('a slow read of the user that left before the seat change does not undo it on screen', { tag: '@once' }, async ({ signedIn: page, team }) => {
  const lena = team.users.Lena!;
  // Manage user reads Lena as she is when it opens (no seat); that answer is held back until after the change.
  let delivered!: (request: Request) => void;
  const stale = new Promise<Request>((resolve) => (delivered = resolve));
  let held = false;
  await page.route(`**/api/v1/users/${lena.id}`, async (route) => {
    if (route.request().method() !== 'GET' || held) return route.fallback();
    held = true;
    const response = await route.fetch();
    // Until the change's own answer is on screen.
    await expect(page.getByRole('status').filter({ hasText: 'Seat assigned to Lena Fischer.' })).toBeVisible();
    await route.fulfill({ response });
    delivered(route.request());
  });

  await manageButton(page, 'Lena Fischer').click();
  await page.getByRole('checkbox', { name: 'Assign seat' }).check();
  await expect(page.getByRole('status').filter({ hasText: 'Seat assigned to Lena Fischer.' })).toBeVisible();
  const request = await stale;
  // The held answer (no seat) has arrived and been read, and the page has drawn twice since: the
  // screen still shows the seat the server holds. (Read once, not retried: a retry would wait out
  // the very moment this is about.)
  await (await request.response())!.finished();
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  expect(await page.getByRole('checkbox', { name: 'Assign seat' }).isChecked()).toBe(true);
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row', { name: /Lena Fischer/ })).toContainText('Seat assigned');
  expect((await team.api.user(lena.id)).seat).not.toBeNull();
});
