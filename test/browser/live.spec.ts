import { expect, manageButton, meter, signIn, test, userEntry } from './fixtures';

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
});
