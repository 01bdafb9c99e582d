/**
 * Property-based tests with fast-check. Random sequences — and random concurrent batches — of
 * seat and user changes run through the real Worker against a small model of the rules; after
 * every step the subscription must equal the model. Directory operations (SCIM provisioning, a
 * seat group's members joining and leaving, its "Members get a seat" switch) interleave with the
 * administrator's seat changes in the same model. Random and malformed requests on every
 * documented route must never produce a 5xx. A failure prints the seed and the shrunk case.
 */
import { fc, it } from '@fast-check/vitest';
import { env, exports } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect } from 'vitest';
import { allUsers, Api, ORIGIN, signup, uniqueEmail, type Reply } from './helpers';
import { documentedOperations, type JsonSchema, type Operation } from './openapi';
import { connected, oktaUser, type Directory } from './scim-helpers';
import { realTime, setNow, travelTo } from './clock';

// ── The model ─────────────────────────────────────────────────────────────────────────────────

type Op =
  | { kind: 'assign'; user: number }
  | { kind: 'unassign'; user: number }
  | { kind: 'transfer'; from: number; to: number }
  | { kind: 'create'; seat: boolean }
  | { kind: 'delete'; user: number }
  | { kind: 'purchase'; seats: number }
  // The directory: provisions a user, adds one to / removes one from the seat group.
  | { kind: 'provision' }
  | { kind: 'join'; user: number }
  | { kind: 'leave'; user: number }
  // An administrator turns the seat group's "Members get a seat" on or off.
  | { kind: 'grants'; on: boolean };

/** Where a user's seat came from: none held, given by hand (or a transfer), or via the seat group. */
type Held = 'none' | 'manual' | 'group';

/** The whole truth the API should show: purchased seats, who exists and what seat they hold, the seat group and who waits. */
interface Model {
  purchased: number;
  /** user id → their seat. */
  users: Map<string, Held>;
  adminId: string;
  /** Whether the one directory group gives its members a seat. */
  grants: boolean;
  /** Its members, in the order they joined. */
  members: string[];
  /** Directory seat requests, oldest first: served by every seat that frees. */
  queue: string[];
}

/** Status and problem code: what a client can rely on. */
interface Outcome {
  status: number;
  code?: string;
}

const assigned = (m: Model) => [...m.users.values()].filter((h) => h !== 'none').length;
const free = (m: Model) => m.purchased - assigned(m);
const clone = (m: Model): Model => ({ ...m, users: new Map(m.users), members: [...m.members], queue: [...m.queue] });
const without = (list: string[], id: string) => list.filter((x) => x !== id);

/** A seat given by hand answers the user's pending request. */
function byHand(m: Model, id: string): void {
  m.users.set(id, 'manual');
  m.queue = without(m.queue, id);
}

/** The seat-group rule for one user (worker/domain/group-seats.ts, said again independently). */
function follow(m: Model, id: string): void {
  const held = m.users.get(id);
  if (held === undefined) return;
  if (m.grants && m.members.includes(id)) {
    if (held !== 'none' || m.queue.includes(id)) return;
    if (free(m) > 0 && m.queue.length === 0) m.users.set(id, 'group');
    else m.queue.push(id);
    return;
  }
  if (held === 'group') m.users.set(id, 'none');
  m.queue = without(m.queue, id);
}

/** Every change ends with the waitlist taking free seats, oldest directory request first. */
function fill(m: Model): void {
  while (free(m) > 0 && m.queue.length > 0) m.users.set(m.queue.shift()!, 'group');
}

/**
 * Applies one change to the model as the rules say it should happen, returning the expected
 * answer. `createdId` is the id the API gave a created user (the model cannot invent it).
 */
function apply(m: Model, op: Resolved, createdId?: string): Outcome {
  const outcome = change(m, op, createdId);
  if (outcome.status < 300) fill(m);
  return outcome;
}

function change(m: Model, op: Resolved, createdId?: string): Outcome {
  const seat = (id: string) => m.users.get(id);
  switch (op.kind) {
    case 'assign':
      if (seat(op.id) === undefined) return { status: 404, code: 'not_found' };
      if (seat(op.id) !== 'none') return { status: 200 };
      if (free(m) <= 0) return { status: 409, code: 'no_seats_available' };
      byHand(m, op.id);
      return { status: 200 };
    case 'unassign':
      if (seat(op.id) === undefined) return { status: 404, code: 'not_found' };
      // An administrator's word: a seat group member stays without until the directory changes them again.
      m.users.set(op.id, 'none');
      return { status: 200 };
    case 'transfer':
      if (seat(op.from) === undefined || seat(op.to) === undefined) return { status: 404, code: 'not_found' };
      if (op.from === op.to) return { status: 400, code: 'validation_failed' };
      if (seat(op.from) === 'none') return { status: 409, code: 'seat_not_held' };
      if (seat(op.to) !== 'none') return { status: 409, code: 'seat_already_held' };
      m.users.set(op.from, 'none');
      byHand(m, op.to);
      return { status: 200 };
    case 'create':
      if (op.seat && free(m) <= 0) return { status: 409, code: 'no_seats_available' };
      if (createdId) m.users.set(createdId, op.seat ? 'manual' : 'none');
      return { status: 201 };
    case 'delete':
      if (seat(op.id) === undefined) return { status: 404, code: 'not_found' };
      // The administrator is the only active one: the last administrator stays.
      if (op.id === m.adminId) return { status: 409, code: 'last_administrator' };
      m.users.delete(op.id);
      m.members = without(m.members, op.id);
      m.queue = without(m.queue, op.id);
      return { status: 204 };
    case 'purchase':
      if (op.seats < assigned(m)) return { status: 409, code: 'seats_in_use' };
      m.purchased = op.seats;
      return { status: 200 };
    case 'provision':
      if (createdId) m.users.set(createdId, 'none');
      return { status: 201 };
    case 'join':
      // A directory naming someone who is gone is ignored, never refused.
      if (seat(op.id) !== undefined && !m.members.includes(op.id)) {
        m.members.push(op.id);
        follow(m, op.id);
      }
      return { status: 204 };
    case 'leave':
      if (m.members.includes(op.id)) {
        m.members = without(m.members, op.id);
        follow(m, op.id);
      }
      return { status: 204 };
    case 'grants':
      if (m.grants !== op.on) {
        m.grants = op.on;
        for (const id of m.members) follow(m, id);
      }
      return { status: 200 };
  }
}

/** An operation with its user indexes resolved to ids (of users that exist or once existed). */
type Resolved =
  | { kind: 'assign' | 'unassign' | 'delete' | 'join' | 'leave'; id: string }
  | { kind: 'transfer'; from: string; to: string }
  | { kind: 'create'; seat: boolean }
  | { kind: 'purchase'; seats: number }
  | { kind: 'provision' }
  | { kind: 'grants'; on: boolean };

function resolve(op: Op, pool: string[]): Resolved {
  const pick = (n: number) => pool[n % pool.length]!;
  switch (op.kind) {
    case 'assign':
    case 'unassign':
    case 'delete':
    case 'join':
    case 'leave':
      return { kind: op.kind, id: pick(op.user) };
    case 'transfer':
      return { kind: 'transfer', from: pick(op.from), to: pick(op.to) };
    default:
      return op;
  }
}

/** Who acts: the administrator, and (in the directory tests) a connected directory and its seat group. */
interface Callers {
  admin: Api;
  directory?: { client: Directory; groupId: string };
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function request({ admin, directory }: Callers, op: Resolved): Promise<Reply> {
  switch (op.kind) {
    case 'assign':
      return admin.put(`/v1/users/${op.id}/seat`);
    case 'unassign':
      return admin.delete(`/v1/users/${op.id}/seat`);
    case 'transfer':
      return admin.post('/v1/seats/transfer', { from: op.from, to: op.to });
    case 'create':
      return admin.post('/v1/users', { name: 'Random User', email: uniqueEmail('prop'), assignSeat: op.seat });
    case 'delete':
      return admin.delete(`/v1/users/${op.id}`);
    case 'purchase':
      return admin.patch('/v1/subscription', { seats: op.seats });
    case 'grants':
      return admin.patch(`/v1/groups/${directory!.groupId}`, { grantsSeat: op.on });
    case 'provision':
      return directory!.client.post('/Users', oktaUser());
    case 'join':
      return directory!.client.patch(`/Groups/${directory!.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: op.id }] }] });
    case 'leave':
      // Entra ID's form of a removal.
      return directory!.client.patch(`/Groups/${directory!.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: op.id }] }] });
  }
}

/** The id of the user a reply created, if it created one (the app's and SCIM's answers differ). */
const createdIdOf = (op: Resolved, reply: Reply): string | undefined =>
  reply.status !== 201 ? undefined : op.kind === 'provision' ? reply.body.id : reply.body.user.id;

const outcomeOf = (reply: Reply): Outcome => (reply.status < 300 ? { status: reply.status } : { status: reply.status, code: reply.body?.code });

// ── Checking the real subscription against the model ─────────────────────────────────────────

interface Observed {
  purchased: number;
  counter: number;
  available: number;
  users: Map<string, Held>;
  /** Who waits for a seat, oldest request first. */
  queue: string[];
  stored: { assigned: number; purchased: number; seatRows: number; distinctHolders: number; orphanSeats: number };
}

async function observe(admin: Api, subscriptionId: string): Promise<Observed> {
  const [subscription, users, waiting, stored] = await Promise.all([
    admin.get('/v1/subscription'),
    allUsers(admin),
    admin.get('/v1/seat-requests?status=pending&limit=100'),
    runInDurableObject(env.SUBSCRIPTION.getByName(subscriptionId), (_instance, state) => {
      const sql = state.storage.sql;
      const one = (query: string) => Number(sql.exec(query).one()['n']);
      return {
        assigned: one('SELECT assigned AS n FROM subscription'),
        purchased: one('SELECT purchased AS n FROM subscription'),
        seatRows: one('SELECT COUNT(*) AS n FROM seats'),
        distinctHolders: one('SELECT COUNT(DISTINCT user_id) AS n FROM seats'),
        orphanSeats: one('SELECT COUNT(*) AS n FROM seats WHERE user_id NOT IN (SELECT id FROM users)'),
      };
    }),
  ]);
  const seats = subscription.body.seats;
  const heldOf = (seat: { source: { kind: 'manual' | 'group' } } | null): Held => seat?.source.kind ?? 'none';
  return {
    purchased: seats.purchased,
    counter: seats.assigned,
    available: seats.available,
    users: new Map(users.map((u: { id: string; seat: { source: { kind: 'manual' | 'group' } } | null }) => [u.id, heldOf(u.seat)])),
    queue: [...waiting.body.items].sort((a, b) => a.position - b.position).map((r: { user: { id: string } }) => r.user.id),
    stored,
  };
}

/** The invariants that hold whatever happened, and the API's consistency with its own storage. */
function invariantViolations(o: Observed): string[] {
  const holders = [...o.users.values()].filter((h) => h !== 'none').length;
  const problems: string[] = [];
  if (o.counter > o.purchased) problems.push(`assigned ${o.counter} > purchased ${o.purchased}`);
  if (holders !== o.counter) problems.push(`${holders} users hold a seat but the counter says ${o.counter}`);
  if (o.available !== o.purchased - o.counter) problems.push(`available ${o.available} ≠ ${o.purchased} − ${o.counter}`);
  if (o.available > 0 && o.queue.length > 0) problems.push(`${o.available} seats free while ${o.queue.length} wait`);
  const s = o.stored;
  if (s.seatRows !== s.distinctHolders) problems.push(`a user holds two seats (${s.seatRows} seat rows, ${s.distinctHolders} holders)`);
  if (s.seatRows !== s.assigned) problems.push(`stored counter ${s.assigned} ≠ ${s.seatRows} seat rows`);
  if (s.orphanSeats > 0) problems.push(`${s.orphanSeats} seats held by users that do not exist`);
  if (s.assigned !== o.counter || s.purchased !== o.purchased) problems.push('the API and its storage disagree');
  return problems;
}

function sameState(m: Model, o: Observed): boolean {
  if (m.purchased !== o.purchased || m.users.size !== o.users.size) return false;
  for (const [id, held] of m.users) if (o.users.get(id) !== held) return false;
  return m.queue.join() === o.queue.join();
}

const short = (id: string) => id.slice(4, 9);
const show = (m: Model | Observed) =>
  `purchased ${m.purchased}, holders [${[...m.users].filter(([, h]) => h !== 'none').map(([id, h]) => `${short(id)}:${h}`)}], ` +
  `waiting [${m.queue.map(short)}], users ${m.users.size}` +
  ('members' in m ? `, group ${m.grants ? 'gives seats' : 'gives none'} to [${m.members.map(short)}]` : '');

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...rest];
  }
}

/**
 * Runs a batch of operations at once and checks the result is what running them one after
 * another in *some* order gives (the object serializes them): every answer, and the final state.
 * A batch of one is the deterministic, sequential case. Returns the model after the batch.
 */
async function runBatch(callers: Callers, subscriptionId: string, model: Model, pool: string[], batch: Op[]): Promise<Model> {
  const ops = batch.map((op) => resolve(op, pool));
  const replies = await Promise.all(ops.map((op) => request(callers, op)));
  const observed = await observe(callers.admin, subscriptionId);
  const violations = invariantViolations(observed);
  const context = () =>
    `ops ${JSON.stringify(ops)}\nanswers ${JSON.stringify(replies.map(outcomeOf))}\n` +
    `model before: ${show(model)}\nobserved:     ${show(observed)}`;
  expect(violations, context()).toEqual([]);
  ops.forEach((op, i) => {
    const id = createdIdOf(op, replies[i]!);
    if (id) pool.push(id);
  });

  const indexes = ops.map((_, i) => i);
  for (const order of permutations(indexes)) {
    const candidate = clone(model);
    const matches = order.every((i) => {
      const expected = apply(candidate, ops[i]!, createdIdOf(ops[i]!, replies[i]!));
      const actual = outcomeOf(replies[i]!);
      return expected.status === actual.status && expected.code === actual.code;
    });
    if (matches && sameState(candidate, observed)) return candidate;
  }
  if (ops.length === 1) {
    const expected = clone(model);
    const outcome = apply(expected, ops[0]!, createdIdOf(ops[0]!, replies[0]!));
    throw new Error(`the API disagrees with the model: expected ${JSON.stringify(outcome)}, ${show(expected)}\n${context()}`);
  }
  throw new Error(`no serial order of this batch explains the answers and the state\n${context()}`);
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('assign' as const), user: fc.nat(40) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('unassign' as const), user: fc.nat(40) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(40), to: fc.nat(40) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('create' as const), seat: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), user: fc.nat(40) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('purchase' as const), seats: fc.integer({ min: 1, max: 8 }) }), weight: 2 },
);

/** The administrator's changes and the directory's, interleaved. */
const directoryOpArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: opArb, weight: 8 },
  { arbitrary: fc.constant({ kind: 'provision' as const }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('join' as const), user: fc.nat(40) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), user: fc.nat(40) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('grants' as const), on: fc.boolean() }), weight: 1 },
);

/**
 * A new subscription with a few users, some holding seats, and the model that describes it; with
 * `directory`, a connected directory whose one group gives its (as yet no) members a seat.
 */
async function start(purchased: number, users: boolean[], directory = false) {
  const { admin, adminUser, subscription, directory: client } = directory ? await connected(purchased) : await plain(purchased);
  const callers: Callers = { admin };
  const model: Model = { purchased, users: new Map([[adminUser.id, 'none']]), adminId: adminUser.id, grants: false, members: [], queue: [] };
  if (client) {
    const groupId = (await client.post('/Groups', { displayName: 'Support Tier 2' })).body.id as string;
    callers.directory = { client, groupId };
    Object.assign(model, await runBatch(callers, subscription.id, model, [], [{ kind: 'grants', on: true }]));
  }
  const pool = [adminUser.id];
  for (const seat of users) {
    const wanted: Op = { kind: 'create', seat };
    Object.assign(model, await runBatch(callers, subscription.id, model, pool, [wanted]));
  }
  return { callers, subscriptionId: subscription.id, model, pool };
}

async function plain(purchased: number) {
  const { admin, user, subscription } = await signup(purchased);
  return { admin, adminUser: user, subscription, directory: undefined };
}

const startArb = fc.record({ purchased: fc.integer({ min: 1, max: 5 }), users: fc.array(fc.boolean(), { maxLength: 4 }) });
/** Few seats, so seat groups outgrow them and members wait. */
const tightStartArb = fc.record({ purchased: fc.integer({ min: 1, max: 3 }), users: fc.array(fc.boolean(), { maxLength: 3 }) });

describe('Seats and users against a model (fast-check)', () => {
  it.prop([startArb, fc.array(opArb, { minLength: 1, maxLength: 25 })], { numRuns: 25 })(
    'any sequence of assign, unassign, transfer, create, delete and seat-count changes leaves the subscription equal to the model',
    async (initial, ops) => {
      let { callers, subscriptionId, model, pool } = await start(initial.purchased, initial.users);
      for (const op of ops) model = await runBatch(callers, subscriptionId, model, pool, [op]);
    },
    60_000,
  );

  it.prop([startArb, fc.array(fc.array(opArb, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 })], { numRuns: 15 })(
    'concurrent batches always end in a state some serial order explains, with every invariant intact',
    async (initial, batches) => {
      let { callers, subscriptionId, model, pool } = await start(initial.purchased, initial.users);
      for (const batch of batches) model = await runBatch(callers, subscriptionId, model, pool, batch);
    },
    60_000,
  );
});

describe('Directory sync interleaved with administrators (fast-check)', () => {
  it.prop([tightStartArb, fc.array(directoryOpArb, { minLength: 10, maxLength: 30 })], { numRuns: 20 })(
    'provisioning, seat-group joins and leaves and the group switch, mixed with seat changes by hand, leave the subscription equal to the model',
    async (initial, ops) => {
      let { callers, subscriptionId, model, pool } = await start(initial.purchased, initial.users, true);
      for (const op of ops) model = await runBatch(callers, subscriptionId, model, pool, [op]);
    },
    90_000,
  );

  it.prop([tightStartArb, fc.array(fc.array(directoryOpArb, { minLength: 2, maxLength: 3 }), { minLength: 3, maxLength: 6 })], { numRuns: 10 })(
    'a directory and an administrator at once: some serial order explains every answer and the state, every invariant intact',
    async (initial, batches) => {
      let { callers, subscriptionId, model, pool } = await start(initial.purchased, initial.users, true);
      for (const batch of batches) model = await runBatch(callers, subscriptionId, model, pool, batch);
    },
    90_000,
  );
});

// ── Malformed requests ────────────────────────────────────────────────────────────────────────

/** Values of every JSON type, and some that are hard on parsers and databases. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', '%', "'; DROP TABLE users; --", 'usr_aaaaaaaaaaaaaaaaaaaa', '🙂'.repeat(50), 'a'.repeat(5_000)),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 1e308, -0, 2 ** 53, 10_001),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
);

/** A body shaped like the schema (its field names) with values of any type, or anything at all. */
function bodyArb(schema: JsonSchema | null): fc.Arbitrary<string> {
  const fields = Object.keys(schema?.properties ?? {});
  const shaped = fields.length
    ? fc.dictionary(fc.constantFrom(...fields, 'unknownField', '__proto__', 'constructor'), anyValue, { maxKeys: fields.length + 1 }).map((o) => JSON.stringify(o))
    : fc.constant('{}');
  const text = (v: unknown) => {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  };
  return fc.oneof(
    { arbitrary: shaped, weight: 4 },
    { arbitrary: fc.json(), weight: 2 },
    { arbitrary: fc.anything().map(text), weight: 1 },
    { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
    { arbitrary: fc.constantFrom('{', '{"a":', '[]', 'null', '"x"', '{"name":"x"}'.repeat(3), '\uFEFF{}'), weight: 1 },
    // Past the body limit: must be a 413 problem, not a crash.
    { arbitrary: fc.constantFrom(`{"name":"${'x'.repeat(70_000)}"}`, 'y'.repeat(200_000)), weight: 1 },
  );
}

const contentTypeArb = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/octet-stream',
  'application/json; charset=utf-16',
  '',
);

/** A path parameter: sometimes the id of something that exists, often not even well-formed. */
const paramArb = (knownIds: string[]) =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 60 }),
    fc.constantFrom('usr_aaaaaaaaaaaaaaaaaaaa', 'tok_aaaaaaaaaaaaaaaaaaaa', '..', '%00', 'null', 'x'.repeat(500)),
    fc.constantFrom(...knownIds),
  );

const queryArb = (op: Operation) =>
  fc.dictionary(fc.constantFrom(...op.queryParams.map((q) => q.name), 'extra'), fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('-1', '0', '1e9', 'NaN', '[]')), {
    maxKeys: 3,
  });

describe('Malformed requests (fast-check)', () => {
  let operations: Operation[] = [];
  let token = '';
  const knownIds: string[] = [];

  beforeAll(async () => {
    operations = await documentedOperations();
    const { admin, user } = await signup(3, { assignSeat: true });
    token = (await admin.post('/v1/tokens', { name: 'fuzzer' })).body.token;
    const holder = (await admin.post('/v1/users', { name: 'Fuzz Holder', email: uniqueEmail('fuzz'), assignSeat: true })).body.user;
    const waiting = (await admin.post('/v1/users', { name: 'Fuzz Waiting', email: uniqueEmail('fuzz'), assignSeat: false })).body.user;
    knownIds.push(user.id, holder.id, waiting.id);
  });

  it('covers every documented route', () => {
    expect(operations.length).toBeGreaterThan(15);
  });

  it('random and malformed bodies, parameters, queries and content types on every route never produce a 5xx', async () => {
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            body: bodyArb(op.body),
            contentType: contentTypeArb,
            params: fc.array(paramArb(knownIds), { minLength: op.pathParams.length, maxLength: op.pathParams.length }),
            query: queryArb(op),
            authenticated: fc.boolean(),
          }),
          async ({ body, contentType, params, query, authenticated }) => {
            let i = 0;
            const path = op.path.replace(/\{\w+\}/g, () => encodeURIComponent(params[i++]!));
            const search = Object.keys(query).length ? `?${new URLSearchParams(query as Record<string, string>)}` : '';
            const res = await exports.default.fetch(`${ORIGIN}/api/v1${path}${search}`, {
              method: op.method,
              headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(authenticated ? { authorization: `Bearer ${token}` } : {}) },
              body: op.method === 'GET' ? undefined : body,
            });
            const text = await res.text();
            const summary = `${op.method} ${path}${search} [${contentType}] ${body.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`;
            expect(res.status, summary).toBeLessThan(500);
            if (res.status >= 400) {
              expect(res.headers.get('content-type'), summary).toMatch(/^application\/problem\+json/);
              expect(typeof JSON.parse(text).code, summary).toBe('string');
            }
          },
        ),
        { numRuns: 12 },
      );
    }
  }, 60_000);
});

// ── Shift schedules and the clock (a model of their own) ──────────────────────────────────────
//
// Two schedules in UTC cover the day in two shifts ("early" 00:00–12:00, "late" 12:00–24:00 on a
// day off and on in between, so boundaries are easy to say again). Random steps move the wall clock
// by a few hours (running the alarm as the runtime would), put a user on a schedule or off it (with
// or without confirming a plan that oversubscribes), give or take a seat by hand, change the
// purchased seats, and turn idle-seat reclaim on or off, whose daily check (no console sessions
// here: a seat is idle from when it was given) takes back seats and hands each to the oldest wait.
// After every step the API must equal the model, and SQLite the invariant.

type ShiftOp =
  | { kind: 'tick'; hours: number }
  | { kind: 'put'; user: number; schedule: 'early' | 'late' | null; confirm: boolean }
  | { kind: 'assign'; user: number }
  | { kind: 'unassign'; user: number }
  | { kind: 'purchase'; seats: number }
  | { kind: 'reclaim'; days: number | null };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SHIFT_HOURS = { early: [0, 12], late: [12, 24] } as const;

interface ShiftModel {
  purchased: number;
  now: number;
  /** Technicians in the order they were created. */
  order: string[];
  held: Map<string, 'none' | 'manual' | 'shift'>;
  scheduleOf: Map<string, 'early' | 'late' | null>;
  /** Shift requests, oldest first. */
  queue: string[];
  /** When each held seat was given (a seat is idle from then: nobody connects in this test). */
  givenAt: Map<string, number>;
  /** Idle-seat reclaim: the policy's days and when its daily check is next due; null when off. */
  reclaim: { days: number; dueAt: number } | null;
}

/** Gives `id` a seat of `kind` now. */
function shiftGive(m: ShiftModel, id: string, kind: 'manual' | 'shift'): void {
  m.held.set(id, kind);
  m.givenAt.set(id, m.now);
}

/** On shift at `at` (UTC hour in the schedule's half of the day). */
const shiftOn = (schedule: 'early' | 'late' | null, at: number) => {
  if (!schedule) return false;
  const hour = new Date(at).getUTCHours();
  return hour >= SHIFT_HOURS[schedule][0] && hour < SHIFT_HOURS[schedule][1];
};
const shiftFree = (m: ShiftModel) => m.purchased - [...m.held.values()].filter((h) => h !== 'none').length;

/** Freed seats go to the shift requests, oldest first. */
function shiftFill(m: ShiftModel): void {
  while (shiftFree(m) > 0 && m.queue.length > 0) shiftGive(m, m.queue.shift()!, 'shift');
}

/** The reconciliation (worker/objects/schedules.ts, said again): ends first, then starts, then the waitlist. */
function shiftFollow(m: ShiftModel): void {
  for (const id of m.order) {
    if (shiftOn(m.scheduleOf.get(id) ?? null, m.now)) continue;
    if (m.held.get(id) === 'shift') m.held.set(id, 'none');
    m.queue = m.queue.filter((q) => q !== id);
  }
  for (const id of m.order) {
    if (!shiftOn(m.scheduleOf.get(id) ?? null, m.now) || m.held.get(id) !== 'none' || m.queue.includes(id)) continue;
    if (shiftFree(m) > 0 && m.queue.length === 0) shiftGive(m, id, 'shift');
    else m.queue.push(id);
  }
  shiftFill(m);
}

/**
 * The daily idle check (worker/objects/idle-reclaim.ts, said again): every seat given `days` ago
 * or more is taken back, oldest first, and goes to the oldest wait (a shift's wait: as the shift's
 * seat); the waitlist then takes what is left.
 */
function reclaimIdle(m: ShiftModel, days: number): void {
  const idle = m.order.filter((id) => m.held.get(id) !== 'none' && m.now >= m.givenAt.get(id)! + days * DAY);
  for (const id of idle.sort((a, b) => m.givenAt.get(a)! - m.givenAt.get(b)!)) {
    m.held.set(id, 'none');
    const next = m.queue.shift();
    if (next) shiftGive(m, next, 'shift');
  }
  shiftFill(m);
}

/** Whether some hour of the coming week wants more seats than purchased: seats held by hand plus the busier shift's people. */
function oversubscribed(m: ShiftModel): boolean {
  const byHand = m.order.filter((id) => m.held.get(id) === 'manual').length;
  const onShift = (s: 'early' | 'late') => m.order.filter((id) => m.scheduleOf.get(id) === s && m.held.get(id) !== 'manual').length;
  return byHand + Math.max(onShift('early'), onShift('late')) > m.purchased;
}

/** Whether a schedule with people on it starts or ends a shift in (from, to]. */
function boundaryCrossed(m: ShiftModel, from: number, to: number): boolean {
  const used = new Set([...m.scheduleOf.values()].filter((s) => s !== null));
  if (used.size === 0) return false;
  // Every boundary is at 00:00 or 12:00 UTC.
  const next = Math.floor(from / (12 * 3_600_000)) * 12 * 3_600_000 + 12 * 3_600_000;
  return next <= to;
}

async function shiftStep(admin: Api, subscriptionId: string, m: ShiftModel, op: ShiftOp, schedules: Record<'early' | 'late', string>): Promise<void> {
  const id = (n: number) => m.order[n % m.order.length]!;
  switch (op.kind) {
    case 'tick': {
      const to = m.now + op.hours * HOUR;
      const crossed = boundaryCrossed(m, m.now, to);
      const shiftDue = Math.floor(m.now / (12 * HOUR)) * 12 * HOUR + 12 * HOUR;
      const check = m.reclaim && m.reclaim.dueAt <= to ? m.reclaim : null;
      m.now = to;
      await travelTo(subscriptionId, new Date(to).toISOString());
      // The alarm runs its due timers in the order they fell due (at the same moment idle_reclaim
      // before schedule), each at the alarm's time.
      const idleFirst = check !== null && (!crossed || check.dueAt <= shiftDue);
      if (check && idleFirst) reclaimIdle(m, check.days);
      if (crossed) shiftFollow(m);
      if (check && !idleFirst) reclaimIdle(m, check.days);
      if (check) while (check.dueAt <= to) check.dueAt += DAY;
      return;
    }
    case 'put': {
      const user = id(op.user);
      const reply = await admin.patch(`/v1/users/${user}`, { scheduleId: op.schedule ? schedules[op.schedule] : null, ...(op.confirm ? { confirm: true } : {}) });
      const before = m.scheduleOf.get(user) ?? null;
      if (before === op.schedule) return void expect(reply.status).toBe(200);
      m.scheduleOf.set(user, op.schedule);
      if (op.schedule !== null && !op.confirm && oversubscribed(m)) {
        m.scheduleOf.set(user, before);
        expect(reply.status).toBe(409);
        expect(reply.body.code).toBe('schedule_oversubscribed');
        return;
      }
      expect(reply.status).toBe(200);
      shiftFollow(m);
      return;
    }
    case 'reclaim': {
      const reply = await admin.put('/v1/policies/idle-reclaim', { enabled: op.days !== null, days: op.days ?? 3, exemptions: { userIds: [], groupIds: [] } });
      expect(reply.status).toBe(200);
      if (op.days === null) m.reclaim = null;
      else m.reclaim = { days: op.days, dueAt: m.reclaim?.dueAt ?? m.now + DAY };
      return;
    }
    case 'assign': {
      const user = id(op.user);
      const reply = await admin.call('PUT', `/v1/users/${user}/seat`, {});
      if (m.held.get(user) !== 'none') return void expect(reply.status).toBe(200);
      if (shiftFree(m) <= 0) return void expect(reply.status).toBe(409);
      expect(reply.status).toBe(200);
      shiftGive(m, user, 'manual');
      m.queue = m.queue.filter((q) => q !== user);
      return;
    }
    case 'unassign': {
      const user = id(op.user);
      const reply = await admin.delete(`/v1/users/${user}/seat`);
      expect(reply.status).toBeLessThan(500);
      if (m.held.get(user) !== 'none' && reply.status < 300) {
        m.held.set(user, 'none');
        shiftFill(m);
      }
      return;
    }
    case 'purchase': {
      const reply = await admin.patch('/v1/subscription', { seats: op.seats });
      if (op.seats < m.purchased - shiftFree(m)) return void expect(reply.status).toBe(409);
      expect(reply.status).toBe(200);
      m.purchased = op.seats;
      shiftFill(m);
      return;
    }
  }
}

async function expectShiftModel(admin: Api, subscriptionId: string, m: ShiftModel): Promise<void> {
  const users = await allUsers(admin);
  for (const id of m.order) {
    const seat = users.find((u) => u.id === id)?.seat;
    const held = seat ? (seat.source.kind === 'schedule' ? 'shift' : 'manual') : 'none';
    expect({ id, held }).toEqual({ id, held: m.held.get(id) });
  }
  const pending = (await admin.get('/v1/seat-requests?status=pending&limit=100')).body.items as { user: { id: string } }[];
  expect(pending.map((r) => r.user.id)).toEqual(m.queue);
  const [stored] = await runInDurableObject(env.SUBSCRIPTION.getByName(subscriptionId), (_i, state) =>
    state.storage.sql.exec<{ assigned: number; purchased: number; rows: number }>('SELECT assigned, purchased, (SELECT COUNT(*) FROM seats) AS rows FROM subscription').toArray(),
  );
  expect(stored!.assigned).toBe(stored!.rows);
  expect(stored!.assigned).toBeLessThanOrEqual(stored!.purchased);
  expect(stored!.purchased).toBe(m.purchased);
}

const shiftOpArb: fc.Arbitrary<ShiftOp> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 36 }).map((hours) => ({ kind: 'tick' as const, hours })) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('put' as const), user: fc.nat(7), schedule: fc.constantFrom('early' as const, 'late' as const, null), confirm: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constantFrom(3, 4, null).map((days) => ({ kind: 'reclaim' as const, days })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('assign' as const), user: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unassign' as const), user: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).map((seats) => ({ kind: 'purchase' as const, seats })) },
);

describe('Property: shift schedules and the clock', () => {
  it.prop([fc.array(shiftOpArb, { minLength: 5, maxLength: 20 })], { numRuns: 12 })(
    'random shift boundaries, schedule moves, seat changes and idle-reclaim checks keep the invariant and match the model',
    async (ops) => {
      const start = Date.parse('2026-12-07T06:00:00Z');
      setNow(new Date(start).toISOString());
      try {
        const signedUp = await signup(2);
        const admin = new Api((await signedUp.admin.post('/v1/tokens', { name: 'model' })).body.token);
        const schedules = {} as Record<'early' | 'late', string>;
        for (const name of ['early', 'late'] as const) {
          const [from, to] = SHIFT_HOURS[name];
          const end = to === 24 ? '24:00' : `${String(to).padStart(2, '0')}:00`;
          const made = await admin.post('/v1/schedules', {
            name,
            timeZone: 'UTC',
            windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: `${String(from).padStart(2, '0')}:00`, end }],
          });
          expect(made.status).toBe(201);
          schedules[name] = made.body.id;
        }
        const m: ShiftModel = { purchased: 2, now: start, order: [], held: new Map(), scheduleOf: new Map(), queue: [], givenAt: new Map(), reclaim: null };
        for (let i = 0; i < 4; i++) {
          const made = await admin.post('/v1/users', { name: `Shift Tech ${i}`, email: uniqueEmail('shift'), assignSeat: false });
          m.order.push(made.body.user.id);
          m.held.set(made.body.user.id, 'none');
        }
        for (const op of ops) {
          await shiftStep(admin, signedUp.subscription.id, m, op, schedules);
          await expectShiftModel(admin, signedUp.subscription.id, m);
        }
      } finally {
        realTime();
      }
    },
  );
});

// ── Team pools and team managers against a model ───────────────────────────────────────────────

/** Two pools, "a" (which the team manager manages) and "b"; null is the shared remainder. */
type PoolKey = 'a' | 'b';
type PoolOp =
  | { kind: 'assign' | 'unassign'; user: number; manager: boolean }
  | { kind: 'transfer'; from: number; to: number; manager: boolean }
  | { kind: 'move'; user: number; pool: PoolKey | null }
  | { kind: 'limits'; pool: PoolKey; reserved: number; maximum: number }
  | { kind: 'purchase'; seats: number };

interface PoolModel {
  purchased: number;
  limits: Record<PoolKey, { reserved: number; maximum: number }>;
  /** user id → their pool and whether they hold a seat. */
  users: Map<string, { pool: PoolKey | null; seat: boolean }>;
}

/** The pool rules said again, independently of worker/domain/pools.ts. */
const poolHeld = (m: PoolModel, pool: PoolKey | null) => [...m.users.values()].filter((u) => u.seat && u.pool === pool).length;
const poolCommitted = (m: PoolModel) =>
  poolHeld(m, null) + (['a', 'b'] as const).reduce((sum, p) => sum + Math.max(m.limits[p].reserved, poolHeld(m, p)), 0);

/** The refusal a seat for a user of `pool` meets now, or null. */
function poolRoom(m: PoolModel, pool: PoolKey | null): Outcome | null {
  const unreservedFree = m.purchased - poolCommitted(m);
  if (pool === null) return unreservedFree > 0 ? null : { status: 409, code: 'no_seats_available' };
  const held = poolHeld(m, pool);
  if (held >= m.limits[pool].maximum) return { status: 409, code: 'pool_full' };
  return held < m.limits[pool].reserved || unreservedFree > 0 ? null : { status: 409, code: 'pool_full' };
}

function applyPoolOp(m: PoolModel, op: PoolOp, ids: string[]): Outcome {
  const id = (n: number) => ids[n % ids.length]!;
  const user = (n: number) => m.users.get(id(n))!;
  const outsideA = (...ns: number[]) => ns.some((n) => user(n).pool !== 'a');
  switch (op.kind) {
    case 'assign': {
      if (op.manager && outsideA(op.user)) return { status: 403, code: 'forbidden' };
      if (user(op.user).seat) return { status: 200 };
      const refused = poolRoom(m, user(op.user).pool);
      if (refused) return refused;
      user(op.user).seat = true;
      return { status: 200 };
    }
    case 'unassign':
      if (op.manager && outsideA(op.user)) return { status: 403, code: 'forbidden' };
      user(op.user).seat = false;
      return { status: 200 };
    case 'transfer': {
      if (op.manager && outsideA(op.from, op.to)) return { status: 403, code: 'forbidden' };
      if (id(op.from) === id(op.to)) return { status: 400, code: 'validation_failed' };
      if (!user(op.from).seat) return { status: 409, code: 'seat_not_held' };
      if (user(op.to).seat) return { status: 409, code: 'seat_already_held' };
      user(op.from).seat = false;
      const refused = poolRoom(m, user(op.to).pool);
      if (refused) {
        user(op.from).seat = true;
        return refused;
      }
      user(op.to).seat = true;
      return { status: 200 };
    }
    case 'move': {
      const moving = user(op.user);
      if (moving.pool === op.pool) return { status: 200 };
      if (moving.seat) {
        moving.seat = false;
        const refused = poolRoom(m, op.pool);
        moving.seat = true;
        if (refused) return refused;
      }
      moving.pool = op.pool;
      return { status: 200 };
    }
    case 'limits': {
      if (op.reserved > op.maximum) return { status: 400, code: 'validation_failed' };
      if (poolHeld(m, op.pool) > op.maximum) return { status: 409, code: 'pool_in_use' };
      const before = m.limits[op.pool];
      m.limits[op.pool] = { reserved: op.reserved, maximum: op.maximum };
      if (poolCommitted(m) > m.purchased) {
        m.limits[op.pool] = before;
        return { status: 409, code: 'pool_in_use' };
      }
      return { status: 200 };
    }
    case 'purchase':
      if (op.seats < poolCommitted(m)) return { status: 409, code: 'seats_in_use' };
      m.purchased = op.seats;
      return { status: 200 };
  }
}

interface PoolWorld {
  admin: Api;
  manager: Api;
  subscriptionId: string;
  poolIds: Record<PoolKey, string>;
  /** The users the operations pick from (the team manager among them). */
  ids: string[];
}

function poolRequest(w: PoolWorld, op: PoolOp): Promise<Reply> {
  const id = (n: number) => w.ids[n % w.ids.length]!;
  const as = (manager: boolean) => (manager ? w.manager : w.admin);
  switch (op.kind) {
    case 'assign':
      return as(op.manager).put(`/v1/users/${id(op.user)}/seat`);
    case 'unassign':
      return as(op.manager).delete(`/v1/users/${id(op.user)}/seat`);
    case 'transfer':
      return as(op.manager).post('/v1/seats/transfer', { from: id(op.from), to: id(op.to) });
    case 'move':
      return w.admin.patch(`/v1/users/${id(op.user)}`, { poolId: op.pool === null ? null : w.poolIds[op.pool] });
    case 'limits':
      return w.admin.patch(`/v1/pools/${w.poolIds[op.pool]}`, { reserved: op.reserved, maximum: op.maximum });
    case 'purchase':
      return w.admin.patch('/v1/subscription', { seats: op.seats });
  }
}

/** What the subscription shows and stores, in the model's terms; plus the pool invariants read from SQLite. */
async function observePools(w: PoolWorld): Promise<{ model: PoolModel; violations: string[] }> {
  const keyOf = (poolId: string | null): PoolKey | null => (poolId === null ? null : poolId === w.poolIds.a ? 'a' : 'b');
  const [subscription, users, pools, stored] = await Promise.all([
    w.admin.get('/v1/subscription'),
    allUsers(w.admin),
    w.admin.get('/v1/pools'),
    runInDurableObject(env.SUBSCRIPTION.getByName(w.subscriptionId), (_instance, state) => {
      const sql = state.storage.sql;
      return {
        pools: sql
          .exec<{ id: string; reserved: number; maximum: number; assigned: number; held: number }>(
            'SELECT p.id, p.reserved, p.maximum, p.assigned, (SELECT COUNT(*) FROM seats s JOIN users u ON u.id = s.user_id WHERE u.pool_id = p.id) AS held FROM pools p',
          )
          .toArray(),
        commitment: sql.exec<{ committed: number; purchased: number }>('SELECT committed, purchased FROM pool_commitment').one(),
      };
    }),
  ]);
  const violations: string[] = [];
  for (const p of stored.pools) {
    if (p.assigned !== p.held) violations.push(`pool ${p.id} counter ${p.assigned} ≠ ${p.held} seats held`);
    if (p.held > p.maximum) violations.push(`pool ${p.id} holds ${p.held} > maximum ${p.maximum}`);
  }
  if (stored.commitment.committed > stored.commitment.purchased) {
    violations.push(`held and reserved ${stored.commitment.committed} > purchased ${stored.commitment.purchased}`);
  }
  const limits = Object.fromEntries(
    (pools.body.items as { id: string; reserved: number; maximum: number }[]).map((p) => [keyOf(p.id), { reserved: p.reserved, maximum: p.maximum }]),
  ) as PoolModel['limits'];
  const model: PoolModel = {
    purchased: subscription.body.seats.purchased,
    limits,
    users: new Map(
      users.filter((u: { id: string }) => w.ids.includes(u.id)).map((u: { id: string; poolId: string | null; seat: unknown }) => [u.id, { pool: keyOf(u.poolId), seat: u.seat !== null }]),
    ),
  };
  return { model, violations };
}

const clonePools = (m: PoolModel): PoolModel => ({
  purchased: m.purchased,
  limits: { a: { ...m.limits.a }, b: { ...m.limits.b } },
  users: new Map([...m.users].map(([id, u]) => [id, { ...u }])),
});
const samePools = (a: PoolModel, b: PoolModel) => JSON.stringify({ ...a, users: [...a.users].sort() }) === JSON.stringify({ ...b, users: [...b.users].sort() });

/** Runs a batch at once; some serial order of it must explain every answer and the state, and no pool invariant may break. */
async function runPoolBatch(w: PoolWorld, model: PoolModel, batch: PoolOp[]): Promise<PoolModel> {
  const replies = await Promise.all(batch.map((op) => poolRequest(w, op)));
  const observed = await observePools(w);
  const context = () => `ops ${JSON.stringify(batch)}\nanswers ${JSON.stringify(replies.map(outcomeOf))}\nmodel before ${JSON.stringify({ ...model, users: [...model.users] })}`;
  expect(observed.violations, context()).toEqual([]);
  for (const order of permutations(batch.map((_, i) => i))) {
    const candidate = clonePools(model);
    const matches = order.every((i) => {
      const expected = applyPoolOp(candidate, batch[i]!, w.ids);
      const actual = outcomeOf(replies[i]!);
      return expected.status === actual.status && expected.code === actual.code;
    });
    if (matches && samePools(candidate, observed.model)) return candidate;
  }
  throw new Error(`no serial order explains the answers and the state\n${context()}\nobserved ${JSON.stringify({ ...observed.model, users: [...observed.model.users] })}`);
}

async function poolWorld(purchased: number, members: (PoolKey | null)[]): Promise<{ world: PoolWorld; model: PoolModel }> {
  const { admin, subscription } = await signup(purchased);
  const made = async (name: string, reserved: number, maximum: number) => (await admin.post('/v1/pools', { name, reserved, maximum })).body.pool.id as string;
  const poolIds = { a: await made('Desk', 1, 3), b: await made('Field', 0, 2) };
  const invited = await admin.post('/v1/users', { name: 'Mia Manager', email: uniqueEmail('mia'), role: 'team_manager', pools: [poolIds.a], poolId: poolIds.a, assignSeat: false });
  const manager = new Api();
  await manager.post('/v1/invitations/accept', { token: invited.body.invitation.token, password: 'correct horse battery staple' });
  const ids = [invited.body.user.id as string];
  for (const pool of members) {
    const created = await admin.post('/v1/users', { name: 'Pool Member', email: uniqueEmail('member'), poolId: pool === null ? null : poolIds[pool], assignSeat: false });
    ids.push(created.body.user.id);
  }
  const model: PoolModel = {
    purchased,
    limits: { a: { reserved: 1, maximum: 3 }, b: { reserved: 0, maximum: 2 } },
    users: new Map(ids.map((id, i) => [id, { pool: i === 0 ? 'a' : members[i - 1]!, seat: false }])),
  };
  return { world: { admin, manager, subscriptionId: subscription.id, poolIds, ids }, model };
}

const poolKeyArb = fc.constantFrom<PoolKey | null>('a', 'b', null);
const poolOpArb: fc.Arbitrary<PoolOp> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('assign' as const), user: fc.nat(20), manager: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('unassign' as const), user: fc.nat(20), manager: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(20), to: fc.nat(20), manager: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('move' as const), user: fc.nat(20), pool: poolKeyArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('limits' as const), pool: fc.constantFrom<PoolKey>('a', 'b'), reserved: fc.nat(3), maximum: fc.nat(4) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('purchase' as const), seats: fc.integer({ min: 1, max: 6 }) }), weight: 1 },
);
const poolStartArb = fc.record({ purchased: fc.integer({ min: 2, max: 5 }), members: fc.array(poolKeyArb, { minLength: 2, maxLength: 5 }) });

describe('Team pools and team managers against a model (fast-check)', () => {
  it.prop([poolStartArb, fc.array(poolOpArb, { minLength: 5, maxLength: 25 })], { numRuns: 15 })(
    'any sequence of seat changes by administrators and a team manager, pool moves and limit changes matches the model and keeps every pool invariant',
    async (initial, ops) => {
      let { world, model } = await poolWorld(initial.purchased, initial.members);
      for (const op of ops) model = await runPoolBatch(world, model, [op]);
    },
    90_000,
  );

  it.prop([poolStartArb, fc.array(fc.array(poolOpArb, { minLength: 2, maxLength: 4 }), { minLength: 2, maxLength: 5 })], { numRuns: 10 })(
    'concurrent batches: some serial order explains every answer and the state, and no pool invariant ever breaks',
    async (initial, batches) => {
      let { world, model } = await poolWorld(initial.purchased, initial.members);
      for (const batch of batches) model = await runPoolBatch(world, model, batch);
    },
    90_000,
  );
});
