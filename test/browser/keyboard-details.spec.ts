/**
 * The smaller places where a keyboard or screen-reader user lost their way (issue 15, items 4 and
 * 5): field errors tied to their fields, heading levels, what a live region repeats, which button
 * a destructive dialog starts on, the chart's name, controls hidden under the message at 320 px,
 * and the phone's focus order.
 */
import type { Page } from '@playwright/test';
import { expect, manageButton, PASSWORD, test } from './fixtures';

/** Opens Manage user for `name` from the keyboard (focus on its button, Enter). */
async function openManage(page: Page, name: string) {
  await manageButton(page, name).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: `Manage ${name}` })).toBeFocused();
}

test.describe('Keyboard and screen reader details', () => {
  test('Lend until: the form takes focus, a past time is said on both fields and on why "Lend seat" waits; Cancel returns', async ({
    signedIn: page,
  }) => {
    await openManage(page, 'Lena Fischer');
    const open = page.getByRole('button', { name: 'Lend until…' });
    await open.focus();
    await page.keyboard.press('Enter');
    const day = page.getByLabel('Day');
    await expect(day).toBeFocused();

    // What happens then is said once when it changes; the countdown beside it is not repeated every minute.
    const outcome = page.locator('.outcome [aria-live]');
    await expect(outcome).toHaveText(/^Frees at [^()]+\.$/);
    await expect(page.locator('.outcome')).toContainText(/\(in .+\)/);

    await day.fill('2020-01-01');
    const problem = 'That time has passed: choose a later one.';
    await expect(day).toHaveAttribute('aria-invalid', 'true');
    await expect(day).toHaveAccessibleDescription(problem);
    await expect(page.getByLabel('Time')).toHaveAccessibleDescription(problem);
    const lend = page.getByRole('button', { name: 'Lend seat' });
    await expect(lend).toHaveAttribute('aria-disabled', 'true');
    await expect(lend).toHaveAccessibleDescription(problem);
    // Still focusable (not disabled), so the reason can be heard on it; pressing it does nothing.
    await lend.focus();
    await expect(lend).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByText('Seat lent to')).toHaveCount(0);

    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(open).toBeFocused();
  });

  test('Save changes keeps focus after saving, and says why it waits when nothing changed', async ({ signedIn: page }) => {
    await openManage(page, 'Lena Fischer');
    const name = page.getByRole('textbox', { name: 'Name' });
    await name.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' Jr');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const save = page.getByRole('button', { name: 'Save changes' });
    await expect(save).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByText('Saved Lena Fischer Jr.')).toBeVisible();
    await expect(save).toBeFocused();
    await expect(save).toHaveAttribute('aria-disabled', 'true');
    await expect(save).toHaveAccessibleDescription('Nothing changed yet.');
  });

  test('the Delete dialog opens on Cancel, and closing it returns to "Delete user"', async ({ signedIn: page }) => {
    await openManage(page, 'Lena Fischer');
    const remove = page.getByRole('button', { name: 'Delete user' });
    await remove.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete Lena Fischer?' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(remove).toBeFocused();
  });

  test('on a phone, Manage user is an h1 with h2 sections, and the tab bar comes after the page', { tag: '@phone' }, async ({
    signedIn: page,
  }) => {
    await openManage(page, 'Lena Fischer');
    const headings = await page
      .getByRole('main')
      .getByRole('heading')
      .evaluateAll((all) => all.map((h) => `${h.tagName} ${h.textContent?.trim()}`));
    expect(headings).toEqual(['H1 Manage Lena Fischer', 'H2 Expert Console', 'H2 Details', 'H2 Invitation', 'H2 Access']);
    await expect(page.getByRole('main').getByRole('heading', { level: 3 })).toHaveCount(0);

    // Back from the title: the header, not the tab bar at the bottom of the screen.
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByRole('navigation', { name: 'Main' }).locator(':focus')).toHaveCount(0);
    await expect(page.getByRole('link', { name: '← All users' })).toBeFocused();
    const order = await page.evaluate(() => {
      const main = document.querySelector('main')!;
      const nav = document.querySelector('nav[aria-label="Main"]')!;
      return main.compareDocumentPosition(nav) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
  });

  test('at 320 px a control focused under the message scrolls clear of it', { tag: '@phone' }, async ({ signedIn: page }) => {
    await page.setViewportSize({ width: 320, height: 568 });
    await openManage(page, 'Lena Fischer');
    await page.getByRole('checkbox', { name: 'Assign seat' }).focus();
    await page.keyboard.press('Space');
    const toast = page.getByRole('group', { name: 'Notification' });
    await expect(toast).toBeVisible();
    await page.getByRole('checkbox', { name: 'Assign seat' }).focus();
    // Name, Role, Save changes, New invitation link, Deactivate, Delete user.
    for (let press = 1; press <= 6; press++) {
      await page.keyboard.press('Tab');
      const focused = page.locator('main :focus');
      await expect(focused).toHaveCount(1);
      const name = await focused.evaluate((el) => el.getAttribute('aria-label') ?? el.id ?? el.textContent);
      const [control, message] = await Promise.all([focused.boundingBox(), toast.boundingBox()]);
      expect(control!.y + control!.height, `${name} ends above the message`).toBeLessThanOrEqual(message!.y);
    }
  });

  test('the utilisation chart has a name of its own, not the sentence read just before it', { tag: '@once' }, async ({ signedIn: page }) => {
    await page.goto('/reports');
    const report = page.getByRole('region', { name: 'Seat utilisation' });
    const sentence = await report.locator('#utilisation-summary').textContent();
    const chart = report.getByRole('img');
    await expect(chart).toHaveAccessibleName('Chart of seats assigned against seats purchased per day, last 30 days');
    await expect(chart).not.toHaveAccessibleName(sentence!.trim());
  });

  test('a wrong password is said on the password field, where focus goes', { tag: '@once' }, async ({ page, team }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill(team.admin.email);
    const password = page.getByLabel('Password');
    await password.fill(`${PASSWORD}-wrong`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).focus();
    await page.keyboard.press('Enter');
    const message = 'The email or the password is not right. Check both and try again.';
    await expect(page.getByText(message)).toBeVisible();
    await expect(password).toBeFocused();
    await expect(password).toHaveAttribute('aria-invalid', 'true');
    await expect(password).toHaveAccessibleDescription(message);
  });

  test('a view opened from the navigation puts focus on its heading', async ({ signedIn: page }) => {
    for (const [link, heading] of [
      [/^Requests/, 'Seat requests'],
      [/^Me$/, 'Dana Whitfield'],
      [/^Users$/, 'Users'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).focus();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('heading', { name: heading, level: 1 }), `after ${link}`).toBeFocused();
    }
  });
});
