import { expect, manageButton, test, userEntry } from './fixtures';
import { hoursAhead } from './seat-support';

test.describe('Lending a seat until a set time', () => {
  test.use({ teamShape: { seats: 1, technicians: [['Alex Moreno', true], ['Lena Fischer', false]] } });

  test('a seat lent from one user to another counts down on the list, and End now returns it', async ({ signedIn: page, team }) => {
    const until = await hoursAhead(page, 3);
    await manageButton(page, 'Lena Fischer').click();
    await page.getByRole('checkbox', { name: 'Assign seat' }).check();

    const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });
    await dialog.getByRole('radio', { name: /^Alex Moreno/ }).check();
    await dialog.getByRole('checkbox', { name: 'Lend it until a set time, then give it back' }).check();
    await dialog.getByLabel('Day', { exact: true }).fill(until.day);
    await dialog.getByLabel('Time', { exact: true }).fill(until.time);
    await expect(dialog.getByText(`Returns to Alex Moreno at ${until.shown}`)).toBeVisible();
    await dialog.getByRole('button', { name: 'Lend seat from Alex Moreno to Lena Fischer' }).click();

    await expect(page.getByRole('status').filter({ hasText: `Seat lent from Alex Moreno to Lena Fischer until ${until.shown}` })).toBeVisible();
    const lena = await team.api.user(team.users.Lena!.id);
    expect(lena.seat?.loan).toEqual({ until: until.iso, returnsTo: { id: team.users.Alex!.id, name: 'Alex Moreno' } });

    // The card (phone, tablet) or row (desktop) says where the seat goes and when.
    await page.goto('/');
    const entry = userEntry(page, 'Lena Fischer');
    await expect(entry).toContainText(`Lent: returns to Alex Moreno at ${until.shown}`);
    await expect(entry).toContainText(/· in [23] h/);

    await manageButton(page, 'Lena Fischer').click();
    await expect(page.getByText(`Lent: returns to Alex Moreno at ${until.shown}`).last()).toBeVisible();
    await page.getByRole('button', { name: 'End now' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The loan ended: the seat is back with Alex Moreno.' })).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).not.toBeChecked();
    expect((await team.api.user(team.users.Alex!.id)).seat).not.toBeNull();
    expect((await team.api.user(team.users.Lena!.id)).seat).toBeNull();
  });
});

test.describe('Lending a free seat', () => {
  test('Lend until… gives a seat that frees at the chosen time; Extend moves the end', { tag: '@once' }, async ({ signedIn: page, team }) => {
    const until = await hoursAhead(page, 2);
    const later = await hoursAhead(page, 4);
    await manageButton(page, 'Lena Fischer').click();
    await page.getByRole('button', { name: 'Lend until…' }).click();
    await page.getByLabel('Day', { exact: true }).fill(until.day);
    await page.getByLabel('Time', { exact: true }).fill(until.time);
    await page.getByRole('button', { name: 'Lend seat' }).click();

    await expect(page.getByRole('status').filter({ hasText: `Seat lent to Lena Fischer until ${until.shown}` })).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();
    const detail = page.getByRole('region', { name: 'Selected user' });
    await expect(detail.getByText(`Lent: frees at ${until.shown}`)).toBeVisible();

    await page.getByRole('button', { name: 'Extend' }).click();
    const dialog = page.getByRole('dialog', { name: 'Extend Lena Fischer’s loan' });
    await dialog.getByLabel('Day', { exact: true }).fill(later.day);
    await dialog.getByLabel('Time', { exact: true }).fill(later.time);
    await dialog.getByRole('button', { name: 'Extend loan' }).click();

    await expect(detail.getByText(`Lent: frees at ${later.shown}`)).toBeVisible();
    expect((await team.api.user(team.users.Lena!.id)).seat?.loan?.until).toBe(later.iso);
  });
});
