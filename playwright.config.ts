import { defineConfig } from '@playwright/test';

/**
 * Browser tests: the built app and the real Worker (wrangler dev, fresh storage) on one port,
 * Debian's Chromium at phone (412×915), tablet (820×1180) and desktop (1366×850) sizes. See test/browser/global-setup.ts.
 */
const PORT = Number(process.env.SETME_TEST_PORT ?? 8799);
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  // Root in a container, no GPU, and a closed network: nothing may phone home.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '*.spec.ts',
  globalSetup: './test/browser/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  // CI machines are small and noisy: a test must fail twice there to fail the run (a pass on retry is
  // reported as flaky, not hidden).
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: CHROMIUM,
    // Only the offline tests need the service worker (test.use there); elsewhere it is extra work.
    serviceWorkers: 'block',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  // The flows people do on every device run at all three sizes. Tests tagged @once check what does
  // not depend on the screen (run on desktop); @phone and @wide are for narrow or wide screens only.
  projects: [
    {
      name: 'phone',
      use: { viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true },
      grepInvert: /@once|@wide/,
    },
    { name: 'tablet', use: { viewport: { width: 820, height: 1180 }, hasTouch: true }, grepInvert: /@once|@phone/ },
    { name: 'desktop', use: { viewport: { width: 1366, height: 850 } }, grepInvert: /@phone/ },
  ],
});
