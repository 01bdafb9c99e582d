import { readFileSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * These packages' files name source maps whose sources they do not ship: Vite warned once per file
 * (about 200 lines in every run, hiding real warnings). Loaded without that comment, they are
 * used as they are.
 */
const MAPS_WITHOUT_SOURCES = /\/node_modules\/(stripe|standardwebhooks)\/.*\.js$/;
const withoutBrokenSourceMaps: Plugin = {
  name: 'without-broken-source-maps',
  enforce: 'pre',
  load(id) {
    const file = id.split('?')[0]!;
    if (!MAPS_WITHOUT_SOURCES.test(file)) return null;
    return { code: readFileSync(file, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, ''), map: null };
  },
};

// Worker tests run inside workerd (miniflare underneath) against the real Worker, Durable
// Objects and SQLite storage, configured from wrangler.toml.
export default defineConfig({
  plugins: [
    withoutBrokenSourceMaps,
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // The tests call https://seats.test: that is the public origin every mailed link must use
      // (whatever Host a request names), and a public origin that is not loopback needs its own key.
      // Development (wrangler.toml says production) lets webhooks and push reach the local receivers.
      miniflare: {
        bindings: { PUBLIC_ORIGIN: 'https://seats.test', SECRET_KEY: 'vitest key: only for the tests in test/worker', ENVIRONMENT: 'development' },
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    // A webhook receiver and a push service in Node, reached by the Worker's real fetch (receivers.ts).
    globalSetup: ['./test/worker/global-setup.mjs'],
    // The first request in a file loads the Worker into workerd; on a busy 2-core machine that alone
    // can pass vitest's 5 s default. Timeouts catch hangs, not slowness.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
