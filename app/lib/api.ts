/**
 * The one module every screen goes through to reach the API (`/api/v1`, same origin, session
 * cookie). Refusals arrive as RFC 9457 problems and are thrown as `ApiProblem`, whose `detail` is
 * the sentence to show; a missing network is an `ApiProblem` with code `offline`.
 */
import type { Account, ApiToken, AuditEntry, Invitation, Page, Role, SeatCounts, SeatHolder, Subscription, TokenScope, User } from '#contract';
import { connectivity } from './connectivity.svelte';
import { CACHED_AT_HEADER, OFFLINE_HEADER } from './offline-cache';

/** A refusal from the API (or from the network), with the problem's extra fields. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  /** The seat counts and holders that come with `no_seats_available`. */
  get seatHolders(): { seats: SeatCounts; holders: SeatHolder[] } | null {
    if (this.code !== 'no_seats_available') return null;
    const { seats, holders } = this.fields as { seats?: SeatCounts; holders?: SeatHolder[] };
    return seats && holders ? { seats, holders } : null;
  }
}

let onSignedOut: (() => void) | null = null;

/** Called when the server says the session is gone (signed out elsewhere, deactivated). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

type Query = Record<string, string | number | undefined>;

/**
 * Calls `/api/v1{path}` with the session cookie; answers the parsed JSON or throws an `ApiProblem`.
 * Exported for the feature modules beside this one (e.g. api-security.ts).
 */
export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    response = Response.error();
  }
  // The service worker answers with OFFLINE_HEADER when there is neither network nor a stored copy.
  if (response.type === 'error' || response.headers.has(OFFLINE_HEADER)) {
    connectivity.lost();
    throw new ApiProblem(
      0,
      'offline',
      method === 'GET'
        ? 'You are offline, and this has not been loaded on this device before.'
        : 'You are offline. This change needs the server’s answer: try again when you are back online.',
    );
  }
  const cachedAt = response.headers.get(CACHED_AT_HEADER);
  if (cachedAt) connectivity.servedFromCache(new Date(cachedAt));
  else connectivity.reachedServer();

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. a proxy's error page): fall through to the generic message below.
  }
  if (response.ok) return data as T;

  const problem = (data ?? {}) as { code?: string; detail?: string } & Record<string, unknown>;
  const error = new ApiProblem(
    response.status,
    problem.code ?? 'unknown',
    problem.detail ?? `The server answered ${response.status}. Please try again.`,
    problem,
  );
  // A wrong password (sign-in, change password) or passkey is `invalid_credentials`: the session stays.
  if (response.status === 401 && error.code !== 'invalid_credentials' && path !== '/me') onSignedOut?.();
  throw error;
}

export interface UserQuery {
  seat?: 'assigned' | 'unassigned';
  role?: Role;
  status?: 'invited' | 'active' | 'deactivated';
  q?: string;
  limit?: number;
  cursor?: string;
}

export const api = {
  me: () => request<Account>('GET', '/me'),
  signIn: (email: string, password: string) => request<Account>('POST', '/auth/login', { email, password }),
  signOut: () => request<void>('POST', '/auth/logout'),
  signUp: (body: { organization: string; name: string; email: string; password: string; seats: number; assignSeat: boolean }) =>
    request<Account>('POST', '/signup', body),
  acceptInvitation: (token: string, password: string) =>
    request<Account>('POST', '/invitations/accept', { token, password }),

  users: (query: UserQuery) => request<Page<User>>('GET', '/users', undefined, { ...query }),
  user: (id: string) => request<User>('GET', `/users/${encodeURIComponent(id)}`),
  createUser: (body: { name: string; email: string; role: Role; assignSeat: boolean }) =>
    request<{ user: User; invitation: Invitation }>('POST', '/users', body),
  updateUser: (id: string, change: { name?: string; role?: Role; status?: 'active' | 'deactivated' }) =>
    request<User>('PATCH', `/users/${encodeURIComponent(id)}`, change),
  deleteUser: (id: string) => request<void>('DELETE', `/users/${encodeURIComponent(id)}`),
  renewInvitation: (id: string) => request<Invitation>('POST', `/users/${encodeURIComponent(id)}/invitation`),

  assignSeat: (id: string) => request<User>('PUT', `/users/${encodeURIComponent(id)}/seat`),
  unassignSeat: (id: string) => request<User>('DELETE', `/users/${encodeURIComponent(id)}/seat`),
  transferSeat: (from: string, to: string) => request<{ from: User; to: User }>('POST', '/seats/transfer', { from, to }),

  subscription: () => request<Subscription>('GET', '/subscription'),
  updateSubscription: (change: { seats?: number; name?: string }) => request<Subscription>('PATCH', '/subscription', change),
  audit: (query: { action?: string; userId?: string; cursor?: string; limit?: number }) =>
    request<Page<AuditEntry>>('GET', '/audit', undefined, { ...query }),

  tokens: () => request<Page<ApiToken>>('GET', '/tokens', undefined, { limit: 100 }),
  createToken: (name: string, scope: TokenScope = 'write') =>
    request<ApiToken & { token: string }>('POST', '/tokens', { name, scope }),
  revokeToken: (id: string) => request<void>('DELETE', `/tokens/${encodeURIComponent(id)}`),
};

/** The sentence to show for any error: the problem's detail, or a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiProblem) return error.detail;
  return 'Something went wrong. Please try again.';
}
