/**
 * Test helpers: every call goes through the real Worker (`exports.default.fetch`) to the real
 * Durable Objects and their SQLite storage in workerd. Nothing of ours is mocked.
 */
import { exports } from 'cloudflare:workers';
import { outbox, type Mail } from '../../worker/mail';
import { sha256 } from '../../worker/crypto';

export const ORIGIN = 'https://seats.test';
export const PASSWORD = 'correct horse battery staple';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * An API caller that keeps its sign-in cookies (like a browser: both halves, see
 * worker/http/device-cookies.ts) or sends a bearer token (like a script). `cookie` is the Cookie
 * header it sends.
 */
export class Api {
  cookie = '';
  constructor(readonly token?: string) {}

  /** One cookie's value, e.g. `cookieValue('__Host-setme_key')`. */
  cookieValue(name: string): string | undefined {
    return jar(this.cookie).get(name);
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await exports.default.fetch(`${ORIGIN}/api${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie, origin: ORIGIN } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.headers.getSetCookie().length > 0) this.cookie = keepCookies(this.cookie, res.headers.getSetCookie());
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.call<T>('POST', path, body ?? {}, headers);
  put = <T = any>(path: string, body?: unknown) => this.call<T>('PUT', path, body);
  patch = <T = any>(path: string, body: unknown) => this.call<T>('PATCH', path, body);
  delete = <T = any>(path: string) => this.call<T>('DELETE', path);
}

const jar = (header: string) =>
  new Map(header.split('; ').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const));

/** A Cookie header after a response's Set-Cookie lines, as a browser keeps them (Max-Age=0 deletes). */
export function keepCookies(header: string, setCookies: string[]): string {
  const cookies = jar(header);
  for (const line of setCookies) {
    const pair = line.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    if (/max-age=0/i.test(line)) cookies.delete(name);
    else cookies.set(name, pair.slice(pair.indexOf('=') + 1));
  }
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** The hash a signed-in caller's object knows it by (its two cookies, or its token). */
export async function credentialHash(api: Api): Promise<string> {
  if (api.token) return sha256(api.token.replace(/^setme_/, ''));
  const session = api.cookieValue('__Host-setme_session');
  const key = api.cookieValue('__Host-setme_key');
  if (!session || !key) throw new Error(`not signed in with cookies: ${api.cookie}`);
  return sha256(`${session}\n${key}`);
}

let counter = 0;
/** A unique email per call, so tests never collide on the service-wide email index. */
export const uniqueEmail = (name = 'user') => `${name}.${Date.now().toString(36)}.${++counter}@example.com`;

/**
 * The first mail to `to` that is not among `seen` (the outbox before the request that sends it).
 * Mail goes out after the answer (`waitUntil`), so this waits for it, briefly.
 * @example const seen = new Set(outbox); await api.post('/v1/auth/password-reset', { email }); const mail = await mailTo(email, seen);
 */
export async function mailTo(to: string, seen: ReadonlySet<Mail>): Promise<Mail> {
  for (let waited = 0; waited < 5_000; waited += 5) {
    const mail = outbox.find((m) => m.to === to && !seen.has(m));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no mail to ${to} within 5 s`);
}

/** The token of the sign-up confirmation link in a mail. */
export function confirmationToken(mail: Mail): string {
  const token = mail.text.match(/\/confirm-signup#token=(\S+)/)?.[1];
  if (!token) throw new Error(`no confirmation link in the mail to ${mail.to}: ${mail.text}`);
  return token;
}

/** The token of the password reset link in a mail. */
export function resetToken(mail: Mail): string {
  const token = mail.text.match(/reset-password#token=(\S+)/)?.[1];
  if (!token) throw new Error(`no reset link in the mail to ${mail.to}: ${mail.text}`);
  return token;
}

/**
 * Signs up a new subscription the way people do: asks for it, opens the confirmation link mailed
 * (read from the local mail transport) and confirms. Returns its administrator's API session, the
 * account and the administrator's email.
 */
export async function signup(seats = 6, options: { assignSeat?: boolean; name?: string; email?: string } = {}) {
  const admin = new Api();
  const email = options.email ?? uniqueEmail('admin');
  const seen = new Set(outbox);
  const asked = await admin.post('/v1/signup', {
    organization: 'Acme Support',
    name: options.name ?? 'Ada Admin',
    email,
    password: PASSWORD,
    seats,
    assignSeat: options.assignSeat ?? false,
  });
  if (asked.status !== 202) throw new Error(`signup failed: ${asked.status} ${JSON.stringify(asked.body)}`);
  const reply = await admin.post('/v1/signup/confirm', { token: confirmationToken(await mailTo(email, seen)) });
  if (reply.status !== 201) throw new Error(`signup confirmation failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { admin, user: reply.body.user, subscription: reply.body.subscription, email };
}

/** Creates a user through the API and returns them (with their invitation). */
export async function createUser(admin: Api, fields: { name?: string; role?: string; assignSeat?: boolean; email?: string } = {}) {
  const reply = await admin.post('/v1/users', {
    name: fields.name ?? 'Tech',
    email: fields.email ?? uniqueEmail(fields.name?.split(' ')[0]?.toLowerCase() ?? 'tech'),
    role: fields.role ?? 'technician',
    assignSeat: fields.assignSeat ?? false,
  });
  if (reply.status !== 201) throw new Error(`create user failed: ${JSON.stringify(reply.body)}`);
  return reply.body as { user: { id: string; email: string; name: string; seat: unknown }; invitation: { token: string; url: string } };
}

/** Creates a user and signs them in by accepting their invitation. */
export async function signedInUser(admin: Api, fields: { name?: string; role?: string; assignSeat?: boolean } = {}) {
  const created = await createUser(admin, fields);
  const api = new Api();
  const reply = await api.post('/v1/invitations/accept', { token: created.invitation.token, password: PASSWORD });
  if (reply.status !== 200) throw new Error(`accept failed: ${JSON.stringify(reply.body)}`);
  return { api, user: reply.body.user as { id: string; email: string; name: string } };
}

/** Reads every page of users. */
export async function allUsers(api: Api, query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const reply: Reply = await api.get(`/v1/users?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...reply.body.items);
    cursor = reply.body.nextCursor;
  } while (cursor);
  return items;
}

/** Asserts the shape of an RFC 9457 problem and returns it. */
export function problem(reply: Reply, status: number, code: string) {
  const summary = `${reply.status} ${JSON.stringify(reply.body)}`;
  if (reply.status !== status || reply.body?.code !== code) throw new Error(`expected ${status} ${code}, got ${summary}`);
  if (!reply.headers.get('content-type')?.startsWith('application/problem+json')) throw new Error(`not a problem: ${summary}`);
  for (const field of ['type', 'title', 'detail']) {
    if (typeof reply.body[field] !== 'string' || reply.body[field] === '') throw new Error(`problem lacks ${field}: ${summary}`);
  }
  if (reply.body.status !== status) throw new Error(`problem status mismatch: ${summary}`);
  return reply.body;
}
