/**
 * What a signed-in request brings to the Subscription object (`Call`), what it gets back
 * (`Reply`), and the transaction every call runs in.
 */
import type { Result } from '../domain/result';
import type { Credential } from './access';

/** An `Idempotency-Key` and the fingerprint of the request (method, path, body) it came with. */
export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

/** A signed-in request as the object sees it: who asks, and the Idempotency-Key it carried. */
export interface Call {
  credential: Credential;
  idempotency?: IdempotencyKey;
}

/**
 * What a signed-in call answers: its result, or (replayed: true) the result an earlier request
 * with the same Idempotency-Key got, and nothing ran again.
 */
export type Reply<T> = Answer<T> & {
  /**
   * The subscription's revision this answer reflects (SetMe-Revision): one more with every
   * committed change. Null for a caller who was not authenticated.
   */
  revision: number | null;
};

/**
 * What a way in answers (a sign-in, an accepted invitation or reset link, a new subscription): a
 * `Reply` the new device's first answer can carry, with the revision the call's commit left; null
 * when it was refused (nobody was signed in, so nobody learns it).
 */
export interface SignInReply<T> {
  result: Result<T>;
  replayed: false;
  revision: number | null;
}

/** A reply without its revision. */
export type Answer<T> = { result: Result<T>; replayed: boolean } | StoredReply;

/**
 * An answer stored before migration 7 as the HTTP response it was, replayed as it is. None is left
 * 48 hours after that migration ran; then this can go.
 */
export interface StoredReply {
  replayed: true;
  stored: { status: number; body: string };
}

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

/**
 * Runs `body` in one SQLite transaction and commits only if `commit(value)` says so; otherwise
 * everything `body` wrote is rolled back (a private sentinel thrown inside `transactionSync`).
 * Either way the value is returned. An exception rolls back too, and is rethrown.
 * @example transaction(storage, () => work(), (result) => result.ok)
 */
export function transaction<T>(storage: DurableObjectStorage, body: () => T, commit: (value: T) => boolean): T {
  try {
    return storage.transactionSync(() => {
      const value = body();
      if (!commit(value)) throw new Rollback(value);
      return value;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
}
