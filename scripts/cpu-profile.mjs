// A CPU profile of the local Worker and its Durable Objects, taken through the DevTools inspector
// of `wrangler dev --inspector-port` (startServer's `inspectorPort`). In local mode the Worker and
// its objects run in one isolate, so one profile shows both. Used by the benchmark.
//
// Why a profiler and not timings inside the object: workerd stops the clock while code runs
// (Date.now() and performance.now() only move on I/O), so a synchronous method cannot time its
// own steps. Sampling what the isolate executes is the way to see where a request's time goes.

/**
 * Connects to the inspector on `port`; returns `profile(during)`, which samples while `during()`
 * runs, and `close()`.
 * @example const inspector = await connectInspector(9229); const p = await inspector.profile(() => work());
 */
export async function connectInspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${port}`);
  // The inspector proxy only accepts local origins (a web page must not drive it).
  const socket = new WebSocket(url, { headers: { origin: 'http://127.0.0.1' } });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot connect to the inspector at ${url}`));
  });
  let nextId = 0;
  const waiting = new Map();
  /** Script sources by id, fetched once. */
  const sources = new Map();
  socket.onmessage = (message) => {
    const data = JSON.parse(typeof message.data === 'string' ? message.data : Buffer.from(message.data).toString());
    if (data.id && waiting.has(data.id)) {
      waiting.get(data.id)(data);
      waiting.delete(data.id);
    }
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result)));
      socket.send(JSON.stringify({ id, method, params }));
    });

  return {
    /** Samples every 200 µs while `during()` runs; resolves to the profile, the scripts' sources and what `during` returned. */
    async profile(during) {
      await send('Profiler.enable');
      await send('Profiler.setSamplingInterval', { interval: 200 });
      await send('Profiler.start');
      let outcome;
      let profile;
      try {
        outcome = await during();
      } finally {
        ({ profile } = await send('Profiler.stop'));
      }
      // The bundle wrangler built, to name the source module of each sampled line.
      const missing = [...new Set(profile.nodes.map((n) => n.callFrame.scriptId))].filter((id) => id && id !== '0' && !sources.has(id));
      if (missing.length > 0) {
        await send('Debugger.enable');
        for (const scriptId of missing) {
          const { scriptSource } = await send('Debugger.getScriptSource', { scriptId }).catch(() => ({ scriptSource: '' }));
          sources.set(scriptId, scriptSource);
        }
        await send('Debugger.disable');
      }
      await send('Profiler.disable');
      return { profile, sources, outcome };
    },
    close: () => socket.close(),
  };
}

/**
 * For each line of an esbuild bundle, the source module it came from: esbuild marks every module
 * with a `// path/to/module.ts` comment line. Packages are named by package (`hono`, `zod`, …).
 */
function moduleIndex(source) {
  const marks = [];
  source.split('\n').forEach((line, i) => {
    const m = line.match(/^\/\/ ((?:node_modules\/)?[\w@./-]+\.(?:ts|js|mjs))$/);
    if (m) marks.push([i, packageOf(m[1])]);
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][0] <= line) {
        found = marks[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

function packageOf(path) {
  const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (!m) return path;
  return m[m.length - 1].replace('node_modules/', '');
}

/** Where a sampled frame belongs: our code by file, packages by name, the runtime's own by kind. */
function categoryOf(module) {
  if (module.startsWith('worker/objects/') || module.startsWith('worker/domain/')) return 'our object code (worker/objects, worker/domain)';
  if (module.startsWith('worker/')) return 'our HTTP layer (worker/http, contract, crypto)';
  if (module === 'wrangler' || module.includes('.wrangler/')) return 'wrangler dev middleware (not deployed)';
  if (module === '(runtime)') return 'the runtime between our calls (RPC, promise jobs, streams)';
  if (module === '(sqlite)') return 'SQLite (exec, toArray, transactionSync)';
  if (module === '(program)') return '(program): the runtime outside JS (HTTP, RPC, I/O)';
  if (module.startsWith('(')) return module;
  if (module === 'hono' || module === 'zod' || module.startsWith('@hono/')) return 'Hono, @hono/zod-openapi, zod';
  return `package ${module}`;
}

const SQLITE_NATIVES = new Set(['exec', 'toArray', 'transactionSync', 'raw', 'one', 'next']);
/** V8's own entries: time outside JavaScript, waiting for work, collecting garbage. */
const SPECIAL = new Set(['(program)', '(idle)', '(garbage collector)', '(root)']);

/**
 * Summarises a profile, in ms: busy time (not idle) by category, the functions with the most self
 * time, and, for chosen functions of our code, their inclusive time (with what they call).
 * @param {Array<[label: string, functionName: string, module: string]>} watched functions to report,
 *   by name and source module (the bundler may append digits to a name that occurs twice)
 */
export function summarise(sampled, watched) {
  const matchers = watched.map(([label, name, module]) => [label, new RegExp(`^${name}\\d*$`), module]);
  const totals = { busy: 0, idle: 0, self: new Map(), categories: new Map(), inclusive: new Map() };
  for (const one of sampled) addProfile(totals, one, matchers);
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    busy: totals.busy,
    idle: totals.idle,
    categories: sorted(totals.categories),
    top: sorted(totals.self).slice(0, 15),
    watched: watched.map(([label]) => [label, totals.inclusive.get(label) ?? 0]),
  };
}

const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);

/** Adds one profile's samples to the totals. */
function addProfile(totals, { profile, sources }, matchers) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const indexes = new Map([...sources].map(([id, source]) => [id, moduleIndex(source)]));
  const describe = (node) => {
    const { functionName, scriptId, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const index = indexes.get(scriptId);
    if (index && sources.get(scriptId)) return { name, module: index(lineNumber) };
    if (SPECIAL.has(name)) return { name, module: name };
    return { name, module: SQLITE_NATIVES.has(name) ? '(sqlite)' : '(runtime)' };
  };
  const info = new Map([...nodes.keys()].map((id) => [id, describe(nodes.get(id))]));
  // Work the runtime does for a call from our bundle (building a Response, reading a body) is
  // charged to the nearest caller in the bundle; only what no bundle code called stays "runtime".
  const callerOf = new Map();
  const charged = (id) => {
    if (callerOf.has(id)) return callerOf.get(id);
    const { module } = info.get(id);
    let result = module;
    if (module === '(runtime)') {
      const up = parent.get(id);
      const caller = up === undefined ? '(runtime)' : charged(up);
      result = caller.startsWith('(') ? '(runtime)' : caller;
    }
    callerOf.set(id, result);
    return result;
  };

  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { name, module } = info.get(id);
    if (name === '(idle)') {
      totals.idle += ms;
      return;
    }
    totals.busy += ms;
    add(totals.self, `${name} — ${module === '(runtime)' ? `runtime, for ${charged(id)}` : module}`, ms);
    add(totals.categories, categoryOf(charged(id)), ms);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = info.get(at);
      for (const [label, pattern, module] of matchers) {
        if (seen.has(label) || frame.module !== module || !pattern.test(frame.name)) continue;
        seen.add(label);
        add(totals.inclusive, label, ms);
      }
    }
  });
}
