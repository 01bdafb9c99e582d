/**
 * A small API caller for test set-up and checks, acting like a second device or a script:
 * keeps its own session cookie and sends our Origin, as a browser would.
 */
import type { Account, Invitation, Role, Subscription, User } from '../../worker/contract';
import { fileMailbox, signUpByMail } from '../../scripts/mailbox.mjs';

export interface Reply<T> {
  status: number;
  body: T;
}

export class Api {
  #cookie = '';

  constructor(readonly baseURL: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const response = await fetch(`${this.baseURL}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        origin: this.baseURL,
        ...(this.#cookie ? { cookie: this.#cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.#cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await this.call<T>(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /**
   * Signs up as a person does: asks, then confirms with the link from the mail the server wrote to
   * its log (SETME_SERVER_LOG, see global-setup.ts). Signed in as the new administrator after.
   */
  async signUp(body: { organization: string; name: string; email: string; password: string; seats: number; assignSeat: boolean }) {
    const call = (method: string, path: string, payload?: unknown) => this.call(method, path, payload);
    const reply = await signUpByMail(call, fileMailbox(process.env.SETME_SERVER_LOG!), body);
    if (reply.status !== 201) throw new Error(`sign-up → ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as Account;
  }

  createUser(body: { name: string; email: string; role?: Role; assignSeat: boolean }) {
    return this.ok<{ user: User; invitation: Invitation }>('POST', '/users', body);
  }

  user(id: string) {
    return this.ok<User>('GET', `/users/${id}`);
  }

  subscription() {
    return this.ok<Subscription>('GET', '/subscription');
  }
}
