import { expect, signIn, test } from './fixtures';

// The app ships each screen's code in its own files (bundleStrategy 'split'), and index.html
// preloads the current route's at once (scripts/route-preload.mjs). Without that, a screen's files
// are found only once the entry has arrived and run: a second wave of requests, one round trip later.
test('a deep link asks for all its screen\'s code while the page is still being parsed, and for no stylesheet', { tag: '@once' }, async ({ page, team }) => {
  await signIn(page, team);
  await page.goto(`/users/${team.users.Lena!.id}`);
  await expect(page.getByRole('heading', { name: 'Manage Lena Fischer', exact: true })).toBeVisible();

  const { parsed, nodes, styles } = await page.evaluate(() => {
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const path = (entry: PerformanceResourceTiming) => new URL(entry.name).pathname;
    return {
      parsed: navigation.domInteractive,
      nodes: resources.filter((r) => path(r).startsWith('/_app/immutable/nodes/')).map((r) => ({ file: path(r), start: r.startTime })),
      styles: resources.filter((r) => path(r).endsWith('.css')).map(path),
    };
  });
  // The root layout and error page, the signed-in layout, the Users layout and Manage user's page.
  expect(nodes.length).toBeGreaterThanOrEqual(5);
  // The app's own code could ask for a file only after the page was parsed and the entry had run.
  expect(nodes.filter((node) => node.start > parsed)).toEqual([]);
  // Every stylesheet is inlined into index.html (scripts/inline-css.mjs): none is fetched.
  expect(styles).toEqual([]);
});

// document.cookie makes the page wait for the browser process's answer (inside the page's first
// task, on a first load); the Cookie Store API answers asynchronously. app.html's early answers
// and app/lib/device-key.ts use the store where the browser has one.
test('signing in, a first load and signing out never wait on document.cookie', { tag: '@once' }, async ({ page, team }) => {
  await page.addInitScript(() => {
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    const counts = { reads: 0, writes: 0 };
    (window as unknown as { cookieUse: typeof counts }).cookieUse = counts;
    Object.defineProperty(Document.prototype, 'cookie', {
      get() {
        counts.reads++;
        return cookie.get!.call(this);
      },
      set(value: string) {
        counts.writes++;
        cookie.set!.call(this, value);
      },
    });
  });
  const cookieUse = () => page.evaluate(() => (window as unknown as { cookieUse: { reads: number; writes: number } }).cookieUse);
  await signIn(page, team);
  await page.goto('/');
  await expect(page.getByText('Lena Fischer').first()).toBeVisible();
  expect(await cookieUse()).toEqual({ reads: 0, writes: 0 });

  await page.goto('/me');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin/);
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain('__Host-setme_key');
  expect(await cookieUse()).toEqual({ reads: 0, writes: 0 });
});

// The service worker's install fetches every screen's files (about 45). Registered at the page's
// `load`, as SvelteKit would, it fetched them while the first screen was still rendering its data.
test.describe('The service worker', () => {
  test.use({ serviceWorkers: 'allow' });

  test('is registered only once the first screen has its data and the app has been quiet for a second', { tag: '@once' }, async ({ browser, page, team, baseURL }) => {
    await signIn(page, team);
    // A browser that has never run the service worker, with the same session.
    const context = await browser.newContext({ baseURL, serviceWorkers: 'allow', storageState: await page.context().storageState() });
    try {
      const seen: { at: number; kind: 'api answer' | 'worker request' }[] = [];
      context.on('requestfinished', (request) => {
        if (!request.serviceWorker() && new URL(request.url()).pathname.startsWith('/api/')) seen.push({ at: Date.now(), kind: 'api answer' });
      });
      context.on('request', (request) => {
        if (request.serviceWorker()) seen.push({ at: Date.now(), kind: 'worker request' });
      });
      const fresh = await context.newPage();
      await fresh.goto('/');
      await expect(fresh.getByText('Lena Fischer').first()).toBeVisible();
      await fresh.evaluate(() => navigator.serviceWorker.ready);

      const firstOfWorker = seen.findIndex((event) => event.kind === 'worker request');
      expect(firstOfWorker).toBeGreaterThan(0);
      const answers = seen.slice(0, firstOfWorker);
      expect(answers.length).toBeGreaterThanOrEqual(2); // who is signed in, and the users
      expect(seen[firstOfWorker]!.at - answers.at(-1)!.at).toBeGreaterThanOrEqual(800);
    } finally {
      await context.close();
    }
  });
});
