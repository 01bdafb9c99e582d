/**
 * A directory talking to the SCIM service, as Okta and Entra ID do: every call goes through the
 * real Worker (`exports.default.fetch`) to the real objects. Nothing of ours is mocked.
 */
import { exports } from 'cloudflare:workers';
import { Api, ORIGIN, signup, uniqueEmail, type Reply } from './helpers';

export const SCIM = `${ORIGIN}/scim/v2`;
export const SCIM_TYPE = 'application/scim+json';

export class Directory {
  constructor(readonly token?: string) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await exports.default.fetch(`${SCIM}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': SCIM_TYPE }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body: unknown) => this.call<T>('POST', path, body);
  put = <T = any>(path: string, body: unknown) => this.call<T>('PUT', path, body);
  patch = <T = any>(path: string, body: unknown) => this.call<T>('PATCH', path, body);
  delete = <T = any>(path: string) => this.call<T>('DELETE', path);
}

/** A subscription with a directory connected: its administrator (API), the directory, and the subscription. */
export async function connected(seats = 6, tokenName = 'Okta') {
  const { admin, user, subscription } = await signup(seats);
  const made = await admin.post('/v1/tokens', { name: tokenName, scope: 'scim' });
  if (made.status !== 201) throw new Error(`directory token failed: ${JSON.stringify(made.body)}`);
  return { admin, adminUser: user, subscription, directory: new Directory(made.body.token), tokenId: made.body.id as string };
}

/** A SCIM user body as Okta sends one. */
export function oktaUser(fields: { userName?: string; givenName?: string; familyName?: string; active?: boolean; externalId?: string } = {}) {
  const userName = fields.userName ?? uniqueEmail('okta');
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: fields.givenName ?? 'Tina', familyName: fields.familyName ?? 'Tech' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: undefined,
    locale: 'en-US',
    externalId: fields.externalId ?? `00u${crypto.randomUUID().slice(0, 8)}`,
    groups: [],
    password: 'an-okta-password-we-ignore',
    active: fields.active ?? true,
  };
}

/** Provisions a user and returns their SCIM id. */
export async function provision(directory: Directory, fields: Parameters<typeof oktaUser>[0] = {}): Promise<string> {
  const reply = await directory.post('/Users', oktaUser(fields));
  if (reply.status !== 201) throw new Error(`provisioning failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.id;
}

/** Asserts a SCIM Error and returns it. */
export function scimError(reply: Reply, status: number, scimType?: string) {
  const summary = `${reply.status} ${JSON.stringify(reply.body)}`;
  if (reply.status !== status) throw new Error(`expected ${status}, got ${summary}`);
  if (!reply.headers.get('content-type')?.startsWith(SCIM_TYPE)) throw new Error(`not application/scim+json: ${summary}`);
  const body = reply.body;
  if (!body || body.schemas?.[0] !== 'urn:ietf:params:scim:api:messages:2.0:Error') throw new Error(`not a SCIM Error: ${summary}`);
  if (body.status !== String(status)) throw new Error(`status is not "${status}": ${summary}`);
  if (typeof body.detail !== 'string' || body.detail === '') throw new Error(`no detail: ${summary}`);
  if (scimType !== undefined && body.scimType !== scimType) throw new Error(`scimType is not ${scimType}: ${summary}`);
  return body;
}

export { Api };
