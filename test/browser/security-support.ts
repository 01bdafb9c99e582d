/**
 * Helpers for the account-security browser tests: Chromium's virtual authenticator (passkeys
 * without a person touching a sensor), the mail the local server writes to its log, and axe.
 */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * Gives the page a platform authenticator (like a phone's fingerprint sensor) that holds
 * discoverable credentials and always verifies the user. Lives as long as the page.
 */
export async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    /** The passkeys stored on the authenticator. */
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

/** The server's log (global-setup.ts starts the server with it). */
function serverLog(): string {
  const file = process.env.SETME_SERVER_LOG;
  if (!file) throw new Error('SETME_SERVER_LOG is not set: run the browser tests through playwright.config.ts');
  return readFileSync(file, 'utf8');
}

/** Every mail the local transport logged for `email`, oldest first (`[mail] to=… subject=…` + text). */
export function mailsTo(email: string): string[] {
  return serverLog()
    .split(/^(?=.*\[mail\] to=)/m)
    .filter((block) => block.includes(`[mail] to=${email} `));
}

/** The newest password reset link mailed to `email`, or null. */
export function newestResetLink(email: string): string | null {
  const links = mailsTo(email).flatMap((mail) => mail.match(/https?:\/\/\S+\/reset-password#token=[\w.-]+/g) ?? []);
  return links.at(-1) ?? null;
}

/** Serious and critical WCAG 2.2 AA violations on the page as it is, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Visible buttons, fields and links styled as buttons that are less than 44 px tall. */
export async function smallTargets(page: Page) {
  return page.evaluate(() => {
    const targets = document.querySelectorAll<HTMLElement>(
      'button, select, input:not([type=checkbox]):not([type=radio]), nav a, a.button, label.check',
    );
    return [...targets]
      .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden, dialog:not([open])'))
      .map((el) => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
      .filter((t) => t.height < 43.5);
  });
}
