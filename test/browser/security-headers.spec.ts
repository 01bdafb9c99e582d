import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, manageButton, test } from './fixtures';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );
}

test.describe('Security headers on the app', { tag: '@once' }, () => {
  for (const path of ['/', '/signin', '/users/usr_deep_link', '/me/security', '/reset-password']) {
    test(`${path} is served with a strict CSP that allows exactly its own inline scripts, HSTS, nosniff and no framing`, async ({ request }) => {
      const response = await request.get(path);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toContain('text/html');
      const headers = response.headers();
      expect(headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      // Other sites learn at most our origin, never a path (invitation and reset secrets are in the fragment anyway).
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');

      const csp = directives(headers['content-security-policy'] ?? '');
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      const scripts = csp.get('script-src') ?? [];
      expect(scripts[0]).toBe("'self'");
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
      // Every inline script in the page, and nothing else, is allowed by its hash.
      const html = await response.text();
      const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
        .filter(([, attributes, body]) => !/\bsrc=/.test(attributes!) && body!.trim() !== '')
        .map(([, , body]) => `'sha256-${createHash('sha256').update(body!).digest('base64')}'`);
      expect(inline.length).toBeGreaterThan(0);
      expect(scripts.slice(1).sort()).toEqual([...new Set(inline)].sort());
    });
  }

  test('content-named files are kept for a year, icons for a day; pages and the service worker are asked for again', async ({ request }) => {
    const page = await (await request.get('/')).text();
    const built = /\/_app\/immutable\/[^"']+\.js/.exec(page)?.[0];
    expect(built, 'the page loads a script from /_app/immutable/').toBeTruthy();
    expect((await request.get(built!)).headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request.get('/icons/icon.svg')).headers()['cache-control']).toBe('public, max-age=86400');
    for (const path of ['/', '/users/usr_deep_link', '/service-worker.js', '/manifest.webmanifest']) {
      expect((await request.get(path)).headers()['cache-control'], path).toMatch(/max-age=0/);
    }
  });

  test('the browser enforces it: a script injected into the page does not run', async ({ page }) => {
    const violations = recordCspViolations(page);
    await page.goto('/signin');
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => 'injected' in window)).toBe(false);
  });
});

/**
 * Collects every Content-Security-Policy violation on the page: the `securitypolicyviolation`
 * events (recorded by a script the page's policy does not apply to) and Chromium's console errors.
 */
function recordCspViolations(page: Page): string[] {
  const violations: string[] = [];
  void page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${location.pathname}`,
      );
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test.describe('The app under its Content-Security-Policy', { tag: '@once' }, () => {
  // The service worker runs too: it is part of what the policy must allow.
  test.use({ serviceWorkers: 'allow' });

  test('no screen causes a CSP violation: boot and install scripts, service worker, live updates, manifest, icons', async ({
    page,
    team,
  }) => {
    test.setTimeout(90_000);
    const violations = recordCspViolations(page);
    // app.html starts a worker that loads the date formatting data off the main thread.
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
    for (const path of ['/signin', '/signup', '/forgot-password', '/reset-password#token=not-a-real-one', '/invitation']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    }
    await page.request.post('/api/v1/auth/login', { data: { email: team.admin.email, password: team.admin.password } });

    await page.goto('/');
    await expect(manageButton(page, 'Alex Moreno')).toBeVisible();
    // The service worker installs and takes control under the policy; the live socket connects.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect(page.getByText('Live', { exact: true })).toBeVisible({ timeout: 10_000 });
    // Chromium fetches the manifest itself (manifest-src) and finds nothing wrong with it.
    const cdp = await page.context().newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    expect(manifest.data).toContain('SetMe Seats');

    await manageButton(page, 'Alex Moreno').click();
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeVisible();
    await page.goto('/users/new');
    await expect(page.getByRole('checkbox', { name: 'Assign seat' })).toBeVisible();
    // Every screen of the main navigation, whatever it holds today.
    const screens = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((links) =>
      links.map((link) => (link as HTMLAnchorElement).pathname),
    );
    expect(screens).toEqual(expect.arrayContaining(['/', '/subscription', '/me']));
    for (const path of screens) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      await expect(page.getByText(/Loading/)).toHaveCount(0);
    }
    await page.goto('/me');
    await expect(page.getByRole('heading', { name: 'Expert Console' })).toBeVisible();
    await page.getByRole('link', { name: 'Password, passkeys and devices' }).click();
    await expect(page.getByRole('list', { name: 'Signed-in devices' })).toBeVisible();
    // Reloaded through the service worker (it controls the page now).
    await page.reload();
    await expect(page.getByRole('list', { name: 'Signed-in devices' })).toBeVisible();
    await expect(page.getByText('Live', { exact: true })).toBeVisible({ timeout: 10_000 });

    expect(violations).toEqual([]);
    expect(workers).toContain('/intl-warm.js');
  });
});
