import { randomUUID } from 'node:crypto';
import { fileMailbox } from '../../scripts/mailbox.mjs';
import { Api } from './api';
import { expect, meter, PASSWORD, test } from './fixtures';

test.describe('Signing in and out', () => {
  test('an administrator signs in with Email and Password and lands on Users with the seat meter', async ({ page, team }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin$/);
    await page.getByLabel('Email').fill(team.admin.email);
    await page.getByLabel('Password').fill(team.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    await expect(meter(page, 2, 3)).toBeVisible();
    await expect(page.getByText('Alex Moreno', { exact: true })).toBeVisible();
  });

  test('a wrong password shows the API’s explanation and stays on Sign in', { tag: '@once' }, async ({ page, team }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill(team.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await expect(page.getByRole('alert')).toContainText('The email or the password is not right');
    await expect(page).toHaveURL(/\/signin$/);
  });

  test('signing out returns to Sign in, and the app no longer opens without signing in again', { tag: '@once' }, async ({ signedIn: page }) => {
    await page.getByRole('link', { name: 'Me', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();

    await page.goto('/');
    await expect(page).toHaveURL(/\/signin$/);
  });

  test('signing up mails a link that creates the subscription, whose first user is its administrator', { tag: '@once' }, async ({ page }) => {
    const email = `new-${randomUUID().slice(0, 8)}@test.setme.test`;
    await page.goto('/signup');
    await page.getByLabel('Organization').fill('Harbour IT');
    await page.getByLabel('Your name').fill('Ines Duarte');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Seats').fill('4');
    await expect(page.getByLabel('Assign a seat to me')).toBeChecked();
    const mailbox = fileMailbox(process.env.SETME_SERVER_LOG!);
    const before = mailbox.count(email);
    await page.getByRole('button', { name: 'Create subscription' }).click();

    await expect(page.getByRole('heading', { name: 'Check your mail', level: 1 })).toBeVisible();
    await expect(page.getByRole('main').getByRole('status')).toContainText(`We sent a link to ${email}`);
    const mail = await mailbox.next(email, before);
    const link = /https?:\/\/\S+\/confirm-signup#token=\S+/.exec(mail.text)![0];
    // The link names this server: PUBLIC_ORIGIN is the test server's origin.
    expect(new URL(link).origin).toBe(new URL(page.url()).origin);
    await page.goto(link);
    await page.getByRole('button', { name: 'Create subscription and sign in' }).click();

    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    await expect(meter(page, 1, 4)).toBeVisible();
    await expect(page.getByText('Ines Duarte', { exact: true })).toBeVisible();
  });

  test('an invited technician opens their invitation link, sets a password and sees their seat', { tag: '@once' }, async ({ page, team, baseURL }) => {
    const invited = await team.api.createUser({
      name: 'Noah Kowalski',
      email: `noah-${randomUUID().slice(0, 8)}@test.setme.test`,
      assignSeat: true,
    });
    expect(invited.invitation.url).toContain('/invitation#token=');
    await page.goto(invited.invitation.url.replace(/^https?:\/\/[^/]+/, baseURL!));
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();

    await expect(page.getByRole('heading', { name: 'Noah Kowalski', level: 1 })).toBeVisible();
    await expect(page.getByText('You may connect to remote computers.')).toBeVisible();
    const noah = await new Api(baseURL!).ok('POST', '/auth/login', { email: invited.user.email, password: PASSWORD });
    expect(noah).toMatchObject({ user: { status: 'active' } });
  });
});
