import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations, smallTargets } from './security-support';

/** The account-security screens, each in the state that shows the most. */
const SCREENS: [string, (page: Page) => Promise<void>][] = [
  [
    'Forgot password',
    async (page) => {
      await page.goto('/forgot-password');
      await expect(page.getByRole('button', { name: 'Send reset link' })).toBeVisible();
    },
  ],
  [
    'Forgot password, answered',
    async (page) => {
      await page.goto('/forgot-password');
      // A new address each time: one address gets at most 5 mails an hour, and every project walks this screen.
      await page.getByLabel('Email').fill(`someone-${crypto.randomUUID()}@test.setme.test`);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await expect(page.getByRole('button', { name: 'Send another link' })).toBeVisible();
    },
  ],
  [
    'Reset password, passwords differ',
    async (page) => {
      await page.goto('/reset-password#token=sub_x.y');
      await page.getByLabel('New password', { exact: true }).fill('one-long-passphrase');
      await page.getByLabel('Confirm new password').fill('another-passphrase');
      await page.getByRole('button', { name: 'Set password and sign in' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
    },
  ],
  [
    'Reset password, no token',
    async (page) => {
      await page.goto('/reset-password');
      await expect(page.getByRole('alert')).toBeVisible();
    },
  ],
  [
    'Security',
    async (page) => {
      await page.goto('/me/security');
      await expect(page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem')).toHaveCount(2);
      await expect(page.getByText('No passkeys yet.')).toBeVisible();
    },
  ],
  [
    'Security, wrong current password',
    async (page) => {
      await page.goto('/me/security');
      await page.getByLabel('Current password').fill('not-my-password');
      await page.getByLabel('New password', { exact: true }).fill('a-brand-new-passphrase');
      await page.getByLabel('Confirm new password').fill('a-brand-new-passphrase');
      await page.getByRole('button', { name: 'Change password' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
    },
  ],
  [
    'API tokens with a read-only token',
    async (page) => {
      await page.goto('/subscription/integrations');
      await page.getByLabel('Token name').fill('Seat report');
      await page.getByLabel('Read-only').check();
      await page.getByRole('button', { name: 'Create token' }).click();
      await expect(page.getByRole('list', { name: 'Every API token of the subscription' }).getByRole('listitem').filter({ hasText: 'Seat report' })).toContainText('Read-only');
    },
  ],
];

test.describe('Accessibility of the account-security screens', () => {
  // Each test walks every screen above.
  test.describe.configure({ timeout: 90_000 });

  test.beforeEach(async ({ page, team }) => {
    await signIn(page, team);
  });

  for (const scheme of ['light', 'dark'] as const) {
    const tag = scheme === 'dark' ? ['@once'] : [];
    test(`no serious or critical axe violations (${scheme})`, { tag }, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, open] of SCREENS) {
        await open(page);
        expect(await seriousViolations(page), name).toEqual([]);
      }
    });
  }

  test('buttons, fields and links styled as buttons are at least 44 px tall', async ({ page }) => {
    for (const [name, open] of SCREENS) {
      await open(page);
      expect(await smallTargets(page), name).toEqual([]);
    }
  });

  test('no sideways scrolling at 320 px', { tag: '@phone' }, async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 640 });
    for (const [name, open] of SCREENS) {
      await open(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, name).toBeLessThanOrEqual(0);
    }
  });
});
