/**
 * Directory sync in the app: an administrator connects a directory (base URL, a token shown once),
 * marks a group "Members get a seat", and the seats the directory's changes give arrive live on
 * the Users screen, shown as "via" the group; the directory's user is "Managed by directory".
 */
import { expect, test, userEntry } from './fixtures';

const SCIM_TYPE = 'application/scim+json';

/** A directory (as Okta calls it) with the token the page showed. */
function directory(baseURL: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseURL}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': SCIM_TYPE }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

test.describe('Directory sync', { tag: '@once' }, () => {
  test('connect Okta, mark a group, and seats arrive live as the directory adds its members', async ({ signedIn: page, team, baseURL }) => {
    // Three screens and a directory's calls in one flow: more than the default budget on a busy machine.
    test.setTimeout(90_000);
    await page.goto('/subscription/integrations');
    await page.getByRole('link', { name: 'Directory sync' }).click();
    await expect(page.getByRole('heading', { name: 'Directory sync', level: 1 })).toBeVisible();
    await expect(page.getByLabel('SCIM base URL')).toHaveValue(`${baseURL}/scim/v2`);
    await expect(page.getByTestId('last-sync')).toHaveText('No directory has called yet.');

    await page.getByLabel('Microsoft Entra ID').check();
    await expect(page.getByRole('list', { name: 'Setup steps for Microsoft Entra ID' })).toContainText('Tenant URL');
    await page.getByLabel('Okta', { exact: true }).check();
    // Unattended syncs: a year unless chosen otherwise, said with the token and in the list.
    await expect(page.getByLabel('Expires after')).toHaveValue('365');
    await page.getByRole('button', { name: 'Make a directory token for Okta' }).click();
    const token = await page.getByLabel('Directory token').inputValue();
    await expect(page.getByText(/It works until .+: before then, make a new one and put it in Okta\./)).toBeVisible();
    const inAYear = new Intl.DateTimeFormat([], { dateStyle: 'medium' }).format(new Date(Date.now() + 365 * 86_400_000));
    await expect(page.getByRole('listitem').filter({ hasText: 'by Dana Whitfield' })).toContainText(`expires ${inAYear}`);
    expect(token).toMatch(/^setme_/);
    const okta = directory(baseURL!, token);

    // The directory pushes a group: it appears live, with its switch off.
    const group = await okta('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Support Tier 2' });
    expect(group.status).toBe(201);
    const row = page.getByTestId('group').filter({ hasText: 'Support Tier 2' });
    const grants = row.getByRole('switch', { name: 'Members get a seat' });
    await expect(grants).not.toBeChecked();
    await expect(page.getByTestId('last-sync')).toContainText('The directory last called');
    await grants.check();
    await expect(page.getByText('Members of Support Tier 2 now get a seat')).toBeVisible();
    expect((await team.api.ok<{ items: { grantsSeat: boolean }[] }>('GET', '/groups')).items[0]?.grantsSeat).toBe(true);

    // On the Users screen, the directory's new member gets the one free seat, live.
    await page.getByRole('link', { name: 'Users' }).first().click();
    const created = await okta('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `tina-${crypto.randomUUID().slice(0, 8)}@test.setme.test`,
      name: { givenName: 'Tina', familyName: 'Tech' },
      active: true,
    });
    expect(created.status).toBe(201);
    await expect(userEntry(page, 'Tina Tech')).toBeVisible({ timeout: 10_000 });
    await expect(userEntry(page, 'Tina Tech').getByText('No seat')).toBeVisible();
    await expect(userEntry(page, 'Tina Tech').getByText('Managed by directory').first()).toBeVisible();
    const added = await okta('PATCH', `/Groups/${group.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: created.body.id }] }],
    });
    expect(added.status).toBe(204);
    await expect(userEntry(page, 'Tina Tech').getByText('via Support Tier 2')).toBeVisible({ timeout: 10_000 });
    await expect(userEntry(page, 'Alex Moreno').getByText('by Dana Whitfield')).toBeVisible();

    // Back on Directory sync: the group counts the seat it gave, and the events say who did what.
    await page.goto('/subscription/directory');
    await expect(row).toContainText('1 member');
    await expect(row).toContainText('1 hold a seat through it');
    await expect(page.getByRole('list', { name: 'Recent provisioning events, newest first' })).toContainText('Okta added Tina Tech to Support Tier 2');
  });

  test('a directory token that expires within two weeks says so, and what to do before the directory stops syncing', async ({
    signedIn: page,
    team,
  }) => {
    const expiresAt = new Date(Date.now() + 5 * 86_400_000 - 60_000).toISOString();
    await team.api.ok('POST', '/tokens', { name: 'Old Okta', scope: 'scim', expiresAt });
    await page.goto('/subscription/directory');
    const entry = page.getByRole('listitem').filter({ hasText: 'Old Okta' });
    await expect(entry).toContainText('“Old Okta” expires in 5 days. Make a new directory token, put it in the directory, then revoke this one.');
  });
});
