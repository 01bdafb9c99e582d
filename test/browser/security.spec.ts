import { randomUUID } from 'node:crypto';
import type { CreatedApiToken } from '../../worker/contract';
import { Api } from './api';
import { expect, PASSWORD, signIn, test } from './fixtures';
import { technicianApi } from './seat-support';
import { addVirtualAuthenticator, mailsTo, newestResetLink } from './security-support';

const NEW_PASSWORD = 'a-brand-new-passphrase';

test.describe('Passkeys', () => {
  // WebAuthn refuses IP addresses as relying party ids: these tests load the app as localhost.
  test.use({ baseURL: async ({ baseURL }, use) => use(baseURL!.replace('127.0.0.1', 'localhost')) });

  test('a passkey added on the Security page signs in with one tap, and shows when it was last used', async ({ page, team }) => {
    const authenticator = await addVirtualAuthenticator(page);
    await signIn(page, team);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Me', exact: true }).click();
    await page.getByRole('link', { name: 'Password, passkeys and devices' }).click();
    await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
    await expect(page.getByText('No passkeys yet.')).toBeVisible();

    await page.getByLabel('Passkey name').fill('Work phone');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const passkeys = page.getByRole('list', { name: 'Your passkeys' }).getByRole('listitem');
    await expect(passkeys).toHaveCount(1);
    await expect(passkeys.first()).toContainText('Work phone');
    await expect(passkeys.first()).toContainText('last used never');
    expect(await authenticator.credentials()).toMatchObject([{ isResidentCredential: true, rpId: 'localhost' }]);
    expect((await team.api.ok<{ items: { name: string }[] }>('GET', '/passkeys')).items).toMatchObject([{ name: 'Work phone' }]);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Me', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    // The sign-in page offers the passkey twice: in the email field's autofill (the virtual
    // authenticator answers that at once, as if the passkey were picked) and with the button. Either
    // signs in with one tap; when the autofill wins, the button is gone before the click lands.
    const users = page.getByRole('heading', { name: 'Users', level: 1 });
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await expect(button.or(users)).toBeVisible();
    await button.click({ timeout: 5_000 }).catch(() => undefined);

    await expect(users).toBeVisible();
    await page.goto('/me/security');
    await expect(passkeys.first()).toContainText('last used just now');
  });

  test('a removed passkey no longer signs in', { tag: '@once' }, async ({ page, team }) => {
    await addVirtualAuthenticator(page);
    await signIn(page, team);
    await page.goto('/me/security');
    await page.getByLabel('Passkey name').fill('Old laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('button', { name: 'Remove passkey Old laptop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove passkey' }).click();
    await expect(page.getByText('No passkeys yet.')).toBeVisible();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Me', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    // The authenticator still holds the passkey, but the account no longer knows it.
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText('This passkey was not accepted');
    await expect(page).toHaveURL(/\/signin$/);
  });
});

test.describe('Password reset', () => {
  test('"Forgot password?" mails a link; the link sets a new password, signs in, and signs every other device out', async ({
    page,
    team,
    baseURL,
  }) => {
    const email = team.admin.email;
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expect(page.getByRole('heading', { name: 'Reset your password', level: 1 })).toBeVisible();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByRole('status').filter({ hasText: `If an account uses ${email}, a reset link is on its way.` })).toBeVisible();

    await expect.poll(() => newestResetLink(email), { timeout: 10_000 }).not.toBeNull();
    const link = newestResetLink(email)!.replace(/^https?:\/\/[^/]+/, baseURL!);
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(`${NEW_PASSWORD}-typo`);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The two passwords are not the same.');

    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    // The toast says what the reset removed: here the team's API session(s).
    await expect(page.getByText(/^Your password is changed: \d+ devices? signed out\.$/)).toBeVisible();

    expect((await team.api.call('GET', '/me')).status).toBe(401);
    expect((await new Api(baseURL!).call('POST', '/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);

    // The link works once.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('yet-another-passphrase');
    await page.getByLabel('Confirm new password').fill('yet-another-passphrase');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('invalid, already used or expired');
  });

  test('an unknown email gets the same answer, and no mail', { tag: '@once' }, async ({ page }) => {
    const nobody = `nobody-${randomUUID().slice(0, 8)}@test.setme.test`;
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(nobody);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByRole('status').filter({ hasText: `If an account uses ${nobody}, a reset link is on its way.` })).toBeVisible();
    expect(mailsTo(nobody)).toEqual([]);
  });

  test('a link without its token explains what to do', { tag: '@once' }, async ({ page }) => {
    await page.goto('/reset-password');
    await expect(page.getByRole('alert')).toContainText('This link has no reset token in it');
    await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  });
});

test.describe('Signed-in devices', { tag: '@once' }, () => {
  test('the list marks this device; one device or all the others can be signed out', async ({ signedIn: page, team, browser, baseURL }) => {
    const other = await browser.newContext({ baseURL });
    const otherPage = await other.newPage();
    await signIn(otherPage, team);

    await page.goto('/me/security');
    const devices = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    // This browser, the second browser, and the API session the test signed up with (Node's fetch).
    await expect(devices).toHaveCount(3);
    await expect(devices.first()).toContainText('This device');
    await expect(devices.filter({ hasText: 'This device' })).toHaveCount(1);

    await devices.filter({ hasText: 'node' }).getByRole('button', { name: /^Sign out node/ }).click();
    await expect(devices).toHaveCount(2);
    expect((await team.api.call('GET', '/me')).status).toBe(401);

    await page.getByRole('button', { name: 'Sign out other devices' }).click();
    await expect(page.getByText('Signed out 1 other device.')).toBeVisible();
    await expect(devices).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Sign out other devices' })).toBeDisabled();

    // The second browser finds out at once (its live socket is closed), at its next request, or
    // already from one its live updates made (any 401 signs the app out): it may be on the sign-in
    // page before this reload.
    await otherPage.reload();
    await expect(otherPage.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    await other.close();

    // This one is still signed in.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  });
});

test.describe('Change password', { tag: '@once' }, () => {
  test('needs the current password, then signs the other devices out, revokes tokens when asked, and keeps this one', async ({
    signedIn: page,
    team,
    baseURL,
  }) => {
    const otherDevice = await team.newApi();
    const { token } = await otherDevice.ok<{ token: string }>('POST', '/tokens', { name: 'Provisioning script' });
    await page.goto('/me/security');
    const form = page.getByRole('region', { name: 'Password' });

    await form.getByLabel('Current password').fill('not-my-password');
    await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await form.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(form.getByRole('alert')).toHaveText('The current password is not right. Try again.');
    // A wrong password is not a lost session: still here, still signed in.
    await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
    expect((await otherDevice.call('GET', '/me')).status).toBe(200);

    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByRole('checkbox', { name: 'Revoke your 1 API token' }).check();
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(form.getByRole('status')).toHaveText(/^Your password is changed: \d+ devices? signed out, 1 API token revoked\.$/);
    const tokenCall = await fetch(`${baseURL}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(tokenCall.status).toBe(401);
    await expect(page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem')).toHaveCount(1);

    expect((await otherDevice.call('GET', '/me')).status).toBe(401);
    const email = team.admin.email;
    expect((await new Api(baseURL!).call('POST', '/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await new Api(baseURL!).call('POST', '/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  });
});

test.describe('API tokens', { tag: '@once' }, () => {
  test('a read-only token made in the app reads, is refused any change, and shows its scope and last use', async ({ signedIn: page, team }) => {
    await page.goto('/subscription/integrations');
    await page.getByLabel('Token name').fill('Seat report');
    await page.getByLabel('Read-only').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('New API token').inputValue();
    const row = page.getByRole('list', { name: 'Every API token of the subscription' }).getByRole('listitem').filter({ hasText: 'Seat report' });
    await expect(row).toContainText('Read-only');
    await expect(row).toContainText('last used never');
    await expect(row).toContainText(/expires \w/);

    const headers = { authorization: `Bearer ${secret}` };
    expect((await fetch(`${team.api.baseURL}/api/v1/subscription`, { headers })).status).toBe(200);
    const write = await fetch(`${team.api.baseURL}/api/v1/users/${team.users.Lena!.id}/seat`, { method: 'PUT', headers });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('read-only') });
    expect((await team.api.user(team.users.Lena!.id)).seat).toBeNull();

    await page.reload();
    await expect(row).toContainText('last used just now');
  });

  test("a token that never expires is made with a warning; an administrator sees a technician's token with its owner and revokes it", async ({
    signedIn: page,
    team,
  }) => {
    const alex = await technicianApi(team, 'Alex');
    const { token } = await alex.ok<CreatedApiToken>('POST', '/tokens', { name: 'Alex laptop script', scope: 'read' });

    await page.goto('/subscription/integrations');
    await page.getByLabel('Token name').fill('Forever script');
    await page.getByLabel('Expires after').selectOption('never');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByText('This token never expires')).toBeVisible();
    const tokens = page.getByRole('list', { name: 'Every API token of the subscription' }).getByRole('listitem');
    await expect(tokens.filter({ hasText: 'Forever script' })).toContainText('never expires');

    const alexs = tokens.filter({ hasText: 'Alex laptop script' });
    await expect(alexs).toContainText('Alex Moreno');
    await alexs.getByRole('button', { name: 'Revoke token Alex laptop script' }).click();
    await page.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await expect(alexs).toHaveCount(0);
    const refused = await fetch(`${team.api.baseURL}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
  });
});

test.describe('Sign-in throttling', { tag: '@once' }, () => {
  test('after too many wrong passwords, Sign in shows when to try again', async ({ page, team, baseURL }) => {
    const guesser = new Api(baseURL!);
    let last = 0;
    for (let i = 0; i < 10; i++) {
      last = (await guesser.call('POST', '/auth/login', { email: team.admin.email, password: `wrong-${i}` })).status;
    }
    expect(last).toBe(401);

    await page.goto('/signin');
    await page.getByLabel('Email').fill(team.admin.email);
    await page.getByLabel('Password').fill(team.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(/^Too many failed sign-ins to this email from your network\. Try again in \d+ minutes, or reset your password if you forgot it\.$/);
    await expect(page).toHaveURL(/\/signin$/);
  });
});
