/**
 * Signing out really signs out, even offline. The browser's part happens at once: the device's key
 * cookie is deleted (so this browser can no longer act as that user: the server needs it beside
 * the HttpOnly session cookie) and the offline copy of API data is dropped. The server's part, ending
 * the device, needs the network: the device's sign-out proof is kept (in localStorage: it can end
 * that device and nothing else) and sent at the next contact, before any other request.
 */
import { accountApi, FINISH_SIGN_OUT_PATH } from '#lib/api/account.ts';
import { ApiProblem, beforeEachRequest } from '#lib/api/request.ts';
import { deviceKey, forgetDeviceKey, signOutProof } from '#lib/device-key.ts';
import { clearApiCache } from '#lib/offline-cache.ts';

const PENDING = 'setme-sign-out-pending';
/** Proofs kept at most: enough for sign-outs on a shared phone between two contacts. */
const MAX_PENDING = 10;

function pending(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(PENDING) ?? '[]');
    return Array.isArray(stored) ? stored.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

function keep(proofs: string[]): void {
  if (proofs.length === 0) localStorage.removeItem(PENDING);
  else localStorage.setItem(PENDING, JSON.stringify(proofs.slice(-MAX_PENDING)));
}

/**
 * The browser's part of signing out: keeps the sign-out proof, deletes the key, drops the offline
 * copy. Needs no network. Then `finishSignOuts` tells the server.
 */
export async function signOutHere(): Promise<void> {
  const key = await deviceKey();
  try {
    if (key) keep([...pending().filter((p) => p !== key), await signOutProof(key)]);
  } finally {
    await forgetDeviceKey();
    await clearApiCache();
  }
}

let finishing: Promise<void> | null = null;

/**
 * Sends every kept sign-out proof, so the server ends those devices; a proof stays until the server
 * has answered it (offline, or the server failing, keeps it for the next contact).
 */
export function finishSignOuts(): Promise<void> {
  finishing ??= (async () => {
    try {
      for (const proof of pending()) {
        try {
          await accountApi.finishSignOut({ proof });
        } catch (error) {
          const worthRetrying = !(error instanceof ApiProblem) || error.code === 'offline' || error.status >= 500;
          if (worthRetrying) return;
        }
        keep(pending().filter((p) => p !== proof));
      }
    } finally {
      finishing = null;
    }
  })();
  return finishing;
}

if (typeof window !== 'undefined') {
  // The next contact, whatever it is, first ends the devices signed out while offline.
  beforeEachRequest((path) => (path === FINISH_SIGN_OUT_PATH || pending().length === 0 ? undefined : finishSignOuts()));
  window.addEventListener('online', () => void finishSignOuts());
}
