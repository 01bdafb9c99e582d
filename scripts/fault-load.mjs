// The clients of `npm run test:faults`. Each one is a loop of seat changes through the API that
// keeps going while the server is killed under it: a request that gets no real answer (a network
// error, a 5xx such as "Your worker restarted mid-request", or 409 idempotency_in_progress) is sent
// again, same Idempotency-Key and body, after a short backoff. Every keyed request is kept in
// `run.keys` with all it saw, for the checks afterwards. Choices come from a seeded generator, so a
// printed seed replays the same decisions (the timing of kills against requests still varies).

/** A small seeded generator (mulberry32): the same seed gives the same choices. */
export function seeded(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATTEMPT_TIMEOUT_MS = 30_000;
/** A key still without an answer after this long is given up and reported. */
const KEY_DEADLINE_MS = 120_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (rng, low, high) => low + rng() * (high - low);

/**
 * Shared state of one run: what every key saw, counters, and the kills (filled in by the caller)
 * so that the first answer after each kill can be timed.
 */
export function newRun({ baseUrl, seed }) {
  return {
    baseUrl,
    seed,
    /** Set by the caller when the last kill is done; clients start nothing new after it. */
    endsAt: Infinity,
    serial: 0,
    keys: new Map(),
    /** Users the stirring clients take seats from and give seats to; created users join. */
    pool: [],
    /** Answers that contradict what the client knows, e.g. a refusal of a change it knows is possible. */
    anomalies: [],
    /** Unexpected final answers (for the report; the checks decide what is a violation). */
    unexpected: [],
    kills: [],
    stats: { requests: 0, logical: 0, keyed: 0, retried: 0, network: 0, server: 0, interrupted: 0, inProgress: 0, replays: 0 },
  };
}

const stopping = (run) => performance.now() >= run.endsAt;

function parse(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

async function attempt(run, client, method, path, body, key) {
  run.stats.requests++;
  const headers = { authorization: `Bearer ${client.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers['idempotency-key'] = key;
  try {
    const res = await fetch(`${run.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    const text = await res.text();
    return { status: res.status, body: parse(text), replayed: res.headers.get('idempotent-replayed') === 'true', at: performance.now() };
  } catch (error) {
    return { status: 0, error: error.cause?.code ?? error.name, at: performance.now() };
  }
}

/** The first real answer after a kill ends that kill's outage. */
function noteAnswer(run, at) {
  for (const kill of run.kills) if (kill.recoveredAt === null && kill.goneAt !== null && at > kill.goneAt) kill.recoveredAt = at;
}

/**
 * One logical request, sent until it gets a real answer. With `kind`, it carries its own
 * Idempotency-Key (the same on every attempt) and is recorded in `run.keys`.
 * @returns the record: `final` is the answer ({ status, body, replayed }) or null when given up.
 */
export async function send(run, client, method, path, body, kind = null) {
  const key = kind ? `fault-${run.seed}-${kind}-${++run.serial}` : null;
  const record = { key, kind, client: client.label, token: client.token, method, path, body, firstAt: performance.now(), attempts: 0, cut: 0, inProgress: [], final: null };
  run.stats.logical++;
  if (key) {
    run.stats.keyed++;
    run.keys.set(key, record);
  }
  for (;;) {
    record.attempts++;
    if (record.attempts > 1) run.stats.retried++;
    const reply = await attempt(run, client, method, path, body, key);
    if (reply.status === 0) {
      run.stats.network++;
      record.cut++;
      // Our own timeout: the first attempt may still be running, and a 409 in progress is then right.
      if (reply.error === 'TimeoutError') record.timedOut = true;
    } else if (reply.status >= 500) {
      run.stats.server++;
      if (/restarted mid-request/i.test(reply.body?.text ?? '')) run.stats.interrupted++;
      else record.lastServerError = `${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`;
      record.cut++;
    } else if (reply.status === 409 && reply.body?.code === 'idempotency_in_progress') {
      // Our clients never send a key twice at once, so this is a key left pending by a killed server.
      run.stats.inProgress++;
      record.inProgress.push({ at: reply.at, afterCut: record.cut > 0, afterTimeout: Boolean(record.timedOut) });
    } else {
      record.final = { status: reply.status, body: reply.body, replayed: reply.replayed };
      record.doneAt = reply.at;
      if (reply.replayed) run.stats.replays++;
      noteAnswer(run, reply.at);
      return record;
    }
    if (performance.now() - record.firstAt > KEY_DEADLINE_MS) {
      record.doneAt = performance.now();
      return record;
    }
    await sleep(Math.min(50 * 2 ** (record.attempts - 1), 400) + between(client.rng, 0, 100));
  }
}

const codeOf = (record) => (record.final ? `${record.final.status}${record.final.body?.code ? ` ${record.final.body.code}` : ''}` : 'no answer');

function expectAnswer(run, record, ...expected) {
  if (record.final && !expected.includes(codeOf(record))) run.unexpected.push(`${record.method} ${record.path} ${record.key ?? ''} → ${codeOf(record)}`);
}

/** Gets one resource, retrying through outages. */
async function read(run, client, path) {
  const record = await send(run, client, 'GET', path);
  if (record.final?.status !== 200) throw new Error(`GET ${path} answered ${codeOf(record)}`);
  return record.final.body;
}

/**
 * Moves the seat back and forth between the two users of its pair, keyed. Nobody else touches
 * these users, so the answers so far say exactly who holds the seat: a refusal means an
 * acknowledged change was lost or a refused one happened.
 */
export async function transferClient(run, client, pair) {
  while (!stopping(run)) {
    const [from, to] = pair.holder === pair.a ? [pair.a, pair.b] : [pair.b, pair.a];
    const record = await send(run, client, 'POST', '/seats/transfer', { from, to }, 'transfer');
    if (record.final?.status === 200) {
      pair.holder = to;
    } else {
      if (record.final) {
        run.anomalies.push(`${record.key}: transfer ${from} → ${to} answered ${codeOf(record)}, but by the answers so far ${from} held the seat and ${to} did not`);
      }
      pair.holder = (await read(run, client, `/users/${pair.a}`)).seat ? pair.a : pair.b;
    }
    await sleep(between(client.rng, 20, 150));
  }
}

/**
 * Creates users, keyed, half of them with a seat (refused with no_seats_available when none is
 * free). Each email is used by one key only, so `email_taken` means that key already ran.
 */
export async function creatorClient(run, client) {
  for (let n = 1; !stopping(run); n++) {
    const email = `fault-${run.seed}-${client.label}-${n}@faults.test`;
    const assignSeat = client.rng() < 0.5;
    const record = await send(run, client, 'POST', '/users', { name: `Fault ${client.label} ${n}`, email, assignSeat }, 'user');
    // A retry of a create whose answer was lost gets 409 idempotency_replay_secret: the user exists, but
    // the invitation link in the first answer is never stored, so it cannot be replayed.
    expectAnswer(run, record, '201', '409 no_seats_available', '409 email_taken', '409 idempotency_replay_secret');
    if (record.final?.status === 201) run.pool.push(record.final.body.user.id);
    if (record.final?.body?.code === 'email_taken') {
      // Nobody else ever uses this address: an earlier attempt of this very key took it.
      run.anomalies.push(`${record.key}: creating ${email} answered ${codeOf(record)}, but no other request ever used that email`);
    }
    await sleep(between(client.rng, 20, 150));
  }
}

/**
 * A technician without a seat asks for one, keyed, then withdraws a request still pending. It
 * never has a pending request when it asks, so `seat_request_pending` means an earlier attempt of
 * the same key created one.
 */
export async function technicianClient(run, client) {
  for (let n = 1; !stopping(run); n++) {
    const record = await send(run, client, 'POST', '/seat-requests', { reason: `Fault check ${client.label} #${n}` }, 'seat-request');
    expectAnswer(run, record, '201', '409 seat_already_held', '409 seat_request_pending');
    const answer = record.final;
    if (answer?.body?.code === 'seat_request_pending') {
      run.anomalies.push(`${record.key}: seat request answered ${codeOf(record)}, but ${client.label} had no pending request when it asked`);
    }
    await sleep(between(client.rng, 100, 400));
    if (answer?.status === 201 && answer.body.status === 'approved') continue;
    if (answer?.status === 409 && answer.body.code === 'seat_already_held') continue;
    // Withdraw what is pending: the request just made, or whatever is there after a surprise.
    const pending = (await read(run, client, '/seat-requests?status=pending')).items;
    for (const request of pending) {
      const cancel = await send(run, client, 'DELETE', `/seat-requests/${request.id}`);
      // Closed: approved automatically in between, or a retry of a withdrawal that had happened.
      expectAnswer(run, cancel, '204', '409 seat_request_closed');
    }
  }
}

/** Takes seats back and gives them (PUT/DELETE, unkeyed: both are idempotent) across the pool. */
export async function stirClient(run, client) {
  while (!stopping(run)) {
    const userId = run.pool[Math.floor(client.rng() * run.pool.length)];
    const give = client.rng() < 0.5;
    const record = await send(run, client, give ? 'PUT' : 'DELETE', `/users/${userId}/seat`, give ? {} : undefined);
    expectAnswer(run, record, '200', ...(give ? ['409 no_seats_available'] : []));
    await sleep(between(client.rng, 20, 150));
  }
}
