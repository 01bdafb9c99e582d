import { expect, signIn, test } from './fixtures';
import { browserClock, connect, signInAsTechnician, technicianApi } from './seat-support';

const HAS_SEAT = 'You have a seat — you can connect';
const NO_SEAT = 'No seat — ask an administrator';

test.describe('A technician’s own page', () => {
  test('shows their seat, their sessions and a seat being taken back as it happens, without a reload', { tag: '@once' }, async ({
    page,
    team,
  }) => {
    await signInAsTechnician(page, team, 'Lena');
    await expect(page.getByText(NO_SEAT)).toBeVisible();
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // An administrator gives Lena a seat from another device.
    await team.api.ok('PUT', `/users/${team.users.Lena!.id}/seat`);
    await expect(page.getByText(HAS_SEAT)).toBeVisible({ timeout: 3_000 });
    await expect(page.getByText('You are not connected to any computer right now.')).toBeVisible();

    // Her Expert Console connects; then the administrator takes the seat back with 10 minutes' grace.
    await connect(await technicianApi(team, 'Lena'), 'RECEPTION-PC-02');
    const sessions = page.getByRole('list', { name: 'Your active sessions' });
    await expect(sessions).toContainText('RECEPTION-PC-02', { timeout: 3_000 });
    const taken = await team.api.ok<{ seat: { expiresAt: string } }>(
      'DELETE',
      `/users/${team.users.Lena!.id}/seat?onActiveSessions=grace&graceMinutes=10`,
    );
    const endsAt = await browserClock(page, taken.seat.expiresAt);
    await expect(page.getByText('Your seat is being taken back.')).toBeVisible({ timeout: 3_000 });
    await expect(page.getByText(`Your sessions end at ${endsAt}`)).toBeVisible();
    await expect(sessions).toContainText(`ends at ${endsAt}`);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  test('a technician requests a seat; the administrator sees the badge, approves, and the technician can connect', async ({
    page,
    team,
    browser,
  }) => {
    await signInAsTechnician(page, team, 'Lena');
    await expect(page.getByText(NO_SEAT)).toBeVisible();
    await page.getByLabel('Reason').fill('On call this weekend for the Berlin office');
    await page.getByRole('button', { name: 'Request a seat' }).click();
    await expect(page.getByText('Your request is waiting for an administrator.')).toBeVisible();
    await expect(page.getByText('You are next in line.')).toBeVisible();

    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, team);
    await admin.getByRole('link', { name: 'Requests (1 pending)' }).click();
    const request = admin.getByRole('list', { name: 'Pending requests, oldest first' }).getByRole('listitem');
    await expect(request).toHaveCount(1);
    await expect(request).toContainText('Lena Fischer');
    await expect(request).toContainText('“On call this weekend for the Berlin office”');
    await expect(request).toContainText('Next in line');
    await request.getByRole('button', { name: 'Approve request from Lena Fischer' }).click();

    await expect(admin.getByRole('status').filter({ hasText: 'Approved: Lena Fischer has a seat.' })).toBeVisible();
    await expect(admin.getByText('No one is waiting for a seat.')).toBeVisible();
    await expect(admin.getByRole('link', { name: 'Requests', exact: true })).toBeVisible();
    await adminContext.close();

    await expect(page.getByText(HAS_SEAT)).toBeVisible({ timeout: 3_000 });
    expect((await team.api.user(team.users.Lena!.id)).seat).not.toBeNull();
  });

  test('a declined request shows the administrator’s note; a technician can withdraw a request', { tag: '@once' }, async ({
    page,
    team,
    browser,
  }) => {
    const lena = await technicianApi(team, 'Lena');
    await lena.ok('POST', '/seat-requests', { reason: 'Covering for Priya next week' });

    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, team);
    await admin.goto('/requests');
    await admin.getByRole('button', { name: 'Decline request from Lena Fischer' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Decline Lena Fischer’s request?' });
    await dialog.getByLabel('Note to Lena Fischer (optional)').fill('Priya is back on Monday.');
    await dialog.getByRole('button', { name: 'Decline request' }).click();
    await expect(admin.getByText('No one is waiting for a seat.')).toBeVisible();
    await adminContext.close();

    await signInAsTechnician(page, team, 'Lena');
    await expect(page.getByText('was declined by Dana Whitfield: “Priya is back on Monday.”')).toBeVisible();
    await page.getByLabel('Reason').fill('Weekend on-call after all');
    await page.getByRole('button', { name: 'Request a seat' }).click();
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await expect(page.getByRole('button', { name: 'Request a seat' })).toBeVisible();
    const pending = await team.api.ok<{ items: unknown[] }>('GET', '/seat-requests?status=pending');
    expect(pending.items).toEqual([]);
  });
});

test.describe('Approving a request when every seat is taken', () => {
  test.use({ teamShape: { seats: 2, technicians: [['Alex Moreno', true], ['Priya Natarajan', true], ['Lena Fischer', false]] } });

  test('offers the holders and moves the chosen seat to the requester', { tag: '@once' }, async ({ signedIn: page, team }) => {
    await (await technicianApi(team, 'Lena')).ok('POST', '/seat-requests', { reason: 'New starter on the help desk' });
    await page.getByRole('link', { name: 'Requests (1 pending)' }).click();
    await page.getByRole('button', { name: 'Approve request from Lena Fischer' }).click();

    const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });
    await dialog.getByRole('radio', { name: /Priya Natarajan/ }).check();
    await dialog.getByRole('button', { name: 'Move seat from Priya Natarajan to Lena Fischer' }).click();

    await expect(page.getByRole('status').filter({ hasText: 'Seat moved from Priya Natarajan to Lena Fischer.' })).toBeVisible();
    await expect(page.getByText('No one is waiting for a seat.')).toBeVisible();
    expect((await team.api.user(team.users.Lena!.id)).seat).not.toBeNull();
    expect((await team.api.user(team.users.Priya!.id)).seat).toBeNull();
  });
});
