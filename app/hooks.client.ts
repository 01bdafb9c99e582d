/**
 * SvelteKit's client hooks. `init` runs once, after the app's script has been evaluated and
 * before the router loads and renders the first screen.
 */
import { registerServiceWorkerWhenQuiet } from '#lib/register-worker.ts';

/**
 * Registers the service worker for when the first screen is done (register-worker.ts), then lets
 * the browser breathe between evaluating the app's script and drawing the first screen: two
 * shorter tasks instead of one long one, so a tap or a paint can go between them on a slow phone
 * (Lighthouse counts every task over 50 ms as blocking).
 */
export async function init(): Promise<void> {
  registerServiceWorkerWhenQuiet();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
