/**
 * One Subscription object per subscription. It owns the subscription's users, seats, sign-in
 * sessions, API tokens, invitations, idempotency records and audit log, and it serializes every
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
import { authenticate, recordLoginFailure, userSessions, type Actor, type Credential, type NewSession } from './access';
import { acceptInvitation, checkNewSubscription, completeLogin, createSubscription, logout, passwordFor, type Signup } from './account';
import { fireTimer } from './alarm';
import { auditPage, type AuditQuery } from './audit';
import { closeSession, heartbeat, listSessions, startSession } from './console';
import { storedPassword, userPasskeys, type NewPasskey, type StoredPasskey, type StoredPassword } from './credentials';
import { claimEmail, confirmEmail, releaseEmail } from './email-index';
import { beginIdempotent, completeIdempotent, type IdempotencyStart } from './idempotency';
import { broadcast, changedMessage, closeSockets, credentialFromHeaders } from './live';
import { consoleActivityReport, idleSeatsReport, utilisationReport } from './reports';
import { DEFAULT_CHOICE, sessionsChanged } from './revocations';
import { migrate } from './schema';
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
  endOtherSessions,
  endSession,
  passkeyForLogin,
  passkeyOwner,
  startPasswordReset,
} from './security';
import { Sql } from './sql';
import { dueTimers, nextDue, setTimer } from './timers';
import { createToken, deleteToken, listTokens, type NewToken } from './tokens';
import { checkCreate, createUser, deleteUser, renewInvitation, updateUser, type NewUser, type UserChange } from './user-admin';
import { accountOf, findUser, holdsEmail, subscriptionView, usersPage, type UserQuery } from './users';
import type { Account, ApiToken, AuditEntry, Page, SubscriptionView, User } from './views';

export type { Credential } from './access';
export { SESSION_DAYS } from './access';
export type { Signup } from './account';
export type { StoredPassword } from './credentials';
export { CREDENTIAL_HEADERS } from './live';
export type { TransferOptions } from './seat-admin';
export type { ApprovalInput } from './seat-requests';
export type { NewUser } from './user-admin';
export type { Account } from './views';

/** Who may make a call: any active user of the subscription, or only its administrators. */
type Access = 'member' | 'administrator';

interface RunOptions {
  /** The call's writes change nothing anyone sees (a heartbeat): live clients are not told. */
  silent?: boolean;
}

/** Carries a refusal out of `transactionSync`, which rolls back everything the call wrote. */
class Refusal extends Error {
  constructor(readonly failure: Failure) {
    super(failure.code);
  }
}

export class Subscription extends DurableObject<Env> {
  readonly #sql: Sql;
  #broadcastQueued = false;
  /** When the alarm is set for, as far as this instance knows (undefined: not known). */
  #alarmAt: number | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql, ctx.storage);
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
   * after every change each socket receives `{"type":"changed", seats, at}` and clients refetch.
   */
  override async fetch(request: Request): Promise<Response> {
    const credential = credentialFromHeaders(request.headers);
    const actor = credential ? this.#as(credential, 'member', (actor) => ok(actor)) : null;
    if (!actor?.ok) return new Response(null, { status: 401 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [actor.value.id]);
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

  /** After the password matched: starts a session with the given hash, unless the user is deactivated. */
  completeLogin(userId: string, session: NewSession): Result<Account> {
    return this.#anonymous((_, now) => completeLogin(this.#sql, userId, session, now));
  }

  /** Counts a failed password check toward the account's sign-in throttle. */
  recordFailedLogin(userId: string): Result<null> {
    return this.#anonymous((_, now) => {
      recordLoginFailure(this.#sql, userId, now);
      return ok(null);
    }, { silent: true });
  }

  /** Sets the password of an invited user, activates them and signs them in. */
  acceptInvitation(invitationHash: string, password: PasswordHash, session: NewSession): Result<Account> {
    return this.#anonymous((_, now) => acceptInvitation(this.#sql, invitationHash, password, session, now));
  }

  /** Ends the session behind this credential (API tokens are revoked, not signed out). */
  logout(credential: Credential): Result<null> {
    return this.#as(credential, 'member', () => logout(this.#sql, credential));
  }

  /** The caller and their subscription. */
  me(credential: Credential): Result<Account> {
    return this.#as(credential, 'member', (actor) => ok(accountOf(this.#sql, actor.id)));
  }

  // ── Account security: devices, passwords, passkeys (security.ts) ───────────────────────────

  /** The caller's signed-in devices, most recently used first. */
  listSessions(credential: Credential): Result<Page<Device>> {
    const current = credential.kind === 'session' ? credential.hash : null;
    return this.#as(credential, 'member', (actor, now) => ok({ items: userSessions(this.#sql, actor.id, current, now), nextCursor: null }));
  }

  /** Signs one of the caller's devices out. */
  endSession(credential: Credential, sessionId: string): Result<null> {
    return this.#as(credential, 'member', (actor) => endSession(this.#sql, actor, sessionId));
  }

  /** Signs every other device of the caller out; the current session stays. */
  endOtherSessions(credential: Credential): Result<{ ended: number }> {
    return this.#as(credential, 'member', (actor) => endOtherSessions(this.#sql, actor, credential));
  }

  /** The caller's stored password, for the Worker to check the current one before a change. */
  ownPassword(credential: Credential): Result<StoredPassword | null> {
    return this.#as(credential, 'member', (actor) => ok(storedPassword(this.#sql, actor.id)));
  }

  /** Sets the caller's new password and signs their other devices out. */
  changePassword(credential: Credential, password: PasswordHash): Result<null> {
    return this.#as(credential, 'member', (actor, now) => changePassword(this.#sql, actor, credential, password, now));
  }

  /**
   * Starts a password reset for an active user with this email. Null (and nothing stored) for
   * anyone else, which the Worker answers exactly like a success, so emails cannot be probed.
   */
  startPasswordReset(email: string, tokenHash: string): Result<{ name: string; email: string; expiresAt: string } | null> {
    return this.#anonymous((_, now) => startPasswordReset(this.#sql, email, tokenHash, now));
  }

  /** Sets a new password from a reset link (once), ends every session, and signs in here. */
  completePasswordReset(tokenHash: string, password: PasswordHash, session: NewSession): Result<Account> {
    return this.#anonymous((_, now) => completePasswordReset(this.#sql, tokenHash, password, session, now));
  }

  /** Who is registering a passkey, and the passkeys they already have (not to register twice). */
  passkeyOwner(credential: Credential): Result<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
    return this.#as(credential, 'member', (actor) => passkeyOwner(this.#sql, actor));
  }

  /** Stores a verified passkey for the caller. */
  addPasskey(credential: Credential, passkey: NewPasskey): Result<Passkey[]> {
    return this.#as(credential, 'member', (actor, now) => addPasskey(this.#sql, actor, passkey, now));
  }

  /** A passkey presented at sign-in, if it belongs to an active user here. */
  passkeyForLogin(userId: string, credentialId: string): Result<StoredPasskey | null> {
    return this.#anonymous(() => passkeyForLogin(this.#sql, userId, credentialId));
  }

  /** Records a verified passkey sign-in (its new signature counter) and starts a session. */
  completePasskeyLogin(login: { userId: string; credentialId: string; counter: number }, session: NewSession): Result<Account> {
    return this.#anonymous((_, now) => completePasskeyLogin(this.#sql, login, session, now));
  }

  /** The caller's passkeys. */
  listPasskeys(credential: Credential): Result<Page<Passkey>> {
    return this.#as(credential, 'member', (actor) => ok({ items: userPasskeys(this.#sql, actor.id), nextCursor: null }));
  }

  /** Removes one of the caller's passkeys. */
  deletePasskey(credential: Credential, passkeyId: string): Result<null> {
    return this.#as(credential, 'member', (actor, now) => deletePasskey(this.#sql, actor, passkeyId, now));
  }

  // ── API tokens (tokens.ts) ─────────────────────────────────────────────────────────────────

  /** Stores a personal API token (its hash) that acts with the creator's role. */
  createToken(credential: Credential, token: NewToken): Result<ApiToken> {
    return this.#as(credential, 'member', (actor, now) => createToken(this.#sql, actor, token, now));
  }

  /** The caller's own API tokens, newest first. */
  listTokens(credential: Credential): Result<Page<ApiToken>> {
    return this.#as(credential, 'member', (actor) => listTokens(this.#sql, actor));
  }

  /** Revokes a token: the caller's own, or any in the subscription for an administrator. */
  deleteToken(credential: Credential, tokenId: string): Result<null> {
    return this.#as(credential, 'member', (actor, now) => deleteToken(this.#sql, actor, tokenId, now));
  }

  // ── The subscription (seat-admin.ts) ───────────────────────────────────────────────────────

  /** The subscription with its seat counts. */
  getSubscription(credential: Credential): Result<SubscriptionView> {
    return this.#as(credential, 'member', () => ok(subscriptionView(this.#sql)));
  }

  /**
   * Renames the subscription, changes its purchased seats (never below the seats held), or turns
   * on or off giving freed seats to the oldest pending request.
   */
  updateSubscription(credential: Credential, change: SubscriptionChange): Result<SubscriptionView> {
    return this.#as(credential, 'administrator', (actor, now) => updateSubscription(this.#sql, actor, change, now));
  }

  // ── Users (users.ts, user-admin.ts) ────────────────────────────────────────────────────────

  /** One page of users, oldest first, filtered by seat, role, status and a search on name or email. */
  listUsers(credential: Credential, query: UserQuery): Result<Page<User>> {
    return this.#as(credential, 'member', () => usersPage(this.#sql, query));
  }

  /** One user of this subscription. */
  getUser(credential: Credential, userId: string): Result<User> {
    return this.#as(credential, 'member', () => findUser(this.#sql, userId));
  }

  /**
   * Creates a user with an invitation to set their password, and a seat unless `assignSeat` is
   * false. With no free seat nothing is created, and the email stays free. The email is claimed
   * service-wide between a first check and the write, which checks everything again.
   */
  async createUser(credential: Credential, input: NewUser): Promise<Result<{ user: User; invitationExpiresAt: string }>> {
    const checked = this.#as(credential, 'administrator', () => {
      const allowed = checkCreate(this.#sql, input);
      return allowed.ok ? ok(subscriptionView(this.#sql).id) : allowed;
    });
    if (!checked.ok) return checked;
    const subscriptionId = checked.value;
    if (!(await claimEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id))) return fail('email_taken', { email: input.email });
    const created = this.#as(credential, 'administrator', (actor, now) => createUser(this.#sql, actor, input, now));
    if (created.ok) await confirmEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
    else await releaseEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
    return created;
  }

  /** Replaces an invited user's invitation link with a new one (the old link stops working). */
  renewInvitation(credential: Credential, userId: string, invitation: { hash: string; expiresAt: string }): Result<User> {
    return this.#as(credential, 'administrator', (_, now) => renewInvitation(this.#sql, userId, invitation, now));
  }

  /**
   * Renames a user, changes their role or status. Deactivating frees their seat and ends their
   * sessions, tokens and live sockets. The last active administrator keeps their role and status.
   */
  updateUser(credential: Credential, userId: string, change: UserChange): Result<User> {
    const updated = this.#as(credential, 'administrator', (actor, now) => updateUser(this.#sql, actor, userId, change, now));
    if (updated.ok && updated.value.status === 'deactivated') closeSockets(this.ctx.getWebSockets(userId));
    return updated;
  }

  /** Deletes a user, freeing their seat and ending their access; their email becomes free again. */
  async deleteUser(credential: Credential, userId: string): Promise<Result<null>> {
    const deleted = this.#as(credential, 'administrator', (actor, now) => deleteUser(this.#sql, actor, userId, now));
    if (!deleted.ok) return deleted;
    closeSockets(this.ctx.getWebSockets(userId));
    await releaseEmail(this.env.EMAIL_INDEX, deleted.value.email, subscriptionView(this.#sql).id, userId);
    return ok(null);
  }

  // ── Seats (seat-admin.ts) ──────────────────────────────────────────────────────────────────

  /**
   * Gives a user a seat if one is free, optionally time-boxed `until` a time (then it is freed).
   * Idempotent: a user who holds one keeps it, with its end set to `until` (none without), and a
   * revocation waiting on it is cancelled.
   */
  assignSeat(credential: Credential, userId: string, options: { until?: string | null } = {}): Result<User> {
    return this.#as(credential, 'administrator', (actor, now) => assignSeat(this.#sql, actor, userId, options, now));
  }

  /**
   * Takes a user's seat back. Idempotent: a user without one stays without. If they are connected
   * to computers, `choice` says when: now (their sessions end), after a grace period, or after
   * their last session; until then the seat stays theirs, shown in `seat.revocation`.
   */
  unassignSeat(credential: Credential, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Result<User> {
    return this.#as(credential, 'administrator', (actor, now) => unassignSeat(this.#sql, actor, userId, choice, now));
  }

  /**
   * Moves a seat from one user to another in one step: it works even when every seat is taken.
   * With `until`, the seat is lent: it returns to `from` then. If `from` is connected, the move
   * waits as the administrator chose (see unassignSeat), and completes then.
   */
  transferSeat(credential: Credential, move: { from: string; to: string } & TransferOptions): Result<{ from: User; to: User }> {
    return this.#as(credential, 'administrator', (actor, now) => transferSeat(this.#sql, actor, move, now));
  }

  /**
   * Ends a time-boxed seat early: it returns to its lender if they can take it, otherwise it is
   * freed. Connected holders are treated as `choice` says, like unassignSeat.
   */
  returnSeat(credential: Credential, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Result<User> {
    return this.#as(credential, 'administrator', (actor, now) => returnSeat(this.#sql, actor, userId, choice, now));
  }

  // ── Expert Console (console.ts) ────────────────────────────────────────────────────────────

  /**
   * Lets the caller's Expert Console connect to a computer, if and only if they hold a seat that is
   * not being taken back. The session must send a heartbeat every `heartbeatSeconds`.
   */
  startConsoleSession(credential: Credential, session: { id: string; computer: string }): Result<StartedConsoleSession> {
    return this.#as(credential, 'member', (actor, now) => startSession(this.#sql, actor, session, now));
  }

  /** The caller's session is still running; the answer says whether their seat is leaving. */
  heartbeatConsoleSession(credential: Credential, sessionId: string): Result<Heartbeat> {
    // A heartbeat changes nothing anyone sees: live clients are not told.
    return this.#as(credential, 'member', (actor, now) => heartbeat(this.#sql, actor, sessionId, now), { silent: true });
  }

  /** Ends a session: the caller's own, or anyone's for an administrator. */
  endConsoleSession(credential: Credential, sessionId: string): Result<null> {
    return this.#as(credential, 'member', (actor, now) => {
      const closed = closeSession(this.#sql, actor, sessionId, now);
      if (!closed.ok) return closed;
      sessionsChanged(this.#sql, closed.value, now);
      return ok(null);
    });
  }

  /** Active console sessions: all (or one user's) for administrators, their own for technicians. */
  listConsoleSessions(credential: Credential, userId?: string): Result<Page<ConsoleSession>> {
    return this.#as(credential, 'member', (actor) => {
      const sessions = listSessions(this.#sql, actor, userId);
      return sessions.ok ? ok({ items: sessions.value, nextCursor: null }) : sessions;
    });
  }

  // ── Seat requests (seat-requests.ts) ───────────────────────────────────────────────────────

  /** The caller asks for a seat, with a reason; with automatic assignment it may be approved at once. */
  createSeatRequest(credential: Credential, request: { id: string; reason: string }): Result<SeatRequest> {
    return this.#as(credential, 'member', (actor, now) => createRequest(this.#sql, actor, request, now));
  }

  /** Seat requests, oldest first: all for administrators, their own for technicians. */
  listSeatRequests(credential: Credential, query: RequestQuery): Result<Page<SeatRequest>> {
    return this.#as(credential, 'member', (actor) => listRequests(this.#sql, actor, query));
  }

  /** Approves a pending request: a free seat, or one transferred `from` a holder; lent `until` a time. */
  approveSeatRequest(credential: Credential, requestId: string, input: ApprovalInput): Result<{ request: SeatRequest; user: User; from: User | null }> {
    return this.#as(credential, 'administrator', (actor, now) => approveRequest(this.#sql, actor, requestId, input, now));
  }

  /** Declines a pending request with an optional note. */
  declineSeatRequest(credential: Credential, requestId: string, note: string | null): Result<SeatRequest> {
    return this.#as(credential, 'administrator', (actor, now) => declineRequest(this.#sql, actor, requestId, note, now));
  }

  /** Withdraws a pending request: the requester's own, or any for an administrator. */
  cancelSeatRequest(credential: Credential, requestId: string): Result<null> {
    return this.#as(credential, 'member', (actor, now) => cancelRequest(this.#sql, actor, requestId, now));
  }

  // ── Reports (reports.ts) ───────────────────────────────────────────────────────────────────

  /** Seats assigned against purchased per UTC day, replayed from the audit log (administrators). */
  utilisationReport(credential: Credential, period: { from?: string; to?: string }): Result<UtilisationReport> {
    return this.#as(credential, 'administrator', (_, now) => utilisationReport(this.#sql, period, now));
  }

  /** Console sessions and connected time per user over the last `days` days (administrators). */
  consoleActivityReport(credential: Credential, days: number): Result<ConsoleActivityReport> {
    return this.#as(credential, 'administrator', (_, now) => ok(consoleActivityReport(this.#sql, days, now)));
  }

  /** Seats unused for `days` days, each with a reassignment suggestion (administrators). */
  idleSeatsReport(credential: Credential, days: number): Result<IdleSeatsReport> {
    return this.#as(credential, 'administrator', (_, now) => ok(idleSeatsReport(this.#sql, days, now)));
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
  listAudit(credential: Credential, query: AuditQuery): Result<Page<AuditEntry>> {
    return this.#as(credential, 'administrator', () => auditPage(this.#sql, query));
  }

  // ── Idempotency (idempotency.ts) ───────────────────────────────────────────────────────────

  /**
   * Starts a POST that carries an Idempotency-Key. A finished request with the same key and body
   * is replayed; the same key with another body, or while the first is still running, is refused.
   */
  beginIdempotent(credential: Credential, key: string, fingerprint: string): Result<IdempotencyStart> {
    return this.#as(credential, 'member', (actor, now) => beginIdempotent(this.#sql, actor.id, key, fingerprint, now), { silent: true });
  }

  /** Stores the answer to an idempotent POST. Server errors are forgotten so a retry runs again. */
  completeIdempotent(credential: Credential, key: string, status: number, body: string): Result<null> {
    // The request may have signed the caller out or revoked their access; the key is theirs still.
    return this.#anonymous(() => {
      completeIdempotent(this.#sql, credential, key, status, body);
      return ok(null);
    }, { silent: true });
  }

  // ── For the email index ────────────────────────────────────────────────────────────────────

  /** Whether a user of this subscription still has this email (the index asks when a claim looks stale). */
  holdsEmail(email: string, userId: string): boolean {
    const held = this.#anonymous(() => ok(holdsEmail(this.#sql, email, userId)));
    return held.ok && held.value;
  }

  // ── The one way a call touches storage ─────────────────────────────────────────────────────

  /**
   * Runs `work` for the active user behind the credential (an administrator, for `administrator`),
   * in one transaction with the authentication itself: a revoked session or deactivated user is
   * refused (`unauthenticated`, `forbidden`) by the very call that would act.
   */
  #as<T>(credential: Credential, access: Access, work: (actor: Actor, now: number) => Result<T>, options: RunOptions = {}): Result<T> {
    const role = access === 'administrator' ? 'administrator' : undefined;
    return this.#transaction((now) => authenticate(this.#sql, credential, now, role), work, options);
  }

  /** Runs `work` for no signed-in caller: sign-in steps, the email index, timers. */
  #anonymous<T>(work: (actor: null, now: number) => Result<T>, options: RunOptions = {}): Result<T> {
    return this.#transaction(() => ok(null), work, options);
  }

  /**
   * The one write path. In ONE transaction: admit the caller, run the work, and give a seat it
   * freed to the waitlist. A refusal from either rolls back everything the call wrote, so a refusal
   * returned after a write can never commit. After a commit that wrote something, the alarm is set
   * for the earliest timer and (unless silent) live clients are told, once per turn.
   */
  #transaction<A, T>(
    admit: (now: number) => Result<A>,
    work: (actor: A, now: number) => Result<T>,
    options: RunOptions,
  ): Result<T> {
    const now = Date.now();
    let wrote = false;
    let result: Result<T>;
    try {
      result = this.ctx.storage.transactionSync(() => {
        const actor = admit(now);
        if (!actor.ok) throw new Refusal(actor);
        const before = this.#sql.written;
        const done = work(actor.value, now);
        if (!done.ok) throw new Refusal(done);
        if (this.#sql.written > before) {
          wrote = true;
          fillFromWaitlist(this.#sql, now);
        }
        return done;
      });
    } catch (error) {
      if (error instanceof Refusal) return error.failure;
      throw error;
    }
    if (wrote) {
      this.#armAlarm();
      if (!options.silent) this.#notify();
    }
    return result;
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
