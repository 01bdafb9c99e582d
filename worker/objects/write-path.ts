/**
 * The one way a call of the Subscription object touches its storage. Every RPC method runs its
 * work through `as` (a signed-in caller) or `anonymous` (sign-in steps, the email index, timers):
 * ONE `transactionSync` that authenticates the caller (a signed-out device or deactivated user is
 * refused by the very call that would act; activity timestamps are written in it too), checks the
 * role, looks up the Idempotency-Key, runs the work, gives a seat it freed to the waitlist, raises
 * the revision and stores the key's answer. A refusal from the work rolls back everything the call
 * wrote, so it can never commit by accident. After a commit that wrote something, the alarm is set
 * for the earliest timer and live clients are told, once per turn.
 */
import type { Failure, Result } from '../domain/result';
import { authenticate, type Actor } from './access';
import { annotateAuditSince, auditMark } from './audit';
import { transaction, type Answer, type Call, type IdempotencyKey, type Reply, type SignInReply } from './call';
import { keyInProgress, keyReused, priorAnswer, storeAnswer } from './idempotency';
import { discardEvents, publishEvents } from './events';
import { broadcast, changedMessage, nextRevision, revisionOf } from './live';
import { mayManageSeats } from './pools';
import { fillFromWaitlist } from './seat-requests';
import type { Sql } from './sql';
import { nextDue, timerWrites } from './timers';

/**
 * Who may make a call: any active user of the subscription, only its administrators, or whoever
 * may manage the seats of the users it touches (`seatsOf`: administrators, and team managers for
 * members of their pools; see `mayManageSeats`). The one place a call's permission is decided.
 */
export type Access = 'member' | 'administrator' | { seatsOf: (sql: Sql) => readonly string[] };

interface RunOptions<T> {
  /** The call's writes change nothing anyone sees (a heartbeat): live clients are not told. */
  silent?: boolean;
  /**
   * For answers with a secret the Worker made (an invitation link, a token): the secret is not
   * kept, so the key's stored answer is this refusal, saying what was made and how to get a new one.
   */
  secret?: (value: T) => Failure;
  /** The second half of a call `precheck` put in flight: it is that flight, not a duplicate of it. */
  inFlight?: boolean;
  /**
   * What a refusal from the work still writes (a wrong password counts toward its throttle): run in
   * its own transaction right after the call's was rolled back, with nothing in between, so the
   * check that refused and this count are one step for every other request.
   */
  onRefusal?: (failure: Failure, actor: Actor, now: number) => void;
  /**
   * For `anonymous` (a timer): the work's value says whether anyone could see a change. When not,
   * the call is silent (no revision, no live message) though it wrote its bookkeeping (a timer re-armed).
   */
  quietWhen?: (value: T) => boolean;
}

/** What the work did. */
interface Done<T> {
  result: Result<T>;
  /** It succeeded and wrote something. */
  wrote: boolean;
  /** What it wrote is for nobody to see: no revision, no live message (`silent`, or `quietWhen`). */
  quiet: boolean;
  /** The revision it raised the subscription to; undefined when it raised none. */
  revision?: number;
}

/** How a signed-in call went, inside its transaction. */
interface Outcome<T> {
  answer: Answer<T>;
  wrote?: boolean;
  /** The revision the work raised the subscription to, if it did. */
  revision?: number;
  /** The work of this user refused: the refusal is the answer to their key. */
  refusedBy?: Actor;
}

/** A keyed call in flight: per user and key. */
const flightOf = (userId: string, key: IdempotencyKey) => `${userId} ${key.key}`;

export class WritePath {
  readonly #ctx: DurableObjectState;
  readonly #sql: Sql;
  /** Keyed calls running across an await, with their request's fingerprint (see `precheck`). */
  readonly #inFlight = new Map<string, string>();
  #broadcastQueued = false;
  /** When the alarm is set for, as far as this instance knows (undefined: not known). */
  #alarmAt: number | null | undefined = undefined;
  /** `timerWrites` when the alarm was last looked at: unchanged, no timer moved since. */
  #alarmTimerWrites = -1;
  /** The time calls run at while `replayAt` runs a step of the past; null: the clock. */
  #replaying: number | null = null;

  constructor(ctx: DurableObjectState, sql: Sql) {
    this.#ctx = ctx;
    this.#sql = sql;
  }

  /**
   * Runs `work` for the active user behind the call (an administrator, for `administrator`) in ONE
   * transaction that also authenticates them (a signed-out device or deactivated user is refused by
   * the very call that would act) and, for a call with an Idempotency-Key, looks the key up
   * (used with another request: 422; answered: the answer, replayed) and stores the answer with
   * the work. A refusal from the work rolls back everything the call wrote; it is then stored as
   * the key's answer on its own (a crash in between leaves the key unused, and nothing happened).
   */
  as<T>(call: Call, access: Access, work: (actor: Actor, now: number) => Result<T>, options: RunOptions<T> = {}): Reply<T> {
    const now = this.#now();
    const key = call.idempotency;
    const outcome = transaction(
      this.#ctx.storage,
      (): Outcome<T> => {
        const admitted = this.#admit<T>(call, access, now, options);
        if ('answer' in admitted) return admitted;
        const { actor } = admitted;
        const mark = key ? auditMark(this.#sql) : 0;
        const done = this.#work(actor, now, work, options);
        if (!done.result.ok) return { answer: { result: done.result, replayed: false }, refusedBy: actor };
        if (key) {
          annotateAuditSince(this.#sql, mark, { idempotencyKey: key.key });
          storeAnswer(this.#sql, actor.id, key, options.secret ? options.secret(done.result.value) : done.result, now);
        }
        return { answer: { result: done.result, replayed: false }, wrote: done.wrote, revision: done.revision };
      },
      (outcome) => 'result' in outcome.answer && outcome.answer.result.ok,
    );
    const { refusedBy, answer } = outcome;
    if (refusedBy && (key || options.onRefusal) && 'result' in answer && !answer.result.ok) {
      const failure = answer.result;
      this.#ctx.storage.transactionSync(() => {
        options.onRefusal?.(failure, refusedBy, now);
        if (key) storeAnswer(this.#sql, refusedBy.id, key, failure, now);
      });
    }
    if (outcome.wrote) this.#afterCommit(options);
    return this.#reply(outcome.answer, outcome.revision);
  }

  /**
   * The first half of a signed-in call that must await another object before its write: admits the
   * caller (a finished Idempotency-Key is answered here, before anything is claimed) and runs
   * `check`, which only reads (so this transaction is rolled back whatever happens; the write
   * records the caller's activity). A refusal is the key's answer. On success a keyed call is in
   * flight until `landed()`, and a duplicate meanwhile gets 409 `idempotency_in_progress`; the
   * write then goes through `as` with `inFlight`, which checks everything again.
   */
  precheck<T, C>(
    call: Call,
    access: Access,
    check: (actor: Actor, now: number) => Result<C>,
  ): { reply: Reply<T> } | { value: C; landed: () => void } {
    const now = this.#now();
    const key = call.idempotency;
    const step = transaction(
      this.#ctx.storage,
      (): { answer: Answer<T> } | { checked: Result<C>; userId: string } => {
        const admitted = this.#admit<T>(call, access, now, {});
        return 'answer' in admitted ? admitted : { checked: check(admitted.actor, now), userId: admitted.actor.id };
      },
      () => false,
    );
    if ('answer' in step) return { reply: this.#reply(step.answer) };
    if (!step.checked.ok) {
      if (key) this.#storeRefusal(step.userId, key, step.checked, now);
      return { reply: this.#reply({ result: step.checked, replayed: false }) };
    }
    return { value: step.checked.value, landed: key ? this.#takeOff(step.userId, key) : () => {} };
  }

  /**
   * A refusal decided by another object, which a retry may find changed: answered as it is, and
   * not stored as the call's Idempotency-Key answer (nothing was written, so running again is safe).
   */
  unstoredRefusal<T>(failure: Failure): Reply<T> {
    return this.#reply({ result: failure, replayed: false });
  }

  /** Runs `work` for no signed-in caller (sign-in steps, the email index, timers), in one transaction like `as`. */
  anonymous<T>(work: (actor: null, now: number) => Result<T>, options: RunOptions<T> = {}): Result<T> {
    return this.#anonymous(work, options).result;
  }

  /**
   * Runs a way in (signing a device in: a password or passkey, an invitation or reset link, a new
   * subscription) like `anonymous`, answered with the revision its own commit left, as GET /me
   * right after would be. The new device's first answer then says which revision it reflects, like
   * every later one: without it the app's first live message, of that very revision, looked
   * unknown and every screen it had just loaded was fetched again. A refusal tells no revision.
   */
  signIn<T>(work: (actor: null, now: number) => Result<T>): SignInReply<T> {
    const done = this.#anonymous(work, {});
    // Read before anything else can run: nothing awaits between the commit and here.
    const revision = done.result.ok ? (done.revision ?? revisionOf(this.#sql)) : null;
    return { result: done.result, replayed: false, revision };
  }

  #anonymous<T>(work: (actor: null, now: number) => Result<T>, options: RunOptions<T>): Done<T> {
    const now = this.#now();
    const done = transaction(this.#ctx.storage, () => this.#work(null, now, work, options), (done) => done.result.ok);
    if (done.result.ok && done.wrote) this.#afterCommit({ silent: done.quiet });
    return done;
  }

  /**
   * Runs `step` — synchronous calls through this write path — as if it were `at`: the local demo
   * replays its 60-day story through the object's own methods with past times (objects/demo.ts,
   * reachable only in local development). Nothing else runs meanwhile: `step` never awaits.
   * @example calls.replayAt(Date.parse('2026-10-02T09:00:00Z'), () => subscription.assignSeat(call, userId))
   */
  replayAt<T>(at: number, step: () => T): T {
    if (this.#replaying !== null) throw new Error('replayAt does not nest');
    this.#replaying = at;
    try {
      const value = step();
      if (value instanceof Promise) throw new Error('replayAt runs synchronous steps only');
      return value;
    } finally {
      this.#replaying = null;
    }
  }

  /** The time a call runs at. */
  #now(): number {
    return this.#replaying ?? Date.now();
  }

  /** Authenticates a call and looks up its Idempotency-Key: the caller, or already the call's answer. */
  #admit<T>(call: Call, access: Access, now: number, options: RunOptions<T>): { actor: Actor } | { answer: Answer<T> } {
    const actor = authenticate(this.#sql, call.credential, now, access === 'administrator' ? 'administrator' : undefined);
    if (!actor.ok) return { answer: { result: actor, replayed: false } };
    const refused = typeof access === 'object' ? mayManageSeats(this.#sql, actor.value, access.seatsOf(this.#sql)) : null;
    if (refused) return { answer: { result: refused, replayed: false } };
    const key = call.idempotency;
    if (!key) return { actor: actor.value };
    const prior = priorAnswer(this.#sql, actor.value.id, key, now);
    if (prior?.kind === 'refused') return { answer: { result: prior.failure, replayed: false } };
    // The stored answer has this call's result type: a request with the same fingerprint stored it.
    if (prior?.kind === 'answer') return { answer: { result: prior.result as Result<T>, replayed: true } };
    if (prior?.kind === 'stored') return { answer: { stored: { status: prior.status, body: prior.body }, replayed: true } };
    const flying = options.inFlight ? undefined : this.#inFlight.get(flightOf(actor.value.id, key));
    if (flying !== undefined) return { answer: { result: flying === key.fingerprint ? keyInProgress() : keyReused(), replayed: false } };
    return { actor: actor.value };
  }

  /**
   * Runs the work. If it wrote something, a seat it freed goes to the waitlist in the same
   * transaction, its events are published to the outbox, and (unless silent) the subscription's
   * revision goes up by one.
   */
  #work<A, T>(actor: A, now: number, work: (actor: A, now: number) => Result<T>, options: RunOptions<T>): Done<T> {
    return this.#sql.keepingReads(() => {
      const before = this.#sql.written;
      discardEvents(this.#sql);
      const result = work(actor, now);
      const wrote = result.ok && this.#sql.written > before;
      if (wrote) fillFromWaitlist(this.#sql, now);
      // The events of what the call did (and a seats threshold it crossed) go to the outbox with it.
      if (wrote) publishEvents(this.#sql, now);
      const quiet = options.silent === true || (result.ok && options.quietWhen?.(result.value) === true);
      const revision = wrote && !quiet ? nextRevision(this.#sql) : undefined;
      return { result, wrote, quiet, revision };
    });
  }

  /**
   * The answer with the revision it reflects, which only an authenticated caller learns: the one
   * its work raised the subscription to, else the stored one.
   */
  #reply<T>(answer: Answer<T>, raised?: number): Reply<T> {
    const unauthenticated = 'result' in answer && !answer.result.ok && answer.result.code === 'unauthenticated';
    return { ...answer, revision: unauthenticated ? null : (raised ?? revisionOf(this.#sql)) };
  }

  /** A refusal as the answer to a key, in its own small transaction after the call's was rolled back. */
  #storeRefusal(userId: string, key: IdempotencyKey, failure: Result<unknown>, now: number): void {
    this.#ctx.storage.transactionSync(() => storeAnswer(this.#sql, userId, key, failure, now));
  }

  /** After a commit that wrote something: the alarm is set for the earliest timer, and live clients are told. */
  #afterCommit(options: RunOptions<never>): void {
    this.armAlarm();
    if (!options.silent) this.#notify();
  }

  /** Marks a keyed call as running (in memory only: a restart forgets it); the returned function lands it. */
  #takeOff(userId: string, key: IdempotencyKey): () => void {
    const flight = flightOf(userId, key);
    this.#inFlight.set(flight, key.fingerprint);
    return () => this.#inFlight.delete(flight);
  }

  #notify(): void {
    if (this.#broadcastQueued) return;
    this.#broadcastQueued = true;
    queueMicrotask(() => {
      this.#broadcastQueued = false;
      // Nobody watching (scripts, the Expert Console): no message to build.
      const sockets = this.#ctx.getWebSockets();
      if (sockets.length > 0) broadcast(sockets, changedMessage(this.#sql, Date.now()));
    });
  }

  /** Keeps the object's one alarm at the earliest timer. */
  armAlarm(): void {
    // Most changes set or clear no timer: then the earliest is still the one the alarm is set for.
    const writes = timerWrites(this.#sql);
    if (this.#alarmAt !== undefined && writes === this.#alarmTimerWrites) return;
    this.#alarmTimerWrites = writes;
    const next = nextDue(this.#sql);
    if (next === this.#alarmAt) return;
    this.#alarmAt = next;
    if (next === null) void this.#ctx.storage.deleteAlarm();
    else void this.#ctx.storage.setAlarm(next);
  }

  /** The alarm that woke the object is spent: the next `armAlarm` sets one whatever it remembers. */
  alarmSpent(): void {
    this.#alarmAt = undefined;
  }
}
