// `npm start`: build the app, serve app + API on http://127.0.0.1:8787 (PORT overrides) with local
// storage under .wrangler/state, create the demo subscription with 60 days of history on first
// start, and print how to sign in. After that it shows only API requests, mail and errors; `npm start -- --verbose` shows the
// whole build log and every line wrangler prints.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, demoEmail, demoFigures, seedDemo, startServer } from './server.mjs';
import { serverLog } from './server-log.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const verbose = process.argv.includes('--verbose');
const port = Number(process.env.PORT ?? 8787);

// wrangler's health check would pass against whatever already answers there, so look first.
if (await listening(port)) {
  console.error(`Port ${port} is in use (another npm start?). Stop that, or choose another: PORT=${port + 1} npm start`);
  process.exit(1);
}
build();
console.log('Starting the local server…');
const log = verbose ? null : serverLog();
let server;
try {
  server = await startServer({ port, output: log ? log.attach : null });
  // One sign-in (then signed out) tells whether the demo exists and what it holds now.
  let demo = await demoFigures(server.baseUrl);
  // Null when the demo (or an account with its administrator's email) is there already.
  const seeded = demo ? null : await seedDemo(server);
  if (seeded) demo = await demoFigures(server.baseUrl);
  await log?.show();
  console.log(banner(server.baseUrl, seeded, demo));
} catch (error) {
  for (const line of log?.held() ?? []) console.log(line);
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : error}`);
  await server?.stop();
  process.exit(1);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void server.stop().then(() => process.exit(0)));
}
// Ends with wrangler: 0 after Ctrl+C, its own code when it stops by itself.
const { child } = server;
process.exitCode = child.exitCode ?? (await new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 0))));

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `npm run build`, printing one summary line (or, when it fails or with --verbose, its log). */
function build() {
  const started = performance.now();
  const result = spawnSync('npm run build', { cwd: ROOT, shell: true, encoding: 'utf8', stdio: verbose ? 'inherit' : 'pipe' });
  if (result.status !== 0) {
    if (!verbose) {
      process.stdout.write(result.stdout ?? '');
      process.stderr.write(result.stderr ?? '');
    }
    console.error('\nnpm start: the build failed (see above).');
    process.exit(result.status ?? 1);
  }
  const { files, bytes } = sizeOf(join(ROOT, 'build'));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Built the app in ${seconds} s (${Math.round(bytes / 1000)} kB, ${files} files)`);
}

/** Number of files and their total size under a directory. */
function sizeOf(dir) {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

/**
 * What to do next: where the app is, who to sign in as, where mail appears, how to start over.
 * `seeded` is what the demo's story did when this start created it, else null.
 */
function banner(baseUrl, seeded, demo) {
  const bold = (text) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${text}\x1b[0m` : text);
  const figures = demo
    ? `"${demo.organization}", ${demo.seats.purchased} seats (${demo.seats.assigned} assigned), ${demo.users} users`
    : "the demo subscription (its administrator's password was changed since)";
  const technicians = DEMO.technicians.slice(0, 3).map(([name]) => demoEmail(name).split('@')[0]);
  return `
  SetMe Seats is running at ${bold(baseUrl)}

  Demo       ${seeded ? 'Created' : 'Kept from the last start:'} ${figures}${seeded ? `
             with 60 days of history (${seeded.sessions} console sessions, seeded in ${(seeded.milliseconds / 1000).toFixed(1)} s)` : ''}
  Sign in    ${bold(`${DEMO.admin.email}  /  ${DEMO.password}`)}  (administrator)
             ${technicians.join('@, ')}@, … @demo.setme.test, same password (technicians)
  Mail       password-reset and invitation mail is printed here, ${verbose ? 'as "[mail] to=…"' : 'framed "✉ Mail to …"'}
  API docs   ${baseUrl}/api/docs
  Start over stop, delete .wrangler/state, npm start again

  Below: ${verbose ? 'everything the server prints' : 'API requests and errors (npm start -- --verbose shows everything)'}. Stop with Ctrl+C.
`;
}
