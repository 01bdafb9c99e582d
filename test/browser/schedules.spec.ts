/**
 * Shift schedules in the app: an administrator builds two shifts that overlap on a one-seat
 * subscription, is asked to confirm and told who would wait, saves anyway, and sees the week's
 * coverage strip red where the shifts want more seats than purchased. Putting someone on a schedule
 * from Manage user asks the same way.
 */
import { expect, test } from './fixtures';

test.use({ teamShape: { seats: 1, technicians: [['Lena Fischer', false], ['Omar Haddad', false]] } });

const everyDay = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

test.describe('Shift schedules', () => {
  test('an admin builds a two-shift schedule and sees the coverage strip', async ({ signedIn: page }) => {
    test.setTimeout(60_000);
    await page.goto('/subscription');
    await page.getByRole('navigation', { name: 'Subscription sections' }).getByRole('link', { name: 'Seat policies' }).click();
    await page.getByRole('link', { name: 'Shift schedules' }).click();
    await expect(page.getByRole('heading', { name: 'Shift schedules', level: 1 })).toBeVisible();
    await expect(page.getByTestId('coverage-hour')).toHaveCount(168);
    await expect(page.getByTestId('coverage-summary')).toHaveText('Every hour of the week has enough seats.');

    const form = page.getByRole('region', { name: 'New schedule' });
    async function fill(name: string, zone: string, from: string, to: string, person: string) {
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Time zone').fill(zone);
      const shift = form.getByRole('group', { name: 'Shift 1' });
      for (const day of ['Sat', 'Sun']) await shift.getByLabel(day).check();
      for (const day of everyDay) await expect(shift.getByLabel(day)).toBeChecked();
      await shift.getByLabel('From').fill(from);
      await shift.getByLabel('To').fill(to);
      await form.getByLabel(person).check();
      await form.getByRole('button', { name: 'Save schedule' }).click();
    }

    await fill('EU day', 'Europe/Berlin', '07:00', '19:00', 'Lena Fischer');
    await expect(page.getByTestId('schedule').filter({ hasText: 'EU day' })).toContainText('Lena Fischer');

    // 09:00–21:00 in New York overlaps 15:00–19:00 in Berlin: one seat cannot cover both.
    await fill('US day', 'America/New_York', '09:00', '21:00', 'Omar Haddad');
    await expect(form.getByRole('alert')).toContainText('Omar Haddad would wait');
    await form.getByRole('button', { name: 'Save anyway' }).click();
    await expect(page.getByTestId('schedule')).toHaveCount(2);
    await expect(page.getByTestId('coverage-summary')).toContainText('Omar Haddad would wait for a seat');
    const red = page.locator('[data-testid="coverage-hour"][data-over="true"]');
    // Four hours a day (15:00–19:00 Berlin), give or take the edges of the week shown.
    expect(await red.count()).toBeGreaterThanOrEqual(24);
  });

  test('putting a user on a schedule from Manage user asks first when it oversubscribes, and says who would wait', async ({ signedIn: page, team }) => {
    // Lena is on a 07:00–19:00 every-day shift in Berlin: the one seat is hers then, so Omar on it too would wait.
    const windows = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '07:00', end: '19:00' }];
    await team.api.ok('POST', '/schedules', { name: 'EU day', timeZone: 'Europe/Berlin', windows, userIds: [team.users.Lena!.id] });
    await page.goto(`/users/${team.users.Omar!.id}`);
    const section = page.getByRole('region', { name: 'Shift schedule' });
    await section.getByLabel('Schedule').selectOption({ label: 'EU day (Europe/Berlin)' });
    await section.getByRole('button', { name: 'Save schedule' }).click();
    await expect(section.getByRole('alert')).toContainText('of the coming week the schedules would want more seats than the 1 purchased: Omar Haddad would wait for a seat.');
    expect((await team.api.user(team.users.Omar!.id)).scheduleId).toBeNull();

    await section.getByRole('button', { name: 'Put on EU day anyway' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Omar Haddad is on EU day.' })).toBeVisible();
    await expect(section.getByRole('alert')).toHaveCount(0);
    expect((await team.api.user(team.users.Omar!.id)).scheduleId).not.toBeNull();
  });
});
