import { expect, manageButton, test } from './fixtures';
import { browserClock, connect, technicianApi } from './seat-support';

test.describe('Taking a seat from someone who is connected', () => {
  test('the admin sees how many computers they are connected to and gives them minutes to finish', async ({ signedIn: page, team }) => {
    const alex = await technicianApi(team, 'Alex');
    const session = await connect(alex);
    await manageButton(page, 'Alex Moreno').click();
    await page.getByRole('checkbox', { name: 'Assign seat' }).uncheck();

    const dialog = page.getByRole('dialog', { name: 'Take back Alex Moreno’s seat?' });
    await expect(dialog.getByText('Alex Moreno is connected to 1 computer')).toBeVisible();
    await expect(dialog.getByRole('radio', { name: 'Give them 5 minutes' })).toBeChecked();
    await dialog.getByLabel('Minutes', { exact: true }).fill('10');
    await expect(dialog.getByRole('radio', { name: 'Give them 10 minutes' })).toBeChecked();
    await dialog.getByRole('button', { name: 'Take back seat' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Alex Moreno is connected: their seat frees at \d{1,2}:\d\d(\s?[AP]M)?( tomorrow)?\./ })).toBeVisible();

    const seat = (await team.api.user(team.users.Alex!.id)).seat;
    expect(seat?.revocation).toMatchObject({ action: 'unassign', onActiveSessions: 'grace' });
    const endsAt = await browserClock(page, seat!.revocation!.endsAt!);
    await expect(page.getByRole('status').filter({ hasText: `Alex Moreno is connected: their seat frees at ${endsAt}.` })).toBeVisible();
    // Until then the seat is still theirs, and the page says when it frees.
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeChecked();
    await expect(page.getByRole('region', { name: 'Selected user' }).getByText(`Frees at ${endsAt}`, { exact: true })).toBeVisible();
    expect((await alex.call('POST', `/console/sessions/${session}/heartbeat`)).body).toMatchObject({ status: 'ending' });

    await page.getByRole('button', { name: 'End their sessions now' }).click();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).not.toBeChecked();
    expect((await alex.call('POST', `/console/sessions/${session}/heartbeat`)).status).toBe(403);
  });

  test('“after their session”: the seat frees when their last session ends, and the page follows', { tag: '@once' }, async ({
    signedIn: page,
    team,
  }) => {
    const alex = await technicianApi(team, 'Alex');
    const session = await connect(alex);
    await manageButton(page, 'Alex Moreno').click();
    await page.getByRole('checkbox', { name: 'Assign seat' }).uncheck();
    const dialog = page.getByRole('dialog', { name: 'Take back Alex Moreno’s seat?' });
    await dialog.getByRole('radio', { name: 'After their session' }).check();
    await expect(dialog.getByText('The seat frees when their last session ends.')).toBeVisible();
    await dialog.getByRole('button', { name: 'Take back seat' }).click();

    await expect(page.getByRole('region', { name: 'Selected user' }).getByText('Frees when their session ends', { exact: true })).toBeVisible();
    await alex.ok('DELETE', `/console/sessions/${session}`);
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).not.toBeChecked({ timeout: 3_000 });
  });

  test.describe('with every seat taken', () => {
    test.use({ teamShape: { seats: 2, technicians: [['Alex Moreno', true], ['Priya Natarajan', true], ['Lena Fischer', false]] } });

    test('the seat chooser marks connected holders and asks about their sessions before moving the seat', { tag: '@once' }, async ({
      signedIn: page,
      team,
    }) => {
      const alex = await technicianApi(team, 'Alex');
      const session = await connect(alex);
      await manageButton(page, 'Lena Fischer').click();
      await page.getByRole('checkbox', { name: 'Assign seat' }).check();

      const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });
      await expect(dialog.getByRole('radio', { name: /Alex Moreno.*Connected now to 1 computer/ })).toBeVisible();
      await dialog.getByRole('radio', { name: /Alex Moreno/ }).check();
      await expect(dialog.getByText('Alex Moreno is connected to 1 computer.')).toBeVisible();
      await dialog.getByRole('radio', { name: 'End them now' }).check();
      await dialog.getByRole('button', { name: 'Move seat from Alex Moreno to Lena Fischer' }).click();

      await expect(page.getByRole('status').filter({ hasText: 'Seat moved from Alex Moreno to Lena Fischer.' })).toBeVisible();
      expect((await team.api.user(team.users.Lena!.id)).seat).not.toBeNull();
      expect((await alex.call('POST', `/console/sessions/${session}/heartbeat`)).status).toBe(403);
    });
  });
});
