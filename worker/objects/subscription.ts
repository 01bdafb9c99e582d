/**
 * One Subscription object per subscription. It owns the subscription's users, seats, sign-in
 * devices, API tokens, invitations, idempotency records and audit log, and it serializes every
 * change to them.
 *
 * This file is the RPC surface and the one way a call touches storage (`#as`, `#anonymous`, both
 * through `#transaction`): every public method runs its work, a plain function of
 * `(sql, actor, input, now)` from the module named beside its section, inside one synchronous
 * transaction that also authenticates the caller. A refusal rolls back whatever the call wrote.
 * Methods that must reach another object (the email index) check first, await, and let the
 * transaction check again, because an outgoing call lets other requests run in between.
 */
import { DurableObject } from 'cloudflare:workers';
import type {
  ConsoleActivityReport,
  ConsoleSession,
  Device,
  Heartbeat,
  IdleSeatsReport,
  Passkey,
  ReleaseChoice,
  SeatRequest,
  StartedConsoleSession,
  UtilisationReport,
} from '../contract';
import type { PasswordHash } from '../crypto';
import { fail, ok, type Failure, type Result } from '../domain/result';
import { authenticate, recordLoginFailure, userDevices, type Actor, type NewDevice } from './access';
import { acceptInvitation, checkNewSubscription, completeLogin, createSubscription, logout, passwordFor, type Signup } from './account';
import { fireTimer } from './alarm';
import { annotateAuditSince, auditMark, auditPage, type AuditQuery } from './audit';
import { transaction, type Answer, type Call, type IdempotencyKey, type Reply } from './call';
import { closeSession, heartbeat, listSessions, startSession } from './console';
import { storedPassword, userPasskeys, type NewPasskey, type StoredPasskey, type StoredPassword } from './credentials';
import { claimEmail, confirmEmail, releaseEmail } from './email-index';
import { keyInProgress, keyReused, priorAnswer, storeAnswer } from './idempotency';
import { broadcast, changedMessage, closeSockets, credentialFromHeaders, nextRevision, revisionOf } from './live';
import { consoleActivityReport, idleSeatsReport, utilisationReport } from './reports';
import { DEFAULT_CHOICE, sessionsChanged } from './revocations';
import { migrate } from './migrate';
import { SUBSCRIPTION_MIGRATIONS } from './schema';
import {
  assignSeat,
  returnSeat,
  transferSeat,
  unassignSeat,
  updateSubscription,
  type SubscriptionChange,
  type TransferOptions,
} from './seat-admin';
import {
  approveRequest,
  cancelRequest,
  createRequest,
  declineRequest,
  fillFromWaitlist,
  listRequests,
  type ApprovalInput,
  type RequestQuery,
} from './seat-requests';
import {
  addPasskey,
  changePassword,
  completePasskeyLogin,
  completePasswordReset,
  deletePasskey,
  signOutDevice,
  signOutOtherDevices,
  passkeyForLogin,
  passkeyOwner,
  startPasswordReset,
  type PasswordChange,
} from './security';
import { Sql } from './sql';
import { dueTimers, nextDue, setTimer } from './timers';
import { createToken, deleteToken, listTokens, tokenCreatedOnce, type NewToken } from './tokens';
import {
  checkCreate,
  createdOnce,
  createUser,
  deleteUser,
  renewedOnce,
  renewInvitation,
  updateUser,
  type NewUser,
  type UserChange,
} from './user-admin';
import { accountOf, findUser, holdsEmail, subscriptionView, usersPage, type UserQuery } from './users';
import type { Account, ApiToken, AuditEntry, Page, SubscriptionView, User } from './views';


/** Who may make a call: any active user of the subscription, or only its administrators. */
type Access = 'member' | 'administrator';

interface RunOptions<T> {
  /** The call's writes change nothing anyone sees (a heartbeat): live clients are not told. */
  silent?: boolean;
  /**
   * For answers with a secret the Worker made (an invitation link, a token): the secret is not
   * kept, so the key's stored answer is this refusal, saying what was made and how to get a new one.
   */
  secret?: (value: T) => Failure;
  /** The second half of a call #precheck put in flight: it is that flight, not a duplicate of it. */
  inFlight?: boolean;
}

/** What the work did. */
interface Done<T> {
  result: Result<T>;
  /** It succeeded and wrote something. */
  wrote: boolean;
}

/** How a signed-in call went, inside its transaction. */
interface Outcome<T> {
  answer: Answer<T>;
  wrote?: boolean;
  /** The work refused: the refusal is the answer to this user's key. */
  refusedFor?: string;
}

/** A keyed call in flight: per user and key. */
const flightOf = (userId: string, key: IdempotencyKey) => `${userId} ${key.key}`;

export class Subscription extends DurableObject<Env> {
  readonly #sql: Sql;
  /** Keyed calls running across an await, with their request's fingerprint (see #precheck). */
  readonly #inFlight = new Map<string, string>();
  #broadcastQueued = false;
  /** When the alarm is set for, as far as this instance knows (undefined: not known). */
  #alarmAt: number | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql, ctx.storage, SUBSCRIPTION_MIGRATIONS);
      const next = nextDue(this.#sql);
      if (next !== null && (await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(next);
    });
    // Keep-alive pings are answered without waking the object from hibernation.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  // ── Live updates (live.ts) ─────────────────────────────────────────────────────────────────

  /**
   * Opens a live-update WebSocket for a signed-in user (the Worker routes `/api/v1/live` here with
   * the credential's hash). The socket uses the hibernation API, so idle connections cost nothing;
   * after every change each socket receives `{"type":"changed", revision, seats, at}`.
   */
  override async fetch(request: Request): Promise<Response> {
    const credential = credentialFromHeaders(request.headers);
    const reply = credential ? this.#as({ credential }, 'member', (actor) => ok(actor)) : null;
    const actor = reply && 'result' in reply && reply.result.ok ? reply.result.value : null;
    if (!actor) return new Response(null, { status: 401 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [actor.id]);
    pair[1].send(changedMessage(this.#sql, Date.now()));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(): void {
    // Clients only listen; "ping" is answered by the auto-response.
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    // Answer the client's close. Only 1000 and 3000–4999 may be sent; reserved codes such as 1006
    // (a tab that vanished without a close frame) would throw.
    const echo = code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
    try {
      ws.close(echo, 'closing');
    } catch {
      // Already closed.
    }
  }

  // ── Sign-up and sign-in (account.ts) ───────────────────────────────────────────────────────

  /**
   * Creates this subscription with its first user, an administrator, signed in. The email is
   * claimed service-wide first; a refusal after the claim frees it again.
   */
  async initialize(input: Signup): Promise<Result<Account>> {
    const fresh = this.#anonymous(() => checkNewSubscription(this.#sql));
    if (!fresh.ok) return fresh;
    if (!(await claimEmail(this.env.EMAIL_INDEX, input.email, input.subscriptionId, input.userId))) {
      return fail('email_taken', { email: input.email });
    }
    const created = this.#anonymous((_, now) => createSubscription(this.#sql, input, now));
    if (created.ok) await confirmEmail(this.env.EMAIL_INDEX, input.email, input.subscriptionId, input.userId);
    else await releaseEmail(this.env.EMAIL_INDEX, input.email, input.subscriptionId, input.userId);
    return created;
  }

  /**
   * The stored password of the user with this email, for the Worker to verify (hashing happens
   * there, so a slow PBKDF2 never holds up this subscription's other requests).
   */
  passwordFor(email: string): Result<StoredPassword | null> {
    return this.#anonymous((_, now) => passwordFor(this.#sql, email, now));
  }

  /** After the password matched: signs the device in (its cookie's hash), unless the user is deactivated. */
  completeLogin(userId: string, device: NewDevice): Result<Account> {
    return this.#anonymous((_, now) => completeLogin(this.#sql, userId, device, now));
  }

  /** Counts a failed password check toward the account's sign-in throttle. */
  recordFailedLogin(userId: string): Result<null> {
    return this.#anonymous((_, now) => {
      recordLoginFailure(this.#sql, userId, now);
      return ok(null);
    }, { silent: true });
  }

  /** Sets the password of an invited user, activates them and signs them in. */
  acceptInvitation(invitationHash: string, password: PasswordHash, device: NewDevice): Result<Account> {
    return this.#anonymous((_, now) => acceptInvitation(this.#sql, invitationHash, password, device, now));
  }

  /** Signs out the device behind this credential (API tokens are revoked, not signed out). */
  logout(call: Call): Reply<null> {
    return this.#as(call, 'member', () => logout(this.#sql, call.credential));
  }

  /** The caller and their subscription. */
  me(call: Call): Reply<Account> {
    return this.#as(call, 'member', (actor) => ok(accountOf(this.#sql, actor.id)));
  }

  // ── Account security: devices, passwords, passkeys (security.ts) ───────────────────────────

  /** The caller's signed-in devices, most recently used first. */
  listDevices(call: Call): Reply<Page<Device>> {
    const current = call.credential.kind === 'device' ? call.credential.hash : null;
    return this.#as(call, 'member', (actor, now) => ok({ items: userDevices(this.#sql, actor.id, current, now), nextCursor: null }));
  }

  /** Signs one of the caller's devices out. */
  signOutDevice(call: Call, deviceId: string): Reply<null> {
    return this.#as(call, 'member', (actor) => signOutDevice(this.#sql, actor, deviceId));
  }

  /** Signs every other device of the caller out; the one asking stays signed in. */
  signOutOtherDevices(call: Call): Reply<{ ended: number }> {
    return this.#as(call, 'member', (actor) => signOutOtherDevices(this.#sql, actor, call.credential));
  }

  /** The caller's stored password: its salt, for the Worker to hash the current one before a change. */
  ownPassword(call: Call): Reply<StoredPassword | null> {
    return this.#as(call, 'member', (actor) => ok(storedPassword(this.#sql, actor.id)));
  }

  /**
   * Sets the caller's new password and signs their other devices out, if `current` is their present
   * password (hashed by the Worker with its stored salt).
   */
  changePassword(call: Call, change: PasswordChange): Reply<null> {
    return this.#as(call, 'member', (actor, now) => changePassword(this.#sql, actor, call.credential, change, now));
  }

  /**
   * Starts a password reset for an active user with this email. Null (and nothing stored) for
   * anyone else, which the Worker answers exactly like a success, so emails cannot be probed.
   */
  startPasswordReset(email: string, tokenHash: string): Result<{ name: string; email: string; expiresAt: string } | null> {
    return this.#anonymous((_, now) => startPasswordReset(this.#sql, email, tokenHash, now));
  }

  /** Sets a new password from a reset link (once), signs every device out, and signs this one in. */
  completePasswordReset(tokenHash: string, password: PasswordHash, device: NewDevice): Result<Account> {
    return this.#anonymous((_, now) => completePasswordReset(this.#sql, tokenHash, password, device, now));
  }

  /** Who is registering a passkey, and the passkeys they already have (not to register twice). */
  passkeyOwner(call: Call): Reply<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
    return this.#as(call, 'member', (actor) => passkeyOwner(this.#sql, actor));
  }

  /** Stores a verified passkey for the caller. */
  addPasskey(call: Call, passkey: NewPasskey): Reply<Passkey[]> {
    return this.#as(call, 'member', (actor, now) => addPasskey(this.#sql, actor, passkey, now));
  }

  /** A passkey presented at sign-in, if it belongs to an active user here. */
  passkeyForLogin(userId: string, credentialId: string): Result<StoredPasskey | null> {
    return this.#anonymous(() => passkeyForLogin(this.#sql, userId, credentialId));
  }

  /** Records a verified passkey sign-in (its new signature counter) and signs the device in. */
  completePasskeyLogin(login: { userId: string; credentialId: string; counter: number }, device: NewDevice): Result<Account> {
    return this.#anonymous((_, now) => completePasskeyLogin(this.#sql, login, device, now));
  }

  /** The caller's passkeys. */
  listPasskeys(call: Call): Reply<Page<Passkey>> {
    return this.#as(call, 'member', (actor) => ok({ items: userPasskeys(this.#sql, actor.id), nextCursor: null }));
  }

  /** Removes one of the caller's passkeys. */
  deletePasskey(call: Call, passkeyId: string): Reply<null> {
    return this.#as(call, 'member', (actor, now) => deletePasskey(this.#sql, actor, passkeyId, now));
  }

  // ── API tokens (tokens.ts) ─────────────────────────────────────────────────────────────────

  /**
   * Stores a personal API token (its hash) that acts with the creator's role. Its secret is made
   * and shown by the Worker, once: a retry with the same Idempotency-Key is refused with what was made.
   */
  createToken(call: Call, token: NewToken): Reply<ApiToken> {
    return this.#as(call, 'member', (actor, now) => createToken(this.#sql, actor, token, now), { secret: tokenCreatedOnce });
  }

  /** The caller's own API tokens, newest first. */
  listTokens(call: Call): Reply<Page<ApiToken>> {
    return this.#as(call, 'member', (actor) => listTokens(this.#sql, actor));
  }

  /** Revokes a token: the caller's own, or any in the subscription for an administrator. */
  deleteToken(call: Call, tokenId: string): Reply<null> {
    return this.#as(call, 'member', (actor, now) => deleteToken(this.#sql, actor, tokenId, now));
  }

  // ── The subscription (seat-admin.ts) ───────────────────────────────────────────────────────

  /** The subscription with its seat counts. */
  getSubscription(call: Call): Reply<SubscriptionView> {
    return this.#as(call, 'member', () => ok(subscriptionView(this.#sql)));
  }

  /**
   * Renames the subscription, changes its purchased seats (never below the seats held), or turns
   * on or off giving freed seats to the oldest pending request.
   */
  updateSubscription(call: Call, change: SubscriptionChange): Reply<SubscriptionView> {
    return this.#as(call, 'administrator', (actor, now) => updateSubscription(this.#sql, actor, change, now));
  }

  // ── Users (users.ts, user-admin.ts) ────────────────────────────────────────────────────────

  /** One page of users, oldest first, filtered by seat, role, status and a search on name or email. */
  listUsers(call: Call, query: UserQuery): Reply<Page<User>> {
    return this.#as(call, 'member', () => usersPage(this.#sql, query));
  }

  /** One user of this subscription. */
  getUser(call: Call, userId: string): Reply<User> {
    return this.#as(call, 'member', () => findUser(this.#sql, userId));
  }

  /**
   * Creates a user with an invitation to set their password, and a seat unless `assignSeat` is
   * false. With no free seat nothing is created, and the email stays free. The email is claimed
   * service-wide between a first check and the write, which checks everything again. The
   * invitation link is made and shown by the Worker, once: a retry is refused with what was made.
   */
  async createUser(call: Call, input: NewUser): Promise<Reply<{ user: User; invitationExpiresAt: string }>> {
    const checked = this.#precheck<{ user: User; invitationExpiresAt: string }, string>(call, 'administrator', () => {
      const allowed = checkCreate(this.#sql, input);
      return allowed.ok ? ok(subscriptionView(this.#sql).id) : allowed;
    });
    if ('reply' in checked) return checked.reply;
    const subscriptionId = checked.value;
    try {
      const claimed = await claimEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
      const created = this.#as(
        call,
        'administrator',
        (actor, now) => (claimed ? createUser(this.#sql, actor, input, now) : fail('email_taken', { email: input.email })),
        { secret: createdOnce, inFlight: true },
      );
      if (claimed && 'result' in created && created.result.ok) await confirmEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
      else if (claimed) await releaseEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
      return created;
    } finally {
      checked.landed();
    }
  }

  /**
   * Replaces an invited user's invitation link with a new one (the old link stops working). The
   * link is shown by the Worker, once: a retry with the same Idempotency-Key is refused.
   */
  renewInvitation(call: Call, userId: string, invitation: { hash: string; expiresAt: string }): Reply<User> {
    return this.#as(call, 'administrator', (_, now) => renewInvitation(this.#sql, userId, invitation, now), { secret: renewedOnce });
  }

  /**
   * Renames a user, changes their role or status. Deactivating frees their seat and ends their
   * console sessions, signs their devices out, revokes their tokens and closes their live sockets.
   * The last active administrator keeps their role and status.
   */
  updateUser(call: Call, userId: string, change: UserChange): Reply<User> {
    const updated = this.#as(call, 'administrator', (actor, now) => updateUser(this.#sql, actor, userId, change, now));
    if ('result' in updated && updated.result.ok && updated.result.value.status === 'deactivated') closeSockets(this.ctx.getWebSockets(userId));
    return updated;
  }

  /** Deletes a user, freeing their seat and ending their access; their email becomes free again. */
  async deleteUser(call: Call, userId: string): Promise<Reply<null>> {
    const deleted = this.#as(call, 'administrator', (actor, now) => deleteUser(this.#sql, actor, userId, now));
    if (!('result' in deleted)) return deleted;
    if (!deleted.result.ok) return { ...deleted, result: deleted.result };
    if (!deleted.replayed) {
      closeSockets(this.ctx.getWebSockets(userId));
      // After the commit: a crash before this leaves a claim the index repairs by asking holdsEmail.
      await releaseEmail(this.env.EMAIL_INDEX, deleted.result.value.email, subscriptionView(this.#sql).id, userId);
    }
    return { ...deleted, result: ok(null) };
  }

  // ── Seats (seat-admin.ts) ──────────────────────────────────────────────────────────────────

  /**
   * Gives a user a seat if one is free, optionally time-boxed `until` a time (then it is freed).
   * Idempotent: a user who holds one keeps it, with its end set to `until` (none without), and a
   * revocation waiting on it is cancelled.
   */
  assignSeat(call: Call, userId: string, options: { until?: string | null } = {}): Reply<User> {
    return this.#as(call, 'administrator', (actor, now) => assignSeat(this.#sql, actor, userId, options, now));
  }

  /**
   * Takes a user's seat back. Idempotent: a user without one stays without. If they are connected
   * to computers, `choice` says when: now (their sessions end), after a grace period, or after
   * their last session; until then the seat stays theirs, shown in `seat.revocation`.
   */
  unassignSeat(call: Call, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Reply<User> {
    return this.#as(call, 'administrator', (actor, now) => unassignSeat(this.#sql, actor, userId, choice, now));
  }

  /**
   * Moves a seat from one user to another in one step: it works even when every seat is taken.
   * With `until`, the seat is lent: it returns to `from` then. If `from` is connected, the move
   * waits as the administrator chose (see unassignSeat), and completes then.
   */
  transferSeat(call: Call, move: { from: string; to: string } & TransferOptions): Reply<{ from: User; to: User }> {
    return this.#as(call, 'administrator', (actor, now) => transferSeat(this.#sql, actor, move, now));
  }

  /**
   * Ends a time-boxed seat early: it returns to its lender if they can take it, otherwise it is
   * freed. Connected holders are treated as `choice` says, like unassignSeat.
   */
  returnSeat(call: Call, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Reply<User> {
    return this.#as(call, 'administrator', (actor, now) => returnSeat(this.#sql, actor, userId, choice, now));
  }

  // ── Expert Console (console.ts) ────────────────────────────────────────────────────────────

  /**
   * Lets the caller's Expert Console connect to a computer, if and only if they hold a seat that is
   * not being taken back. The session must send a heartbeat every `heartbeatSeconds`.
   */
  startConsoleSession(call: Call, session: { id: string; computer: string }): Reply<StartedConsoleSession> {
    return this.#as(call, 'member', (actor, now) => startSession(this.#sql, actor, session, now));
  }

  /** The caller's session is still running; the answer says whether their seat is leaving. */
  heartbeatConsoleSession(call: Call, sessionId: string): Reply<Heartbeat> {
    // A heartbeat changes nothing anyone sees: live clients are not told.
    return this.#as(call, 'member', (actor, now) => heartbeat(this.#sql, actor, sessionId, now), { silent: true });
  }

  /** Ends a session: the caller's own, or anyone's for an administrator. */
  endConsoleSession(call: Call, sessionId: string): Reply<null> {
    return this.#as(call, 'member', (actor, now) => {
      const closed = closeSession(this.#sql, actor, sessionId, now);
      if (!closed.ok) return closed;
      sessionsChanged(this.#sql, closed.value, now);
      return ok(null);
    });
  }

  /** Active console sessions: all (or one user's) for administrators, their own for technicians. */
  listConsoleSessions(call: Call, userId?: string): Reply<Page<ConsoleSession>> {
    return this.#as(call, 'member', (actor) => {
      const sessions = listSessions(this.#sql, actor, userId);
      return sessions.ok ? ok({ items: sessions.value, nextCursor: null }) : sessions;
    });
  }

  // ── Seat requests (seat-requests.ts) ───────────────────────────────────────────────────────

  /** The caller asks for a seat, with a reason; with automatic assignment it may be approved at once. */
  createSeatRequest(call: Call, request: { id: string; reason: string }): Reply<SeatRequest> {
    return this.#as(call, 'member', (actor, now) => createRequest(this.#sql, actor, request, now));
  }

  /** Seat requests, oldest first: all for administrators, their own for technicians. */
  listSeatRequests(call: Call, query: RequestQuery): Reply<Page<SeatRequest>> {
    return this.#as(call, 'member', (actor) => listRequests(this.#sql, actor, query));
  }

  /** Approves a pending request: a free seat, or one transferred `from` a holder; lent `until` a time. */
  approveSeatRequest(call: Call, requestId: string, input: ApprovalInput): Reply<{ request: SeatRequest; user: User; from: User | null }> {
    return this.#as(call, 'administrator', (actor, now) => approveRequest(this.#sql, actor, requestId, input, now));
  }

  /** Declines a pending request with an optional note. */
  declineSeatRequest(call: Call, requestId: string, note: string | null): Reply<SeatRequest> {
    return this.#as(call, 'administrator', (actor, now) => declineRequest(this.#sql, actor, requestId, note, now));
  }

  /** Withdraws a pending request: the requester's own, or any for an administrator. */
  cancelSeatRequest(call: Call, requestId: string): Reply<null> {
    return this.#as(call, 'member', (actor, now) => cancelRequest(this.#sql, actor, requestId, now));
  }

  // ── Reports (reports.ts) ───────────────────────────────────────────────────────────────────

  /** Seats assigned against purchased per UTC day, replayed from the audit log (administrators). */
  utilisationReport(call: Call, period: { from?: string; to?: string }): Reply<UtilisationReport> {
    return this.#as(call, 'administrator', (_, now) => utilisationReport(this.#sql, period, now));
  }

  /** Console sessions and connected time per user over the last `days` days (administrators). */
  consoleActivityReport(call: Call, days: number): Reply<ConsoleActivityReport> {
    return this.#as(call, 'administrator', (_, now) => ok(consoleActivityReport(this.#sql, days, now)));
  }

  /** Seats unused for `days` days, each with a reassignment suggestion (administrators). */
  idleSeatsReport(call: Call, days: number): Reply<IdleSeatsReport> {
    return this.#as(call, 'administrator', (_, now) => ok(idleSeatsReport(this.#sql, days, now)));
  }

  // ── Timers (timers.ts, alarm.ts) ───────────────────────────────────────────────────────────

  /**
   * Runs every due timer (grace ends, loan ends, heartbeat deadlines), each in its own transaction,
   * then sets the alarm for the next one. A timer that fails is logged and retried a minute later,
   * so it cannot hold up the others.
   */
  override alarm(): void {
    this.#alarmAt = undefined; // The alarm that woke us is spent.
    for (const timer of dueTimers(this.#sql, Date.now())) {
      try {
        this.#anonymous((_, now) => {
          fireTimer(this.#sql, timer, now);
          return ok(null);
        });
      } catch (error) {
        console.error('timer failed', timer, error);
        this.#anonymous((_, now) => {
          setTimer(this.#sql, timer.kind, timer.ref, now + 60_000);
          return ok(null);
        }, { silent: true });
      }
    }
    this.#armAlarm();
  }

  // ── Audit log (audit.ts) ───────────────────────────────────────────────────────────────────

  /** One page of the audit log, newest first. */
  listAudit(call: Call, query: AuditQuery): Reply<Page<AuditEntry>> {
    return this.#as(call, 'administrator', () => auditPage(this.#sql, query));
  }

  // ── For the email index ────────────────────────────────────────────────────────────────────

  /** Whether a user of this subscription still has this email (the index asks when a claim looks stale). */
  holdsEmail(email: string, userId: string): boolean {
    const held = this.#anonymous(() => ok(holdsEmail(this.#sql, email, userId)));
    return held.ok && held.value;
  }

  // ── The one way a call touches storage ─────────────────────────────────────────────────────

  /**
   * Runs `work` for the active user behind the call (an administrator, for `administrator`) in ONE
   * transaction that also authenticates them (a signed-out device or deactivated user is refused by
   * the very call that would act) and, for a call with an Idempotency-Key, looks the key up
   * (used with another request: 422; answered: the answer, replayed) and stores the answer with
   * the work. A refusal from the work rolls back everything the call wrote; it is then stored as
   * the key's answer on its own (a crash in between leaves the key unused, and nothing happened).
   */
  #as<T>(call: Call, access: Access, work: (actor: Actor, now: number) => Result<T>, options: RunOptions<T> = {}): Reply<T> {
    const now = Date.now();
    const key = call.idempotency;
    const outcome = transaction(
      this.ctx.storage,
      (): Outcome<T> => {
        const admitted = this.#admit<T>(call, access, now, options);
        if ('answer' in admitted) return admitted;
        const { actor } = admitted;
        const mark = key ? auditMark(this.#sql) : 0;
        const done = this.#work(actor, now, work, options);
        if (!done.result.ok) return { answer: { result: done.result, replayed: false }, refusedFor: actor.id };
        if (key) {
          annotateAuditSince(this.#sql, mark, { idempotencyKey: key.key });
          storeAnswer(this.#sql, actor.id, key, options.secret ? options.secret(done.result.value) : done.result, now);
        }
        return { answer: { result: done.result, replayed: false }, wrote: done.wrote };
      },
      (outcome) => 'result' in outcome.answer && outcome.answer.result.ok,
    );
    if (key && outcome.refusedFor && 'result' in outcome.answer) this.#storeRefusal(outcome.refusedFor, key, outcome.answer.result, now);
    if (outcome.wrote) this.#afterCommit(options);
    return this.#reply(outcome.answer);
  }

  /**
   * The first half of a signed-in call that must await another object before its write: admits the
   * caller (a finished Idempotency-Key is answered here, before anything is claimed) and runs
   * `check`, which only reads (so this transaction is rolled back whatever happens; the write
   * records the caller's activity). A refusal is the key's answer. On success a keyed call is in
   * flight until `landed()`, and a duplicate meanwhile gets 409 `idempotency_in_progress`; the
   * write then goes through #as with `inFlight`, which checks everything again.
   */
  #precheck<T, C>(
    call: Call,
    access: Access,
    check: (actor: Actor, now: number) => Result<C>,
  ): { reply: Reply<T> } | { value: C; landed: () => void } {
    const now = Date.now();
    const key = call.idempotency;
    const step = transaction(
      this.ctx.storage,
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

  /** Runs `work` for no signed-in caller (sign-in steps, the email index, timers), in one transaction like #as. */
  #anonymous<T>(work: (actor: null, now: number) => Result<T>, options: RunOptions<T> = {}): Result<T> {
    const now = Date.now();
    const done = transaction(this.ctx.storage, () => this.#work(null, now, work, options), (done) => done.result.ok);
    if (done.result.ok && done.wrote) this.#afterCommit(options);
    return done.result;
  }

  /** Authenticates a call and looks up its Idempotency-Key: the caller, or already the call's answer. */
  #admit<T>(call: Call, access: Access, now: number, options: RunOptions<T>): { actor: Actor } | { answer: Answer<T> } {
    const actor = authenticate(this.#sql, call.credential, now, access === 'administrator' ? 'administrator' : undefined);
    if (!actor.ok) return { answer: { result: actor, replayed: false } };
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
   * transaction, and (unless silent) the subscription's revision goes up by one.
   */
  #work<A, T>(actor: A, now: number, work: (actor: A, now: number) => Result<T>, options: RunOptions<T>): Done<T> {
    const before = this.#sql.written;
    const result = work(actor, now);
    const wrote = result.ok && this.#sql.written > before;
    if (wrote) fillFromWaitlist(this.#sql, now);
    if (wrote && !options.silent) nextRevision(this.#sql);
    return { result, wrote };
  }

  /** The answer with the revision it reflects, which only an authenticated caller learns. */
  #reply<T>(answer: Answer<T>): Reply<T> {
    const unauthenticated = 'result' in answer && !answer.result.ok && answer.result.code === 'unauthenticated';
    return { ...answer, revision: unauthenticated ? null : revisionOf(this.#sql) };
  }

  /** A refusal as the answer to a key, in its own small transaction after the call's was rolled back. */
  #storeRefusal(userId: string, key: IdempotencyKey, failure: Result<unknown>, now: number): void {
    this.ctx.storage.transactionSync(() => storeAnswer(this.#sql, userId, key, failure, now));
  }

  /** After a commit that wrote something: the alarm is set for the earliest timer, and live clients are told. */
  #afterCommit(options: RunOptions<never>): void {
    this.#armAlarm();
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
      broadcast(this.ctx.getWebSockets(), changedMessage(this.#sql, Date.now()));
    });
  }

  /** Keeps the object's one alarm at the earliest timer. */
  #armAlarm(): void {
    const next = nextDue(this.#sql);
    if (next === this.#alarmAt) return;
    this.#alarmAt = next;
    if (next === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(next);
  }
}
