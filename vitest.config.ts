import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Worker tests run inside workerd (miniflare underneath) against the real Worker, Durable
// Objects and SQLite storage, configured from wrangler.toml.
export default defineConfig({
  plugins: [
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
