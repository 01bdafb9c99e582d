// `npm run bench`: the load benchmark (not part of `npm test`).
//
// Starts the local server (wrangler dev, storage in a temporary folder) and, on loopback only:
//  1. creates a subscription with 500 users and 200 seats through the API (with an API token);
//  2. drives it with concurrent clients, each phase bounded in time and count:
//     GET /api/health (the same-run baseline), an object read (GET /subscription), two writes
//     through the same path (PATCH /notifications flipping one choice: the smallest commit; and
//     PATCH /users/{id}, a rename: user row, audit row, search entry), a seat mix
//     (PUT/DELETE /users/{id}/seat and POST /seats/transfer across many users), and the Expert
//     Console's POST /console/sessions; prints ops/s and p50/p99 latency, each as a ratio to the
//     baseline, the seat mix against each write and the read, and the server's CPU time
//     per request (wrangler and workerd, from /proc: unlike wall-clock figures, it barely moves
//     with the machine's load), also per process as user and kernel time;
//  3. verifies the invariants through the API (counter == holders ≤ purchased, nobody holding two,
//     no seat lost or duplicated) and prints VERIFIED, or exits non-zero;
//  4. breaks one seat change down into steps (the Worker alone, one object read, the reads of a
//     seat change, its write), one request at a time, counts what a seat change's commit waits
//     for (the WAL's fsync, with strace when the machine has it), and profiles the object's CPU during the
//     seat mix (through wrangler's inspector) to say where the time beyond a read goes; then runs
//     the load phases again on a second local server with wrangler dev's trace collector on (its
//     default, off in our local servers: a local tool that costs every SQL statement, see
//     withTraceCollector), printed apart;
//  5. measures how one seat change's cost grows with the users in a subscription (100 → 10,000);
//  6. in those subscriptions, the time to the first page of users and to search results, through
//     the API and on the Users screen in Chromium;
//  7. seat changes with three webhook endpoints registered vs none, and the delivery lag from a
//     change to its receipt at a local receiver;
//  8. enumeration timing: the median answer times of sign-up, password reset and sign-in for emails
//     that have an account and for unknown ones (50 samples each), which must not tell them apart;
//  9. directory sync (scripts/bench-scim.mjs): provisioning 1,000 users over SCIM, a 500-member
//     seat group in one PATCH, and the administrator's seat changes while a sync runs.
//
// Figures are indicative: compare the ratios within one run, not absolute numbers across machines.
// BENCH_PORT picks the server's port (the inspector gets the next one); otherwise free ports.
// BENCH_ONLY=webhooks runs only section 7, BENCH_ONLY=enumeration only section 8, BENCH_ONLY=directory
// only section 9, BENCH_ONLY=seats only sections 1 to 4 (the load phases, profile, step breakdown
// and the load phases with the trace collector).
import { execSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, printScreen, screenQueries, usersScreenTimings } from './bench-browser.mjs';
import { benchEmail, createUsers, newSubscription, PASSWORD, personName } from './bench-seed.mjs';
import { table } from './table.mjs';
import { directorySync } from './bench-scim.mjs';
import { connectInspector, summarise } from './cpu-profile.mjs';
import { allPages, bearer, freePort, interrupted } from './local-api.mjs';
import { cpuByProcess, treeCpuMs } from './process-cpu.mjs';
import { client, startServer } from './server.mjs';
import { startWebhookReceiver } from '../test/support/receivers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = {
  users: 500,
  seats: 200,
  consoleUsers: 5,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  phaseSeconds: Number(process.env.BENCH_SECONDS ?? 8),
  phaseMaxRequests: 40_000,
  warmupRequests: 200,
  scaling: (process.env.BENCH_SCALING ?? '100,1000,10000').split(',').map(Number),
  scalingPairs: 150,
  seedConcurrency: 24,
  // Creating users goes through the API (three object calls each, the email index included); on a
  // busy machine 10,000 can take longer than a benchmark should. Past this budget the scaling
  // subscriptions stop growing and are measured at the size they reached (the table says so).
  seedBudgetSeconds: Number(process.env.BENCH_SEED_BUDGET ?? 300),
  // One request at a time through each step, this many rounds (the steps take turns in each).
  stepRounds: Number(process.env.BENCH_STEP_ROUNDS ?? 60),
  profileSeconds: 5,
  profileSlices: 5,
  searchRepeats: 15,
};

/** The server's mailbox: a sign-up is confirmed from the link it mails (set once the server runs). */
let mailbox = null;

// ── Measuring ────────────────────────────────────────────────────────────────────────────────

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `op` from `concurrency` loops until `seconds` pass or `maxRequests` complete. `op(worker)`
 * resolves to true for the expected answer, false for anything else, or 'interrupted' when the dev
 * server reloaded mid-request (not counted). Returns throughput and latencies.
 */
async function drive(name, { concurrency, seconds, maxRequests }, op) {
  const latencies = [];
  let errors = 0;
  let cut = 0;
  let started = 0;
  const deadline = performance.now() + seconds * 1000;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline && started < maxRequests) {
        started++;
        const t0 = performance.now();
        const outcome = await op(worker).catch(() => false);
        if (outcome === 'interrupted') {
          cut++;
          continue;
        }
        latencies.push(performance.now() - t0);
        if (!outcome) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - begin) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, requests: latencies.length, errors, cut, opsPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** true for the expected status, 'interrupted' for a dev-server reload, false otherwise. */
const outcome = (reply, status) => (reply.status === status ? true : interrupted(reply) ? 'interrupted' : false);

// ── The load phases ──────────────────────────────────────────────────────────────────────────

/**
 * Sections 1 and 2 on the server at `baseUrl`. With `inspector` null (the second server, below),
 * the CPU profile is left out.
 */
async function loadPhases(baseUrl, inspector, serverPid) {
  const t0 = performance.now();
  const { api, adminId } = await newSubscription(baseUrl, mailbox, { organization: 'Bench Load', seats: CONFIG.seats });
  const created = await createUsers(api, { to: CONFIG.users - 1, withSeat: CONFIG.seats, flight: CONFIG.seedConcurrency });
  // A few seat holders sign in and get tokens for the console check; they stay out of the seat mix.
  const consoleTokens = await Promise.all(
    created.slice(0, CONFIG.consoleUsers).map(async ({ invitation }) => {
      const browser = client(baseUrl);
      const accepted = await browser('POST', '/invitations/accept', { token: invitation.token, password: PASSWORD });
      if (accepted.status !== 200) throw new Error(`accept answered ${accepted.status}`);
      return (await browser('POST', '/tokens', { name: 'console' })).body.token;
    }),
  );
  const consoleHolders = new Set(created.slice(0, CONFIG.consoleUsers).map((c) => c.user.id));
  // The clients share the console users, so one seat has this many sessions open at once at most.
  const perSeat = Math.ceil(CONFIG.concurrency / CONFIG.consoleUsers);
  const limit = await api('PATCH', '/subscription', { maxConsoleSessionsPerSeat: perSeat });
  if (limit.status !== 200) throw new Error(`raising maxConsoleSessionsPerSeat answered ${limit.status}`);
  console.log(
    `Set up: 1 administrator + ${created.length} users, ${CONFIG.seats} seats held, in ${fixed((performance.now() - t0) / 1000)} s ` +
      `(${CONFIG.concurrency} concurrent clients, phases of ≤ ${CONFIG.phaseSeconds} s / ${CONFIG.phaseMaxRequests} requests)\n`,
  );

  // Each client owns a slice of the users and knows who in it holds a seat, so its operations are
  // valid ones. It keeps its slice's number of seats: it only assigns after freeing one itself, so
  // a seat is always free for it. After an unexpected answer it re-reads its slice from the API.
  const mixUsers = created.filter((c) => !consoleHolders.has(c.user.id)).map((c) => ({ id: c.user.id, seat: c.user.seat !== null }));
  const slices = Array.from({ length: CONFIG.concurrency }, (_, w) => {
    const mine = mixUsers.filter((_, i) => i % CONFIG.concurrency === w);
    const held = new Set(mine.filter((u) => u.seat).map((u) => u.id));
    return { users: mine.map((u) => u.id), held, target: held.size, counts: { assign: 0, unassign: 0, transfer: 0 } };
  });
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  async function resync(slice) {
    for (const id of slice.users) {
      const reply = await api('GET', `/users/${id}`);
      if (reply.status !== 200) throw new Error(`re-reading ${id} answered ${reply.status}`);
      if (reply.body.seat) slice.held.add(id);
      else slice.held.delete(id);
    }
  }
  async function seatOp(worker) {
    const s = slices[worker];
    const holders = [...s.held];
    const waiting = s.users.filter((id) => !s.held.has(id));
    let reply;
    if (s.held.size < s.target && waiting.length > 0) {
      const id = pick(waiting);
      reply = await api('PUT', `/users/${id}/seat`, {});
      if (reply.status === 200) s.held.add(id);
      s.counts.assign++;
    } else if (holders.length === 0) {
      return true;
    } else if (Math.random() < 0.5 && waiting.length > 0) {
      const from = pick(holders);
      const to = pick(waiting);
      reply = await api('POST', '/seats/transfer', { from, to });
      if (reply.status === 200) {
        s.held.delete(from);
        s.held.add(to);
      }
      s.counts.transfer++;
    } else {
      const id = pick(holders);
      reply = await api('DELETE', `/users/${id}/seat`);
      if (reply.status === 200) s.held.delete(id);
      s.counts.unassign++;
    }
    if (reply.status !== 200) await resync(s);
    return outcome(reply, 200);
  }

  const health = async () => {
    const res = await fetch(`${baseUrl}/api/health`);
    return outcome({ status: res.status, body: { text: await res.text() } }, 200);
  };
  const readSubscription = async () => outcome(await api('GET', '/subscription'), 200);
  // Write baselines, through the same path as a seat change (one call, one transaction, one commit):
  // the smallest write the API has (an administrator's notification choice, one row, flipped so
  // each request changes it), and a rename (the user row, its audit row and search entry, as a seat
  // change writes a seat row and an audit row). The mix ÷ them says what a seat costs beyond a commit.
  let flips = 0;
  const oneRowWrite = async () => outcome(await api('PATCH', '/notifications', { push: { loansReturning: ++flips % 2 === 0 } }), 200);
  let renames = 0;
  const renameUser = async (worker) => {
    const s = slices[worker];
    const id = s.users[renames % s.users.length];
    return outcome(await api('PATCH', `/users/${id}`, { name: `${personName(renames)} ${++renames}` }), 200);
  };
  const consoleApis = consoleTokens.map((token) => bearer(baseUrl, token));
  let computer = 0;
  // A console visit opens a session and ends it, as the Expert Console does: left open, sessions
  // would pile up against the per-seat limit (409 session_limit) instead of measuring the path.
  const consoleCheck = async (worker) => {
    const consoleApi = consoleApis[worker % consoleApis.length];
    const opened = await consoleApi('POST', '/console/sessions', { computer: `PC-${++computer}` });
    const verdict = outcome(opened, 201);
    if (verdict !== true) return verdict;
    return outcome(await consoleApi('DELETE', `/console/sessions/${opened.body.id}`), 204);
  };

  const phases = [
    ['GET /api/health (baseline)', health],
    ['GET /subscription (object read)', readSubscription],
    ['PATCH /notifications (one-row write)', oneRowWrite],
    ['PATCH /users/{id} (rename: row, audit, search)', renameUser],
    ['seat mix: PUT/DELETE seat, transfer', seatOp],
    ['console visit: POST + DELETE /console/sessions', consoleCheck],
  ];
  const results = [];
  for (const [name, op] of phases) {
    await drive(name, { concurrency: CONFIG.concurrency, seconds: 30, maxRequests: CONFIG.warmupRequests }, op);
    const cpuBefore = treeCpuMs(serverPid);
    const byProcessBefore = cpuByProcess(serverPid);
    const result = await drive(name, { concurrency: CONFIG.concurrency, seconds: CONFIG.phaseSeconds, maxRequests: CONFIG.phaseMaxRequests }, op);
    // The server's CPU (wrangler and workerd, every thread) per answered request.
    const cpu = cpuBefore === null ? null : treeCpuMs(serverPid) - cpuBefore;
    const answered = result.requests + result.cut;
    results.push({ ...result, cpuPerRequest: cpu === null ? NaN : cpu / answered, byProcess: perRequest(byProcessBefore, cpuByProcess(serverPid), answered) });
  }
  // The seat mix once more with the CPU profiler on: not in the table (sampling slows it down),
  // but its answers are checked with the others below.
  // The read and the mix take turns in one-second slices, so a busy moment falls on both alike.
  const profiling = { concurrency: CONFIG.concurrency, seconds: CONFIG.profileSeconds / CONFIG.profileSlices, maxRequests: CONFIG.phaseMaxRequests };
  const profiledRead = [];
  const profiled = [];
  for (let slice = 0; inspector && slice < CONFIG.profileSlices; slice++) {
    profiledRead.push(await inspector.profile(() => drive('object read (profiled)', profiling, readSubscription)));
    profiled.push(await inspector.profile(() => drive('seat mix (profiled)', profiling, seatOp)));
  }
  // Give back the seats the mix freed, so exactly the starting number is held again.
  for (const s of slices) {
    await resync(s);
    for (const id of s.users.filter((u) => !s.held.has(u)).slice(0, s.target - s.held.size)) {
      if ((await api('PUT', `/users/${id}/seat`, {})).status === 200) s.held.add(id);
    }
  }

  const base = results[0];
  const cut = results.reduce((n, r) => n + r.cut, 0);
  if (cut > 0) console.log(`(${cut} requests were cut by a dev-server reload — a source file changed during the run — and left out; their effect was re-read from the API)`);
  console.log(table(
    ['operation', 'requests', 'errors', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s ÷ base', 'p50 ÷ base', 'p99 ÷ base', 'server CPU ms/op', 'CPU ÷ base'],
    results.map((r) => [r.name, r.requests, r.errors, fixed(r.opsPerSecond, 0), fixed(r.p50), fixed(r.p99),
      fixed(r.opsPerSecond / base.opsPerSecond, 2), fixed(r.p50 / base.p50, 2), fixed(r.p99 / base.p99, 2),
      fixed(r.cpuPerRequest, 2), fixed(r.cpuPerRequest / base.cpuPerRequest, 2)]),
  ));
  printByProcess(results);
  const [, read, oneRow, rename, seats] = results;
  const against = (write) =>
    `ops/s ${fixed(seats.opsPerSecond / write.opsPerSecond, 2)}, p50 ${fixed(seats.p50 / write.p50, 2)}, ` +
    `p99 ${fixed(seats.p99 / write.p99, 2)}, server CPU ${fixed(seats.cpuPerRequest / write.cpuPerRequest, 2)}`;
  console.log(`seat mix ÷ one-row write: ${against(oneRow)}\nseat mix ÷ rename:        ${against(rename)}`);
  console.log(`seat mix p99 ÷ read p99: ${fixed(seats.p99 / read.p99, 2)}`);
  const mix = slices.reduce((t, s) => ({ assign: t.assign + s.counts.assign, unassign: t.unassign + s.counts.unassign, transfer: t.transfer + s.counts.transfer }), { assign: 0, unassign: 0, transfer: 0 });
  console.log(`seat mix (incl. warm-up and the profiled run): ${mix.assign} assigns, ${mix.unassign} unassigns, ${mix.transfer} transfers over ${mixUsers.length} users\n`);
  if (inspector) printProfile(profiledRead, profiled);

  // ── Invariants, through the API ──
  const profiledAnswers = [...profiled, ...profiledRead].reduce((n, p) => n + p.outcome.requests, 0);
  const expectedHolders = new Set([...consoleHolders, ...slices.flatMap((s) => [...s.held])]);
  const subscription = (await api('GET', '/subscription')).body.seats;
  const holders = await allPages(api, '/users?seat=assigned');
  const holderIds = holders.map((u) => u.id);
  const everyone = await allPages(api, '/users');
  const checks = [
    [`counter == holders listed (${subscription.assigned} == ${holders.length})`, subscription.assigned === holders.length],
    [`assigned ≤ purchased (${subscription.assigned} ≤ ${subscription.purchased})`, subscription.assigned <= subscription.purchased],
    ['nobody holds two seats (no user listed twice among holders)', new Set(holderIds).size === holderIds.length],
    [`no seat lost or duplicated: holders are exactly the ${expectedHolders.size} the clients gave seats to`,
      holderIds.length === expectedHolders.size && holderIds.every((id) => expectedHolders.has(id))],
    [`every seat given back: ${CONFIG.seats} held, as at the start`, holderIds.length === CONFIG.seats],
    [`all ${CONFIG.users} users still there`, everyone.length === CONFIG.users],
    ['every answer in the measured phases was the expected one', results.every((r) => r.errors === 0)],
    // Only a server that was profiled has profiled answers to check (the second server is not):
    // there the check needs answers to have come, so an empty profile cannot pass it.
    ...(inspector ? [[`every answer while profiling was the expected one (${profiledAnswers} answers)`,
      profiledAnswers > 0 && [...profiled, ...profiledRead].every((p) => p.outcome.errors === 0)]] : []),
    [`holders who are not in the list of users: none`, holderIds.every((id) => everyone.some((u) => u.id === id && u.seat))],
    [`administrator unchanged`, everyone.some((u) => u.id === adminId && u.role === 'administrator')],
  ];
  for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  const verified = checks.every(([, ok]) => ok);
  console.log(verified ? 'VERIFIED\n' : 'NOT VERIFIED\n');
  return verified;
}

/** Each process's user and kernel CPU between two `cpuByProcess` readings, per request (ms). */
function perRequest(before, after, requests) {
  if (!before || !after) return null;
  return new Map([...after].map(([pid, { name, user, sys }]) => {
    const was = before.get(pid) ?? { user: 0, sys: 0 };
    return [pid, { name, user: (user - was.user) / requests, sys: (sys - was.sys) / requests }];
  }));
}

/**
 * The load table's server CPU split by process, user and kernel time: the kernel's is where a
 * commit's WAL writes and fsync land; the Worker's workerd process runs our code, SQLite and V8.
 */
function printByProcess(results) {
  if (!results.every((r) => r.byProcess)) return;
  // Processes that did something measurable in some phase (wrangler, its two workerd processes).
  const pids = [...results[0].byProcess.keys()].filter((pid) => results.some((r) => {
    const p = r.byProcess.get(pid);
    return p && p.user + p.sys >= 0.05;
  }));
  const names = pids.map((pid) => processLabel(pid, results[0].byProcess.get(pid).name));
  console.log(table(
    ['server CPU ms per request: user + sys', ...names],
    results.map((r) => [r.name, ...pids.map((pid) => {
      const p = r.byProcess.get(pid) ?? { user: 0, sys: 0 };
      return `${fixed(p.user, 2)} + ${fixed(p.sys, 2)}`;
    })]),
  ));
}

// ── The same load with wrangler dev's local trace collector ───────────────────────────────────

/**
 * `wrangler dev` (4.16x) records a trace of every request into a SQLite store of its own, in the
 * same workerd process as the Worker: one span per request, RPC call and SQL statement, each
 * written and synced as it ends (X_LOCAL_OBSERVABILITY, on by default; nothing of it is deployed).
 * It costs a request about 0.1 ms of CPU per SQL statement, so it weighs on a seat change (about
 * 16 statements) several times more than on a read (5). Our local servers start with it off
 * (scripts/server.mjs), so the table above measures the Worker without it; the load phases again,
 * on a second local server with it on, say what a plain `wrangler dev` adds.
 */
async function withTraceCollector() {
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-bench-'));
  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) + 2 : await freePort();
  const inspectorPort = process.env.BENCH_PORT ? port + 1 : await freePort();
  const server = await startServer({ port, persistTo, quiet: true, inspectorPort, traceCollector: true });
  const main = mailbox;
  mailbox = server.mailbox;
  try {
    console.log(`The same load phases on a second local server with wrangler dev's trace collector on (its default; X_LOCAL_OBSERVABILITY, ${server.baseUrl}):`);
    return await loadPhases(server.baseUrl, null, server.child.pid);
  } finally {
    mailbox = main;
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

// ── Webhooks: what three endpoints cost a seat change, and how late events arrive ─────────────

/**
 * Two subscriptions of the same shape, one with no webhook endpoints and one with three at a local
 * receiver (in this process, verifying every signature with `standardwebhooks`): the same seat
 * toggling load on each, one after the other, then the delay from each change (the event's
 * timestamp, taken in the change's transaction) to its receipt, under that load and one change at a
 * time. Both clocks are this machine's.
 */
async function webhookDelivery(baseUrl) {
  const receiver = await startWebhookReceiver();
  const users = 64;
  const toggle = async (api, ids) => {
    const held = new Set();
    return async (worker) => {
      const mine = ids.filter((_, i) => i % CONFIG.concurrency === worker);
      const id = mine[Math.floor(Math.random() * mine.length)];
      const reply = held.has(id) ? await api('DELETE', `/users/${id}/seat`) : await api('PUT', `/users/${id}/seat`, {});
      if (reply.status === 200 && !held.delete(id)) held.add(id);
      return outcome(reply, 200);
    };
  };
  const setUp = async (organization, endpoints) => {
    const { api } = await newSubscription(baseUrl, mailbox, { organization, seats: users });
    const ids = (await createUsers(api, { to: users, flight: CONFIG.seedConcurrency })).map((c) => c.user.id);
    const names = [];
    for (let i = 0; i < endpoints; i++) {
      const name = `bench-${Date.now().toString(36)}-${i}`;
      const made = await api('POST', '/webhooks', { url: `${receiver.url}/hooks/${name}`, eventTypes: ['seat.assigned', 'seat.unassigned'] });
      if (made.status !== 201) throw new Error(`webhook answered ${made.status} ${JSON.stringify(made.body)}`);
      await fetch(`${receiver.url}/_/configure/${name}`, { method: 'POST', body: JSON.stringify({ secret: made.body.secret }) });
      names.push(name);
    }
    return { api, ids, names };
  };
  const receivedBy = async (names) => (await Promise.all(names.map(async (n) => (await fetch(`${receiver.url}/_/requests/${n}`)).json()))).flat();
  /** Waits until the receiver's count stops growing; answers every request received. */
  const drained = async (names) => {
    let last = -1;
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((r) => setTimeout(r, 1000));
      const count = (await receivedBy(names)).length;
      quiet = count === last ? quiet + 1 : 0;
      last = count;
    }
    return receivedBy(names);
  };
  const lags = (received) => received.map((r) => r.at - Date.parse(JSON.parse(r.body).timestamp)).sort((a, b) => a - b);

  try {
    const none = await setUp('Bench No Webhooks', 0);
    const three = await setUp('Bench Three Webhooks', 3);
    const phase = { concurrency: CONFIG.concurrency, seconds: CONFIG.phaseSeconds, maxRequests: CONFIG.phaseMaxRequests };
    const without = await drive('seat toggle, no endpoints', phase, await toggle(none.api, none.ids));
    const withHooks = await drive('seat toggle, 3 endpoints', phase, await toggle(three.api, three.ids));
    const underLoad = await drained(three.names);
    const loadLag = lags(underLoad);
    // One change at a time: the delay when nothing else is queued.
    const quiet = await setUp('Bench Webhook Lag', 1);
    const idle = await toggle(quiet.api, quiet.ids);
    for (let i = 0; i < 40; i++) await idle(0);
    const idleLag = lags(await drained(quiet.names));
    console.log('Webhooks: seat changes with three endpoints registered vs none (same run), and delivery lag');
    console.log(table(
      ['phase', 'ops/s', 'p50 ms', 'p99 ms', 'errors', 'vs none'],
      [without, withHooks].map((r) => [r.name, fixed(r.opsPerSecond), fixed(r.p50), fixed(r.p99), r.errors, `${fixed(r.opsPerSecond / without.opsPerSecond, 2)}x`]),
    ));
    const verified = [...underLoad].every((r) => r.verified);
    console.log(table(
      ['delivery lag (change → receipt)', 'events', 'p50 ms', 'p99 ms'],
      [
        [`during the 3-endpoint phase (${CONFIG.concurrency} clients)`, loadLag.length, fixed(percentile(loadLag, 50)), fixed(percentile(loadLag, 99))],
        ['one change at a time, 1 endpoint', idleLag.length, fixed(percentile(idleLag, 50)), fixed(percentile(idleLag, 99))],
      ],
    ));
    const expected = 3 * (withHooks.requests - withHooks.errors);
    console.log(`Every request's signature verified by the receiver: ${verified ? 'yes' : 'NO'}; received ${underLoad.length} of ${expected} expected\n`);
    return verified && without.errors === 0 && withHooks.errors === 0;
  } finally {
    await receiver.close();
  }
}

// ── Where a seat change spends its time ──────────────────────────────────────────────────────

/** The functions of our code whose CPU time (with what they call) the profile reports. */
const WATCHED = [
  ['Worker: who is asking (hash the token)', 'authenticate', 'worker/http/auth.ts'],
  ['object: authenticate the credential', 'authenticate', 'worker/objects/access.ts'],
  ['object: findUser / existingUser (user + seat joins)', '(?:findUser|existingUser)', 'worker/objects/users.ts'],
  ['object: seat counts (subscriptionView)', 'subscriptionView', 'worker/objects/users.ts'],
  ['object: the write path (transaction: admit, work, waitlist, events, revision)', 'as', 'worker/objects/write-path.ts'],
  ['  the work and what follows it (#work)', '#work', 'worker/objects/write-path.ts'],
  ['  webhook/push outbox (publishEvents: event data, outbox row, deliveries)', 'publishEvents', 'worker/objects/events.ts'],
  ['  pool room (roomFor: the pool ledger)', 'roomFor', 'worker/objects/pools.ts'],
  ['  transactionSync body: seat rows, timers, requests', '(?:giveSeat|releaseSeat|addSeat|dropSeat|moveSeat|takeSeat)', 'worker/objects/seats.ts'],
  ['  transactionSync body: revocation check (releaseSeat)', 'releaseSeat', 'worker/objects/revocations.ts'],
  ['  audit row (recordAudit, JSON.stringify)', 'recordAudit', 'worker/objects/audit.ts'],
  ['  waitlist check (fillFromWaitlist)', 'fillFromWaitlist', 'worker/objects/seat-requests.ts'],
  ['  after the commit: alarm re-arm (armAlarm: MIN(due_at)) and live notify', '#afterCommit', 'worker/objects/write-path.ts'],
  ['  live notify (changedMessage, broadcast; also with no socket)', '(?:changedMessage|broadcast)', 'worker/objects/live.ts'],
];

/** The read and the seat mix profiled alike: per request, where each spends its time, and the difference. */
function printProfile(read, mix) {
  const r = summarise(read, WATCHED);
  const m = summarise(mix, WATCHED);
  const requests = (slices) => slices.reduce((n, p) => n + p.outcome.requests, 0);
  const perRequest = (ms, slices) => (ms * 1000) / requests(slices);
  const µs = (value) => fixed(value, 0);
  console.log(
    `CPU profiles, ${CONFIG.profileSeconds} s each with ${CONFIG.concurrency} clients, taking turns: GET /subscription (${requests(read)} requests) ` +
      `and the seat mix (${requests(mix)}). Locally the Worker and its objects share one isolate: this is all of a request's JavaScript.`,
  );
  console.log(
    `  busy per request: read ${µs(perRequest(r.busy, read))} µs, seat change ${µs(perRequest(m.busy, mix))} µs ` +
      `(idle ${fixed((100 * r.idle) / (r.busy + r.idle), 0)} % / ${fixed((100 * m.idle) / (m.busy + m.idle), 0)} %; samples are wall-clock, so a busy machine inflates them alike)\n`,
  );
  const names = [...new Set([...m.categories, ...r.categories].map(([name]) => name))];
  const of = (summary, name) => summary.categories.find(([n]) => n === name)?.[1] ?? 0;
  console.log(table(
    ['busy time by where it runs (µs per request)', 'read', 'seat change', 'difference'],
    names.map((name) => {
      const a = perRequest(of(r, name), read);
      const b = perRequest(of(m, name), mix);
      return [name, µs(a), µs(b), µs(b - a)];
    }),
  ));
  console.log('\n' + table(
    ['seat mix: top self time (function — module)', 'share', 'µs per request'],
    m.top.map(([name, ms]) => [name, `${fixed((100 * ms) / m.busy, 1)} %`, µs(perRequest(ms, mix))]),
  ));
  console.log('\n' + table(
    ['inclusive time of our steps (µs per request)', 'read', 'seat change'],
    m.watched.map(([label, ms], i) => [label, µs(perRequest(r.watched[i][1], read)), µs(perRequest(ms, mix))]),
  ));
  console.log('');
}

/**
 * One request at a time, each step in turn, so the differences between steps are what each adds:
 * the Worker alone, an object read of one row, a read of a user (the joins a seat change starts
 * with), a seat change that finds nothing to change (all of its reads, no transaction), and the
 * writes themselves.
 */
async function stepBreakdown(baseUrl, serverPid) {
  const { api } = await newSubscription(baseUrl, mailbox, { organization: 'Bench Steps', seats: 10 });
  const [holder, other, spare] = await createUsers(api, { to: 3, withSeat: 1, flight: 3 });
  const ids = { holder: holder.user.id, other: other.user.id, spare: spare.user.id };
  const health = async () => (await fetch(`${baseUrl}/api/health`)).status === 200;
  const steps = [
    ['GET /api/health (Worker only)', health],
    ['GET /subscription (+ RPC, authenticate, 1 row)', async () => (await api('GET', '/subscription')).status === 200],
    ['GET /users/{id} (+ user and seat joins)', async () => (await api('GET', `/users/${ids.holder}`)).status === 200],
    ['PUT seat on a holder (a seat change’s reads)', async () => (await api('PUT', `/users/${ids.holder}/seat`, {})).status === 200],
    ['PUT seat (gives one: + write transaction)', async () => (await api('PUT', `/users/${ids.other}/seat`, {})).status === 200],
    ['DELETE seat (takes it back: write)', async () => (await api('DELETE', `/users/${ids.other}/seat`)).status === 200],
    ['POST /seats/transfer (write, 2 users)', async () => (await api('POST', '/seats/transfer', { from: ids.holder, to: ids.spare })).status === 200],
    ['POST /seats/transfer back', async () => (await api('POST', '/seats/transfer', { from: ids.spare, to: ids.holder })).status === 200],
  ];
  const latencies = steps.map(() => []);
  const cpu = steps.map(() => 0);
  let errors = 0;
  for (let round = -5; round < CONFIG.stepRounds; round++) {
    for (const [i, [, step]] of steps.entries()) {
      const cpu0 = treeCpuMs(serverPid);
      const t0 = performance.now();
      const good = await step().catch(() => false);
      if (round >= 0) latencies[i].push(performance.now() - t0);
      if (round >= 0) cpu[i] += treeCpuMs(serverPid) - cpu0;
      if (!good) errors++;
    }
  }
  const stats = latencies.map((l, i) => {
    const sorted = [...l].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, cpu: cpu[i] / sorted.length };
  });
  const base = stats[0];
  console.log(`Where a seat change spends its time: one request at a time, ${CONFIG.stepRounds} rounds, steps taking turns:`);
  console.log(table(
    ['step', 'p50 ms', 'mean ms', 'p50 − health', 'p50 − previous', 'server CPU ms', 'CPU − health'],
    steps.map(([name], i) => [name, fixed(stats[i].p50, 2), fixed(stats[i].mean, 2), fixed(stats[i].p50 - base.p50, 2), i ? fixed(stats[i].p50 - stats[i - 1].p50, 2) : '',
      fixed(stats[i].cpu, 2), fixed(stats[i].cpu - base.cpu, 2)]),
  ));
  const reads = stats[3].p50;
  const write = (stats[4].p50 + stats[5].p50) / 2;
  console.log(
    `  a seat change's reads cost ${fixed(reads - stats[1].p50, 2)} ms over a one-row read; its write adds ${fixed(write - reads, 2)} ms ` +
      `(a seat change is ${fixed(write / stats[1].p50, 2)}× a one-row read, ${fixed(write / base.p50, 2)}× health)` +
      (errors ? `; ${errors} unexpected answers` : '') + '\n',
  );
  const changeCpu = (stats[4].cpu + stats[5].cpu + stats[6].cpu + stats[7].cpu) / 4;
  console.log(
    `  server CPU per request: a seat change (mean of the four writes) ${fixed(changeCpu, 2)} ms, a one-row read ${fixed(stats[1].cpu, 2)} ms ` +
      `(${fixed(changeCpu / stats[1].cpu, 2)}×), health ${fixed(base.cpu, 2)} ms\n`,
  );
  await commitCost(api, ids.other, serverPid);
  return errors === 0;
}

/**
 * What a seat change's commit costs the object beyond CPU. workerd keeps local Durable Object
 * storage as SQLite in WAL mode and syncs the WAL on every commit (`fsync`): the object's thread
 * waits for the disk without using CPU, so throughput drops more than the CPU figures say. With
 * `strace` on the machine, one request at a time, it counts the Worker process's fsyncs and WAL
 * writes per seat change and per read, and the wall time each fsync took (strace stops the
 * process at every system call, so the requests themselves run slower while it counts). Says on
 * which file system the server's storage is (`TMPDIR=/dev/shm npm run bench` puts it on tmpfs,
 * where an fsync returns at once: a diagnostic, not the benchmark's figure).
 */
async function commitCost(api, userId, serverPid) {
  const storage = storageOf(serverPid);
  const worker = workerProcess(serverPid);
  if (spawnSync('strace', ['-V']).status !== 0 || worker === null) {
    console.log(`  the commit: not counted (needs strace and /proc); storage on ${storage}\n`);
    return;
  }
  const rounds = 100;
  const kinds = [
    ['a seat change (PUT or DELETE seat)', (i) => (i % 2 === 0 ? api('PUT', `/users/${userId}/seat`, {}) : api('DELETE', `/users/${userId}/seat`))],
    ['a read (GET /subscription)', () => api('GET', '/subscription')],
  ];
  const rows = [];
  for (const [name, step] of kinds) {
    const out = join(tmpdir(), `setme-bench-strace-${process.pid}.txt`);
    const tracer = spawn('strace', ['-f', '-c', '-w', '-e', 'trace=fsync,fdatasync,pwrite64', '-o', out, '-p', String(worker)], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (tracer.exitCode !== null) {
      console.log(`  the commit: not counted (strace could not attach to the Worker's process); storage on ${storage}\n`);
      return;
    }
    for (let i = 0; i < rounds; i++) await step(i);
    const stopped = new Promise((resolve) => tracer.once('exit', resolve));
    tracer.kill('SIGINT');
    await stopped;
    const counts = straceSummary(out);
    rmSync(out, { force: true });
    const syncs = (counts.get('fsync')?.calls ?? 0) + (counts.get('fdatasync')?.calls ?? 0);
    const syncSeconds = (counts.get('fsync')?.seconds ?? 0) + (counts.get('fdatasync')?.seconds ?? 0);
    rows.push([name, fixed(syncs / rounds, 2), syncs ? fixed((syncSeconds * 1000) / syncs, 2) : '–', fixed((syncSeconds * 1000) / rounds, 2),
      fixed((counts.get('pwrite64')?.calls ?? 0) / rounds, 1)]);
  }
  console.log(`The commit, ${rounds} requests of each one at a time, system calls of the Worker's workerd counted by strace; storage on ${storage}:`);
  console.log(table(['request', 'fsync per request', 'ms per fsync', 'ms waiting per request', 'writes (pwrite) per request'], rows));
  console.log('  the object\'s thread waits for each fsync (the wall time above) without using CPU; a read commits nothing\n');
}

/** A server process by what it does: wrangler (node), the Worker's workerd, wrangler's entry workerd (a proxy in front). */
function processLabel(pid, name) {
  let args = '';
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // gone meanwhile
  }
  if (name === 'workerd') return args.includes('--inspector-addr') ? 'workerd: the Worker' : "workerd: wrangler's entry";
  return name === 'node' ? 'node: wrangler' : name;
}

/** The Worker's own workerd process below `serverPid` (the one with the inspector), or null. */
function workerProcess(serverPid) {
  const found = [...(cpuByProcess(serverPid)?.keys() ?? [])].find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr');
    } catch {
      return false;
    }
  });
  return found ?? null;
}

/** The file system the server keeps its storage on (`--persist-to`): tmpfs or a disk's. */
function storageOf(serverPid) {
  try {
    const args = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0');
    const dir = args[args.indexOf('--persist-to') + 1];
    // statfs's f_type: 0x01021994 is tmpfs (memory); anything else is a disk's file system.
    return `${statfsSync(dir).type === 0x01021994 ? 'tmpfs (memory)' : 'disk'} (${dir})`;
  } catch {
    return 'an unknown file system';
  }
}

/** `strace -c -w` output: syscall → { calls, seconds } (empty when none of the traced calls was made). */
function straceSummary(file) {
  const counts = new Map();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    const m = line.trim().match(/^[\d.]+\s+([\d.]+)\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$/);
    if (m && m[3] !== 'total') counts.set(m[3], { seconds: Number(m[1]), calls: Number(m[2]) });
  }
  return counts;
}

// ── Big subscriptions: the first page and search ─────────────────────────────────────────────

/** The median time of `repeats` sequential GETs, and the rows the last one returned. */
async function timedGet(api, path, repeats) {
  const times = [];
  let rows = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const reply = await api('GET', path);
    times.push(performance.now() - t0);
    if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}`);
    rows = reply.body.items.length;
  }
  times.sort((a, b) => a - b);
  return { ms: percentile(times, 50), rows };
}

/** What a person searches for in a subscription: a name, and a piece of an email's middle. */
function searchesFor(s) {
  const last = s.created.at(-1).user;
  const [first, family] = last.name.split(' ');
  // Emails are tag.<time>.<counter>@bench.test: ".<counter>@" is in the middle of exactly one.
  return { name: `${first} ${family.slice(0, 2)}`, email: `.${last.email.split('.').at(-2).replace(/@.*/, '')}@` };
}

async function bigSubscriptions(baseUrl, subscriptions) {
  const rows = [];
  for (const s of subscriptions) {
    const q = searchesFor(s);
    const first = await timedGet(s.api, '/users?limit=50', CONFIG.searchRepeats);
    const byName = await timedGet(s.api, `/users?limit=50&q=${encodeURIComponent(q.name)}`, CONFIG.searchRepeats);
    const byEmail = await timedGet(s.api, `/users?limit=50&q=${encodeURIComponent(q.email)}`, CONFIG.searchRepeats);
    const none = await timedGet(s.api, '/users?limit=50&q=zzzz', CONFIG.searchRepeats);
    rows.push([s.size, fixed(first.ms), `${fixed(byName.ms)} (${byName.rows})`, `${fixed(byEmail.ms)} (${byEmail.rows})`, `${fixed(none.ms)} (${none.rows})`]);
  }
  const big = subscriptions.at(-1);
  const q = searchesFor(big);
  console.log(`\nBig subscriptions through the API (median of ${CONFIG.searchRepeats}, ms (rows); searches "${q.name}", "${q.email}" and "zzzz" in the largest):`);
  console.log(table(['users', 'first page of 50', 'name search', 'email-middle search', 'no match (whole table)'], rows));
  console.log('  Search is answered by indexes (worker/objects/users.ts searchFor): three characters or more by the trigram');
  console.log('  full-text index of names and emails, fewer by the name and email indexes (a prefix).');

  const screenQ = screenQueries(big.created);
  const screen = await usersScreenTimings(baseUrl, big.account, screenQ);
  printScreen(screen, big.size, screenQ);
}

// ── How a seat change's cost grows with the users in a subscription ────────────────────────────

async function scaling(baseUrl) {
  const subscriptions = [];
  const deadline = performance.now() + CONFIG.seedBudgetSeconds * 1000;
  for (const wanted of CONFIG.scaling) {
    const t0 = performance.now();
    const { api, account } = await newSubscription(baseUrl, mailbox, { organization: `Bench ${wanted}`, seats: 10 });
    const created = await createUsers(api, { to: wanted - 1, flight: CONFIG.seedConcurrency, deadline });
    const size = created.length + 1;
    const seeded = (performance.now() - t0) / 1000;
    console.log(
      `  ${size} users: created through the API in ${fixed(seeded)} s (${fixed((size - 1) / seeded, 0)} users/s, ${CONFIG.seedConcurrency} in flight)` +
        (size < wanted ? ` — stopped short of ${wanted}: the ${CONFIG.seedBudgetSeconds} s seeding budget ran out (BENCH_SEED_BUDGET)` : ''),
    );
    // The budget ran out before this size had any users: nothing to measure in it.
    if (created.length === 0) continue;
    // Users spread over the whole subscription, one assign/unassign pair each.
    const step = Math.max(1, Math.floor(created.length / CONFIG.scalingPairs));
    const targets = Array.from({ length: CONFIG.scalingPairs }, (_, i) => created[(i * step) % created.length].user.id);
    subscriptions.push({ size, api, account, created, targets, latencies: [], errors: 0, cut: 0 });
  }
  // One pair at a time, the sizes taking turns in rounds, so a busy moment on the machine falls
  // on all of them alike rather than on whichever size happened to run then.
  const pair = async (s, id, record) => {
    for (const method of ['PUT', 'DELETE']) {
      const t0 = performance.now();
      const reply = await s.api(method, `/users/${id}/seat`, method === 'PUT' ? {} : undefined);
      const result = outcome(reply, 200);
      if (result === 'interrupted') {
        s.cut++;
        await s.api('DELETE', `/users/${id}/seat`);
        return;
      }
      if (record) s.latencies.push(performance.now() - t0);
      if (!result) s.errors++;
    }
  };
  for (const s of subscriptions) for (const id of s.targets.slice(0, 10)) await pair(s, id, false);
  const rounds = 5;
  const perRound = Math.ceil(CONFIG.scalingPairs / rounds);
  for (let round = 0; round < rounds; round++) {
    for (const s of subscriptions) {
      for (const id of s.targets.slice(round * perRound, (round + 1) * perRound)) await pair(s, id, true);
    }
  }
  const rows = [];
  for (const s of subscriptions) {
    if ((await s.api('GET', '/subscription')).body.seats.assigned !== 0) s.errors++;
    const sorted = [...s.latencies].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    rows.push({ size: s.size, ops: sorted.length, errors: s.errors, mean, p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
  }
  const cut = subscriptions.reduce((n, s) => n + s.cut, 0);
  if (cut > 0) console.log(`(${cut} pairs were cut by a dev-server reload and left out)`);
  const base = rows[0];
  console.log('\n' + table(
    ['users in subscription', 'seat changes', 'errors', 'mean ms/op', 'p50 ms', 'p99 ms', 'mean ÷ 100-user', 'p50 ÷ 100-user'],
    rows.map((r) => [r.size, r.ops, r.errors, fixed(r.mean, 2), fixed(r.p50, 2), fixed(r.p99, 2), fixed(r.mean / base.mean, 2), fixed(r.p50 / base.p50, 2)]),
  ));
  return { flat: rows.every((r) => r.errors === 0), subscriptions };
}

// ── Enumeration timing ───────────────────────────────────────────────────────────────────────

const ENUMERATION_SAMPLES = 50;
// Mail is limited to 5 an hour per email and wrong passwords to 10 per 15 minutes per email and
// address: each known email serves 5 samples of one door, so each door has its own 10 accounts.
const SAMPLES_PER_EMAIL = 5;

/**
 * Sign-up, password reset and sign-in answer the same for emails with and without an account; this
 * shows whether their timing tells them apart. Known emails are active users of one subscription,
 * unknown ones are made up; each side has 10 emails used 5 times, and each email gets one untimed
 * request first (through another door, so it uses up nothing of this door's limit), so both sides
 * measure objects already in memory. (The first request to any email whose object is not in memory
 * costs more, known or not: the cold start is printed too.) The two kinds take turns, so drift on
 * a busy machine hits both.
 */
async function enumerationTiming(baseUrl) {
  const accounts = ENUMERATION_SAMPLES / SAMPLES_PER_EMAIL;
  const { api } = await newSubscription(baseUrl, mailbox, { organization: 'Bench Enumeration', seats: 1 });
  const activeUsers = async (tag) => {
    const emails = [];
    for (let i = 0; i < accounts; i++) {
      const address = benchEmail(tag);
      const created = await api('POST', '/users', { name: personName(i), email: address, assignSeat: false });
      if (created.status !== 201) throw new Error(`creating a user answered ${created.status} ${JSON.stringify(created.body)}`);
      const accepted = await client(baseUrl)('POST', '/invitations/accept', { token: created.body.invitation.token, password: PASSWORD });
      if (accepted.status !== 200) throw new Error(`accepting an invitation answered ${accepted.status}`);
      emails.push(address);
    }
    return emails;
  };
  const signupProbe = (e) => ({ path: '/signup', body: { organization: 'Probe', name: 'Probe', email: e, password: PASSWORD, seats: 1 } });
  const resetProbe = (e) => ({ path: '/auth/password-reset', body: { email: e } });
  const loginProbe = (e) => ({ path: '/auth/login', body: { email: e, password: 'not the password' } });
  // [door, known emails, its request, the status it answers, the warm-up request and its status]
  const doors = [
    ['POST /signup', await activeUsers('signup'), signupProbe, 202, loginProbe, 401],
    ['POST /auth/password-reset', await activeUsers('reset'), resetProbe, 202, loginProbe, 401],
    ['POST /auth/login (wrong password)', await activeUsers('login'), loginProbe, 401, resetProbe, 202],
  ];
  const timed = async ({ path, body }, expected) => {
    const began = performance.now();
    const reply = await client(baseUrl)('POST', path, body);
    const ms = performance.now() - began;
    if (reply.status !== expected) throw new Error(`${path} answered ${reply.status} ${JSON.stringify(reply.body)}`);
    return ms;
  };
  const rows = [];
  const cold = { known: [], unknown: [] };
  for (const [door, knownEmails, request, expected, warmUp, warmExpected] of doors) {
    const unknownEmails = Array.from({ length: accounts }, () => benchEmail('nobody'));
    for (let i = 0; i < accounts; i++) {
      cold.known.push(await timed(warmUp(knownEmails[i]), warmExpected));
      cold.unknown.push(await timed(warmUp(unknownEmails[i]), warmExpected));
    }
    const known = [];
    const unknown = [];
    for (let i = 0; i < ENUMERATION_SAMPLES; i++) {
      const pair = [() => timed(request(knownEmails[i % accounts]), expected), () => timed(request(unknownEmails[i % accounts]), expected)];
      // Alternate which goes first.
      if (i % 2) {
        known.push(await pair[0]());
        unknown.push(await pair[1]());
      } else {
        unknown.push(await pair[1]());
        known.push(await pair[0]());
      }
    }
    const [k, u] = [median(known), median(unknown)];
    rows.push([door, fixed(k, 2), fixed(u, 2), fixed(k - u, 2)]);
  }
  // The warm-up requests: known emails' objects were in memory since their users were created.
  rows.push(['first request to an email (warm-up)', fixed(median(cold.known), 2), fixed(median(cold.unknown), 2), fixed(median(cold.known) - median(cold.unknown), 2)]);
  console.log(`\nEnumeration timing (${ENUMERATION_SAMPLES} samples each, answer time as a client sees it):`);
  console.log(table(['door', 'known email p50 ms', 'unknown email p50 ms', 'known − unknown ms'], rows));
}

const median = (values) => percentile([...values].sort((a, b) => a - b), 50);

async function main() {
  const began = performance.now();
  if (!existsSync(`${ROOT}build/index.html`)) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-bench-'));
  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : await freePort();
  const inspectorPort = process.env.BENCH_PORT ? port + 1 : await freePort();
  const server = await startServer({ port, persistTo, quiet: true, inspectorPort });
  mailbox = server.mailbox;
  const inspector = await connectInspector(inspectorPort);
  let ok = false;
  try {
    if (process.env.BENCH_ONLY === 'webhooks') {
      ok = await webhookDelivery(server.baseUrl);
    } else if (process.env.BENCH_ONLY === 'enumeration') {
      await enumerationTiming(server.baseUrl);
      ok = true;
    } else if (process.env.BENCH_ONLY === 'directory') {
      ok = await directorySync(server.baseUrl, benchTools());
    } else if (process.env.BENCH_ONLY === 'seats') {
      console.log(`Seat changes only on ${server.baseUrl} (sections 1 to 4)\n`);
      ok = (await loadPhases(server.baseUrl, inspector, server.child.pid)) && (await stepBreakdown(server.baseUrl, server.child.pid));
      ok = (await withTraceCollector()) && ok;
    } else {
      ok = await fullBenchmark(server, inspector);
    }
  } finally {
    inspector.close();
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  console.log(`\nTotal ${fixed((performance.now() - began) / 1000)} s. ${ok ? 'VERIFIED' : 'FAILED'}`);
  if (!ok) process.exit(1);
}

/** Sections 1 to 8; true when every check held. */
async function fullBenchmark(server, inspector) {
  console.log(`SetMe Seats load benchmark on ${server.baseUrl} (wrangler dev, local storage)\n`);
  const verified = await loadPhases(server.baseUrl, inspector, server.child.pid);
  const hooksOk = await webhookDelivery(server.baseUrl);
  const stepsOk = (await stepBreakdown(server.baseUrl, server.child.pid)) && (await withTraceCollector());
  console.log('How one seat change costs as the subscription grows (sequential assign/unassign pairs):');
  const { flat, subscriptions } = await scaling(server.baseUrl);
  await bigSubscriptions(server.baseUrl, subscriptions);
  await enumerationTiming(server.baseUrl);
  const directoryOk = await directorySync(server.baseUrl, benchTools());
  return verified && hooksOk && stepsOk && flat && directoryOk;
}

/** This script's helpers, for the sections in other files (bench-scim.mjs). */
function benchTools() {
  return { mailbox, drive, percentile, table, fixed, concurrency: CONFIG.concurrency, seconds: CONFIG.phaseSeconds };
}

await main();
