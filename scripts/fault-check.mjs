// `npm run test:faults`: retries never double, even across a crash (issue 14).
//
// Starts `wrangler dev` on fresh temporary storage, signs up a subscription with an API token,
// users and seats, then runs 20 clients at once: 8 move seats back and forth within their own pair
// of users (POST /seats/transfer), 4 create users with and without a seat (POST /users), 4
// technicians ask for seats (POST /seat-requests), all with an Idempotency-Key per request, and 4
// give and take seats unkeyed (PUT/DELETE /users/{id}/seat) to keep the seats contended. Meanwhile
// the server is killed with SIGKILL (the whole process group) 1–4 s after each start, 8 times (fewer
// if restarts are so slow that a minute is over first), and started again on the same storage.
// Clients retry with the same key and body until they get a real answer. Afterwards the checks in
// fault-verify.mjs run through the API; any violation exits 1, naming the keys and changes that
// broke; a failure of the harness itself (the server would not start) exits 2.
//
// FAULT_SEED=<n> replays the same choices and kill schedule (printed at the start);
// FAULT_KILLS=<n> sets the number of kills (default 8); SETME_FAULT_PORT=<port> the port.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { creatorClient, newRun, seeded, send, stirClient, technicianClient, transferClient } from './fault-load.mjs';
import { faultPort, killableServer } from './fault-server.mjs';
import { verify } from './fault-verify.mjs';
import { bearer } from './local-api.mjs';
import { fileMailbox, signUpByMail } from './mailbox.mjs';
import { client } from './server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'amber orchard compass 2026';
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.FAULT_KILLS ?? 8);
/**
 * How long the server runs after it answers before the next kill (drawn from the seed): from
 * amid the burst of retries that follows a restart to a few seconds of plain load.
 */
const UPTIME_MS = [1_000, 4_000];
/** A slow machine (wrangler taking long to start) gets fewer kills rather than a longer run. */
const MAX_LOAD_MS = 60_000;
const CLIENTS = { transfer: 8, creator: 4, technician: 4, stir: 4 };
const STIR_USERS = { holding: 3, waiting: 3 };
/** Seats nobody holds at the start: contended by the stirrers, new users and seat requests. */
const FREE_SEATS = 3;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (start, at = performance.now()) => `${((at - start) / 1000).toFixed(1)} s`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const max = (values) => (values.length ? Math.max(...values) : undefined);

async function expect201(reply, what) {
  if (reply.status !== 201) throw new Error(`${what} answered ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** The subscription the clients work on, created before any kill. */
async function setUp({ baseUrl, logFile }, rng) {
  const seats = CLIENTS.transfer + STIR_USERS.holding + FREE_SEATS;
  const browser = client(baseUrl);
  // Confirmed from the link in the mail the server writes to its log, as a person would.
  await expect201(await signUpByMail(browser, fileMailbox(logFile), {
    organization: 'Fault Injection Ltd', name: 'Fay Faults', email: `fay.${SEED}@faults.test`, password: PASSWORD, seats, assignSeat: false,
  }), 'signup');
  const token = await expect201(await browser('POST', '/tokens', { name: 'fault check' }), 'token');
  const api = bearer(baseUrl, token.token);
  const auto = await api('PATCH', '/subscription', { autoAssignRequests: true });
  if (auto.status !== 200) throw new Error(`turning on autoAssignRequests answered ${auto.status}`);
  const user = async (name, assignSeat) =>
    (await expect201(await api('POST', '/users', { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${SEED}@faults.test`, assignSeat }), `create ${name}`)).user.id;
  const pairs = [];
  for (let i = 1; i <= CLIENTS.transfer; i++) {
    const a = await user(`Pair ${i} A`, true);
    pairs.push({ a, b: await user(`Pair ${i} B`, false), holder: a });
  }
  const pool = [];
  for (let i = 1; i <= STIR_USERS.holding + STIR_USERS.waiting; i++) pool.push(await user(`Stir ${i}`, i <= STIR_USERS.holding));
  const technicians = [];
  for (let i = 1; i <= CLIENTS.technician; i++) {
    const name = `Tech ${i}`;
    const created = await expect201(await api('POST', '/users', { name, email: `tech.${i}.${SEED}@faults.test`, assignSeat: false }), `create ${name}`);
    const signedIn = client(baseUrl);
    const accepted = await signedIn('POST', '/invitations/accept', { token: created.invitation.token, password: PASSWORD });
    if (accepted.status !== 200) throw new Error(`${name} accepting the invitation answered ${accepted.status}`);
    const techToken = await expect201(await signedIn('POST', '/tokens', { name: 'fault check' }), `${name}'s token`);
    technicians.push({ label: `tech${i}`, token: techToken.token, rng: seeded(rng() * 2 ** 32) });
    pool.push(created.user.id);
  }
  return { api, adminToken: token.token, pairs, pool, technicians, seats };
}

/**
 * Kills the server a moment after each start and starts it again, KILLS times; the load goes on
 * for one more moment after the last restart.
 */
async function killLoop(run, server, rng, loadStarted) {
  const uptime = () => sleep(UPTIME_MS[0] + rng() * (UPTIME_MS[1] - UPTIME_MS[0]));
  while (run.kills.length < KILLS && performance.now() - loadStarted < MAX_LOAD_MS) {
    await uptime();
    const kill = { at: performance.now(), goneAt: null, readyAt: null, recoveredAt: null };
    run.kills.push(kill);
    await server.kill();
    kill.goneAt = performance.now();
    await server.start();
    kill.readyAt = performance.now();
    console.log(`  kill ${run.kills.length} at ${since(loadStarted, kill.at)}: processes gone after ${since(kill.at, kill.goneAt)}, answering again ${since(kill.at, kill.readyAt)} after the kill`);
  }
  if (run.kills.length < KILLS) console.log(`  only ${run.kills.length} of ${KILLS} kills within ${MAX_LOAD_MS / 1000} s: this machine restarts wrangler slowly`);
  await uptime();
  run.endsAt = performance.now();
}

function report(run, checks, began, loadStarted) {
  const records = [...run.keys.values()];
  const answered = records.filter((r) => r.final);
  const recovered = run.kills.filter((k) => k.recoveredAt !== null).map((k) => k.recoveredAt - k.at);
  const restarts = run.kills.map((k) => k.readyAt - k.at);
  const longest = records.reduce((worst, r) => ((r.doneAt ?? 0) - r.firstAt > (worst ? worst.doneAt - worst.firstAt : -1) ? r : worst), null);
  const s = run.stats;
  const ms = (v) => (v === undefined ? '–' : `${(v / 1000).toFixed(1)} s`);
  console.log(`\nFigures (seed ${SEED}, ${since(loadStarted, run.endsAt)} of load, ${since(began)} in all)`);
  const rows = [
    ['HTTP requests (every attempt)', s.requests],
    ['logical requests (keyed + unkeyed)', `${s.logical} (${s.keyed} keyed + ${s.logical - s.keyed} unkeyed)`],
    ['keyed: acknowledged (2xx) / refused (4xx) / no answer', `${answered.filter((r) => r.final.status < 300).length} / ${answered.filter((r) => r.final.status >= 400).length} / ${records.length - answered.length}`],
    ['retried attempts', `${s.retried} (network errors ${s.network}, 5xx ${s.server} of which "restarted mid-request" ${s.interrupted}, 409 idempotency_in_progress ${s.inProgress})`],
    ['keys that needed a retry', `${records.filter((r) => r.attempts > 1).length}`],
    ['answers replayed during the load (Idempotent-Replayed: true)', s.replays],
    ['kills (SIGKILL to wrangler + workerd)', run.kills.length],
    ['restart: kill → /api/health answers (median / max)', `${ms(median(restarts))} / ${ms(max(restarts))}`],
    ['recovery: kill → first real answer to a client (median / max)', `${ms(median(recovered))} / ${ms(max(recovered))}${recovered.length < run.kills.length ? ` (${run.kills.length - recovered.length} kills without an answer before the next)` : ''}`],
    ['recovery after each kill', run.kills.map((k) => (k.recoveredAt === null ? '–' : ((k.recoveredAt - k.at) / 1000).toFixed(1))).join(' ') + (run.kills.length ? ' s' : '')],
    ['longest key: first attempt → final answer', longest ? `${ms(longest.doneAt - longest.firstAt)} (${longest.key}, ${longest.attempts} attempts)` : '–'],
    ['answered keys sent again to check the replay', run.replayChecked ?? 0],
    ['unexpected final answers', run.unexpected.length ? `${run.unexpected.length}, e.g. ${run.unexpected.slice(0, 3).join('; ')}` : 0],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
  console.log('\nChecks');
  for (const { what, problems } of checks) {
    console.log(`  ${problems.length ? 'FAIL' : 'ok  '} ${what}${problems.length ? `: ${problems.length} violation(s)` : ''}`);
    for (const line of problems.slice(0, 12)) console.log(`         ${line}`);
    if (problems.length > 12) console.log(`         … and ${problems.length - 12} more`);
  }
}

async function main() {
  const began = performance.now();
  if (!existsSync(`${ROOT}build/index.html`)) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  const workDir = mkdtempSync(join(tmpdir(), 'setme-faults-'));
  const port = await faultPort();
  const server = killableServer({ port, workDir });
  const cleanUp = () => {
    server.killSync();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n${signal}: killing the server and removing ${workDir}`);
      process.exit(130);
    });
  }

  console.log(`Fault injection: 20 clients with Idempotency-Keys while wrangler dev is killed (SIGKILL) and restarted`);
  console.log(`  seed ${SEED} (FAULT_SEED=${SEED} repeats the choices), port ${port}, storage in ${workDir}`);
  let checks;
  let run;
  let loadStarted;
  try {
    console.log(`  starting: answering after ${((await server.start()) / 1000).toFixed(1)} s`);
    const rng = seeded(SEED);
    const setup = await setUp(server, rng);
    console.log(`  set up: ${setup.seats} seats, ${setup.pairs.length} transfer pairs, ${setup.pool.length} users to stir, ${setup.technicians.length} technicians`);
    run = newRun({ baseUrl: server.baseUrl, seed: SEED });
    run.pool.push(...setup.pool);
    loadStarted = performance.now();
    const admin = (label) => ({ label, token: setup.adminToken, rng: seeded(rng() * 2 ** 32) });
    // A client that throws (an answer the harness cannot go on from) is reported once the others end.
    const clients = [
      ...setup.pairs.map((pair, i) => transferClient(run, admin(`transfer${i + 1}`), pair)),
      ...Array.from({ length: CLIENTS.creator }, (_, i) => creatorClient(run, admin(`creator${i + 1}`))),
      ...setup.technicians.map((tech) => technicianClient(run, tech)),
      ...Array.from({ length: CLIENTS.stir }, (_, i) => stirClient(run, admin(`stir${i + 1}`))),
    ].map((done) => done.then(() => null, (error) => error));
    await killLoop(run, server, seeded(SEED ^ 0x5eed), loadStarted);
    console.log(`  load over at ${since(loadStarted)}; waiting for the clients' last requests…`);
    const clientError = (await Promise.all(clients)).find((error) => error);
    if (clientError) throw clientError;
    console.log(`  all clients done at ${since(loadStarted)}; checking through the API`);
    checks = await verify({ run, api: setup.api, pairs: setup.pairs, rng: seeded(SEED + 1) });
  } catch (error) {
    console.error(`\nHARNESS ERROR (not a verdict on the server): ${error instanceof Error ? error.stack : error}`);
    if (existsSync(server.logFile)) console.error(`last lines of wrangler's log:\n${readFileSync(server.logFile, 'utf8').split('\n').slice(-20).join('\n')}`);
    await server.stop().catch(() => {});
    process.exit(2);
  }
  await server.stop();
  report(run, checks, began, loadStarted);
  const failed = checks.filter((c) => c.problems.length);
  if (failed.length) {
    console.log(`\nFAIL: ${failed.length} of ${checks.length} checks failed (seed ${SEED}).`);
    process.exit(1);
  }
  console.log(`\nPASS: across ${run.kills.length} kills, no key ran twice, no acknowledged change was lost, and the seats held.`);
}

await main();
