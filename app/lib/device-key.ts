/**
 * This device's half of its sign-in that the app can see: the `__Host-setme_key` cookie the Worker
 * sets beside its HttpOnly session cookie (worker/http/device-cookies.ts). The server needs both,
 * so deleting this one signs the browser out at once, with or without a network. Two hashes of it
 * are used here: the sign-out proof (ends the device on the server, can do nothing else) and the
 * name of the offline copy of this device's data (app/service-worker.ts).
 */
const KEY_COOKIE = '__Host-setme_key';

/**
 * The Cookie Store API where the browser has it: `document.cookie` asks the browser process and
 * waits for its answer on the main thread (during a first load, while that process is at its
 * busiest); the store answers asynchronously. Reads and the deletion go the same way, so a read
 * after `forgetDeviceKey` sees the key gone.
 */
const store = typeof cookieStore === 'undefined' ? null : cookieStore;

/** The key of the device signed in on this browser, or null when none is. */
export async function deviceKey(): Promise<string | null> {
  if (typeof document === 'undefined') return null;
  if (store) return (await store.get(KEY_COOKIE).catch(() => null))?.value || null;
  const pair = document.cookie.split('; ').find((cookie) => cookie.startsWith(`${KEY_COOKIE}=`));
  return pair ? pair.slice(KEY_COOKIE.length + 1) || null : null;
}

/** Deletes the key: this browser can no longer act as anyone, even before the server hears of it. */
export async function forgetDeviceKey(): Promise<void> {
  if (store) await store.delete({ name: KEY_COOKIE, path: '/' });
  else document.cookie = `${KEY_COOKIE}=; Max-Age=0; Path=/; Secure; SameSite=Strict`;
}

/** What ends this device on the server (POST /auth/logout/finish): the same hash the Worker stores a hash of. */
export const signOutProof = (key: string): Promise<string> => sha256Hex(`setme sign-out\n${key}`);

let named: { key: string; name: Promise<string> } | null = null;

/**
 * The name of this device's offline copy (a hash of its key, so it says nothing about it): one
 * person's data is never answered to another's sign-in. Null when no one is signed in.
 */
export async function offlineName(): Promise<string | null> {
  const key = await deviceKey();
  if (!key || typeof crypto === 'undefined' || !crypto.subtle) return null;
  if (named?.key !== key) named = { key, name: sha256Hex(`setme offline copy\n${key}`).then((hex) => hex.slice(0, 32)) };
  return named.name;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
