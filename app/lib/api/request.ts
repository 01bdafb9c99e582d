/**
 * The one function every call to the API goes through (`/api/v1`, same origin, session cookie).
 * The modules beside this one mirror the Worker's route files (worker/http/routes/*.ts), one per
 * resource, with bodies and answers typed from the contract. Refusals arrive as RFC 9457 problems
 * and are thrown as `ApiProblem`, whose `detail` is the sentence to show; a missing network is an
 * `ApiProblem` with code `offline`. Each answer's revision goes to `revisions` (revision.ts).
 */
import type { Pool, SeatCounts, SeatHolder } from '#contract';
import { connectivity } from '#lib/connectivity.svelte.ts';
import { fieldErrorsOf, fieldWords } from '#lib/field-words.ts';
import { offlineName } from '#lib/device-key.ts';
import { CACHED_AT_HEADER, OFFLINE_COPY_HEADER, OFFLINE_HEADER } from '#lib/offline-cache.ts';
import { takeEarly } from './early.ts';
import { revisionOf, revisions, type WriteAnswer } from './revision.ts';

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
  get seatHolders(): { seats: SeatCounts; holders: SeatHolder[]; pool?: string } | null {
    if (this.code === 'pool_full') {
      // A full team pool: its own holders, to move a seat within the pool.
      const { pool, holders } = this.fields as { pool?: Pool; holders?: SeatHolder[] };
      return pool && holders ? { seats: { purchased: pool.assigned, assigned: pool.assigned, available: 0 }, holders, pool: pool.name } : null;
    }
    if (this.code !== 'no_seats_available') return null;
    const { seats, holders } = this.fields as { seats?: SeatCounts; holders?: SeatHolder[] };
    return seats && holders ? { seats, holders } : null;
  }
}

/**
 * The sentence to show for any error: the problem's detail, or a generic one. A refused field is
 * said in words ("Enter a name."), not in the schema's terms the API's detail uses.
 */
export function messageOf(error: unknown): string {
  const fields = fieldErrorsOf(error instanceof ApiProblem ? error : null);
  if (fields?.length) return fields.map((f) => `${fieldWords(f)}.`).join(' ');
  if (error instanceof ApiProblem) return error.detail;
  return 'Something went wrong. Please try again.';
}

let onSignedOut: (() => void) | null = null;

/** Called when the server says the session is gone (signed out elsewhere, deactivated). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

let beforeEach: ((path: string) => Promise<void> | undefined) | null = null;

/**
 * Runs before every request (and is waited for): the next contact first ends the devices signed
 * out while offline (app/lib/sign-out.ts). The hook answers undefined when it has nothing to do.
 */
export function beforeEachRequest(hook: (path: string) => Promise<void> | undefined): void {
  beforeEach = hook;
}

let waiting = 0;
let lastAnswerAt = 0;

/**
 * When the API last answered (`performance.now()`), or null while a request waits for its answer:
 * whether the app's screens have what they asked for (register-worker.ts waits for a quiet moment).
 */
export function answeredAllSince(): number | null {
  return waiting > 0 ? null : lastAnswerAt;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `{id}` in a path. */
export const segment = (id: string) => encodeURIComponent(id);

/**
 * Calls `/api/v1{path}`; answers the parsed JSON or throws an `ApiProblem`. Query values that are
 * undefined or empty are left out.
 */
export async function request<T>(method: Method, path: string, body?: unknown, query?: object): Promise<T> {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  waiting++;
  try {
    await beforeEach?.(path);
    const answered = method === 'GET' ? null : revisions.writing();
    try {
      return await send<T>(method, url, path, body, answered);
    } finally {
      answered?.(null);
    }
  } finally {
    waiting--;
    lastAnswerAt = performance.now();
  }
}

async function send<T>(
  method: Method,
  url: URL,
  path: string,
  body: unknown,
  answered: ((answer: WriteAnswer) => void) | null,
): Promise<T> {
  let response: Response;
  try {
    // The first screen's reads may already be on their way (app.html), with their copy's name.
    const early = method === 'GET' ? takeEarly(path + url.search) : undefined;
    const copyName = method === 'GET' && !early ? await offlineName() : null;
    response = await (early ?? fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        // Which person's offline copy the service worker may keep this answer in (and answer from).
        ...(copyName ? { [OFFLINE_COPY_HEADER]: copyName } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }));
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
  if (cachedAt) {
    connectivity.servedFromCache(new Date(cachedAt));
    revisions.servedFromCache();
  } else {
    connectivity.reachedServer();
    revisions.saw(revisionOf(response.headers));
  }

  const text = response.status === 204 ? '' : await response.text();
  answered?.({ revision: revisionOf(response.headers), ok: response.ok });
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. a proxy's error page): fall through to the generic message below.
  }
  if (response.ok) return (data ?? undefined) as T;

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
