import { expect, manageButton, meter, test, userEntry } from './fixtures';

test.describe('Reassigning seats (the announcement’s flows)', () => {
  test('Manage user → uncheck Assign seat takes the seat back', async ({ signedIn: page, team }) => {
    await manageButton(page, 'Alex Moreno').click();
    const box = page.getByRole('checkbox', { name: 'Assign seat' });
    await expect(box).toBeChecked();
    await box.uncheck();

    await expect(page.getByRole('status').filter({ hasText: 'Seat taken back from Alex Moreno.' })).toBeVisible();
    await expect(box).not.toBeChecked();
    await expect((await team.api.user(team.users.Alex!.id)).seat).toBeNull();
    await page.goto('/');
    await expect(meter(page, 1, 3)).toBeVisible();
    await expect(userEntry(page, 'Alex Moreno').getByText('No seat')).toBeVisible();
  });

  test('Manage user → check Assign seat gives another user the free seat', async ({ signedIn: page, team }) => {
    await manageButton(page, 'Lena Fischer').click();
    const box = page.getByRole('checkbox', { name: 'Assign seat' });
    await expect(box).not.toBeChecked();
    await box.check();

    await expect(page.getByRole('status').filter({ hasText: 'Seat assigned to Lena Fischer.' })).toBeVisible();
    await expect(page.getByText('Lena Fischer may connect to remote computers')).toBeVisible();
    expect((await team.api.user(team.users.Lena!.id)).seat).not.toBeNull();
    await page.goto('/');
    await expect(meter(page, 3, 3)).toBeVisible();
  });

  test('Add user keeps Assign seat checked by default and gives the new user a seat and an invitation link', async ({
    signedIn: page,
    team,
    context,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('link', { name: 'Add user' }).click();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();
    await page.getByLabel('Name').fill('Mei Chen');
    await page.getByLabel('Email').fill(`mei-${team.organization.slice(-8)}@test.setme.test`);
    await page.getByRole('button', { name: 'Add user' }).click();

    await expect(page.getByText('Mei Chen was added with a seat.')).toBeVisible();
    const link = page.getByLabel('Invitation link');
    await expect(link).toHaveValue(/\/invitation#token=/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect(page.getByText('Copied.')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await link.inputValue());

    await page.goto('/');
    await expect(meter(page, 3, 3)).toBeVisible();
    await expect(userEntry(page, 'Mei Chen').getByText('Seat assigned')).toBeVisible();
  });

  test('with every seat taken, Add user turns Assign seat off, explains why, and can free a seat', { tag: '@once' }, async ({ signedIn: page, team }) => {
    await team.api.ok('PUT', `/users/${team.users.Lena!.id}/seat`);
    await page.getByRole('link', { name: 'Add user' }).click();
    const box = page.getByRole('checkbox', { name: 'Assign seat' });
    await expect(box).toBeDisabled();
    await expect(box).not.toBeChecked();
    await expect(page.getByText('All 3 seats are assigned, so this user will start without one.')).toBeVisible();

    await page.getByRole('button', { name: 'Free a seat…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Free a seat' });
    await dialog.getByRole('radio', { name: /Priya Natarajan/ }).check();
    await dialog.getByRole('button', { name: 'Take seat from Priya Natarajan' }).click();

    await expect(box).toBeEnabled();
    await expect(box).toBeChecked();
    expect((await team.api.user(team.users.Priya!.id)).seat).toBeNull();
  });
});

test.describe('All seats taken: take the seat from someone, in one step', () => {
  test.use({ teamShape: { seats: 2, technicians: [['Alex Moreno', true], ['Priya Natarajan', true], ['Lena Fischer', false]] } });

  test('checking Assign seat offers the holders with role and last activity, then moves the chosen seat', async ({
    signedIn: page,
    team,
  }) => {
    await expect(meter(page, 2, 2)).toBeVisible();
    await manageButton(page, 'Lena Fischer').click();
    await page.getByRole('checkbox', { name: 'Assign seat' }).check();

    const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });
    await expect(dialog.getByText('All 2 seats are assigned.')).toBeVisible();
    await expect(dialog.getByRole('radio')).toHaveCount(2);
    await expect(dialog.getByRole('radio', { name: /Alex Moreno · Technician\s*Never connected/ })).toBeVisible();
    await expect(dialog.getByRole('radio', { checked: true })).toHaveCount(0);
    await dialog.getByRole('radio', { name: /Priya Natarajan/ }).check();
    await dialog.getByRole('button', { name: 'Move seat from Priya Natarajan to Lena Fischer' }).click();

    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'Seat moved from Priya Natarajan to Lena Fischer.' })).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();
    expect((await team.api.user(team.users.Priya!.id)).seat).toBeNull();
    expect((await team.api.user(team.users.Lena!.id)).seat).not.toBeNull();
    const audit = await team.api.ok<{ items: { action: string }[] }>('GET', '/audit?action=seat.transferred');
    expect(audit.items).toHaveLength(1);
    await page.goto('/');
    await expect(meter(page, 2, 2)).toBeVisible();
  });

  test('cancelling the chooser leaves every seat where it was', { tag: '@once' }, async ({ signedIn: page, team }) => {
    await manageButton(page, 'Lena Fischer').click();
    const box = page.getByRole('checkbox', { name: 'Assign seat' });
    await box.check();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await expect(page.getByRole('dialog')).toBeHidden();
    await expect(box).not.toBeChecked();
    expect((await team.api.user(team.users.Lena!.id)).seat).toBeNull();
    expect((await team.api.subscription()).seats).toEqual({ purchased: 2, assigned: 2, available: 0 });
  });
});

test.describe('Undo', () => {
  test('Undo right after taking a seat back gives it back', async ({ signedIn: page, team }) => {
    await manageButton(page, 'Alex Moreno').click();
    const box = page.getByRole('checkbox', { name: 'Assign seat' });
    await box.uncheck();
    const toast = page.getByRole('group', { name: 'Notification' });
    await expect(toast).toContainText('Seat taken back from Alex Moreno.');
    await toast.getByRole('button', { name: 'Undo' }).click();

    await expect(toast).toContainText('Undone.');
    await expect(box).toBeChecked();
    expect((await team.api.user(team.users.Alex!.id)).seat).not.toBeNull();
  });

  test.describe('after a transfer', () => {
    test.use({ teamShape: { seats: 1, technicians: [['Alex Moreno', true], ['Lena Fischer', false]] } });

    test('Undo moves the seat back to where it came from', { tag: '@once' }, async ({ signedIn: page, team }) => {
      await manageButton(page, 'Lena Fischer').click();
      await page.getByRole('checkbox', { name: 'Assign seat' }).check();
      await page.getByRole('dialog').getByRole('radio', { name: /^Alex Moreno/ }).check();
      await page.getByRole('dialog').getByRole('button', { name: 'Move seat from Alex Moreno to Lena Fischer' }).click();
      const toast = page.getByRole('group', { name: 'Notification' });
      await expect(toast).toContainText('Seat moved from Alex Moreno to Lena Fischer.');
      await toast.getByRole('button', { name: 'Undo' }).click();

      await expect(toast).toContainText('Undone.');
      await expect(page.getByRole('checkbox', { name: 'Assign seat' })).not.toBeChecked();
      expect((await team.api.user(team.users.Alex!.id)).seat).not.toBeNull();
      expect((await team.api.user(team.users.Lena!.id)).seat).toBeNull();
    });
  });

  test('the Undo offer waits while you are still on that user, then goes away after a few seconds', { tag: '@once' }, async ({ signedIn: page }) => {
    await page.clock.install();
    await manageButton(page, 'Alex Moreno').click();
    await page.getByRole('checkbox', { name: 'Assign seat' }).uncheck();
    const undo = page.getByRole('button', { name: 'Undo' });
    await expect(undo).toBeVisible();
    await page.mouse.move(0, 0);
    // Focus is still on the box in Manage Alex Moreno: the offer stays.
    await page.clock.fastForward(9_000);
    await expect(undo).toBeVisible();
    // Moved on (focus on the search field): it goes after the 8 s chosen on the Me page by default.
    await page.getByLabel('Search users').focus();
    await page.clock.fastForward(9_000);
    await expect(undo).toBeHidden();
  });
});
