/**
 * Idle reclaim in the app: on a subscription with 60 days of console history (the local demo's
 * people and story, DEMO in scripts/server.mjs, created through its development-only route with
 * addresses of this test's own), an administrator turns the policy on with a number of days and an
 * exemption, and the dry run lists who would lose a seat and why.
 */
import { randomUUID } from 'node:crypto';
import { DEMO, demoEmail } from '../../scripts/server.mjs';
import { expect, test } from './fixtures';

test('an admin turns idle reclaim on with days and an exemption, and sees who it would hit and why', { tag: '@once' }, async ({ page, request }) => {
  test.setTimeout(90_000);
  const tag = randomUUID().slice(0, 8);
  const email = (name: string) => demoEmail(name, tag);
  const password = 'idle-reclaim-walk-2026';
  const seeded = await request.post('/api/demo', {
    data: {
      organization: `Idle ${tag}`,
      seats: 6,
      password,
      administrator: { name: DEMO.admin.name, email: email(DEMO.admin.name) },
      technicians: DEMO.technicians.map(([name, habit]) => ({ name, email: email(name), habit })),
    },
  });
  expect(seeded.status()).toBe(201);
  expect((await page.request.post('/api/v1/auth/login', { data: { email: email(DEMO.admin.name), password } })).status()).toBe(200);

  await page.goto('/policies/idle-reclaim');
  await expect(page.getByRole('heading', { name: 'Idle reclaim', level: 1 })).toBeVisible();
  const item = (name: string) => page.getByTestId('idle-preview').filter({ hasText: name });
  const reason = /— no console session since \d{1,2} [A-Z][a-z]{2}\s+\(taken back at the next check\)/;
  // A dry run even while off (14 days by default): Jordan has not connected for three weeks.
  await expect(item('Jordan Blake')).toHaveText(reason);

  // On, at 10 days: Jordan is still who it would hit, and why; the next check is a day away.
  await page.getByRole('switch', { name: 'Take back idle seats' }).check();
  await page.getByLabel('Days without a console session').fill('10');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Seats unused for 10 days will be taken back.' })).toBeVisible();
  await expect(item('Jordan Blake')).toHaveText(reason);
  await expect(page.getByText(/^Next check: /)).toBeVisible();

  // Jordan is exempt: the dry run leaves him out.
  await page.getByRole('group', { name: 'Never take a seat from' }).getByRole('checkbox', { name: 'Jordan Blake' }).check();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(item('Jordan Blake')).toHaveCount(0);

  const policy = await (await page.request.get('/api/v1/policies/idle-reclaim')).json();
  const jordan = (await (await page.request.get('/api/v1/users?q=Jordan%20Blake')).json()).items[0];
  expect(policy).toMatchObject({ enabled: true, days: 10, exemptions: { userIds: [jordan.id], groupIds: [] } });
});
