/**
 * Property-based tests with fast-check. Random sequences — and random concurrent batches — of
 * seat and user changes run through the real Worker against a small model of the rules; after
 * every step the subscription must equal the model. Random and malformed requests on every
 * documented route must never produce a 5xx. A failure prints the seed and the shrunk case.
 */
import { fc, it } from '@fast-check/vitest';
import { env, exports } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect } from 'vitest';
import { allUsers, Api, ORIGIN, signup, uniqueEmail, type Reply } from './helpers';
import { documentedOperations, type JsonSchema, type Operation } from './openapi';

// ── The model ─────────────────────────────────────────────────────────────────────────────────

type Op =
  | { kind: 'assign'; user: number }
  | { kind: 'unassign'; user: number }
  | { kind: 'transfer'; from: number; to: number }
  | { kind: 'create'; seat: boolean }
  | { kind: 'delete'; user: number }
  | { kind: 'purchase'; seats: number };

/** The whole truth the API should show: purchased seats and who exists, holding a seat or not. */
interface Model {
  purchased: number;
  /** user id → holds a seat. */
  users: Map<string, boolean>;
  adminId: string;
}

/** Status and problem code: what a client can rely on. */
interface Outcome {
  status: number;
  code?: string;
}

const assigned = (m: Model) => [...m.users.values()].filter(Boolean).length;
const clone = (m: Model): Model => ({ ...m, users: new Map(m.users) });

/**
 * Applies one change to the model as the rules say it should happen, returning the expected
 * answer. `createdId` is the id the API gave a created user (the model cannot invent it).
 */
function apply(m: Model, op: Resolved, createdId?: string): Outcome {
  const seat = (id: string) => m.users.get(id);
  switch (op.kind) {
    case 'assign':
      if (seat(op.id) === undefined) return { status: 404, code: 'not_found' };
      if (seat(op.id)) return { status: 200 };
      if (assigned(m) >= m.purchased) return { status: 409, code: 'no_seats_available' };
      m.users.set(op.id, true);
      return { status: 200 };
    case 'unassign':
      if (seat(op.id) === undefined) return { status: 404, code: 'not_found' };
      m.users.set(op.id, false);
      return { status: 200 };
    case 'transfer':
      if (seat(op.from) === undefined || seat(op.to) === undefined) return { status: 404, code: 'not_found' };
      if (op.from === op.to) return { status: 400, code: 'validation_failed' };
      if (!seat(op.from)) return { status: 409, code: 'seat_not_held' };
      if (seat(op.to)) return { status: 409, code: 'seat_already_held' };
      m.users.set(op.from, false);
      m.users.set(op.to, true);
      return { status: 200 };
    case 'create':
      if (op.seat && assigned(m) >= m.purchased) return { status: 409, code: 'no_seats_available' };
      if (!createdId) return { status: 201 };
      m.users.set(createdId, op.seat);
      return { status: 201 };
    case 'delete':
      if (seat(op.id) === undefined) return { status: 404, code: 'not_found' };
      // The administrator is the only active one: the last administrator stays.
      if (op.id === m.adminId) return { status: 409, code: 'last_administrator' };
      m.users.delete(op.id);
      return { status: 204 };
    case 'purchase':
      if (op.seats < assigned(m)) return { status: 409, code: 'seats_in_use' };
      m.purchased = op.seats;
      return { status: 200 };
  }
}

/** An operation with its user indexes resolved to ids (of users that exist or once existed). */
type Resolved =
  | { kind: 'assign' | 'unassign' | 'delete'; id: string }
  | { kind: 'transfer'; from: string; to: string }
  | { kind: 'create'; seat: boolean }
  | { kind: 'purchase'; seats: number };

function resolve(op: Op, pool: string[]): Resolved {
  const pick = (n: number) => pool[n % pool.length]!;
  switch (op.kind) {
    case 'assign':
    case 'unassign':
    case 'delete':
      return { kind: op.kind, id: pick(op.user) };
    case 'transfer':
      return { kind: 'transfer', from: pick(op.from), to: pick(op.to) };
    default:
      return op;
  }
}

function request(admin: Api, op: Resolved): Promise<Reply> {
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
  }
}

const outcomeOf = (reply: Reply): Outcome => (reply.status < 300 ? { status: reply.status } : { status: reply.status, code: reply.body?.code });

// ── Checking the real subscription against the model ─────────────────────────────────────────

interface Observed {
  purchased: number;
  counter: number;
  available: number;
  users: Map<string, boolean>;
  stored: { assigned: number; purchased: number; seatRows: number; distinctHolders: number; orphanSeats: number };
}

async function observe(admin: Api, subscriptionId: string): Promise<Observed> {
  const [subscription, users, stored] = await Promise.all([
    admin.get('/v1/subscription'),
    allUsers(admin),
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
  return {
    purchased: seats.purchased,
    counter: seats.assigned,
    available: seats.available,
    users: new Map(users.map((u: { id: string; seat: unknown }) => [u.id, u.seat !== null])),
    stored,
  };
}

/** The invariants that hold whatever happened, and the API's consistency with its own storage. */
function invariantViolations(o: Observed): string[] {
  const holders = [...o.users.values()].filter(Boolean).length;
  const problems: string[] = [];
  if (o.counter > o.purchased) problems.push(`assigned ${o.counter} > purchased ${o.purchased}`);
  if (holders !== o.counter) problems.push(`${holders} users hold a seat but the counter says ${o.counter}`);
  if (o.available !== o.purchased - o.counter) problems.push(`available ${o.available} ≠ ${o.purchased} − ${o.counter}`);
  const s = o.stored;
  if (s.seatRows !== s.distinctHolders) problems.push(`a user holds two seats (${s.seatRows} seat rows, ${s.distinctHolders} holders)`);
  if (s.seatRows !== s.assigned) problems.push(`stored counter ${s.assigned} ≠ ${s.seatRows} seat rows`);
  if (s.orphanSeats > 0) problems.push(`${s.orphanSeats} seats held by users that do not exist`);
  if (s.assigned !== o.counter || s.purchased !== o.purchased) problems.push('the API and its storage disagree');
  return problems;
}

function sameState(m: Model, o: Observed): boolean {
  if (m.purchased !== o.purchased || m.users.size !== o.users.size) return false;
  for (const [id, seat] of m.users) if (o.users.get(id) !== seat) return false;
  return true;
}

const show = (m: Model | Observed) =>
  `purchased ${m.purchased}, holders [${[...m.users].filter(([, s]) => s).map(([id]) => id.slice(4, 9))}], users ${m.users.size}`;

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
async function runBatch(admin: Api, subscriptionId: string, model: Model, pool: string[], batch: Op[]): Promise<Model> {
  const ops = batch.map((op) => resolve(op, pool));
  const replies = await Promise.all(ops.map((op) => request(admin, op)));
  const observed = await observe(admin, subscriptionId);
  const violations = invariantViolations(observed);
  const context = () =>
    `ops ${JSON.stringify(ops)}\nanswers ${JSON.stringify(replies.map(outcomeOf))}\n` +
    `model before: ${show(model)}\nobserved:     ${show(observed)}`;
  expect(violations, context()).toEqual([]);
  for (const reply of replies) if (reply.status === 201) pool.push(reply.body.user.id);

  const indexes = ops.map((_, i) => i);
  for (const order of permutations(indexes)) {
    const candidate = clone(model);
    const matches = order.every((i) => {
      const expected = apply(candidate, ops[i]!, replies[i]!.status === 201 ? replies[i]!.body.user.id : undefined);
      const actual = outcomeOf(replies[i]!);
      return expected.status === actual.status && expected.code === actual.code;
    });
    if (matches && sameState(candidate, observed)) return candidate;
  }
  if (ops.length === 1) {
    const expected = apply(clone(model), ops[0]!);
    throw new Error(`the API disagrees with the model: expected ${JSON.stringify(expected)}\n${context()}`);
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

/** A new subscription with a few users, some holding seats, and the model that describes it. */
async function start(purchased: number, users: boolean[]) {
  const { admin, user, subscription } = await signup(purchased);
  const model: Model = { purchased, users: new Map([[user.id, false]]), adminId: user.id };
  const pool = [user.id];
  for (const seat of users) {
    const wanted: Op = { kind: 'create', seat };
    Object.assign(model, await runBatch(admin, subscription.id, model, pool, [wanted]));
  }
  return { admin, subscriptionId: subscription.id, model, pool };
}

const startArb = fc.record({ purchased: fc.integer({ min: 1, max: 5 }), users: fc.array(fc.boolean(), { maxLength: 4 }) });

describe('Seats and users against a model (fast-check)', () => {
  it.prop([startArb, fc.array(opArb, { minLength: 1, maxLength: 25 })], { numRuns: 25 })(
    'any sequence of assign, unassign, transfer, create, delete and seat-count changes leaves the subscription equal to the model',
    async (initial, ops) => {
      let { admin, subscriptionId, model, pool } = await start(initial.purchased, initial.users);
      for (const op of ops) model = await runBatch(admin, subscriptionId, model, pool, [op]);
    },
    60_000,
  );

  it.prop([startArb, fc.array(fc.array(opArb, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 })], { numRuns: 15 })(
    'concurrent batches always end in a state some serial order explains, with every invariant intact',
    async (initial, batches) => {
      let { admin, subscriptionId, model, pool } = await start(initial.purchased, initial.users);
      for (const batch of batches) model = await runBatch(admin, subscriptionId, model, pool, batch);
    },
    60_000,
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
