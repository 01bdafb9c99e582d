// A `wrangler dev` that can be killed like a crashing machine and started again on the same storage,
// for `npm run test:faults`. Kills are SIGKILL to the whole process group (wrangler, its esbuild and
// both workerd processes): killing wrangler alone orphans workerd, which keeps the port and the
// storage. Everything the server writes outside the storage folder goes to folders this module
// owns, and they are removed on exit, on Ctrl-C and on a crash of the script itself.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './local-api.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER = `${ROOT}node_modules/.bin/wrangler`;
/** Wrangler writes its bundles here (beside wrangler.toml) and removes them only on a clean exit. */
const WRANGLER_TMP = `${ROOT}.wrangler/tmp`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a port can be listened on now (with SO_REUSEADDR, as wrangler and workerd listen). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * The port for the check: SETME_FAULT_PORT, or the first free one of 8790–8798. Never an ephemeral
 * port: while the server is down, a client's connection attempt can be given the same number as its
 * own source port and connect to itself, and then the restarted server cannot listen.
 */
export async function faultPort() {
  if (process.env.SETME_FAULT_PORT) return Number(process.env.SETME_FAULT_PORT);
  for (let port = 8790; port <= 8798; port++) if (await portIsFree(port)) return port;
  throw new Error('ports 8790–8798 are all taken: set SETME_FAULT_PORT to a free port below 32768');
}

/**
 * Whether a process of the group is still running. Killed processes stay zombies until the
 * machine's init reaps them (seconds, in some containers); they hold no port and no file, so
 * where /proc can tell, they do not count.
 */
function groupAlive(pgid) {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

function signalGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const wranglerTmpDirs = () => (existsSync(WRANGLER_TMP) ? readdirSync(WRANGLER_TMP) : []);

/**
 * A server on `port` whose storage and temporary files live under `workDir` (which the caller
 * creates and removes). `start()` resolves once /api/health answers; `kill()` is the crash;
 * `stop()` the clean end; `killSync()` is for exit handlers, where nothing asynchronous runs.
 * @param {{ port: number, workDir: string }} options
 */
export function killableServer({ port, workDir }) {
  const persistTo = join(workDir, 'state');
  // miniflare's own temporary folders follow TMPDIR: keep them inside workDir.
  const tmp = join(workDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const logFile = join(workDir, 'wrangler.log');
  const baseUrl = `http://127.0.0.1:${port}`;
  /** Bundle folders of our runs in .wrangler/tmp: the ones that appear while our server starts. */
  const ownedTmpDirs = new Set();
  /** The folders that were there before the start under way, if one is. */
  let startingBefore = null;
  let child = null;

  const claimNewTmpDirs = () => {
    for (const dir of wranglerTmpDirs()) if (!startingBefore?.has(dir) && /^(bundle|dev)-/.test(dir)) ownedTmpDirs.add(dir);
  };

  async function start() {
    if (child) throw new Error('the server is already running');
    // Else wrangler would serve on another port, and whoever holds this one would get our requests.
    if (!(await portIsFree(port))) throw new Error(`port ${port} is in use by another program`);
    // wrangler's devtools socket defaults to 9229: with other servers starting on the machine, a
    // restart could lose the race for it and exit with "Address already in use".
    const inspectorPort = await freePort();
    startingBefore = new Set(wranglerTmpDirs());
    const log = openSync(logFile, 'a');
    const began = performance.now();
    child = spawn(
      WRANGLER,
      [
        'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
        '--persist-to', persistTo, '--show-interactive-dev-session=false', '--var', `PUBLIC_ORIGIN:http://127.0.0.1:${port}`, '--var', 'ENVIRONMENT:development',
      ],
      {
        cwd: ROOT,
        // Its own process group, so one signal reaches wrangler and every process it started.
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, TMPDIR: tmp, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' },
      },
    );
    closeSync(log);
    const started = child;
    try {
      for (;;) {
        if (started.exitCode !== null || started.signalCode !== null) {
          throw new Error(`wrangler dev exited (${started.exitCode ?? started.signalCode}) while starting; see ${logFile}`);
        }
        try {
          if ((await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) })).ok) break;
        } catch {
          // not listening yet
        }
        if (performance.now() - began > 90_000) throw new Error(`wrangler dev did not answer within 90 s; see ${logFile}`);
        await sleep(50);
      }
    } finally {
      claimNewTmpDirs();
      startingBefore = null;
    }
    return performance.now() - began;
  }

  /** SIGKILL to the whole group; resolves once every process is gone and the port can be listened on. */
  async function kill() {
    if (!child) return;
    const { pid } = child;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
    signalGroup(pid);
    await exited;
    child = null;
    for (let waited = 0; groupAlive(pid) || !(await portIsFree(port)); waited += 50) {
      if (waited > 10_000) throw new Error(`port ${port} or process group ${pid} still busy 10 s after SIGKILL`);
      await sleep(50);
    }
    removeOwnedTmpDirs();
  }

  /** The clean end: wrangler is asked to stop (it tidies up after itself); whatever is left is killed. */
  async function stop() {
    if (!child) return;
    const current = child;
    if (current.exitCode === null && current.signalCode === null) {
      const exited = new Promise((r) => current.once('exit', r));
      current.kill('SIGTERM');
      let timer;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
    }
    await kill();
  }

  function removeOwnedTmpDirs() {
    for (const dir of ownedTmpDirs) rmSync(join(WRANGLER_TMP, dir), { recursive: true, force: true });
    ownedTmpDirs.clear();
  }

  function killSync() {
    if (startingBefore) claimNewTmpDirs();
    if (child) signalGroup(child.pid);
    child = null;
    removeOwnedTmpDirs();
  }

  return { baseUrl, logFile, start, kill, stop, killSync };
}
