/**
 * Tenant isolation and roles, generated from the route table: every operation in the OpenAPI
 * document is looked up in ROUTES below, and a route missing from it fails the suite. Adding a
 * route therefore means adding one row here, saying how to build a valid request for it.
 *
 * For every row:
 * - the subscription's own administrator gets the documented success status (so the request the
 *   row builds is valid, and a 404 or 403 below means isolation, not a bad request);
 * - `foreign` rows (they name a user, token… by id): an administrator of another subscription gets
 *   404 `not_found`; `own` rows (they act only on the caller's own subscription or account) succeed
 *   for that outsider without mentioning the victim. Either way the victim's storage is unchanged;
 * - `admin` rows: a technician of the same subscription gets 403 `forbidden`; `owner` rows (one
 *   user's device, token, passkey…): another user of the same subscription gets 404 `not_found`.
 *   Storage is unchanged;
 * - every write: a read-only API token gets 403 `forbidden`, and storage is unchanged.
 *
 * Callers use API tokens, so rows that sign devices out or change a password do not cut the
 * caller's own access. "Storage" is every row of every table of the object, read from SQLite.
 *
 * `GET /api/v1/live` (a WebSocket, outside the document) names no resource: its isolation is the
 * credential's, covered in live.test.ts and isolation.test.ts.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { vapidKeys } from '../../worker/notify/config';
import { registerPasskey } from './authenticator';
import { Api, createUser, PASSWORD, problem, signedInUser, signup, uniqueEmail, type Reply } from './helpers';
import { documentedOperations, fillPath, idFields, storedRows, type Operation } from './openapi';
import { Directory } from './scim-helpers';
import { pushSubscription, webhookReceiver } from './receivers';
import { sendStripeEvent, stripeId, subscriptionEvent } from './stripe';

/**
 * Resources in the subscription a request is aimed at, made on first use (so a row pays only for
 * what it names). Ids are of the administrator's things unless said otherwise.
 */
interface Targets {
  /** A technician holding a seat. */
  holder: Promise<string>;
  /** A technician without a seat, still invited. */
  waiting: Promise<string>;
  /** An API token of the administrator. */
  token: Promise<string>;
  /** Another signed-in device of the administrator. */
  device: Promise<string>;
  /** A passkey of the administrator. */
  passkey: Promise<string>;
  /** A technician holding a seat lent until tomorrow. */
  lent: Promise<string>;
  /** A pending seat request of a signed-in technician without a seat. */
  seatRequest: Promise<string>;
  /** A running Expert Console session of the administrator. */
  consoleSession: Promise<string>;
  /** A group a directory pushed (SCIM). */
  group: Promise<string>;
  /** A disabled webhook endpoint (so nothing is sent in the background) at the local receiver. */
  webhook: Promise<string>;
  /** A delivery in that endpoint's log (a test event). */
  webhookDelivery: Promise<{ webhook: string; delivery: string }>;
  /** A push device of the administrator at the local push service (pushes muted, so none is sent in the background). */
  pushDevice: Promise<string>;
  /** A shift schedule with nobody on it. */
  schedule: Promise<string>;
  /** A team pool with no reserve (so it never holds back a seat another row needs). */
  pool: Promise<string>;
}

interface Request {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

interface Row {
  /**
   * `foreign`: names a resource by id, so another subscription's caller gets 404 `not_found`.
   * `own`: acts only on the caller's own subscription or account, so it succeeds for an outsider,
   *   who must learn nothing about the victim.
   * `public`: no credential at all (a secret in the body, if any, names its own subscription).
   */
  scope: 'foreign' | 'own' | 'public';
  /** Administrators only: a technician gets 403 `forbidden`. */
  admin?: true;
  /** The resource belongs to one user: another user of the same subscription gets 404 `not_found`. */
  owner?: true;
  /** A valid request aimed at these targets, sent by `api` (which may prepare it, e.g. a WebAuthn challenge). */
  request?: (t: Targets, api: Caller) => Request | Promise<Request>;
  /** Why there is no request (public routes). */
  why?: string;
  /** Why a read-only token does not get 403 here (it must still change nothing). */
  readOnly?: string;
}

/** A shift schedule with nobody on it, so saving it touches no seat. */
const SCHEDULE = { timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', end: '15:00' }] };

const ROUTES: Record<string, Row> = {
  'POST /signup': { scope: 'public', why: 'mails a confirmation link; there is no caller to isolate' },
  'POST /signup/confirm': { scope: 'public', why: 'creates a new subscription from a sealed link; there is no caller to isolate' },
  'POST /auth/login': { scope: 'public', why: 'takes only an email and a password' },
  'POST /auth/passkey-options': { scope: 'public', why: 'a challenge for anyone' },
  'POST /auth/passkey': { scope: 'public', why: "the passkey's user handle names its own subscription and user" },
  'POST /auth/password-reset': { scope: 'public', why: 'takes only an email, and answers the same for any' },
  'POST /auth/password-reset/confirm': { scope: 'public', why: 'the reset secret names its own subscription' },
  'POST /invitations/accept': { scope: 'public', why: 'the invitation secret names its own subscription' },
  'POST /auth/logout': { scope: 'own', request: () => ({}) },
  'POST /auth/logout/finish': {
    scope: 'public',
    why: 'the device already signed itself out; its HttpOnly cookie names the subscription and its proof ends that one device, nothing else',
  },
  'GET /me': { scope: 'own', request: () => ({}) },
  'POST /me/password': { scope: 'own', request: () => ({ body: { currentPassword: PASSWORD, newPassword: PASSWORD } }) },
  'POST /me/reauthenticate': { scope: 'own', request: () => ({ body: { password: PASSWORD } }) },
  'GET /devices': { scope: 'own', request: () => ({}) },
  'DELETE /devices/{id}': { scope: 'foreign', owner: true, request: async (t) => ({ params: { id: await t.device } }) },
  'POST /devices/sign-out-others': { scope: 'own', request: () => ({}) },
  'POST /passkeys/registration-options': { scope: 'own', request: () => ({}) },
  'POST /passkeys': {
    scope: 'own',
    readOnly: 'a read-only token cannot start the ceremony (registration-options is a write), so it fails for want of a challenge',
    request: async (_t, caller) => {
      const options = await caller.post('/v1/passkeys/registration-options');
      return { body: { name: 'Route table key', response: await registerPasskey(options.status === 200 ? options.body : { challenge: 'none', rp: {} }) } };
    },
  },
  'GET /passkeys': { scope: 'own', request: () => ({}) },
  'DELETE /passkeys/{id}': { scope: 'foreign', owner: true, request: async (t) => ({ params: { id: await t.passkey } }) },
  'POST /tokens': { scope: 'own', request: () => ({ body: { name: 'route table' } }) },
  'GET /tokens': { scope: 'own', request: () => ({}) },
  'GET /tokens/all': { scope: 'own', admin: true, request: () => ({}) },
  'DELETE /tokens/{id}': { scope: 'foreign', owner: true, request: async (t) => ({ params: { id: await t.token } }) },
  'GET /subscription': { scope: 'own', request: () => ({}) },
  'PATCH /subscription': { scope: 'own', admin: true, request: () => ({ body: { seats: 35, name: 'Renamed' } }) },
  'GET /users': { scope: 'own', request: () => ({ query: { seat: 'assigned', limit: '100' } }) },
  'POST /users': {
    scope: 'own',
    admin: true,
    request: () => ({ body: { name: 'New Hire', email: uniqueEmail('hire'), assignSeat: true } }),
  },
  'GET /users/{id}': { scope: 'foreign', request: async (t) => ({ params: { id: await t.holder } }) },
  'PATCH /users/{id}': {
    scope: 'foreign',
    admin: true,
    request: async (t) => ({ params: { id: await t.holder }, body: { name: 'Hijacked', role: 'administrator' } }),
  },
  'DELETE /users/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.holder } }) },
  'PUT /users/{id}/seat': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.waiting } }) },
  'DELETE /users/{id}/seat': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.holder } }) },
  'POST /users/{id}/invitation': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.waiting } }) },
  'POST /users/{id}/seat/return': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.lent } }) },
  'GET /seats/holders': { scope: 'own', admin: true, request: () => ({}) },
  'POST /seats/transfer': { scope: 'foreign', admin: true, request: async (t) => ({ body: { from: await t.holder, to: await t.waiting } }) },
  'GET /seat-requests': { scope: 'own', request: async (t) => ({ query: { userId: await t.waiting } }) },
  'POST /seat-requests': {
    scope: 'own',
    // Only someone without a seat may ask for one: the caller gives theirs back first.
    request: async (_t, caller) => {
      await caller.delete(`/v1/users/${caller.id}/seat`);
      return { body: { reason: 'On call this weekend' } };
    },
  },
  'POST /seat-requests/{id}/approve': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.seatRequest } }) },
  'POST /seat-requests/{id}/decline': {
    scope: 'foreign',
    admin: true,
    request: async (t) => ({ params: { id: await t.seatRequest }, body: { note: 'Not this week' } }),
  },
  'DELETE /seat-requests/{id}': { scope: 'foreign', owner: true, request: async (t) => ({ params: { id: await t.seatRequest } }) },
  'GET /console/sessions': { scope: 'own', request: () => ({}) },
  'POST /console/sessions': {
    scope: 'own',
    // Only a seat holder may connect: the caller takes a seat first (idempotent).
    request: async (_t, caller) => {
      await caller.call('PUT', `/v1/users/${caller.id}/seat`, {});
      return { body: { computer: 'FRONTDESK-PC-07' } };
    },
  },
  'POST /console/sessions/{id}/heartbeat': { scope: 'foreign', owner: true, request: async (t) => ({ params: { id: await t.consoleSession } }) },
  'DELETE /console/sessions/{id}': { scope: 'foreign', owner: true, request: async (t) => ({ params: { id: await t.consoleSession } }) },
  'GET /reports/utilisation': { scope: 'own', admin: true, request: () => ({}) },
  'GET /reports/console-activity': { scope: 'own', admin: true, request: () => ({ query: { days: '7' } }) },
  'GET /reports/idle-seats': { scope: 'own', admin: true, request: () => ({ query: { days: '7' } }) },
  'GET /reports/pools': { scope: 'own', admin: true, request: () => ({ query: { days: '7' } }) },
  // A user id in a filter is not a lookup: an outsider gets an empty page, never the victim's entries.
  'GET /audit': { scope: 'own', admin: true, request: async (t) => ({ query: { userId: await t.holder } }) },
  'GET /groups': { scope: 'own', admin: true, request: () => ({}) },
  'GET /schedules': { scope: 'own', admin: true, request: () => ({}) },
  'POST /schedules': { scope: 'own', admin: true, request: () => ({ body: { ...SCHEDULE, name: `Shift ${crypto.randomUUID()}` } }) },
  'GET /schedules/coverage': { scope: 'own', admin: true, request: () => ({ query: { from: '2026-12-07T00:00:00Z', to: '2026-12-08T00:00:00Z' } }) },
  'GET /schedules/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.schedule } }) },
  'PATCH /schedules/{id}': {
    scope: 'foreign',
    admin: true,
    request: async (t) => ({ params: { id: await t.schedule }, body: { windows: [{ days: ['sat'], start: '10:00', end: '12:00' }] } }),
  },
  'DELETE /schedules/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.schedule } }) },
  'GET /policies/idle-reclaim': { scope: 'own', admin: true, request: () => ({}) },
  'PUT /policies/idle-reclaim': { scope: 'own', admin: true, request: () => ({ body: { enabled: true, days: 30 } }) },
  'GET /policies/idle-reclaim/preview': { scope: 'own', admin: true, request: () => ({}) },
  'PATCH /groups/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.group }, body: { grantsSeat: true } }) },
  'GET /directory': { scope: 'own', admin: true, request: () => ({}) },
  'GET /pools': { scope: 'own', request: () => ({}) },
  'POST /pools': { scope: 'own', admin: true, request: () => ({ body: { name: `Pool ${crypto.randomUUID()}`, reserved: 0, maximum: 1 } }) },
  'PATCH /pools/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.pool }, body: { maximum: 3 } }) },
  'DELETE /pools/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.pool } }) },
  'GET /webhooks': { scope: 'own', admin: true, request: () => ({}) },
  'POST /webhooks': { scope: 'own', admin: true, request: () => ({ body: { url: webhookReceiver('route-table').url, enabled: false } }) },
  'GET /webhooks/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.webhook } }) },
  'PATCH /webhooks/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.webhook }, body: { description: 'Hijacked' } }) },
  'DELETE /webhooks/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.webhook } }) },
  'POST /webhooks/{id}/secret': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.webhook } }) },
  'GET /webhooks/{id}/deliveries': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.webhook } }) },
  'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver': {
    scope: 'foreign',
    admin: true,
    request: async (t) => {
      const { webhook, delivery } = await t.webhookDelivery;
      return { params: { id: webhook, deliveryId: delivery } };
    },
  },
  'POST /webhooks/{id}/test': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.webhook } }) },
  'GET /notifications': { scope: 'own', admin: true, request: () => ({}) },
  'PATCH /notifications': { scope: 'own', admin: true, request: () => ({ body: { mail: { digest: true }, thresholds: [90] } }) },
  'POST /push-subscriptions': {
    scope: 'own',
    admin: true,
    request: async () => ({ body: await pushDevice('Route table') }),
  },
  'DELETE /push-subscriptions/{id}': { scope: 'foreign', admin: true, request: async (t) => ({ params: { id: await t.pushDevice } }) },
  'POST /push-subscriptions/test': { scope: 'own', admin: true, request: () => ({}) },
  'GET /billing': { scope: 'own', admin: true, request: () => ({}) },
  'PUT /billing': { scope: 'own', admin: true, request: () => ({ body: { customerId: stripeId('cus') } }) },
  'DELETE /billing': { scope: 'own', admin: true, request: () => ({}) },
  'PUT /billing/keep': {
    // The user ids in the body are looked up: another subscription's holder is not found.
    scope: 'foreign',
    admin: true,
    // A choice needs a pending decrease: the caller's subscription is linked and Stripe lowers its seats.
    request: async (t, caller) => {
      const customer = stripeId('cus');
      const linked = await caller.call('PUT', '/v1/billing', { customerId: customer });
      if (linked.status === 200) await sendStripeEvent(subscriptionEvent(customer, 29));
      return { body: { userIds: [await t.holder] } };
    },
  },
};

/**
 * A browser's push subscription at the local push service, for the Worker's VAPID key: the test
 * push a row sends is delivered. (An endpoint on a closed port took no push, and workerd logged
 * "Connection refused" / "Network connection lost" for every attempt and retry, caught or not.)
 */
async function pushDevice(device: string) {
  const key = vapidKeys(env)?.publicKey;
  if (!key) throw new Error('push is not configured for the tests (no VAPID key)');
  return { ...(await pushSubscription(key)).json, device };
}

/**
 * A caller with an API token, so rows that sign devices out or change the password do not end
 * the caller's own access; it keeps every cookie too (a WebAuthn ceremony's challenge is one).
 */
class Caller extends Api {
  readonly #jar = new Map<string, string>();
  /** The user the token belongs to. */
  id = '';

  override async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    this.cookie = [...this.#jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const reply = await super.call<T>(method, path, body, headers);
    for (const cookie of reply.headers.getSetCookie()) {
      const [name, value = ''] = cookie.split(';')[0]!.split('=');
      if (value === '' || /max-age=0/i.test(cookie)) this.#jar.delete(name!);
      else this.#jar.set(name!, value);
    }
    return reply;
  }

  /**
   * A new API token of the user behind `api`, as a caller. A write token confirms its user's
   * password at once, so it may create tokens and passkeys (which need a recent sign-in).
   */
  static async of(api: Api, scope?: 'read'): Promise<Caller> {
    const reply = await api.post('/v1/tokens', { name: `route table ${scope ?? ''}`.trim(), ...(scope ? { scope } : {}) });
    if (reply.status !== 201) throw new Error(`token failed: ${JSON.stringify(reply.body)}`);
    const caller = new Caller(reply.body.token);
    caller.id = (await caller.get('/v1/me')).body.user.id;
    if (!scope && (await caller.post('/v1/me/reauthenticate', { password: PASSWORD })).status !== 200) throw new Error('reauthentication failed');
    return caller;
  }
}

async function send(caller: Caller, op: Operation, row: Row, targets: Targets): Promise<Reply> {
  const { params = {}, query, body } = await row.request!(targets, caller);
  const search = query ? `?${new URLSearchParams(query)}` : '';
  return caller.call(op.method, `/v1${fillPath(op.path, params)}${search}`, op.body ? (body ?? {}) : body);
}

/** A new subscription whose administrator holds a seat (the Expert Console needs one). */
async function subscription() {
  const { admin, user, subscription } = await signup(30, { assignSeat: true });
  return { admin: await Caller.of(admin), email: user.email as string, id: subscription.id as string, };
}

/** Fresh resources of a subscription's administrator to aim requests at, each made when first named. */
function freshTargets(home: { admin: Caller; email: string }): Targets {
  const onceOnly = <T,>(make: () => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= make());
  };
  const lazily = (make: () => Promise<string>) => ({ get: onceOnly(make), enumerable: true });
  const targets = {} as Targets;
  Object.defineProperties(targets, {
    holder: lazily(async () => (await createUser(home.admin, { name: 'Target Holder', assignSeat: true })).user.id),
    waiting: lazily(async () => (await createUser(home.admin, { name: 'Target Waiting' })).user.id),
    token: lazily(async () => (await home.admin.post('/v1/tokens', { name: 'target token' })).body.id),
    device: lazily(async () => {
      const device = new Api();
      const signedIn = await device.post('/v1/auth/login', { email: home.email, password: PASSWORD });
      if (signedIn.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(signedIn.body)}`);
      return (await device.get('/v1/devices')).body.items.find((s: { current: boolean }) => s.current).id;
    }),
    passkey: lazily(async () => {
      const options = await home.admin.post('/v1/passkeys/registration-options');
      const passkey = await home.admin.post('/v1/passkeys', { name: 'Target key', response: await registerPasskey(options.body) });
      if (passkey.status !== 201) throw new Error(`passkey failed: ${JSON.stringify(passkey.body)}`);
      return passkey.body.id;
    }),
    lent: lazily(async () => {
      const { id } = (await createUser(home.admin, { name: 'Target Borrower' })).user;
      const until = new Date(Date.now() + 86_400_000).toISOString();
      const lent = await home.admin.call('PUT', `/v1/users/${id}/seat`, { until });
      if (lent.status !== 200) throw new Error(`lending failed: ${JSON.stringify(lent.body)}`);
      return id;
    }),
    seatRequest: lazily(async () => {
      const { api } = await signedInUser(home.admin, { name: 'Target Requester' });
      const asked = await api.post('/v1/seat-requests', { reason: 'Covering the help desk' });
      if (asked.status !== 201) throw new Error(`seat request failed: ${JSON.stringify(asked.body)}`);
      return asked.body.id;
    }),
    group: lazily(async () => {
      const token = (await home.admin.post('/v1/tokens', { name: 'Target directory', scope: 'scim' })).body.token;
      const created = await new Directory(token).post('/Groups', { displayName: `Target group ${crypto.randomUUID()}` });
      if (created.status !== 201) throw new Error(`group failed: ${JSON.stringify(created.body)}`);
      return created.body.id;
    }),
    consoleSession: lazily(async () => {
      await home.admin.call('PUT', `/v1/users/${home.admin.id}/seat`, {});
      const started = await home.admin.post('/v1/console/sessions', { computer: 'TARGET-PC' });
      if (started.status !== 201) throw new Error(`console session failed: ${JSON.stringify(started.body)}`);
      return started.body.id;
    }),
    schedule: lazily(async () => {
      const made = await home.admin.post('/v1/schedules', { ...SCHEDULE, name: `Target shift ${crypto.randomUUID()}` });
      if (made.status !== 201) throw new Error(`schedule failed: ${JSON.stringify(made.body)}`);
      return made.body.id;
    }),
    webhook: lazily(async () => {
      const made = await home.admin.post('/v1/webhooks', { url: webhookReceiver('target').url, enabled: false });
      if (made.status !== 201) throw new Error(`webhook failed: ${JSON.stringify(made.body)}`);
      return made.body.webhook.id;
    }),
    webhookDelivery: {
      get: onceOnly(async () => {
        const webhook = await targets.webhook;
        const tested = await home.admin.post(`/v1/webhooks/${webhook}/test`);
        if (tested.status !== 200) throw new Error(`test event failed: ${JSON.stringify(tested.body)}`);
        return { webhook, delivery: tested.body.id as string };
      }),
      enumerable: true,
    },
    pool: lazily(async () => {
      const made = await home.admin.post('/v1/pools', { name: `Target pool ${crypto.randomUUID()}`, reserved: 0, maximum: 2 });
      if (made.status !== 201) throw new Error(`pool failed: ${JSON.stringify(made.body)}`);
      return made.body.pool.id;
    }),
    pushDevice: lazily(async () => {
      // Muted first, so the device is never sent to by the changes other targets make.
      const push = { seatRequests: false, seatsFull: false, loansReturning: false, directoryWaitlist: false };
      await home.admin.patch('/v1/notifications', { push });
      const added = await home.admin.post('/v1/push-subscriptions', await pushDevice('Target phone'));
      if (added.status !== 201) throw new Error(`push device failed: ${JSON.stringify(added.body)}`);
      return added.body.id;
    }),
  });
  return targets;
}

function describeReply(op: Operation, reply: Reply): string {
  return `${op.key} answered ${reply.status} ${JSON.stringify(reply.body)}`;
}

/** Tables whose rows differ between two dumps. */
function changedTables(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  const tables = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...tables].filter((t) => JSON.stringify(before[t]) !== JSON.stringify(after[t]));
}

let operations: Operation[] = [];
/** Operations that have a row with a request (public rows are only checked for consistency). */
const routed = () => operations.filter((op) => ROUTES[op.key]?.request);

beforeAll(async () => {
  operations = await documentedOperations();
});

describe('The route table', () => {
  it('has a row for every operation in the OpenAPI document, and no row for a route that is gone', () => {
    const documented = operations.map((op) => op.key);
    const missing = documented.filter((key) => !ROUTES[key]);
    const stale = Object.keys(ROUTES).filter((key) => !documented.includes(key));
    expect(
      missing,
      `Add a row to ROUTES in test/worker/route-table.test.ts for: ${missing.join(', ')} ` +
        '(scope foreign/own/public, admin if technicians are refused, and a valid request)',
    ).toEqual([]);
    expect(stale, `ROUTES has rows for routes the document no longer has: ${stale.join(', ')}`).toEqual([]);
    expect(documented.length).toBeGreaterThan(15);
  });

  it('agrees with the document: ids make a route foreign, credentials make it non-public, admin routes document 403', () => {
    const disagreements: string[] = [];
    for (const op of operations) {
      const row = ROUTES[op.key];
      if (!row) continue;
      const ids = idFields(op);
      if (ids.length > 0 && row.scope !== 'foreign') disagreements.push(`${op.key} names a resource (${ids.join(', ')}) but its scope is ${row.scope}`);
      if (op.signedIn === (row.scope === 'public')) disagreements.push(`${op.key}: the document says signedIn=${op.signedIn}, the row says ${row.scope}`);
      if (row.scope !== 'public' && !row.request) disagreements.push(`${op.key} needs a request builder`);
      if (row.scope === 'public' && !row.why) disagreements.push(`${op.key} is public: say why in "why"`);
      if (row.admin && !op.statuses.includes(403)) disagreements.push(`${op.key} is for administrators but documents no 403`);
      if (/\(administrators/.test(op.summary) && !row.admin) disagreements.push(`${op.key} says "${op.summary}" but its row lacks admin: true`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('Authentication, declared with each route', () => {
  it('every operation the document marks as signed in answers 401 unauthenticated (a problem) to a caller without a credential', async () => {
    const signedIn = operations.filter((op) => op.signedIn);
    expect(signedIn.length).toBeGreaterThan(30);
    const anonymous = new Api();
    const failures: string[] = [];
    for (const op of signedIn) {
      const params = Object.fromEntries(op.pathParams.map((name) => [name, 'x']));
      const reply = await anonymous.call(op.method, `/v1${fillPath(op.path, params)}`, op.body ? {} : undefined);
      try {
        problem(reply, 401, 'unauthenticated');
      } catch (error) {
        failures.push(`${op.key}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every operation without `security` is a public row of the table, saying why', () => {
    const open = operations.filter((op) => !op.signedIn).map((op) => op.key);
    const allowed = Object.entries(ROUTES).filter(([, row]) => row.scope === 'public' && row.why).map(([key]) => key);
    expect(open.sort()).toEqual(allowed.sort());
  });
});

/** Runs `check` for each operation and collects the failures, so one run reports every broken route. */
async function eachRoute(ops: Operation[], check: (op: Operation, row: Row) => Promise<string | null>): Promise<string[]> {
  const failures: string[] = [];
  for (const op of ops) {
    const failure = await check(op, ROUTES[op.key]!).catch((error: Error) => `${op.key}: ${error.message}`);
    if (failure) failures.push(failure.length > 300 ? `${failure.slice(0, 300)}…` : failure);
  }
  return failures;
}

/** null when the reply is the problem expected, else what went wrong. */
function expectProblem(op: Operation, reply: Reply, status: number, code: string): string | null {
  try {
    problem(reply, status, code);
    return null;
  } catch (error) {
    return `${op.key}: ${(error as Error).message}`;
  }
}

describe('Every route, generated from the table', () => {
  it("the subscription's own administrator gets the documented success (the table builds valid requests)", { timeout: 30_000 }, async () => {
    const home = await subscription();
    expect(routed().length).toBeGreaterThan(15);
    const failures = await eachRoute(routed(), async (op, row) => {
      const reply = await send(home.admin, op, row, freshTargets(home));
      return reply.status === op.success ? null : `${describeReply(op, reply)}, expected ${op.success}`;
    });
    expect(failures).toEqual([]);
  });

  it("another subscription's administrator gets 404 on every route naming a resource, learns nothing, and nothing of the victim changes", async () => {
    const victim = await subscription();
    const targets = freshTargets(victim);
    const victimIds = await Promise.all(Object.values(targets));
    const victimUsers: { id: string; email: string }[] = (await victim.admin.get('/v1/users?limit=100')).body.items;
    const secrets = [victim.id, ...victimIds.flatMap((v) => (typeof v === 'string' ? [v] : [v.webhook, v.delivery])), ...victimUsers.flatMap((u) => [u.id, u.email])];
    const before = await storedRows(victim.id);

    const intruder = await subscription();
    const failures = await eachRoute(routed(), async (op, row) => {
      const reply = await send(intruder.admin, op, row, targets);
      if (row.scope === 'foreign') return expectProblem(op, reply, 404, 'not_found');
      if (reply.status !== op.success) return `${describeReply(op, reply)}, expected ${op.success} in the caller's own subscription`;
      const leaked = secrets.filter((secret) => JSON.stringify(reply.body ?? '').includes(secret));
      return leaked.length > 0 ? `${op.key} showed the outsider ${leaked.join(', ')}` : null;
    });
    expect(failures).toEqual([]);
    expect(await storedRows(victim.id), "the victim's storage changed").toEqual(before);
    expect((await victim.admin.get('/v1/me')).status).toBe(200);
  });

  it("a technician gets 403 on every administrator route and 404 on another user's devices, tokens and passkeys; nothing changes", async () => {
    const home = await subscription();
    const technician = await Caller.of((await signedInUser(home.admin, { name: 'Tina Tech', assignSeat: true })).api);
    const targets = freshTargets(home);
    await Promise.all(Object.values(targets)); // made now, so the snapshots below see only the request
    const guarded = routed().filter((op) => ROUTES[op.key]!.admin || ROUTES[op.key]!.owner);
    expect(guarded.length).toBeGreaterThan(10);
    const failures = await eachRoute(guarded, async (op, row) => {
      const before = await storedRows(home.id);
      const reply = await send(technician, op, row, targets);
      const refused = row.admin ? expectProblem(op, reply, 403, 'forbidden') : expectProblem(op, reply, 404, 'not_found');
      const changed = changedTables(before, await storedRows(home.id));
      return refused ?? (changed.length > 0 ? `${op.key} by a technician changed ${changed.join(', ')}` : null);
    });
    expect(failures).toEqual([]);
  });

  it('a read-only API token gets 403 on every write, and nothing changes', async () => {
    const tokenBody = operations.find((op) => op.key === 'POST /tokens')?.body;
    expect(tokenBody?.properties, 'POST /tokens documents a "scope"').toHaveProperty('scope');
    const home = await subscription();
    const reader = await Caller.of(home.admin, 'read');
    const targets = freshTargets(home);
    await Promise.all(Object.values(targets)); // made now, so the snapshots below see only the request
    const writes = routed().filter((op) => op.method !== 'GET');
    const failures = await eachRoute(writes, async (op, row) => {
      const before = await storedRows(home.id);
      const reply = await send(reader, op, row, targets);
      const refused = row.readOnly
        ? reply.status < 500 ? null : describeReply(op, reply)
        : expectProblem(op, reply, 403, 'forbidden');
      const changed = changedTables(before, await storedRows(home.id));
      return refused ?? (changed.length > 0 ? `${op.key} with a read-only token changed ${changed.join(', ')}` : null);
    });
    expect(failures).toEqual([]);
    // Reads still work with it.
    expect((await reader.get('/v1/users')).status).toBe(200);
  });
});
