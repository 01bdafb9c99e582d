import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, manageButton, test } from './fixtures';

/** The main screens, reached the way a person would, each waited for until it shows its data. */
const SCREENS: [string, (page: Page) => Promise<void>][] = [
  [
    'Users',
    async (page) => {
      await page.goto('/');
      await expect(manageButton(page, 'Alex Moreno')).toBeVisible();
    },
  ],
  [
    'Manage user',
    async (page) => {
      await page.goto('/');
      await manageButton(page, 'Alex Moreno').click();
      await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeVisible();
    },
  ],
  [
    'Add user',
    async (page) => {
      await page.goto('/users/new');
      await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeVisible();
    },
  ],
  [
    'Subscription › Seats & plan',
    async (page) => {
      await page.goto('/subscription');
      await expect(page.getByLabel('Console sessions one seat may have open at once')).toBeVisible();
    },
  ],
  [
    'Subscription › API & integrations',
    async (page) => {
      await page.goto('/subscription/integrations');
      await expect(page.getByText('No tokens yet.')).toBeVisible();
    },
  ],
  [
    'Subscription › Audit log',
    async (page) => {
      await page.goto('/subscription/audit');
      await expect(page.getByRole('list', { name: 'Audit entries, newest first' }).getByRole('listitem').first()).toBeVisible();
    },
  ],
  [
    'Directory sync',
    async (page) => {
      await page.goto('/subscription/directory');
      await expect(page.getByText('No groups yet.', { exact: false })).toBeVisible();
      await expect(page.getByTestId('last-sync')).toBeVisible();
    },
  ],
  [
    'Me',
    async (page) => {
      await page.goto('/me');
      await expect(page.getByRole('heading', { name: 'Expert Console' })).toBeVisible();
    },
  ],
];

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Waits until a screen has its data (no "Loading…" left), so axe sees what a person sees. */
async function settled(page: Page) {
  await expect(page.getByText(/Loading/)).toHaveCount(0);
  await expect(page.getByRole('main')).toBeVisible();
}

test.describe('Accessibility', () => {
  // One test walks every main screen with a full axe scan each: minutes' worth on a busy 2-core machine.
  test.describe.configure({ timeout: 90_000 });
  test('Sign in has no serious or critical axe violations', async ({ page }) => {
    await page.goto('/signin');
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  for (const scheme of ['light', 'dark'] as const) {
    // Dark colours are checked once; the light ones at every size.
    const tag = scheme === 'dark' ? ['@once'] : [];
    test(`every main screen has no serious or critical axe violations (${scheme})`, { tag }, async ({ signedIn: page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, open] of SCREENS) {
        await open(page);
        await settled(page);
        expect(await seriousViolations(page), name).toEqual([]);
      }
    });
  }

  test('no sideways scrolling at 320 px on any screen', { tag: '@phone' }, async ({ signedIn: page }) => {
    await page.setViewportSize({ width: 320, height: 640 });
    for (const [name, open] of SCREENS) {
      await open(page);
      await settled(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, name).toBeLessThanOrEqual(0);
    }
  });

  test('buttons, fields and navigation are at least 44 px tall', async ({ signedIn: page }) => {
    for (const [name, open] of SCREENS) {
      await open(page);
      await settled(page);
      const small = await page.evaluate(() => {
        const targets = document.querySelectorAll<HTMLElement>(
          'button, select, input:not([type=checkbox]):not([type=radio]), nav a, a.button, label.check, label.chip',
        );
        return [...targets]
          .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden, dialog:not([open])'))
          .map((el) => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
          .filter((t) => t.height < 43.5);
      });
      expect(small, name).toEqual([]);
    }
  });

  test('keyboard: Tab reaches Manage user with a visible focus ring and Enter opens it', { tag: '@once' }, async ({ signedIn: page }) => {
    const button = manageButton(page, 'Alex Moreno');
    for (let i = 0; i < 40 && !(await button.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(button).toBeFocused();
    const outline = await button.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Manage Alex Moreno' })).toBeFocused();
  });
});
