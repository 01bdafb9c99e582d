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
      // One script for the whole app (~85 kB compressed): on a phone's network, one file arrives
      // sooner than the ~30 a screen needs split up, which load in waves (entry, layouts, page).
      output: { bundleStrategy: 'single' },
    }),
  ],
});
