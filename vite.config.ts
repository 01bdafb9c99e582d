import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The app is a single-page PWA built to static files in build/, which the Worker serves
// (wrangler.toml [assets]); the API lives under /api on the same origin.
export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
      // app/static holds the web app manifest, icons and install screenshots (stable URLs).
      files: { src: 'app', assets: 'app/static' },
      // The service worker announces new versions itself ("Update available — reload"), so
      // SvelteKit's hourly version poll is only a backstop.
      version: { pollInterval: 10 * 60 * 1000 },
      // Each screen's code in its own files, so a screen evaluates only what it shows. The first
      // screen's files still arrive in one wave with the entry: scripts/route-preload.mjs writes
      // into index.html which files each route needs, and preloads the current route's at once.
      output: { bundleStrategy: 'split' },
      // The app registers its service worker itself, once the first screen is done
      // (app/lib/register-worker.ts), not at the page's `load`.
      serviceWorker: { register: false },
    }),
  ],
  build: {
    rolldownOptions: {
      output: {
        // Code used by two screens or more goes into one shared file, each screen's own code into
        // its node's: a screen needs about eight files rather than ~45 fine-grained chunks, which a
        // phone on HTTP/1.1 (six connections) would fetch in several round trips.
        codeSplitting: { groups: [{ name: 'shared', minShareCount: 2 }] },
      },
    },
  },
});
