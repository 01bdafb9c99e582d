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

/** Forgets every stored API answer, of everyone (on sign-out: the next person on this device sees nothing). */
export async function clearApiCache(): Promise<void> {
  if (typeof caches === 'undefined') return;
  for (const name of await caches.keys()) if (name.startsWith(API_CACHE_PREFIX)) await caches.delete(name);
}
