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
