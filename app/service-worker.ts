/**
 * The service worker: precaches the app shell so the app opens without a network, and keeps the
 * last answer to the few API reads the offline view needs (OFFLINE_READS) so a reload offline still
 * shows the last known users (marked with the time they were fetched). Those copies are kept per
 * signed-in device, under the name the app sends (OFFLINE_COPY_HEADER), and dropped when the server
 * says the session ended (401) or the app signs out; other API answers (no-store) are never stored.
 * The app adds one itself: the account a sign-in answered with, as GET /me (session.svelte.ts).
 * A new version waits until the page asks it to take over ("Update available — reload"). It also
 * shows push notifications and acts on their buttons.
 */
import { version } from '$app/env';
import { assets, immutable } from '$app/manifest';
import { self } from '$app/service-worker';
import { copyCacheName, OFFLINE_COPY_HEADER, OFFLINE_HEADER, OFFLINE_READS, storedAnswer } from '#lib/offline-cache.ts';
import { clickPush, showPush } from './push-handlers.ts';

const SHELL_CACHE = `setme-shell-${version}`;
/** Enough answers for every screen and a few searches; older ones make room. */
const MAX_API_ENTRIES = 60;
const INDEX = '/';
const toPath = (path: string) => new URL(path, self.registration.scope).pathname;
// The install screenshots are only for the browser's install dialog: no need to keep them offline.
const STATIC = assets.map((f) => toPath(f.path)).filter((path) => !path.startsWith('/screenshots/'));
// Stylesheets are all inlined into the page (scripts/inline-css.mjs) and never fetched.
const CODE = immutable.map((f) => toPath(f.path)).filter((path) => !path.endsWith('.css'));
const SHELL = new Set([INDEX, ...CODE, ...STATIC]);

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll([...SHELL])));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        // 'setme-api-v1' was the one copy for everyone of earlier versions: it goes too.
        if ((key.startsWith('setme-shell-') && key !== SHELL_CACHE) || key === 'setme-api-v1') await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'skip-waiting') void self.skipWaiting();
});

// Push notifications to administrators (push-handlers.ts): seat requests with Approve / Decline.
self.addEventListener('push', (event) => event.waitUntil(showPush(event)));
self.addEventListener('notificationclick', (event) => event.waitUntil(clickPush(event)));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const apiPath = url.pathname.startsWith('/api/v1/') ? url.pathname.slice('/api/v1'.length) : null;
  const copyName = request.headers.get(OFFLINE_COPY_HEADER);
  if (apiPath !== null && copyName && /^[0-9a-f]{32}$/.test(copyName) && OFFLINE_READS.some((read) => read.test(apiPath))) {
    event.respondWith(apiData(request, copyCacheName(copyName)));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else if (SHELL.has(url.pathname)) {
    event.respondWith(shellFile(request, url.pathname));
  }
});

/**
 * The offline view's API reads: the network when there is one (keeping a copy in this device's
 * `copy`), else the last copy, marked. Other API requests go to the network untouched.
 */
async function apiData(request: Request, copy: string): Promise<Response> {
  const cache = await caches.open(copy);
  let response: Response;
  try {
    response = await fetch(request);
  } catch {
    const stored = await cache.match(request);
    if (stored) return stored;
    return problem(503, 'offline', 'You are offline, and this has not been loaded on this device before.');
  }
  if (response.status === 200) {
    const body = await response.clone().arrayBuffer();
    await cache.put(request, storedAnswer(body, response.headers, new Date()));
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_API_ENTRIES))) await cache.delete(old);
  } else if (response.status === 401) {
    // Signed out (or access revoked): nothing of this account stays on the device.
    await caches.delete(copy);
  }
  return response;
}

/** Pages: the network first (so new versions arrive), else the cached app shell. */
async function page(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    const shell = await caches.match(INDEX, { cacheName: SHELL_CACHE });
    return shell ?? problem(503, 'offline', 'You are offline.');
  }
}

/** Built files and icons never change under the same URL in one version: the cache first. */
async function shellFile(request: Request, path: string): Promise<Response> {
  const cached = await caches.match(path, { cacheName: SHELL_CACHE });
  return cached ?? fetch(request);
}

function problem(status: number, code: string, detail: string): Response {
  return new Response(JSON.stringify({ type: `/api/problems/${code}`, title: 'Offline', status, detail, code }), {
    status,
    headers: { 'content-type': 'application/problem+json', [OFFLINE_HEADER]: '1' },
  });
}
