/**
 * One Subscription object per subscription. It owns the subscription's users, seats, sign-in
 * sessions, API tokens, invitations, idempotency records and audit log, and it serializes every
 * change to them: each public method (the RPC surface) authenticates the caller, asks the pure
 * seat rules, and writes in one synchronous transaction. Methods that must reach another object
 * (the email index) re-check everything after their last `await`, because an outgoing call lets
 * other requests run in between.
 *
 * This file is the RPC surface and the transaction machinery (`#write`, `#change`, the alarm, live
 * notifications); the work of each method is in the module named beside its section.
 */
import { DurableObject } from 'cloudflare:workers';
import type { PasswordHash } from '../crypto';
import type {
  ConsoleActivityReport,
  ConsoleSession,
  Device,
  Heartbeat,
  IdleSeatsReport,
  Passkey,
  ReleaseChoice,
  Role,
  SeatRequest,
  StartedConsoleSession,
  UtilisationReport,
} from '../contract';
import { ok, type Failure, type Result } from '../domain/result';
import { authenticate, credentialOwner, userSessions, type Actor, type Credential, type NewSession } from './access';
import { acceptInvitation, completeLogin, initialize, logout, passwordFor, type Signup } from './account';
import { fireTimer } from './alarm';
import { auditPage, type AuditQuery } from './audit';
import { closeSession, heartbeat, listSessions, startSession } from './console';
import type { ObjectContext } from './context';
import { storedPassword, userPasskeys, type StoredPassword, type StoredPasskey } from './credentials';
import { beginIdempotent, completeIdempotent, type IdempotencyStart } from './idempotency';
import { broadcast, changedMessage, credentialFromHeaders } from './live';
import {
  consoleActivityReport,
  idleSeatsReport,
  utilisationReport,
} from './reports';
import { DEFAULT_CHOICE, sessionsChanged } from './revocations';
import { migrate } from './schema';
import { assignSeat, returnSeat, transferSeat, unassignSeat, updateSubscription, type TransferOptions } from './seat-admin';
import {
  approveRequest,
  cancelRequest,
  createRequest,
  declineRequest,
  fillFromWaitlist,
  listRequests,
  requestById,
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
import { createToken, deleteToken, listTokens } from './tokens';
import { createUser, deleteUser, renewInvitation, updateUser, type NewUser } from './user-admin';
import { accountOf, findUser, holdsEmail, subscriptionView, usersPage, type UserQuery } from './users';
import type { Account, ApiToken, AuditEntry, Page, SubscriptionView, TokenScope, User } from './views';

export type { Credential } from './access';
export { SESSION_DAYS } from './access';
export type { Signup } from './account';
export type { StoredPassword } from './credentials';
export { CREDENTIAL_HEADERS } from './live';
export type { TransferOptions } from './seat-admin';
export type { ApprovalInput } from './seat-requests';
export type { NewUser } from './user-admin';
export type { Account } from './views';

export class Subscription extends DurableObject<Env> {
  readonly #sql: Sql;
  /** What the modules doing each method's work get from this object. */
  readonly #object: ObjectContext;
  #broadcastQueued = false;
  /** When the alarm is set for, as far as this instance knows (undefined: not known). */
  #alarmAt: number | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    this.#object = {
      sql: this.#sql,
      write: <T>(fn: () => T) => this.#write(fn),
      liveSockets: (userId) => ctx.getWebSockets(userId),
      emailIndex: env.EMAIL_INDEX,
    };
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
    const actor = credential ? this.#authenticate(credential) : null;
    if (!actor?.ok) return new Response(null, { status: 401 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [actor.value.id]);
    pair[1].send(changedMessage(this.#sql));
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

  /** Creates this subscription with its first user, an administrator, signed in. */
  async initialize(input: Signup): Promise<Result<Account>> {
    return initialize(this.#object, input);
  }

  /**
   * The stored password of the user with this email, for the Worker to verify (hashing happens
   * there, so a slow PBKDF2 never holds up this subscription's other requests).
   */
  passwordFor(email: string): Result<StoredPassword | null> {
    return passwordFor(this.#sql, email);
  }

  /** Records the outcome of a password check; on success starts a session with the given hash. */
  completeLogin(userId: string, passwordMatched: boolean, session: NewSession): Result<Account> {
    return completeLogin(this.#object, userId, passwordMatched, session);
  }

  /** Sets the password of an invited user, activates them and signs them in. */
  acceptInvitation(invitationHash: string, password: PasswordHash, session: NewSession): Result<Account> {
    return acceptInvitation(this.#object, invitationHash, password, session);
  }

  /** Ends the session behind this credential (API tokens are revoked, not signed out). */
  logout(credential: Credential): Result<null> {
    return this.#as(credential, () => logout(this.#sql, credential));
  }

  /** The caller and their subscription. */
  me(credential: Credential): Result<Account> {
    return this.#as(credential, (actor) => ok(accountOf(this.#sql, actor.id)));
  }

  // ── Account security: devices, passwords, passkeys (security.ts) ───────────────────────────

  /** The caller's signed-in devices, most recently used first. */
  listSessions(credential: Credential): Result<Page<Device>> {
    const current = credential.kind === 'session' ? credential.hash : null;
    return this.#as(credential, (actor) => ok({ items: userSessions(this.#sql, actor.id, current), nextCursor: null }));
  }

  /** Signs one of the caller's devices out. */
  endSession(credential: Credential, sessionId: string): Result<null> {
    return this.#as(credential, (actor) => endSession(this.#sql, actor, sessionId));
  }

  /** Signs every other device of the caller out; the current session stays. */
  endOtherSessions(credential: Credential): Result<{ ended: number }> {
    return this.#as(credential, (actor) => endOtherSessions(this.#sql, actor, credential));
  }

  /** The caller's stored password, for the Worker to check the current one before a change. */
  ownPassword(credential: Credential): Result<StoredPassword | null> {
    return this.#as(credential, (actor) => ok(storedPassword(this.#sql, actor.id)));
  }

  /** Sets the caller's new password and signs their other devices out. */
  changePassword(credential: Credential, password: PasswordHash): Result<null> {
    return this.#as(credential, (actor) => changePassword(this.#object, actor, credential, password));
  }

  /**
   * Starts a password reset for an active user with this email. Null (and nothing stored) for
   * anyone else, which the Worker answers exactly like a success, so emails cannot be probed.
   */
  startPasswordReset(email: string, tokenHash: string): Result<{ name: string; email: string; expiresAt: string } | null> {
    return startPasswordReset(this.#object, email, tokenHash);
  }

  /** Sets a new password from a reset link (once), ends every session, and signs in here. */
  completePasswordReset(tokenHash: string, password: PasswordHash, session: NewSession): Result<Account> {
    return completePasswordReset(this.#object, tokenHash, password, session);
  }

  /** Who is registering a passkey, and the passkeys they already have (not to register twice). */
  passkeyOwner(credential: Credential): Result<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
    return this.#as(credential, (actor) => passkeyOwner(this.#sql, actor));
  }

  /** Stores a verified passkey for the caller. */
  addPasskey(credential: Credential, passkey: Omit<StoredPasskey, 'userId'> & { name: string }): Result<Passkey[]> {
    return this.#as(credential, (actor) => addPasskey(this.#object, actor, passkey));
  }

  /** A passkey presented at sign-in, if it belongs to an active user here. */
  passkeyForLogin(userId: string, credentialId: string): Result<StoredPasskey | null> {
    return passkeyForLogin(this.#sql, userId, credentialId);
  }

  /** Records a verified passkey sign-in (its new signature counter) and starts a session. */
  completePasskeyLogin(userId: string, credentialId: string, counter: number, session: NewSession): Result<Account> {
    return completePasskeyLogin(this.#object, userId, credentialId, counter, session);
  }

  /** The caller's passkeys. */
  listPasskeys(credential: Credential): Result<Page<Passkey>> {
    return this.#as(credential, (actor) => ok({ items: userPasskeys(this.#sql, actor.id), nextCursor: null }));
  }

  /** Removes one of the caller's passkeys. */
  deletePasskey(credential: Credential, passkeyId: string): Result<null> {
    return this.#as(credential, (actor) => deletePasskey(this.#object, actor, passkeyId));
  }

  // ── API tokens (tokens.ts) ─────────────────────────────────────────────────────────────────

  /** Stores a personal API token (its hash) that acts with the creator's role. */
  createToken(credential: Credential, token: { id: string; name: string; hash: string; scope: TokenScope }): Result<ApiToken> {
    return this.#as(credential, (actor) => createToken(this.#object, actor, token));
  }

  /** The caller's own API tokens, newest first. */
  listTokens(credential: Credential): Result<Page<ApiToken>> {
    return this.#as(credential, (actor) => listTokens(this.#sql, actor));
  }

  /** Revokes a token: the caller's own, or any in the subscription for an administrator. */
  deleteToken(credential: Credential, tokenId: string): Result<null> {
    return this.#as(credential, (actor) => deleteToken(this.#object, actor, tokenId));
  }

  // ── The subscription (seat-admin.ts) ───────────────────────────────────────────────────────

  /** The subscription with its seat counts. */
  getSubscription(credential: Credential): Result<SubscriptionView> {
    return this.#as(credential, () => ok(subscriptionView(this.#sql)));
  }

  /**
   * Renames the subscription, changes its purchased seats (never below the seats held), or turns
   * on or off giving freed seats to the oldest pending request.
   */
  updateSubscription(
    credential: Credential,
    change: { seats?: number; name?: string; autoAssignRequests?: boolean },
  ): Result<SubscriptionView> {
    return this.#asAdministrator(credential, (actor) => updateSubscription(this.#object, actor, change));
  }

  // ── Users (users.ts, user-admin.ts) ────────────────────────────────────────────────────────

  /** One page of users, oldest first, filtered by seat, role, status and a search on name or email. */
  listUsers(credential: Credential, query: UserQuery): Result<Page<User>> {
    return this.#as(credential, () => usersPage(this.#sql, query));
  }

  /** One user of this subscription. */
  getUser(credential: Credential, userId: string): Result<User> {
    return this.#as(credential, () => findUser(this.#sql, userId));
  }

  /**
   * Creates a user with an invitation to set their password, and a seat unless `assignSeat` is
   * false. With no free seat nothing is created, and the email stays free.
   */
  async createUser(credential: Credential, input: NewUser): Promise<Result<{ user: User; invitationExpiresAt: string }>> {
    // Authenticates inside: the caller is checked again after the email claim's `await`.
    return createUser(this.#object, credential, input);
  }

  /** Replaces an invited user's invitation link with a new one (the old link stops working). */
  renewInvitation(credential: Credential, userId: string, invitation: { hash: string; expiresAt: string }): Result<User> {
    return this.#asAdministrator(credential, () => renewInvitation(this.#object, userId, invitation));
  }

  /**
   * Renames a user, changes their role or status. Deactivating frees their seat and ends their
   * sessions and tokens. The last active administrator keeps their role and status.
   */
  updateUser(
    credential: Credential,
    userId: string,
    change: { name?: string; role?: Role; status?: 'active' | 'deactivated' },
  ): Result<User> {
    return this.#asAdministrator(credential, (actor) => updateUser(this.#object, actor, userId, change));
  }

  /** Deletes a user, freeing their seat and ending their access; their email becomes free again. */
  async deleteUser(credential: Credential, userId: string): Promise<Result<null>> {
    return this.#asAdministrator(credential, (actor) => deleteUser(this.#object, actor, userId));
  }

  // ── Seats (seat-admin.ts) ──────────────────────────────────────────────────────────────────

  /**
   * Gives a user a seat if one is free, optionally time-boxed `until` a time (then it is freed).
   * Idempotent: a user who holds one keeps it, with its end set to `until` (none without), and a
   * revocation waiting on it is cancelled.
   */
  assignSeat(credential: Credential, userId: string, options: { until?: string | null } = {}): Result<User> {
    return this.#asAdministrator(credential, (actor) => assignSeat(this.#object, actor, userId, options));
  }

  /**
   * Takes a user's seat back. Idempotent: a user without one stays without. If they are connected
   * to computers, `choice` says when: now (their sessions end), after a grace period, or after
   * their last session; until then the seat stays theirs, shown in `seat.revocation`.
   */
  unassignSeat(credential: Credential, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Result<User> {
    return this.#asAdministrator(credential, (actor) => unassignSeat(this.#object, actor, userId, choice));
  }

  /**
   * Moves a seat from one user to another in one step: it works even when every seat is taken.
   * With `until`, the seat is lent: it returns to `from` then. If `from` is connected, the move
   * waits as the administrator chose (see unassignSeat), and completes then.
   */
  transferSeat(credential: Credential, fromId: string, toId: string, options: TransferOptions = {}): Result<{ from: User; to: User }> {
    return this.#asAdministrator(credential, (actor) => transferSeat(this.#object, actor, fromId, toId, options));
  }

  /**
   * Ends a time-boxed seat early: it returns to its lender if they can take it, otherwise it is
   * freed. Connected holders are treated as `choice` says, like unassignSeat.
   */
  returnSeat(credential: Credential, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Result<User> {
    return this.#asAdministrator(credential, (actor) => returnSeat(this.#object, actor, userId, choice));
  }

  // ── Expert Console (console.ts) ────────────────────────────────────────────────────────────

  /**
   * Lets the caller's Expert Console connect to a computer, if and only if they hold a seat that is
   * not being taken back. The session must send a heartbeat every `heartbeatSeconds`.
   */
  startConsoleSession(credential: Credential, session: { id: string; computer: string }): Result<StartedConsoleSession> {
    return this.#as(credential, (actor) => this.#change(() => startSession(this.#sql, actor, session, Date.now())));
  }

  /** The caller's session is still running; the answer says whether their seat is leaving. */
  heartbeatConsoleSession(credential: Credential, sessionId: string): Result<Heartbeat> {
    // A heartbeat changes nothing anyone sees: live clients are not told.
    return this.#as(credential, (actor) => this.#change(() => heartbeat(this.#sql, actor, sessionId, Date.now()), false));
  }

  /** Ends a session: the caller's own, or anyone's for an administrator. */
  endConsoleSession(credential: Credential, sessionId: string): Result<null> {
    return this.#as(credential, (actor) => {
      const now = Date.now();
      return this.#change(() => {
        const closed = closeSession(this.#sql, actor, sessionId, now);
        if (!closed.ok) return closed;
        sessionsChanged(this.#sql, closed.value, now);
        return ok(null);
      });
    });
  }

  /** Active console sessions: all (or one user's) for administrators, their own for technicians. */
  listConsoleSessions(credential: Credential, userId?: string): Result<Page<ConsoleSession>> {
    return this.#as(credential, (actor) => {
      const sessions = listSessions(this.#sql, actor, userId);
      return sessions.ok ? ok({ items: sessions.value, nextCursor: null }) : sessions;
    });
  }

  // ── Seat requests (seat-requests.ts) ───────────────────────────────────────────────────────

  /** The caller asks for a seat, with a reason. */
  createSeatRequest(credential: Credential, request: { id: string; reason: string }): Result<SeatRequest> {
    return this.#as(credential, (actor) => {
      const created = this.#change(() => createRequest(this.#sql, actor, request, Date.now()));
      // With automatic assignment and a free seat, it may already be approved.
      return created.ok ? ok(requestById(this.#sql, request.id)!) : created;
    });
  }

  /** Seat requests, oldest first: all for administrators, their own for technicians. */
  listSeatRequests(credential: Credential, query: RequestQuery): Result<Page<SeatRequest>> {
    return this.#as(credential, (actor) => listRequests(this.#sql, actor, query));
  }

  /** Approves a pending request: a free seat, or one transferred `from` a holder; lent `until` a time. */
  approveSeatRequest(credential: Credential, requestId: string, input: ApprovalInput): Result<{ request: SeatRequest; user: User; from: User | null }> {
    return this.#asAdministrator(credential, (actor) => approveRequest(this.#object, actor, requestId, input));
  }

  /** Declines a pending request with an optional note. */
  declineSeatRequest(credential: Credential, requestId: string, note: string | null): Result<SeatRequest> {
    return this.#asAdministrator(credential, (actor) => this.#change(() => declineRequest(this.#sql, actor, requestId, note, Date.now())));
  }

  /** Withdraws a pending request: the requester's own, or any for an administrator. */
  cancelSeatRequest(credential: Credential, requestId: string): Result<null> {
    return this.#as(credential, (actor) => this.#change(() => cancelRequest(this.#sql, actor, requestId, Date.now())));
  }

  // ── Reports (reports.ts) ───────────────────────────────────────────────────────────────────

  /** Seats assigned against purchased per UTC day, replayed from the audit log (administrators). */
  utilisationReport(credential: Credential, period: { from?: string; to?: string }): Result<UtilisationReport> {
    return this.#asAdministrator(credential, () => utilisationReport(this.#sql, period, Date.now()));
  }

  /** Console sessions and connected time per user over the last `days` days (administrators). */
  consoleActivityReport(credential: Credential, days: number): Result<ConsoleActivityReport> {
    return this.#asAdministrator(credential, () => ok(consoleActivityReport(this.#sql, days, Date.now())));
  }

  /** Seats unused for `days` days, each with a reassignment suggestion (administrators). */
  idleSeatsReport(credential: Credential, days: number): Result<IdleSeatsReport> {
    return this.#asAdministrator(credential, () => ok(idleSeatsReport(this.#sql, days, Date.now())));
  }

  // ── Timers (timers.ts, alarm.ts) ───────────────────────────────────────────────────────────

  /**
   * Runs every due timer (grace ends, loan ends, heartbeat deadlines), each in its own transaction,
   * then sets the alarm for the next one. A timer that fails is logged and retried a minute later,
   * so it cannot hold up the others.
   */
  override alarm(): void {
    this.#alarmAt = undefined; // The alarm that woke us is spent.
    const now = Date.now();
    for (const timer of dueTimers(this.#sql, now)) {
      try {
        this.#write(() => fireTimer(this.#sql, timer, now));
      } catch (error) {
        console.error('timer failed', timer, error);
        this.#write(() => setTimer(this.#sql, timer.kind, timer.ref, now + 60_000), false);
      }
    }
    this.#armAlarm();
  }

  // ── Audit log (audit.ts) ───────────────────────────────────────────────────────────────────

  /** One page of the audit log, newest first. */
  listAudit(credential: Credential, query: AuditQuery): Result<Page<AuditEntry>> {
    return this.#asAdministrator(credential, () => auditPage(this.#sql, query));
  }

  // ── Idempotency (idempotency.ts) ───────────────────────────────────────────────────────────

  /**
   * Starts a POST that carries an Idempotency-Key. A finished request with the same key and body
   * is replayed; the same key with another body, or while the first is still running, is refused.
   */
  beginIdempotent(credential: Credential, key: string, fingerprint: string): Result<IdempotencyStart> {
    return this.#as(credential, (actor) => beginIdempotent(this.#sql, actor.id, key, fingerprint));
  }

  /** Stores the answer to an idempotent POST. Server errors are forgotten so a retry runs again. */
  completeIdempotent(credential: Credential, key: string, status: number, body: string): void {
    // The request may have signed the caller out or revoked their access; the key is theirs still.
    const userId = credentialOwner(this.#sql, credential);
    if (userId) completeIdempotent(this.#sql, userId, key, status, body);
  }

  // ── For the email index ────────────────────────────────────────────────────────────────────

  /** Whether a user of this subscription still has this email (the index asks when a claim looks stale). */
  holdsEmail(email: string, userId: string): boolean {
    return holdsEmail(this.#sql, email, userId);
  }

  // ── Transactions, the alarm, live notifications ────────────────────────────────────────────

  #authenticate(credential: Credential, role?: 'administrator'): Result<Actor> {
    return authenticate(this.#sql, credential, role);
  }

  /** Runs `act` for the active user behind the credential; refuses (`unauthenticated`, `forbidden`) otherwise. */
  #as<R>(credential: Credential, act: (actor: Actor) => R): R | Failure {
    const actor = this.#authenticate(credential);
    return actor.ok ? act(actor.value) : actor;
  }

  /** Like #as, for administrators only. */
  #asAdministrator<R>(credential: Credential, act: (actor: Actor) => R): R | Failure {
    const actor = this.#authenticate(credential, 'administrator');
    return actor.ok ? act(actor.value) : actor;
  }

  /**
   * Runs related writes as one transaction, then tells live clients (once per turn) that things
   * changed. In the same transaction a seat the change freed goes to the waitlist (when the
   * subscription says so); afterwards the alarm is set for the earliest timer.
   */
  #write<T>(fn: () => T, notify = true): T {
    const result = this.ctx.storage.transactionSync(() => {
      const value = fn();
      fillFromWaitlist(this.#sql, Date.now());
      return value;
    });
    this.#armAlarm();
    if (notify) this.#notify();
    return result;
  }

  /** Like #write, for a step that may refuse: live clients hear only of changes that happened. */
  #change<T>(fn: () => Result<T>, notify = true): Result<T> {
    const result = this.#write(fn, false);
    if (result.ok && notify) this.#notify();
    return result;
  }

  #notify(): void {
    if (this.#broadcastQueued) return;
    this.#broadcastQueued = true;
    queueMicrotask(() => {
      this.#broadcastQueued = false;
      const message = changedMessage(this.#sql);
      broadcast(this.ctx.getWebSockets(), message);
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
