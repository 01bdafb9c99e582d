import { expect, meter, test } from './fixtures';

test.describe('Subscription', { tag: '@once' }, () => {
  test('buying more seats updates the meter; going below the assigned seats is refused with how many to free', async ({
    signedIn: page,
    team,
  }) => {
    await page.getByRole('link', { name: 'Subscription' }).click();
    const purchased = page.getByLabel('Purchased seats');
    await expect(purchased).toHaveValue('3');

    await purchased.fill('5');
    await page.getByRole('button', { name: 'Change seats' }).click();
    await expect(meter(page, 2, 5)).toBeVisible();
    expect((await team.api.subscription()).seats.purchased).toBe(5);

    await purchased.fill('1');
    await page.getByRole('button', { name: 'Change seats' }).click();
    await expect(page.getByRole('alert')).toContainText('Take back 1 seat first.');
    await expect(page.getByRole('link', { name: 'See who holds a seat' })).toBeVisible();
    expect((await team.api.subscription()).seats.purchased).toBe(5);
  });

  test('the console sessions one seat may have open are set here, and hold for the API', async ({ signedIn: page, team }) => {
    await page.goto('/subscription');
    const limit = page.getByLabel('Console sessions one seat may have open at once');
    await expect(limit).toHaveValue('5', { timeout: 15_000 }); // the page loads its data after navigation
    await limit.fill('2');
    await page.getByRole('button', { name: 'Save limit' }).click();
    await expect(page.getByText('One seat may now have 2 console sessions open at once.')).toBeVisible();
    expect((await team.api.subscription()).maxConsoleSessionsPerSeat).toBe(2);
    await expect(page.getByRole('button', { name: 'Save limit' })).toBeDisabled();
  });

  test('an API token is shown once with Copy, listed, and revoked after confirmation', async ({ signedIn: page, team }) => {
    await page.goto('/subscription/integrations');
    await page.getByLabel('Token name').fill('Provisioning script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('New API token').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const asScript = await fetch(`${team.api.baseURL}/api/v1/subscription`, { headers: { authorization: `Bearer ${secret}` } });
    expect(asScript.status).toBe(200);

    await page.getByRole('button', { name: 'Revoke token Provisioning script' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByText('No tokens yet.')).toBeVisible();
    const revoked = await fetch(`${team.api.baseURL}/api/v1/subscription`, { headers: { authorization: `Bearer ${secret}` } });
    expect(revoked.status).toBe(401);
  });

  test('the audit log lists seat changes newest first and filters by action and user', async ({ signedIn: page, team }) => {
    await team.api.ok('DELETE', `/users/${team.users.Alex!.id}/seat`);
    await team.api.ok('PUT', `/users/${team.users.Lena!.id}/seat`);
    await page.goto('/subscription/audit');
    const entries = page.getByRole('list', { name: 'Audit entries, newest first' }).getByRole('listitem');
    await expect(entries.first()).toContainText('Dana Whitfield assigned a seat to Lena Fischer');
    await expect(entries.nth(1)).toContainText('Dana Whitfield took the seat back from Alex Moreno');

    await page.getByLabel('Action').selectOption({ label: 'Seat taken back' });
    await expect(entries).toHaveCount(1);
    await expect(entries.first()).toContainText('Alex Moreno');

    await page.getByLabel('Action').selectOption({ label: 'All actions' });
    // The users to choose from come when the filter is opened (here, focused as by Tab).
    await page.getByLabel('User', { exact: true }).focus();
    await page.getByLabel('User', { exact: true }).selectOption({ label: 'Lena Fischer' });
    await expect(entries.first()).toContainText('Lena Fischer');
    await expect(entries.filter({ hasText: 'Alex Moreno' })).toHaveCount(0);

    // Beyond the first 100 users the admin finds someone by name or email; the one chosen stays a choice.
    const userFilter = page.getByLabel('User', { exact: true });
    await page.getByLabel('Find user').fill('priya');
    await expect(userFilter.getByRole('option')).toHaveText(['Everyone', 'Lena Fischer', 'Priya Natarajan']);
    await expect(userFilter).toHaveValue(team.users.Lena!.id);
    await userFilter.selectOption({ label: 'Priya Natarajan' });
    await expect(entries.first()).toContainText('Priya Natarajan');
  });
});
