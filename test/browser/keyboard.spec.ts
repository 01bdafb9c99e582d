/**
 * The core tasks walked with the keyboard only, at phone and desktop sizes: after every key press
 * focus is somewhere a keyboard or screen-reader user expects (never back on <body>), and what it
 * is on has the right name and description in the accessibility tree.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, manageButton, test, type TeamShape } from './fixtures';
import { technicianApi } from './seat-support';

/** Every seat taken: Alex and Priya hold the two, Lena has none. */
const FULL: TeamShape = {
  seats: 2,
  technicians: [
    ['Alex Moreno', true],
    ['Priya Natarajan', true],
    ['Lena Fischer', false],
  ],
};

/** A person's pace at the keyboard: reading what focus landed on before the next press. */
const PACE_MS = 1_500;

/** Presses Tab until `target` has focus (at most `max` presses, `pace` ms apart); fails otherwise. */
async function tabTo(page: Page, target: Locator, { max = 25, pace = 0, each }: { max?: number; pace?: number; each?: () => Promise<void> } = {}) {
  for (let press = 0; press < max; press++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
    if (pace) await page.waitForTimeout(pace);
    await each?.();
    // Never back at the start of the page: that is where a lost focus sends the next Tab.
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
  }
  await expect(target).toBeFocused();
}

/** What has focus, as a test failure would want to say it. */
const focusedElement = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? ''}` : 'nothing';
  });

/** Opens Manage user for `name` from the keyboard: focus on its button, Enter. Focus lands on the title. */
async function openManage(page: Page, name: string, phone: boolean) {
  await manageButton(page, name).focus();
  await page.keyboard.press('Enter');
  const title = page.getByRole('heading', { name: `Manage ${name}`, level: phone ? 1 : 2 });
  await expect(title, await focusedElement(page)).toBeFocused();
  return title;
}

const seatBox = (page: Page) => page.getByRole('checkbox', { name: 'Assign seat' });
const isPhone = (page: Page) => (page.viewportSize()?.width ?? 1280) < 720;

test.describe('Keyboard only', () => {
  test('give and take a seat: focus stays on "Assign seat" through each change', async ({ signedIn: page }) => {
    const phone = isPhone(page);
    await openManage(page, 'Lena Fischer', phone);
    const box = seatBox(page);
    await tabTo(page, box, { max: 3 });
    await expect(box).toHaveAccessibleDescription('Without a seat, Lena Fischer can use the web portal but cannot connect to remote computers.');

    await page.keyboard.press('Space');
    await expect(page.getByText('Seat assigned to Lena Fischer.')).toBeVisible();
    await expect(box).toBeChecked();
    await expect(box, await focusedElement(page)).toBeFocused();
    await expect(box).toHaveAccessibleDescription(/^Lena Fischer may connect to remote computers/);

    // Pressing again works at once: the box was never taken out of reach.
    await page.keyboard.press('Space');
    await expect(page.getByText('Seat taken back from Lena Fischer.')).toBeVisible();
    await expect(box).not.toBeChecked();
    await expect(box, await focusedElement(page)).toBeFocused();
  });

  test.describe('with every seat taken', () => {
    test.use({ teamShape: FULL });

    test('the chooser opens on the holder to pick, says why, and every way out returns to the box', async ({ signedIn: page }) => {
      const phone = isPhone(page);
      await openManage(page, 'Lena Fischer', phone);
      const box = seatBox(page);
      await tabTo(page, box, { max: 3 });
      const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });

      /** Space on the box: the chooser, on the first holder (not chosen for us), described by its sentence. */
      const openChooser = async () => {
        await page.keyboard.press('Space');
        await expect(dialog).toBeVisible();
        await expect(dialog).toHaveAccessibleDescription(
          'All 2 seats are assigned. Take a seat from one of these users and give it to Lena Fischer in one step:',
        );
        const first = dialog.getByRole('radio').first();
        await expect(first, await focusedElement(page)).toBeFocused();
        await expect(first).not.toBeChecked();
        await expect(first).toHaveAccessibleName(/^(Alex Moreno|Priya Natarajan) · Technician\s*Never connected\s*Console time in 7 days: none$/);
      };

      await openChooser();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      await expect(box, await focusedElement(page)).toBeFocused();
      await expect(box).not.toBeChecked();

      await openChooser();
      await tabTo(page, dialog.getByRole('button', { name: 'Cancel' }), { max: 6 });
      await page.keyboard.press('Enter');
      await expect(dialog).toBeHidden();
      await expect(box, await focusedElement(page)).toBeFocused();
      await expect(box).not.toBeChecked();

      await openChooser();
      // Arrow keys choose within the group: the second holder.
      await page.keyboard.press('ArrowDown');
      const chosen = dialog.getByRole('radio', { checked: true });
      await expect(chosen).toBeFocused();
      const from = (await chosen.evaluate((el) => el.closest('label')?.querySelector('.name')?.textContent)) ?? '';
      const confirm = dialog.getByRole('button', { name: `Move seat from ${from} to Lena Fischer` });
      await tabTo(page, confirm, { max: 6 });
      await page.keyboard.press('Enter');
      await expect(dialog).toBeHidden();
      await expect(page.getByText(`Seat moved from ${from} to Lena Fischer.`)).toBeVisible();
      await expect(box).toBeChecked();
      await expect(box, await focusedElement(page)).toBeFocused();
    });

    test('approve a request when full: the chooser returns to Approve, then focus goes to the heading', async ({ signedIn: page, team }) => {
      await (await technicianApi(team, 'Lena')).ok('POST', '/seat-requests', { reason: 'On call this weekend' });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Requests/ }).focus();
      await page.keyboard.press('Enter');
      const heading = page.getByRole('heading', { name: 'Seat requests', level: 1 });
      await expect(heading, await focusedElement(page)).toBeFocused();

      const approve = page.getByRole('button', { name: 'Approve request from Lena Fischer' });
      await tabTo(page, approve, { max: 12 });
      const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });

      await page.keyboard.press('Enter');
      await expect(dialog).toBeVisible();
      await expect(dialog.getByRole('radio').first()).toBeFocused();
      await expect(dialog).toHaveAccessibleDescription(/^All 2 seats are assigned\./);
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      await expect(approve, await focusedElement(page)).toBeFocused();

      await page.keyboard.press('Enter');
      await expect(dialog.getByRole('radio').first()).toBeFocused();
      // Nothing is chosen until the administrator chooses: Space takes the focused holder.
      await page.keyboard.press('Space');
      await expect(dialog.getByRole('radio').first()).toBeChecked();
      const confirm = dialog.getByRole('button', { name: /^Move seat from .+ to Lena Fischer$/ });
      await tabTo(page, confirm, { max: 6 });
      await page.keyboard.press('Enter');
      await expect(dialog).toBeHidden();
      await expect(page.getByText('No one is waiting for a seat.')).toBeVisible();
      await expect(page.getByText(/^Seat moved from .+ to Lena Fischer\.$/)).toBeVisible();
      // The request (and its Approve) is gone: focus is on the view's heading, not lost.
      await expect(heading, await focusedElement(page)).toBeFocused();
    });
  });

  test('Undo at a person’s pace: the message waits, Undo returns focus to the box; Ctrl+Z undoes from the box', async ({
    signedIn: page,
  }) => {
    test.slow();
    const phone = isPhone(page);
    await openManage(page, 'Alex Moreno', phone);
    const box = seatBox(page);
    await tabTo(page, box, { max: 3, pace: PACE_MS });
    await page.keyboard.press('Space');
    const taken = page.getByText('Seat taken back from Alex Moreno.');
    await expect(taken).toBeVisible();
    await expect(box, await focusedElement(page)).toBeFocused();

    // Walk to Undo at 1.5 s a key: the message is still there at every step.
    const undo = page.getByRole('button', { name: 'Undo' });
    await tabTo(page, undo, { max: 20, pace: PACE_MS, each: () => expect(taken).toBeVisible({ timeout: 100 }) });
    await expect(undo).toHaveAttribute('aria-keyshortcuts', /Z/);
    await page.keyboard.press('Enter');
    await expect(page.getByText('Undone.')).toBeVisible();
    await expect(box).toBeChecked();
    // The Undo button is gone: focus is back where the change was made.
    await expect(box, await focusedElement(page)).toBeFocused();

    // The shortcut shown on the message undoes without leaving the box.
    await page.keyboard.press('Space');
    await expect(taken).toBeVisible();
    await expect(box).not.toBeChecked();
    await page.waitForTimeout(PACE_MS);
    await page.keyboard.press('ControlOrMeta+z');
    await expect(page.getByText('Undone.')).toBeVisible();
    await expect(box).toBeChecked();
    await expect(box, await focusedElement(page)).toBeFocused();
  });

  test('Add user with an email already in use: the message is on the email field, and focus goes there', async ({
    signedIn: page,
    team,
  }) => {
    const phone = isPhone(page);
    await page.getByRole('link', { name: 'Add user' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Add user', level: phone ? 1 : 2 }), await focusedElement(page)).toBeFocused();

    const name = page.getByRole('textbox', { name: 'Name' });
    await tabTo(page, name, { max: 4 });
    await page.keyboard.type('Alex Two');
    await page.keyboard.press('Tab');
    const email = page.getByRole('textbox', { name: 'Email' });
    await expect(email).toBeFocused();
    await page.keyboard.type(team.users.Alex!.email);
    await page.keyboard.press('Enter');

    const message = `Another user already signs in with ${team.users.Alex!.email}. Use a different email address.`;
    await expect(page.getByText(message)).toBeVisible();
    await expect(email, await focusedElement(page)).toBeFocused();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toHaveAccessibleDescription(message);

    // Fixed and sent again: the user is added, focus on the new title.
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(`alex-two-${Date.now()}@test.setme.test`);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Alex Two was added' })).toBeFocused();
  });
});
