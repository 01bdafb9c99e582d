/**
 * Registers the service worker (offline reading, push, "Update available") once the first screen
 * has what it asked for: after the page's `load`, when no API request has waited for an answer for
 * a second. Its install fetches every screen's files (about 45). Registered at `load`, as SvelteKit
 * would, it did so while the first screen was still rendering its data, on the same cores: on a
 * phone that made the screen's own work wait (Lighthouse counted it as blocking time).
 */
import { earlyWaiting } from '#lib/api/early.ts';
import { answeredAllSince } from '#lib/api/request.ts';

const QUIET_MS = 1000;
/** A screen that keeps asking, or a request that hangs, does not keep the app from working offline. */
const LATEST_MS = 10_000;

/** Registers /service-worker.js when the app is quiet (see above), at the latest 10 s after `load`. */
export function registerServiceWorkerWhenQuiet(): void {
  if (!('serviceWorker' in navigator)) return;
  const register = () => void navigator.serviceWorker.register('/service-worker.js', { type: 'module' }).catch(() => {});
  const whenLoaded = () => {
    const loadedAt = performance.now();
    const check = () => {
      const now = performance.now();
      const since = earlyWaiting() ? null : answeredAllSince();
      const quietFor = since === null ? 0 : now - Math.max(since, loadedAt);
      if (quietFor >= QUIET_MS || now - loadedAt >= LATEST_MS) register();
      else setTimeout(check, Math.max(100, QUIET_MS - quietFor));
    };
    check();
  };
  if (document.readyState === 'complete') whenLoaded();
  else addEventListener('load', whenLoaded, { once: true });
}
