/**
 * The Subscription screen's ways out and in: a webhook endpoint added in the app (its secret shown
 * once) receives a signed test event at a real local receiver, which verifies it with the
 * `standardwebhooks` package; Redeliver sends it again with the same `webhook-id`. And the plan is
 * linked to a Stripe customer.
 */
import { startWebhookReceiver } from '../support/receivers.mjs';
import { expect, test } from './fixtures';

interface Received {
  headers: { 'webhook-id': string };
  verified: boolean;
}

test.describe('Integrations on the Subscription screen', { tag: '@once' }, () => {
  test('add a webhook endpoint, send a test event that verifies, redeliver it from the log', async ({ signedIn: page }) => {
    const receiver = await startWebhookReceiver();
    try {
      const name = `ui-${Date.now().toString(36)}`;
      const received = async () => (await (await fetch(`${receiver.url}/_/requests/${name}`)).json()) as Received[];
      await page.goto('/subscription/integrations');
      await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks/${name}`);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByLabel('Signing secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      await fetch(`${receiver.url}/_/configure/${name}`, { method: 'POST', body: JSON.stringify({ secret }) });
      await page.getByRole('button', { name: 'Done' }).click();
      await expect(page.getByLabel('Signing secret')).toHaveCount(0);

      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect(page.getByText(/Test event delivered in \d+ ms/)).toBeVisible();
      const [first] = await received();
      expect(first).toMatchObject({ verified: true });

      await page.getByRole('button', { name: 'Deliveries' }).click();
      await expect(page.getByRole('cell', { name: 'webhook.test' })).toBeVisible();
      await page.getByRole('button', { name: 'Redeliver' }).click();
      await expect.poll(async () => (await received()).length, { timeout: 15_000 }).toBe(2);
      const [, again] = await received();
      expect(again).toMatchObject({ verified: true, headers: { 'webhook-id': first!.headers['webhook-id'] } });
    } finally {
      await receiver.close();
    }
  });

  test('link the plan to a Stripe customer, and unlink it', async ({ signedIn: page, team }) => {
    await page.goto('/subscription');
    const customer = `cus_ui${Date.now().toString(36)}`;
    await page.getByLabel('Stripe customer id').fill(customer);
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await expect(page.getByText(`Billed through Stripe as ${customer}.`)).toBeVisible();
    expect(await team.api.ok('GET', '/billing')).toMatchObject({ customerId: customer });
    await page.getByRole('button', { name: 'Unlink from Stripe' }).click();
    await expect(page.getByLabel('Stripe customer id')).toBeVisible();
  });
});
