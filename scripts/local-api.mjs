// Small helpers shared by the scripts that drive a local server: a free port, a bearer-token API
// client, and reading every page of a list.
import { createServer } from 'node:net';

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Calls `/api/v1` with an API token, as scripts do.
 * @example const api = bearer(baseUrl, token); await api('PUT', `/users/${id}/seat`);
 */
export function bearer(baseUrl, token) {
  return async function call(method, path, body) {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: parse(text) };
  };
}

/** JSON when it is JSON; otherwise the text, e.g. the dev server's "Your worker restarted mid-request". */
function parse(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

/**
 * Whether a reply is `wrangler dev` reloading the Worker because a source file changed (it
 * watches them): the request may or may not have been applied.
 */
export const interrupted = (reply) => reply.status >= 500 && /restarted mid-request/i.test(reply.body?.text ?? '');

/** Every item of a paginated list, e.g. `allPages(api, '/users?seat=assigned')`. */
export async function allPages(call, path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const reply = await call('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status} ${JSON.stringify(reply.body)}`);
    items.push(...reply.body.items);
    cursor = reply.body.nextCursor;
  } while (cursor);
  return items;
}
