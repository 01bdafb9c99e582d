import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { connect, technicianApi } from './seat-support';

const today = () => new Date().toISOString().slice(0, 10);

test.describe('Reports', { tag: '@once' }, () => {
  test('seat utilisation shows today’s seats in a chart with its text and table, and downloads as CSV', async ({ signedIn: page }) => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
    const report = page.getByRole('region', { name: 'Seat utilisation' });
    await expect(report.getByRole('img')).toBeVisible();
    await expect(report.getByText(/, 2 of 3\.$/)).toBeVisible();
    await report.getByText('Show the numbers per day').click();
    await expect(report.getByRole('table').getByRole('row').nth(1)).toHaveText(/2\s*2\s*3$/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      report.getByRole('link', { name: 'Download CSV of seat utilisation' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^utilisation-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toBe('date,purchased,assigned,peak_assigned');
    // One row per day since the subscription began (today), up to the last 30.
    expect(lines.at(-1)).toBe(`${today()},3,2,2`);
  });

  test('console activity lists sessions per person and downloads as CSV; idle seats has a period to choose', async ({
    signedIn: page,
    team,
  }) => {
    const alex = await technicianApi(team, 'Alex');
    await alex.ok('DELETE', `/console/sessions/${await connect(alex)}`);
    await connect(alex, 'WAREHOUSE-PC-11');
    await page.goto('/reports');

    const activity = page.getByRole('region', { name: 'Console activity' });
    const alexRow = activity.getByRole('row', { name: /Alex Moreno/ });
    await expect(alexRow.getByRole('cell').first()).toHaveText('2');
    await expect(alexRow).toContainText('just now');
    await expect(activity.getByRole('row', { name: /Lena Fischer/ })).toContainText('never');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      activity.getByRole('link', { name: 'Download CSV of console activity' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toBe('user_id,name,email,role,has_seat,sessions,connected_seconds,last_connection_at');
    const row = lines.find((line) => line.startsWith(`${team.users.Alex!.id},`));
    expect(row).toContain(`,Alex Moreno,${team.users.Alex!.email},technician,true,2,`);

    const idle = page.getByRole('region', { name: 'Idle seats' });
    await expect(idle.getByText('No idle seats: every seat holder connected in the last 14 days')).toBeVisible();
    await idle.getByLabel('No console session in').selectOption({ label: '1 day' });
    await expect(idle.getByText('No idle seats: every seat holder connected in the last 1 day')).toBeVisible();
  });
});
