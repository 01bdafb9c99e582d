// The checks of `npm run test:faults`, run through the API once the load is over and the server is
// up: the seat invariant, every key's effect at most once in the audit log (entries written by a
// keyed request carry `details.idempotencyKey`), no acknowledged change missing, no refused one
// applied, every key answered without waiting on a key left pending by a killed server, and a
// retry of an answered key replays that answer.
import { isDeepStrictEqual } from 'node:util';
import { allPages } from './local-api.mjs';

/** How many answered keys untouched by any fault are sent again (on top of every touched one). */
const REPLAY_SAMPLE = 150;

/** Timestamps that reading moves, left out when a replay is compared with the first answer. */
const VOLATILE = new Set(['lastActiveAt', 'lastUsedAt', 'lastSeenAt']);
const stable = (value) => JSON.parse(JSON.stringify(value, (key, v) => (VOLATILE.has(key) ? undefined : v)));
/**
 * A create whose first answer carried a secret (a user's invitation link) is acknowledged by its
 * replay as 409 `idempotency_replay_secret`, naming what it created: the secret is never stored.
 */
const secretReplay = (answer) => answer?.status === 409 && answer.body?.code === 'idempotency_replay_secret';
/** The user a create made: from its 201 answer, or from the replay that names it. */
const createdUserId = (answer) => answer?.body?.user?.id ?? (secretReplay(answer) ? answer.body.resource?.id : undefined);
const codeOf = (answer) => (answer ? `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}` : 'no answer');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs every check; returns them as `{ what, problems }` (no problems: it holds).
 * @param {{ run: ReturnType<import('./fault-load.mjs').newRun>, api: Function, pairs: Array<{ a: string, b: string, holder: string }>, rng: () => number }} input
 */
export async function verify({ run, api, pairs, rng }) {
  const subscription = (await api('GET', '/subscription')).body;
  const users = await allPages(api, '/users');
  const holders = await allPages(api, '/users?seat=assigned');
  const audit = await allPages(api, '/audit');
  const byId = new Map(users.map((u) => [u.id, u]));
  const records = [...run.keys.values()];
  const auditOf = new Map();
  for (const entry of audit) {
    const key = entry.details?.idempotencyKey;
    if (typeof key === 'string') auditOf.set(key, [...(auditOf.get(key) ?? []), entry]);
  }
  const checks = [];
  const check = (what, problems) => checks.push({ what, problems });

  const { assigned, purchased } = subscription.seats;
  const withSeat = users.filter((u) => u.seat);
  check(`holders == seats.assigned ≤ purchased (${holders.length} listed, ${withSeat.length} users with a seat, ${assigned} assigned, ${purchased} purchased)`,
    holders.length === assigned && withSeat.length === assigned && assigned <= purchased ? [] : [`seats ${JSON.stringify(subscription.seats)}`]);
  const holderIds = holders.map((u) => u.id);
  check('nobody holds two seats (no holder listed twice, no user twice)',
    [...duplicates(holderIds).map((id) => `${id} listed ${holderIds.filter((h) => h === id).length} times among holders`),
      ...duplicates(users.map((u) => u.id)).map((id) => `${id} listed twice among users`)]);
  check(`each of the ${pairs.length} transfer pairs holds one seat, with the user its acknowledged transfers say`,
    pairs.flatMap(({ a, b, holder }) => {
      const held = [a, b].filter((id) => byId.get(id)?.seat);
      return held.length === 1 && held[0] === holder ? [] : [`pair ${a}/${b}: held by [${held.join(', ')}], expected ${holder}`];
    }));
  check('no client was refused a change its acknowledged answers said was possible', run.anomalies);

  check(`each key's effect appears at most once in the audit log (${auditOf.size} keys in ${audit.length} entries)`,
    [...auditOf].flatMap(([key, entries]) => duplicates(entries.map((e) => `${e.action} on ${e.target.id}`)).map((effect) => `${key}: ${effect} ×${entries.filter((e) => `${e.action} on ${e.target.id}` === effect).length}`)));

  const acknowledged = records.filter((r) => r.final && (r.final.status < 300 || secretReplay(r.final)));
  // Without any key in the log, every acknowledged change below is "missing": say why once.
  const noKeys = auditOf.size === 0 && acknowledged.length ? ['no audit entry carries details.idempotencyKey: the server does not record which key made a change'] : [];
  check(`every acknowledged change is there, with its key in the audit log (${acknowledged.length} acknowledged)`,
    [...noKeys, ...acknowledged.flatMap((r) => missing(r, auditOf.get(r.key) ?? [], byId))]);
  const refused = records.filter((r) => r.final && r.final.status >= 400 && !secretReplay(r.final));
  const emails = new Set(users.map((u) => u.email));
  check(`a refused request changed nothing (${refused.length} refused)`,
    refused.flatMap((r) => [
      ...(auditOf.get(r.key) ?? []).map((e) => `${r.key}: answered ${codeOf(r.final)} but the audit log has ${e.action} on ${e.target.id}`),
      ...(r.kind === 'user' && emails.has(r.body.email) ? [`${r.key}: creating ${r.body.email} answered ${codeOf(r.final)} but the user exists`] : []),
    ]));
  check('every keyed request got an answer',
    records.filter((r) => !r.final).map((r) => `${r.key} (${r.method} ${r.path}): none after ${r.attempts} attempts over ${seconds(r.doneAt - r.firstAt)}${r.lastServerError ? `; last: ${r.lastServerError}` : ''}`));
  check('no retry waited on a key left pending by a killed server (409 idempotency_in_progress)',
    records.filter((r) => r.inProgress.some((p) => !p.afterTimeout)).map((r) =>
      `${r.key}: ${r.inProgress.length}× idempotency_in_progress${r.inProgress[0].afterCut ? ' after its attempt was cut by a kill' : ''}, ` +
      `answered ${codeOf(r.final)}${r.final?.replayed ? ' (replayed)' : ''} ${seconds((r.doneAt ?? r.inProgress.at(-1).at) - r.inProgress[0].at)} after the first`));
  check('a retry of an answered key replays its answer (status and body)', await replays(run, records, rng));
  return checks;
}

/** What an acknowledged change should have left, and is not there. */
function missing(record, entries, byId) {
  const { key, kind, body, final } = record;
  const has = (action, test) => entries.filter((e) => e.action === action && test(e)).length === 1;
  if (kind === 'transfer') {
    return has('seat.transferred', (e) => e.target.id === body.to && e.details.from?.id === body.from)
      ? [] : [`${key}: transfer ${body.from} → ${body.to} answered ${final.status}${final.replayed ? ' (replayed)' : ''}, audit entries with the key: ${actions(entries)}`];
  }
  if (kind === 'user') {
    const id = createdUserId(final);
    return [
      ...(byId.get(id)?.email === body.email ? [] : [`${key}: user ${id} (${body.email}) answered 201 but is not among the users`]),
      ...(has('user.created', (e) => e.target.id === id) ? [] : [`${key}: user ${id} created, audit entries with the key: ${actions(entries)}`]),
    ];
  }
  if (kind === 'seat-request') {
    const id = final.body?.id;
    return has('seat_request.created', (e) => e.details.requestId === id) ? [] : [`${key}: seat request ${id} created, audit entries with the key: ${actions(entries)}`];
  }
  return [];
}

/**
 * Sends answered keys again: every key a fault touched (an attempt cut, a pending key, a replay),
 * and a seeded sample of the rest. Each must come back replayed with the same status and body.
 */
async function replays(run, records, rng) {
  const answered = records.filter((r) => r.final);
  const touched = answered.filter((r) => r.cut || r.inProgress.length || r.final.replayed);
  const rest = answered.filter((r) => !touched.includes(r));
  const sample = rest.map((r) => [rng(), r]).sort(([x], [y]) => x - y).slice(0, REPLAY_SAMPLE).map(([, r]) => r);
  const queue = [...touched, ...sample];
  const problems = [];
  run.replayChecked = queue.length;
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const res = await fetch(`${run.baseUrl}/api/v1${r.path}`, {
        method: r.method,
        headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json', 'idempotency-key': r.key },
        body: JSON.stringify(r.body),
      });
      const text = await res.text();
      const body = text ? JSON.parse(text) : null;
      const replayed = res.headers.get('idempotent-replayed') === 'true';
      const answer = { status: res.status, body };
      // A user's invitation link is never stored: its create replays as idempotency_replay_secret
      // naming the same user.
      const same = r.kind === 'user' && createdUserId(r.final)
        ? secretReplay(answer) && createdUserId(answer) === createdUserId(r.final)
        : res.status === r.final.status && isDeepStrictEqual(stable(body), stable(r.final.body));
      if (!replayed || !same) {
        problems.push(`${r.key}: first ${codeOf(r.final)}, again ${codeOf({ status: res.status, body })}${replayed ? ' (replayed, different body)' : ' (not replayed: it ran again)'}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return problems;
}

const actions = (entries) => (entries.length ? entries.map((e) => e.action).join(', ') : 'none');

function duplicates(values) {
  const seen = new Set();
  const twice = new Set();
  for (const v of values) (seen.has(v) ? twice : seen).add(v);
  return [...twice];
}
