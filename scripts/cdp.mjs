// A minimal Chrome DevTools Protocol client over Node's WebSocket, for the one thing the Lighthouse
// script needs that Lighthouse cannot do: start each run signed in, with everything else cold.
//
// Lighthouse's own storage reset clears cookies too, and an `extraHeaders` cookie never reaches
// `document.cookie`, where the app looks for this device's key before it asks who is signed in. So
// the script turns that reset off and does it itself: every origin's storage and the HTTP cache
// cleared, then the sign-in cookies set, before every run.

/** Connects to the browser target of the Chrome listening on `port`. */
export async function connectBrowser(port) {
  const { webSocketDebuggerUrl } = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
  const socket = new WebSocket(webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let next = 0;
  const waiting = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message}`));
    else pending.resolve(message.result);
  });
  /** Sends one command (to a page's session when `sessionId` is given) and waits for its result. */
  const send = (method, params = {}, sessionId = undefined) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject, method });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return { send, close: () => socket.close() };
}

/**
 * A first visit, signed in: clears `origin`'s storage (cookies, caches, service workers, …) and the
 * browser's HTTP cache, then sets `cookies` ("a=1; b=2", as a Cookie header) on `origin`.
 */
export async function coldSignedIn(browser, origin, cookies) {
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const storageTypes = 'cookies,local_storage,indexeddb,service_workers,cache_storage,file_systems,shader_cache';
  await browser.send('Storage.clearDataForOrigin', { origin, storageTypes }, sessionId);
  await browser.send('Network.clearBrowserCache', {}, sessionId);
  if (cookies) {
    const parsed = cookies.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: origin, path: '/', secure: pair.startsWith('__Host-') };
    });
    await browser.send('Network.setCookies', { cookies: parsed }, sessionId);
  }
  await browser.send('Target.closeTarget', { targetId });
}
