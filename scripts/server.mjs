// Starting the local server (wrangler dev: the Worker, its Durable Objects and SQLite storage on
// disk) and seeding the demo subscription. Used by `npm start`, the browser tests and the benchmark.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './local-api.mjs';
import { streamMailbox } from './mailbox.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DEMO = {
  organization: 'SetMe Demo',
  seats: 6,
  password: 'setme-demo-2026',
  admin: { name: 'Dana Whitfield', email: 'admin@demo.setme.test' },
  // The announcement's "6 seats and 9 users": six technicians hold a seat, two do not. The habit is
  // how each uses the Expert Console in the demo's 60 days of history (worker/domain/demo-story.ts).
  technicians: /** @type {[name: string, habit: string][]} */ ([
    ['Alex Moreno', 'daily'],
    ['Priya Natarajan', 'regular'],
    ['Tomás Eriksen', 'part_time'],
    ['Mei Chen', 'regular'],
    ['Jordan Blake', 'idle'],
    ['Sam Okafor', 'occasional'],
    ['Lena Fischer', 'no_seat'],
    ['Noah Kowalski', 'no_seat'],
  ]),
};

/**
 * A demo person's sign-in email: their first name without accents, e.g. tomas@demo.setme.test, or
 * with `tag` one of a test's own, e.g. tomas-1a2b3c4d@demo.setme.test.
 */
export function demoEmail(name, tag) {
  const first = name.split(' ')[0].toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');
  return `${first}${tag ? `-${tag}` : ''}@demo.setme.test`;
}

/**
 * Starts `wrangler dev` on 127.0.0.1:port with storage under persistTo; resolves once
 * /api/health answers. Returns the child process and a stop function. With `logFile`, wrangler's
 * output (including the mail the local transport writes to the log) goes to that file; errors
 * also still reach the terminal. With `output`, wrangler's stdout and stderr are handed to that
 * function as soon as it starts (`npm start` filters them), and nothing else prints them. With
 * `assets`, the app is served from that directory instead of build/ (e.g. a copy, so a rebuild
 * while tests run does not pull the files from under the server). The Worker's DevTools inspector
 * listens on `inspectorPort` (the benchmark profiles with it), or on a free port. The Worker's
 * PUBLIC_ORIGIN is this server's own origin, so the links it mails open here. The returned
 * `mailbox` reads the mail the local transport prints (see mailbox.mjs), e.g. to confirm a sign-up.
 * wrangler dev's local trace collector is off unless `traceCollector` is set: on by default since
 * wrangler 4.16, it writes a span for every request, RPC call and SQL statement into a SQLite store
 * in the Worker's own process and syncs it (about 0.1 ms of CPU per statement: seeding 500 users
 * took 52 s with it, 11.5 s without). Nothing of it is deployed, so without it the local server
 * runs the Worker closer to how Cloudflare does (`npm run bench` measures it both ways).
 * With `root`, the Worker is another source tree's (a copy of another commit with node_modules
 * linked in: `scripts/bench-create.mjs` compares two back to back); the app still comes from ours.
 * @param {{ root?: string, port?: number, persistTo?: string, quiet?: boolean, logFile?: string | null, assets?: string | null,
 *   inspectorPort?: number | null, traceCollector?: boolean,
 *   output?: ((stdout: import('node:stream').Readable, stderr: import('node:stream').Readable) => void) | null }} [options]
 */
export async function startServer({
  root = ROOT,
  port = 8787,
  persistTo = `${ROOT}.wrangler/state`,
  quiet = false,
  logFile = null,
  assets = null,
  inspectorPort = null,
  traceCollector = false,
  output = null,
} = {}) {
  if (!existsSync(`${assets ?? `${ROOT}build`}/index.html`)) throw new Error('The app is not built: run `npm run build` first.');
  // wrangler's devtools port is 9229 unless told otherwise: two servers at once (tests, npm start,
  // the benchmark) would race for it, and the loser fails to start.
  const inspector = inspectorPort ?? (await freePort());
  const child = spawn(
    join(root, 'node_modules/.bin/wrangler'),
    [
      'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', persistTo, '--show-interactive-dev-session=false',
      '--var', `PUBLIC_ORIGIN:http://127.0.0.1:${port}`, '--var', 'ENVIRONMENT:development',
      ...(assets || root !== ROOT ? ['--assets', assets ?? `${ROOT}build`] : []),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        NO_COLOR: '1',
        X_LOCAL_OBSERVABILITY: traceCollector ? 'true' : 'false',
      },
      // stdout is always read here, for the mail in it.
      stdio: logFile || output ? ['ignore', 'pipe', 'pipe'] : quiet ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'pipe', 'inherit'],
    },
  );
  const mailbox = streamMailbox(child.stdout);
  if (output) output(child.stdout, child.stderr);
  else if (!logFile && !quiet) child.stdout.pipe(process.stdout, { end: false });
  if (logFile) {
    // Errors still reach the terminal as before; everything also lands in the file.
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    child.once('close', () => log.end());
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (tries > 600) throw new Error('wrangler dev did not answer within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return { baseUrl, child, stop, mailbox };
}

/** The Cookie header for the cookies a response set: both halves of a device's sign-in, none after a sign-out. */
export function cookieHeader(setCookies) {
  return setCookies.map((cookie) => cookie.split(';')[0]).filter((pair) => !pair.endsWith('=')).join('; ');
}

/** A tiny API client that keeps the session cookie and sends our Origin, as the app does. */
export function client(baseUrl) {
  let cookie = '';
  return async function call(method, path, body) {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', origin: baseUrl, ...(cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookies = res.headers.getSetCookie();
    if (setCookies.length > 0) cookie = cookieHeader(setCookies);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

/**
 * Creates the demo subscription with 60 days of history (`POST /api/demo`, which only a Worker
 * running locally has), unless its administrator's email already has an account: a second start
 * keeps the data. Signs nobody in. Returns what the story did (steps, sessions, milliseconds),
 * or null when the demo was already there.
 * @param {{ baseUrl: string }} server what startServer returned
 * @returns {Promise<{ steps: number, sessions: number, milliseconds: number } | null>}
 */
export async function seedDemo({ baseUrl }) {
  const res = await fetch(`${baseUrl}/api/demo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      organization: DEMO.organization,
      seats: DEMO.seats,
      password: DEMO.password,
      administrator: DEMO.admin,
      technicians: DEMO.technicians.map(([name, habit]) => ({ name, email: demoEmail(name), habit })),
    }),
  });
  const body = await res.json().catch(() => null);
  if (res.status !== 201 && res.status !== 200) throw new Error(`seeding the demo failed: ${res.status} ${JSON.stringify(body)}`);
  return body.created ? body.story : null;
}

/**
 * What the demo subscription holds now, read through the API as its administrator: organization
 * name, seats and the number of users. Signs out right after, so no device stays signed in.
 * Null when the administrator cannot sign in (e.g. their password was changed).
 * @returns {Promise<{ organization: string, seats: { purchased: number, assigned: number }, users: number } | null>}
 */
export async function demoFigures(baseUrl) {
  const admin = client(baseUrl);
  const login = await admin('POST', '/auth/login', { email: DEMO.admin.email, password: DEMO.password });
  if (login.status !== 200) return null;
  try {
    const subscription = await admin('GET', '/subscription');
    let users = 0;
    for (let cursor = ''; ; ) {
      const page = await admin('GET', `/users?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (page.status !== 200) throw new Error(`listing the demo users failed: ${JSON.stringify(page.body)}`);
      users += page.body.items.length;
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    const { name, seats } = subscription.body;
    return { organization: name, seats: { purchased: seats.purchased, assigned: seats.assigned }, users };
  } finally {
    await admin('POST', '/auth/logout');
  }
}
