/**
 * Names shared by the app and the service worker for the offline copy of API data. The service
 * worker keeps the last answer to each API GET; when the network is gone it answers from that
 * copy and marks it with CACHED_AT_HEADER, so the app can say "offline — as of HH:MM".
 */
export const API_CACHE = 'setme-api-v1';
export const CACHED_AT_HEADER = 'x-setme-cached-at';
/** Marks the service worker's own answer when there is neither network nor a stored copy. */
export const OFFLINE_HEADER = 'x-setme-offline';

/** Forgets every stored API answer (on sign-out: the next person on this device sees nothing). */
export async function clearApiCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(API_CACHE);
}
