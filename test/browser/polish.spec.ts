/**
 * What an administrator notices (issue 10), walked at the sizes where it showed: the "No free seat"
 * chooser with every seat taken, 100-character names and long emails on every screen, the Users
 * table beside an open user, errors in words at the field, and the small things that looked
 * unfinished. A few walks that check several things each, to keep the suite short.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, manageButton, signIn, test, type Team } from './fixtures';
import { connect, seriousViolations, sidewaysOverflow, technicianApi } from './seat-support';

const isPhone = (page: Page) => page.viewportSize()!.width < 720;
const isDesktop = (page: Page) => page.viewportSize()!.width >= 1100;

/** 100 characters without a space, as a name pasted from somewhere odd. */
const LONG_NAME = `Maximiliana${'x'.repeat(78)}Wolfeschlegel`.slice(0, 100);
/** A long email, unique across the service (an email signs in to one subscription only). */
const longEmail = () => `maximiliana.${'y'.repeat(50)}.${randomUUID().slice(0, 8)}@support.example-company-with-a-long-domain.test`;

/** Whether two boxes overlap. */
function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test.describe('With every seat taken', () => {
  test.use({
    teamShape: {
      seats: 7,
      technicians: [
        ['Alex Moreno', true],
        ['Priya Natarajan', true],
        ['Omar Haddad', true],
        ['Mia Schulz', true],
        ['Noah Berg', true],
        ['Sara Lind', true],
        ['Tom Vidal', true],
        ['Lena Fischer', false],
      ],
    },
  });

  test('the chooser chooses nothing, says what to choose by, least used first; on a phone a sheet with its buttons in view', async ({
    signedIn: page,
    team,
  }) => {
    // Alex is at a computer right now: the most used, so listed last, and says so.
    await connect(await technicianApi(team, 'Alex'));
    await page.reload();
    await manageButton(page, 'Lena Fischer').click();
    await page.getByRole('checkbox', { name: 'Assign seat' }).check();

    const dialog = page.getByRole('dialog', { name: 'No free seat for Lena Fischer' });
    const radios = dialog.getByRole('radio');
    await expect(radios).toHaveCount(7);
    await expect(dialog.getByRole('radio', { checked: true })).toHaveCount(0);
    await expect(radios.first()).toBeFocused();
    await expect(dialog.getByText('7 seat holders, least used first')).toBeVisible();
    await expect(radios.first()).toHaveAccessibleName(/· Technician\s*Never connected\s*Console time in 7 days: none/);
    await expect(radios.last()).toHaveAccessibleName(/^Alex Moreno · Technician\s*Connected now to 1 computer\s*Console time in 7 days/);
    expect(await seriousViolations(page)).toEqual([]);
    const confirm = dialog.getByRole('button', { name: 'Choose a user' });
    await expect(confirm).toBeDisabled();
    await expect(confirm).toBeInViewport();

    if (isPhone(page)) {
      // A bottom sheet: on the bottom edge, the list scrolls inside while the buttons stay in view.
      const box = (await dialog.boundingBox())!;
      expect(Math.round(box.y + box.height)).toBe(page.viewportSize()!.height);
      expect(box.width).toBe(page.viewportSize()!.width);
      const list = dialog.locator('.sheet-scroll');
      expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
      await radios.last().scrollIntoViewIfNeeded();
      await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport();
    }

    // Choosing the connected holder asks what happens to their session, and the button says the move.
    await radios.last().check();
    await expect(dialog.getByText('Alex Moreno is connected to 1 computer.')).toBeVisible();
    await dialog.getByRole('radio', { name: 'End them now' }).check();
    await dialog.getByRole('button', { name: 'Move seat from Alex Moreno to Lena Fischer' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText('Seat moved from Alex Moreno to Lena Fischer.')).toBeVisible();
  });

  test('Add user › "Free a seat…" offers the same chooser, with nothing chosen', { tag: '@once' }, async ({ signedIn: page }) => {
    await page.getByRole('link', { name: 'Add user' }).click();
    await page.getByRole('button', { name: 'Free a seat…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Free a seat' });
    await expect(dialog.getByRole('radio')).toHaveCount(7);
    await expect(dialog.getByRole('radio', { checked: true })).toHaveCount(0);
    await expect(dialog.getByRole('radio').first()).toHaveAccessibleName(/Never connected\s*Console time in 7 days: none/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});

/** A technician with a 100-character name and a long email, and an organization named as long. */
async function longNames(team: Team): Promise<{ id: string; email: string }> {
  const email = longEmail();
  const user = await team.api.createUser({ name: LONG_NAME, email, assignSeat: true });
  await team.api.ok('PATCH', '/subscription', { name: `Organization${'o'.repeat(88)}` });
  return { id: user.user.id, email };
}

/** Nothing on the page is wider than the screen, and the phone's tab bar is where it belongs. */
async function fits(page: Page, where: string) {
  expect(await sidewaysOverflow(page), `${where} scrolls sideways`).toBeLessThanOrEqual(0);
  if (isPhone(page)) await expect(page.getByRole('navigation', { name: 'Main' })).toBeInViewport({ ratio: 1 });
}

test('a 100-character name and a long email fit every screen; the Users table beside an open user keeps its buttons', async ({
  page,
  team,
}) => {
  const { id, email } = await longNames(team);
  await signIn(page, team);

  // Users: the name and email end in "…" in the table (the full text in the title), or wrap on cards.
  await expect(page.getByText(email).first()).toBeAttached();
  await fits(page, 'Users');
  const phone = isPhone(page);
  if (isDesktop(page)) {
    const name = page.getByRole('rowheader').filter({ hasText: LONG_NAME }).locator('.name');
    await expect(name).toHaveAttribute('title', LONG_NAME);
    expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  }

  // The header keeps the organization's name readable beside the live state (not one letter).
  const org = page.locator('header .org');
  expect((await org.boundingBox())!.width).toBeGreaterThan(phone ? 80 : 200);

  // One name for the subscription's tab, whole at this size.
  const tab = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscription' });
  await expect(tab).toBeVisible();
  expect(await tab.locator('.label').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

  // Manage user: the heading wraps, every button stays on screen.
  await manageButton(page, LONG_NAME).click();
  await expect(page.getByRole('heading', { name: `Manage ${LONG_NAME}` })).toBeVisible();
  await fits(page, 'Manage user');
  for (const button of await page.getByRole('button').all()) {
    if (!(await button.isVisible())) continue;
    const box = (await button.boundingBox())!;
    expect(box.x + box.width, await button.innerText()).toBeLessThanOrEqual(page.viewportSize()!.width + 0.5);
  }

  if (isDesktop(page)) {
    // Beside the open user: Manage is an icon that stays inside the table, dates are one short line,
    // and the search sits above the filters.
    const table = (await page.getByRole('table').boundingBox())!;
    for (const button of await page.getByRole('button', { name: /^Manage user / }).all()) {
      const box = (await button.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(table.x + table.width);
      expect(box.width).toBeLessThan(60);
    }
    const active = page.getByRole('row').nth(1).locator('td.active');
    // One line: the text's boxes all share one top.
    const lines = await active.evaluate((td) => {
      const range = document.createRange();
      range.selectNodeContents(td);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBe(1);
    await expect(active).toHaveText(/^(now|never|\d+\w* ago)$/);
    const search = (await page.getByLabel('Search users').boundingBox())!;
    const filters = (await page.getByRole('group', { name: 'Show' }).boundingBox())!;
    expect(filters.y).toBeGreaterThan(search.y + search.height - 1);
  }

  // The Undo message keeps clear of the buttons it came from, above the tab bar.
  await page.getByRole('button', { name: 'Deactivate' }).click();
  const toast = page.getByRole('group', { name: 'Notification' });
  await expect(toast).toBeVisible();
  const toastBox = (await toast.boundingBox())!;
  for (const name of ['Reactivate', 'Delete user']) {
    const button = page.getByRole('button', { name, exact: true });
    await expect(button).toBeInViewport();
    await expect.poll(async () => overlap((await button.boundingBox())!, toastBox), { message: `the message covers ${name}` }).toBe(false);
  }
  if (phone) {
    const bar = (await page.getByRole('navigation', { name: 'Main' }).boundingBox())!;
    expect(toastBox.y + toastBox.height).toBeLessThanOrEqual(bar.y);
  }

  // The other screens with the long names in them.
  // Subscription's sections all in view at once (from a 412 px phone up).
  await page.goto('/subscription');
  for (const link of await page.getByRole('navigation', { name: 'Subscription sections' }).getByRole('link').all()) {
    await expect(link).toBeInViewport({ ratio: 1 });
  }

  for (const [path, heading] of [
    ['/subscription', 'Subscription'],
    ['/subscription/audit', 'Subscription'],
    ['/reports', 'Reports'],
    ['/me', 'Dana Whitfield'],
    [`/users/${id}`, `Manage ${LONG_NAME}`],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, exact: true }).first()).toBeVisible();
    await page.waitForLoadState('networkidle');
    await fits(page, path);
  }
});

test('errors speak at the field, in words; a paste that is cut says so', { tag: '@once' }, async ({ signedIn: page }) => {
  await page.getByRole('link', { name: 'Add user' }).click();
  const name = page.getByLabel('Name', { exact: true });
  const email = page.getByLabel('Email', { exact: true });
  // Spaces pass the browser's "required" and a@b its email check; the API refuses both.
  await name.fill('   ');
  await email.fill('a@b');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription('Enter a name');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription('Enter an email address like name@company.com');
  await expect(page.getByText(/Too small|Invalid email/)).toHaveCount(0);

  // 500 characters pasted into a field that holds 100: the field says it cut them.
  await name.fill('');
  await name.evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, 'n'.repeat(500));
  await expect(page.getByRole('status').filter({ hasText: 'Cut to 100 characters: the pasted text had 500.' })).toBeVisible();
  await expect(name).toHaveAccessibleDescription(/Cut to 100 characters/);
});

test('small things: who created the subscription, one date format, the docs, the sign-in console, the way back, old links', { tag: '@once' }, async ({
  page,
  team,
}) => {
  // The sign-in page of a signed-out visitor asks the API nothing it is refused.
  const refused: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 401) refused.push(r.url());
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(refused).toEqual([]);

  await signIn(page, team);
  // The audit log says who created the subscription, not that they "added themselves".
  await page.goto('/subscription#audit-heading');
  await expect(page).toHaveURL(/\/subscription\/audit$/);
  const entries = page.getByRole('list', { name: 'Audit entries, newest first' });
  await expect(entries).toContainText('Dana Whitfield created the subscription and became its administrator');
  await expect(entries).not.toContainText('Dana Whitfield added Dana Whitfield');

  // The sections of Subscription, the current one marked; the integrations' old anchor leads there.
  const sections = page.getByRole('navigation', { name: 'Subscription sections' });
  await expect(sections.getByRole('link')).toHaveText(['Seats & plan', 'API & integrations', 'Audit log', 'Seat policies']);
  await expect(sections.getByRole('link', { name: 'Audit log' })).toHaveAttribute('aria-current', 'page');
  await page.goto('/subscription#tokens-heading');
  await expect(page).toHaveURL(/\/subscription\/integrations#tokens-heading$/);
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();

  // Security leads back to Me.
  await page.goto('/me/security');
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Me' }).click();
  await expect(page).toHaveURL(/\/me$/);

  // Lending: the outcome's time reads like the browser's time picker (its locale), not a fixed 24-hour clock.
  await page.goto(`/users/${team.users.Lena!.id}`);
  await page.getByRole('button', { name: 'Lend until…' }).click();
  const time = await page.getByLabel('Time').inputValue();
  const picked = await page.evaluate((hhmm) => {
    const [h, m] = hhmm.split(':').map(Number);
    return new Intl.DateTimeFormat([], { timeStyle: 'short' }).format(new Date(2026, 0, 1, h, m));
  }, time);
  await expect(page.getByText(/^(Frees|Returns to .+) at /)).toContainText(picked);

  // /api/docs shows `code` as code, without its backticks.
  await page.goto('/api/docs');
  await expect(page.locator('#docs details').first()).toBeAttached();
  const prose = await page.locator('#docs > p, #docs details > p').allTextContents();
  expect(prose.filter((text) => text.includes('`'))).toEqual([]);
  await expect(page.locator('#docs p code').first()).toBeAttached();
});

test('a tapped button does not stay highlighted after its dialog closes', { tag: '@phone' }, async ({ signedIn: page, team }) => {
  expect(await page.evaluate(() => matchMedia('(hover: hover)').matches)).toBe(false);
  await page.goto(`/users/${team.users.Alex!.id}`);
  const remove = page.getByRole('button', { name: 'Delete user' });
  const before = await remove.evaluate((el) => getComputedStyle(el).backgroundColor);
  await remove.tap();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).tap();
  await expect(page.getByRole('dialog')).toBeHidden();
  expect(await remove.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(before);
});

test('how long the message with Undo stays is kept on this device, across a reload', { tag: '@once' }, async ({ signedIn: page }) => {
  await page.goto('/me');
  const choice = (name: string) => page.getByRole('group', { name: 'After a change, the message with Undo stays' }).getByRole('radio', { name });
  await expect(choice('8 seconds')).toBeChecked();
  await choice('Until I close it').check();
  await page.reload();
  await expect(choice('Until I close it')).toBeChecked();
  await expect(choice('8 seconds')).not.toBeChecked();
});
