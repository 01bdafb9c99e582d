/**
 * Names shared by the app and the service worker for the offline copy of API data. The service
 * worker keeps the last answer to the few API reads the offline view needs (OFFLINE_READS), in a
 * copy per signed-in device: the app names it in OFFLINE_COPY_HEADER (a hash of the device's key,
 * app/lib/device-key.ts), so one person's copy is never answered to another's sign-in. When the
 * network is gone it answers from that copy and marks it with CACHED_AT_HEADER, so the app can say
 * "offline — as of HH:MM".
 */
export const API_CACHE_PREFIX = 'setme-api-';
export const OFFLINE_COPY_HEADER = 'x-setme-offline-copy';
export const CACHED_AT_HEADER = 'x-setme-cached-at';
/** Marks the service worker's own answer when there is neither network nor a stored copy. */
export const OFFLINE_HEADER = 'x-setme-offline';

/**
 * The API reads kept for offline use (paths under /api/v1): who is signed in and their
 * subscription, the users list (the offline view), and the seat requests shown beside it.
 * Anything else the server marks no-store stays unstored.
 */
export const OFFLINE_READS: readonly RegExp[] = [/^\/me$/, /^\/subscription$/, /^\/users$/, /^\/seat-requests$/];

/** The cache that holds the offline copy named `name` (a hash of the device's key: device-key.ts). */
export const copyCacheName = (name: string): string => `${API_CACHE_PREFIX}${name}`;

/**
 * An answer as the offline copy keeps it: the server's body and headers, marked with when it was
 * fetched (CACHED_AT_HEADER), which is how the app knows, offline, that it is old and how old.
 */
export function storedAnswer(body: BodyInit, headers: HeadersInit, fetchedAt: Date): Response {
  const marked = new Headers(headers);
  marked.set(CACHED_AT_HEADER, fetchedAt.toISOString());
  return new Response(body, { status: 200, headers: marked });
}

/**
 * Keeps `value` in the offline copy `name` as the service worker would have kept the server's
 * answer to GET /api/v1{path} (one of OFFLINE_READS), fetched now: for data the app got another
 * way. Signing in answers with the account GET /me would (session.svelte.ts), so the app has no
 * reason to read /me then, and without this a reload offline right after found nobody signed in.
 * Nothing is kept without CacheStorage (then there is no service worker to answer from it either).
 */
export async function keepInCopy(name: string, path: string, value: unknown): Promise<void> {
  if (typeof caches === 'undefined' || !OFFLINE_READS.some((read) => read.test(path))) return;
  const body = JSON.stringify(value);
  const cache = await caches.open(copyCacheName(name));
  await cache.put(new URL(`/api/v1${path}`, location.origin), storedAnswer(body, { 'content-type': 'application/json' }, new Date()));
}

/** Forgets every stored API answer, of everyone (on sign-out: the next person on this device sees nothing). */
export async function clearApiCache(): Promise<void> {
  if (typeof caches === 'undefined') return;
  for (const name of await caches.keys()) if (name.startsWith(API_CACHE_PREFIX)) await caches.delete(name);
}
