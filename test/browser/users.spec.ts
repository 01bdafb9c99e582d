import { expect, manageButton, test, userEntry } from './fixtures';

test.describe('Users screen', () => {
  test('each user shows name, email, role, status and seat, with a Manage user button naming them', async ({ signedIn: page, team }) => {
    const alex = userEntry(page, 'Alex Moreno');
    await expect(alex).toContainText(team.users.Alex!.email);
    await expect(alex).toContainText('Technician');
    await expect(alex).toContainText('Invited');
    await expect(alex).toContainText('Seat assigned');
    await expect(userEntry(page, 'Lena Fischer')).toContainText('No seat');
    await expect(manageButton(page, 'Alex Moreno')).toBeVisible();
  });

  test('search and filters narrow the list', { tag: '@once' }, async ({ signedIn: page }) => {
    await page.getByLabel('Search users').fill('pri');
    await expect(page.getByText('Priya Natarajan', { exact: true })).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeHidden();

    await page.getByLabel('Search users').fill('');
    await page.getByRole('radio', { name: 'Without seat' }).check();
    await expect(page.getByText('Lena Fischer', { exact: true })).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeHidden();

    await page.getByRole('radio', { name: 'Administrators' }).check();
    await expect(page.getByText('Dana Whitfield', { exact: true })).toBeVisible();
    await expect(page.getByText('Lena Fischer', { exact: true })).toBeHidden();
  });

  test('the layout fits the device: cards on phones, list and detail on tablets, a table on desktops', async ({
    signedIn: page,
  }, testInfo) => {
    await manageButton(page, 'Alex Moreno').click();
    const detail = page.getByRole('heading', { name: 'Manage Alex Moreno' });
    await expect(detail).toBeVisible();
    const list = page.getByRole('heading', { name: 'Users', level: 1 });
    if (testInfo.project.name === 'phone') {
      await expect(list).toBeHidden();
      await page.getByRole('link', { name: '← All users' }).click();
      await expect(page.locator('li.user')).toHaveCount(4);
    } else if (testInfo.project.name === 'tablet') {
      await expect(list).toBeVisible();
      await expect(page.locator('li.user')).toHaveCount(4);
    } else {
      await expect(list).toBeVisible();
      await expect(page.getByRole('table', { name: 'Users' }).getByRole('row')).toHaveCount(5);
    }
  });

  test('a user can be renamed, made an administrator, deactivated and deleted', { tag: '@once' }, async ({ signedIn: page, team }) => {
    await manageButton(page, 'Priya Natarajan').click();
    await page.getByLabel('Name').fill('Priya N. Natarajan');
    await page.getByLabel('Role').selectOption('administrator');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('heading', { name: 'Manage Priya N. Natarajan' })).toBeVisible();
    expect(await team.api.user(team.users.Priya!.id)).toMatchObject({ name: 'Priya N. Natarajan', role: 'administrator' });

    await page.getByRole('button', { name: 'Deactivate' }).click();
    await expect(page.getByText('Priya N. Natarajan is deactivated and their seat is free.')).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeDisabled();
    expect(await team.api.user(team.users.Priya!.id)).toMatchObject({ status: 'deactivated', seat: null });

    await page.getByRole('button', { name: 'Delete user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Priya N. Natarajan?' });
    await expect(dialog).toContainText('This cannot be undone.');
    await dialog.getByRole('button', { name: 'Delete user' }).click();
    await expect(page.getByText('Deleted Priya N. Natarajan.')).toBeVisible();
    expect((await team.api.call('GET', `/users/${team.users.Priya!.id}`)).status).toBe(404);
  });

  test('an invited user gets a fresh invitation link to copy', { tag: '@once' }, async ({ signedIn: page }) => {
    await manageButton(page, 'Lena Fischer').click();
    await page.getByRole('button', { name: 'New invitation link' }).click();
    await expect(page.getByLabel('Invitation link')).toHaveValue(/\/invitation#token=/);
    await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  });
});
