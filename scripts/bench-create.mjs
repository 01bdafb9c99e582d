// How fast users are created through the API (POST /api/v1/users, as a script or a directory's
// SCIM provisioning does, one by one): users a second with BENCH_CREATE_FLIGHT in flight (24 by
// default, as bench-browser.mjs seeds), the local server's CPU time per user (from /proc, which the
// machine's load barely stretches), and a CPU profile of the isolate while it creates (where a
// creation spends its time, as bench.mjs profiles the seat mix).
//
// `node scripts/bench-create.mjs` measures this worktree. With BENCH_COMPARE_TREE=<dir> (a copy of
// another commit, e.g. `git archive <commit> | tar -x -C <dir>`, with node_modules linked in) it
// measures that tree first, then this one, back to back on the same machine: compare ratios.
// BENCH_CREATE_USERS (600 by default) users per run; BENCH_PORT picks the port (the next one is
// the inspector's); BENCH_STORAGE where the server's temporary storage goes (the OS temp dir by
// default: a disk, where wrangler's local storage makes each new object a SQLite file synced to
// disk; /dev/shm shows the same without the disk); BENCH_PROFILE_OUT=<file> keeps the last raw profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixed } from './bench-browser.mjs';
import { createUsers, newSubscription } from './bench-seed.mjs';
import { table } from './table.mjs';
import { connectInspector, summarise } from './cpu-profile.mjs';
import { freePort } from './local-api.mjs';
import { treeCpuMs } from './process-cpu.mjs';
import { startServer } from './server.mjs';

/** Our functions whose inclusive time the profile reports (label, function name, source module). */
const WATCHED = [
  ['Worker: route, invitation secret and id', 'newInvitation', 'worker/http/routes/users.ts'],
  ['object: createUser (the whole RPC, awaits excluded)', 'createUser', 'worker/objects/subscription.ts'],
  ['  precheck (authenticate, checkCreate)', 'precheck', 'worker/objects/write-path.ts'],
  ['  the write (as: transaction, audit, events)', 'as', 'worker/objects/write-path.ts'],
  ['  audit row (recordAudit)', 'recordAudit', 'worker/objects/audit.ts'],
  ['  events to the outbox (publishEvents)', 'publishEvents', 'worker/objects/events.ts'],
  ['  the created user read back (existingUser)', 'existingUser', 'worker/objects/users.ts'],
  ['EmailIndex: claim', 'claim', 'worker/objects/email-index.ts'],
  ['EmailIndex: confirm', 'confirm', 'worker/objects/email-index.ts'],
  ['EmailIndex: schema (migrate)', 'migrate', 'worker/objects/migrate.ts'],
];

/** Creates users `from`..`to - 1` with `flight` requests in flight; resolves to the seconds it took. */
async function timedCreate(api, from, to, flight) {
  const t0 = performance.now();
  await createUsers(api, { from, to, flight });
  return (performance.now() - t0) / 1000;
}

/** One tree's figures: a warm-up, a timed run with the server's CPU, then a profiled run. */
async function measure(root, label, users, flight) {
  const persistTo = mkdtempSync(join(process.env.BENCH_STORAGE ?? tmpdir(), 'setme-bench-create-'));
  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : await freePort();
  const inspectorPort = process.env.BENCH_PORT ? port + 1 : await freePort();
  const server = await startServer({ port, persistTo, quiet: true, inspectorPort, root });
  try {
    const { api } = await newSubscription(server.baseUrl, server.mailbox, { organization: 'Bench create' });
    await createUsers(api, { to: 50, flight });
    const load = loadavg()[0];
    const cpu0 = treeCpuMs(server.child.pid);
    const seconds = await timedCreate(api, 50, 50 + users, flight);
    const cpuMs = treeCpuMs(server.child.pid) - cpu0;
    const inspector = await connectInspector(inspectorPort);
    const profiled = Math.min(200, users);
    const { profile, sources } = await inspector.profile(() => createUsers(api, { from: 50 + users, to: 50 + users + profiled, flight }));
    inspector.close();
    if (process.env.BENCH_PROFILE_OUT) (await import('node:fs')).writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
    return { label, users, seconds, cpuMs, load, loadAfter: loadavg()[0], profile: summarise([{ profile, sources }], WATCHED), profiled };
  } finally {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

function print(runs, flight) {
  console.log(`\nCreating users through POST /api/v1/users, ${flight} in flight, storage in ${process.env.BENCH_STORAGE ?? tmpdir()}:`);
  console.log(table(
    ['tree', 'users', 'seconds', 'users/s', 'server CPU ms/user', 'load avg (1 min) before → after'],
    runs.map((r) => [r.label, r.users, fixed(r.seconds), fixed(r.users / r.seconds, 0), fixed(r.cpuMs / r.users, 1), `${fixed(r.load, 2)} → ${fixed(r.loadAfter, 2)}`]),
  ));
  for (const r of runs) {
    const per = (ms) => fixed((ms * 1000) / r.profiled, 0);
    console.log(`\n${r.label}: CPU profile of ${r.profiled} creations (µs per creation; busy ${per(r.profile.busy)}, idle ${per(r.profile.idle)})`);
    console.log(table(['where', 'µs'], r.profile.categories.map(([name, ms]) => [name, per(ms)])));
    console.log(table(['top self time (function — module)', 'µs'], r.profile.top.map(([name, ms]) => [name, per(ms)])));
    console.log(table(['our steps, inclusive', 'µs'], r.profile.watched.map(([name, ms]) => [name, per(ms)])));
  }
}

const users = Number(process.env.BENCH_CREATE_USERS ?? 600);
const flight = Number(process.env.BENCH_CREATE_FLIGHT ?? 24);
const runs = [];
if (process.env.BENCH_COMPARE_TREE) runs.push(await measure(process.env.BENCH_COMPARE_TREE, `BEFORE (${process.env.BENCH_COMPARE_TREE})`, users, flight));
runs.push(await measure(undefined, 'this tree', users, flight));
print(runs, flight);
