import type { Page } from '@playwright/test';
import { expect, manageButton, signIn, test, type Team } from './fixtures';
import { connect, hoursAhead, seriousViolations, sidewaysOverflow, signInAsTechnician, smallTargets, technicianApi } from './seat-support';

/** Data for every new screen: a pending request, a console session, a lent seat. */
async function prepare(team: Team, page: Page) {
  await (await technicianApi(team, 'Lena')).ok('POST', '/seat-requests', { reason: 'On call this weekend' });
  await connect(await technicianApi(team, 'Alex'));
  const until = await hoursAhead(page, 3);
  await team.api.ok('PUT', `/users/${team.users.Priya!.id}/seat`, { until: until.iso });
}

/** Opens a screen the way a person would and waits for its data. */
type Screen = [string, (page: Page) => Promise<void>];

/** The two new screens (and the dialog on one), checked at every size. */
const REQUESTS_AND_REPORTS: Screen[] = [
  [
    'Requests',
    async (page) => {
      await page.goto('/requests');
      await expect(page.getByRole('button', { name: 'Approve request from Lena Fischer' })).toBeVisible();
    },
  ],
  [
    'Decline dialog',
    async (page) => {
      await page.getByRole('button', { name: 'Decline request from Lena Fischer' }).click();
      await expect(page.getByRole('dialog')).toBeVisible();
    },
  ],
  [
    'Reports',
    async (page) => {
      await page.goto('/reports');
      await page.getByText('Show the numbers per day').click();
      await expect(page.getByRole('region', { name: 'Console activity' }).getByText('Alex Moreno')).toBeVisible();
      await expect(page.getByText('No idle seats')).toBeVisible();
    },
  ],
];

/** Loans and taking seats from connected holders: the same controls at every size, checked once. */
const SEAT_CHANGES: Screen[] = [
  [
    'Manage a lent seat',
    async (page) => {
      await page.goto('/');
      await manageButton(page, 'Priya Natarajan').click();
      await expect(page.getByRole('button', { name: 'Extend' })).toBeVisible();
    },
  ],
  [
    'Lend until…',
    async (page) => {
      await page.goto('/');
      await manageButton(page, 'Lena Fischer').click();
      await page.getByRole('button', { name: 'Lend until…' }).click();
      await expect(page.getByLabel('Time', { exact: true })).toBeVisible();
    },
  ],
  [
    'Taking a seat from someone connected',
    async (page) => {
      await page.goto('/');
      await manageButton(page, 'Alex Moreno').click();
      await page.getByRole('checkbox', { name: 'Assign seat' }).uncheck();
      await expect(page.getByRole('dialog').getByText('Alex Moreno is connected to 1 computer')).toBeVisible();
    },
  ],
];

async function settled(page: Page) {
  await expect(page.getByText(/Loading/)).toHaveCount(0);
}

async function check(page: Page, screens: Screen[], checks: { axe?: boolean; targets?: boolean; fits?: boolean }) {
  for (const [name, open] of screens) {
    await open(page);
    await settled(page);
    if (checks.axe) expect(await seriousViolations(page), name).toEqual([]);
    if (checks.targets) expect(await smallTargets(page), name).toEqual([]);
    if (checks.fits) expect(await sidewaysOverflow(page), name).toBeLessThanOrEqual(0);
  }
}

test.describe('Accessibility of requests, reports, loans and the technician’s page', () => {
  test('Requests and Reports: no serious or critical axe violations, 44 px targets (phones: at 320 px, no sideways scrolling)', async ({
    signedIn: page,
    team,
  }, testInfo) => {
    const phone = testInfo.project.name === 'phone';
    if (phone) await page.setViewportSize({ width: 320, height: 640 });
    await prepare(team, page);
    await check(page, REQUESTS_AND_REPORTS, { axe: true, targets: true, fits: phone });
  });

  test('loans, connected holders and the technician’s page at 320 px: no serious or critical axe violations, 44 px targets, no sideways scrolling', { tag: '@phone' }, async ({
    signedIn: page,
    team,
  }) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await prepare(team, page);
    await check(page, SEAT_CHANGES, { axe: true, targets: true, fits: true });

    await signInAsTechnician(page, team, 'Lena');
    await expect(page.getByText('Your request is waiting for an administrator.')).toBeVisible();
    await settled(page);
    expect(await seriousViolations(page), 'Me (technician)').toEqual([]);
    expect(await smallTargets(page), 'Me (technician)').toEqual([]);
    expect(await sidewaysOverflow(page), 'Me (technician)').toBeLessThanOrEqual(0);
  });

  test('no serious or critical axe violations in dark mode', { tag: '@once' }, async ({ signedIn: page, team }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await prepare(team, page);
    await check(page, [...REQUESTS_AND_REPORTS, SEAT_CHANGES[0]!], { axe: true });
  });
});

test('the admin’s navigation fits a 320 px phone with five tabs and the request badge', { tag: '@phone' }, async ({ page, team }) => {
  await (await technicianApi(team, 'Lena')).ok('POST', '/seat-requests', { reason: 'On call' });
  await page.setViewportSize({ width: 320, height: 640 });
  await signIn(page, team);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Users', /^Requests/, 'Reports', 'Subscription', 'Me'], { useInnerText: true });
  await expect(nav.getByRole('link', { name: 'Requests (1 pending)' })).toBeVisible();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
});
