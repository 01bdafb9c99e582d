// `npm run bench`: the load benchmark (not part of `npm test`).
//
// Starts the local server (wrangler dev, storage in a temporary folder) and, on loopback only:
//  1. creates a subscription with 500 users and 200 seats through the API (with an API token);
//  2. drives it with concurrent clients, each phase bounded in time and count:
//     GET /api/health (the same-run baseline), a seat mix (PUT/DELETE /users/{id}/seat and
//     POST /seats/transfer across many users), and the Expert Console's POST /console/sessions;
//     prints ops/s and p50/p99 latency, each as a ratio to the baseline;
//  3. verifies the invariants through the API (counter == holders ≤ purchased, nobody holding two,
//     no seat lost or duplicated) and prints VERIFIED, or exits non-zero;
//  4. measures how one seat change's cost grows with the users in a subscription (100 → 10,000).
//
// Figures are indicative: compare the ratios within one run, not absolute numbers across machines.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allPages, bearer, freePort, interrupted } from './local-api.mjs';
import { client, startServer } from './server.mjs';

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
};

const PASSWORD = 'benchmark passphrase';
let emailCounter = 0;
const email = (tag) => `${tag}.${Date.now().toString(36)}.${++emailCounter}@bench.test`;

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

/** Runs `task(item)` over items with at most `limit` in flight, starting none after `deadline`. */
async function bounded(items, limit, task, deadline = Infinity) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && performance.now() < deadline) {
        const i = next++;
        results[i] = await task(items[i], i);
      }
    }),
  );
  return results.filter(Boolean);
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

// ── Setting up a subscription through the API ────────────────────────────────────────────────

/** Signs up a subscription and returns an API client with an administrator's token. */
async function newSubscription(baseUrl, seats, organization) {
  const browser = client(baseUrl);
  const signup = await browser('POST', '/signup', {
    organization, name: 'Bench Admin', email: email('admin'), password: PASSWORD, seats, assignSeat: false,
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status} ${JSON.stringify(signup.body)}`);
  const token = await browser('POST', '/tokens', { name: 'bench' });
  if (token.status !== 201) throw new Error(`token answered ${token.status} ${JSON.stringify(token.body)}`);
  return { api: bearer(baseUrl, token.body.token), adminId: signup.body.user.id };
}

/** Creates `count` users through the API (fewer if `deadline` passes), the first `withSeat` holding a seat. */
async function createUsers(api, count, withSeat, concurrency, deadline = Infinity) {
  return bounded(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    // A dev-server reload may cut a request (and maybe apply it): retry with a new email.
    for (let attempt = 0; ; attempt++) {
      const reply = await api('POST', '/users', { name: `Bench User ${i}`, email: email('user'), assignSeat: i < withSeat })
        .catch((error) => ({ status: 0, body: { text: String(error) } }));
      if (reply.status === 201) return reply.body;
      if (attempt >= 3) throw new Error(`create user answered ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  }, deadline);
}

// ── The load phases ──────────────────────────────────────────────────────────────────────────

async function loadPhases(baseUrl) {
  const t0 = performance.now();
  const { api, adminId } = await newSubscription(baseUrl, CONFIG.seats, 'Bench Load');
  const created = await createUsers(api, CONFIG.users - 1, CONFIG.seats, CONFIG.seedConcurrency);
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
  const consoleApis = consoleTokens.map((token) => bearer(baseUrl, token));
  let computer = 0;
  const consoleCheck = async (worker) =>
    outcome(await consoleApis[worker % consoleApis.length]('POST', '/console/sessions', { computer: `PC-${++computer}` }), 201);

  const phases = [
    ['GET /api/health (baseline)', health],
    ['GET /subscription (object read)', readSubscription],
    ['seat mix: PUT/DELETE seat, transfer', seatOp],
    ['POST /console/sessions', consoleCheck],
  ];
  const results = [];
  for (const [name, op] of phases) {
    await drive(name, { concurrency: CONFIG.concurrency, seconds: 30, maxRequests: CONFIG.warmupRequests }, op);
    results.push(await drive(name, { concurrency: CONFIG.concurrency, seconds: CONFIG.phaseSeconds, maxRequests: CONFIG.phaseMaxRequests }, op));
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
    ['operation', 'requests', 'errors', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s ÷ base', 'p50 ÷ base', 'p99 ÷ base'],
    results.map((r) => [r.name, r.requests, r.errors, fixed(r.opsPerSecond, 0), fixed(r.p50), fixed(r.p99),
      fixed(r.opsPerSecond / base.opsPerSecond, 2), fixed(r.p50 / base.p50, 2), fixed(r.p99 / base.p99, 2)]),
  ));
  const mix = slices.reduce((t, s) => ({ assign: t.assign + s.counts.assign, unassign: t.unassign + s.counts.unassign, transfer: t.transfer + s.counts.transfer }), { assign: 0, unassign: 0, transfer: 0 });
  console.log(`seat mix (incl. warm-up): ${mix.assign} assigns, ${mix.unassign} unassigns, ${mix.transfer} transfers over ${mixUsers.length} users\n`);

  // ── Invariants, through the API ──
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
    [`holders who are not in the list of users: none`, holderIds.every((id) => everyone.some((u) => u.id === id && u.seat))],
    [`administrator unchanged`, everyone.some((u) => u.id === adminId && u.role === 'administrator')],
  ];
  for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  const verified = checks.every(([, ok]) => ok);
  console.log(verified ? 'VERIFIED\n' : 'NOT VERIFIED\n');
  return verified;
}

// ── How a seat change's cost grows with the users in a subscription ────────────────────────────

async function scaling(baseUrl) {
  const subscriptions = [];
  const deadline = performance.now() + CONFIG.seedBudgetSeconds * 1000;
  for (const wanted of CONFIG.scaling) {
    const t0 = performance.now();
    const { api } = await newSubscription(baseUrl, 10, `Bench ${wanted}`);
    const created = await createUsers(api, wanted - 1, 0, CONFIG.seedConcurrency, deadline);
    const size = created.length + 1;
    const seeded = (performance.now() - t0) / 1000;
    console.log(
      `  ${size} users: created through the API in ${fixed(seeded)} s (${fixed((size - 1) / seeded, 0)} users/s, ${CONFIG.seedConcurrency} in flight)` +
        (size < wanted ? ` — stopped short of ${wanted}: the ${CONFIG.seedBudgetSeconds} s seeding budget ran out (BENCH_SEED_BUDGET)` : ''),
    );
    // Users spread over the whole subscription, one assign/unassign pair each.
    const step = Math.max(1, Math.floor(created.length / CONFIG.scalingPairs));
    const targets = Array.from({ length: CONFIG.scalingPairs }, (_, i) => created[(i * step) % created.length].user.id);
    subscriptions.push({ size, api, targets, latencies: [], errors: 0, cut: 0 });
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
  return rows.every((r) => r.errors === 0);
}

async function main() {
  const began = performance.now();
  if (!existsSync(`${ROOT}build/index.html`)) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-bench-'));
  const port = await freePort();
  const server = await startServer({ port, persistTo, quiet: true });
  let ok = false;
  try {
    console.log(`SetMe Seats load benchmark on ${server.baseUrl} (wrangler dev, local storage)\n`);
    const verified = await loadPhases(server.baseUrl);
    console.log('How one seat change costs as the subscription grows (sequential assign/unassign pairs):');
    const flat = await scaling(server.baseUrl);
    ok = verified && flat;
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  console.log(`\nTotal ${fixed((performance.now() - began) / 1000)} s. ${ok ? 'VERIFIED' : 'FAILED'}`);
  if (!ok) process.exit(1);
}

await main();
