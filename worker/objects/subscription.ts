/**
 * One Subscription object per subscription. It owns the subscription's users, seats, sign-in
 * sessions, API tokens, invitations, idempotency records and audit log, and it serializes every
 * change to them: each public method (the RPC surface) authenticates the caller, asks the pure
 * seat rules, and writes in one synchronous transaction. Methods that must reach another object
 * (the email index) re-check everything after their last `await`, because an outgoing call lets
 * other requests run in between.
 */
import { DurableObject } from 'cloudflare:workers';
import type { PasswordHash } from '../crypto';
import { fail, ok, type Failure, type Result, type Role } from '../domain/result';
import { decideAdminChange, decideAssign, decidePurchased, decideTransfer } from '../domain/seats';
import { checkUntil, type ReleaseChoice, type SessionStatus } from '../domain/seat-timing';
import {
  authenticate,
  credentialOwner,
  endAccess,
  insertSession,
  loginThrottle,
  recordLoginFailure,
  type Actor,
  type Credential,
  type NewSession,
  type SessionView,
  userSessions,
} from './access';
import {
  insertPasskey,
  insertPasswordReset,
  passwordResetUser,
  storedPasskey,
  userPasskeys,
  type PasskeyView,
  type StoredPasskey,
} from './credentials';
import { auditPage, recordAudit, type AuditQuery, type AuditTarget } from './audit';
import { beginIdempotent, completeIdempotent, type IdempotencyStart } from './idempotency';
import { fireTimer } from './alarm';
import { closeSession, heartbeat, listSessions, startSession, endSessionsOf, type ConsoleSession } from './console';
import {
  consoleActivityReport,
  idleSeatsReport,
  utilisationReport,
  type ConsoleActivityReport,
  type IdleSeatsReport,
  type UtilisationReport,
} from './reports';
import { releaseSeat, seatLeavesWithUser, sessionsChanged, setSeatTerm } from './revocations';
import { migrate } from './schema';
import {
  applyApproval,
  cancelRequest,
  cancelRequestsOf,
  createRequest,
  declineRequest,
  fillFromWaitlist,
  listRequests,
  planApproval,
  requestById,
  type RequestQuery,
  type SeatRequest,
} from './seat-requests';
import { giveSeat } from './seats';
import { dueTimers, nextDue, setTimer } from './timers';
import { Sql } from './sql';
import { activeAdministrators, seatHolders, subscriptionRow, userRow, usersPage, type UserQuery } from './users';
import { toUser, type ApiToken, type TokenScope, type AuditEntry, type Page, type SubscriptionView, type User } from './views';

export type { Credential } from './access';
export { SESSION_DAYS } from './access';

export interface Account {
  user: User;
  subscription: SubscriptionView;
}

export interface StoredPassword {
  userId: string;
  hash: string;
  salt: string;
  iterations: number;
}

export interface NewUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  assignSeat: boolean;
  invitationHash: string;
  invitationExpiresAt: string;
}

export interface Signup {
  subscriptionId: string;
  organization: string;
  name: string;
  email: string;
  userId: string;
  password: PasswordHash;
  seats: number;
  assignSeat: boolean;
  session: NewSession;
}

/** A transfer's options: lend the seat `until` a time; what happens to the holder's console sessions. */
export interface TransferOptions extends Partial<ReleaseChoice> {
  until?: string | null;
}

/** Approving a seat request: transfer `from` a holder (else assign a free seat), optionally `until` a time. */
export interface ApprovalInput extends TransferOptions {
  from?: string;
  note?: string | null;
}

const DEFAULT_CHOICE: ReleaseChoice = { onActiveSessions: 'grace' };

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

  // ── Live updates ───────────────────────────────────────────────────────────────────────────

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
    pair[1].send(this.#changedMessage());
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(): void {
    // Clients only listen; "ping" is answered by the auto-response.
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 ? 1000 : code, 'closing');
  }

  // ── Sign-up and sign-in ────────────────────────────────────────────────────────────────────

  /** Creates this subscription with its first user, an administrator, signed in. */
  async initialize(input: Signup): Promise<Result<Account>> {
    if (this.#sql.one('SELECT id FROM subscription')) return fail('forbidden', { detail: 'Subscription exists.' });
    if (!(await this.#claimEmail(input.email, input.subscriptionId, input.userId))) {
      return fail('email_taken', { email: input.email });
    }
    if (this.#sql.one('SELECT id FROM subscription')) {
      await this.#releaseEmail(input.email, input.subscriptionId, input.userId);
      return fail('forbidden', { detail: 'Subscription exists.' });
    }
    const now = isoNow();
    this.#write(() => {
      this.#sql.run(
        'INSERT INTO subscription (id, name, purchased, created_at) VALUES (?, ?, ?, ?)',
        input.subscriptionId,
        input.organization,
        input.seats,
        now,
      );
      this.#sql.run(
        `INSERT INTO users (id, name, email, role, status, password_hash, password_salt, password_iterations,
           created_at, last_active_at) VALUES (?, ?, ?, 'administrator', 'active', ?, ?, ?, ?, ?)`,
        input.userId,
        input.name,
        input.email,
        input.password.hash,
        input.password.salt,
        input.password.iterations,
        now,
        now,
      );
      const actor = { id: input.userId, name: input.name, role: 'administrator' as const };
      this.#audit(actor, 'subscription.created', { type: 'subscription', id: input.subscriptionId, name: input.organization }, {
        seats: input.seats,
      });
      this.#audit(actor, 'user.created', { type: 'user', id: input.userId, name: input.name }, { role: 'administrator' });
      if (input.assignSeat) this.#insertSeat(actor, input.userId, input.name);
      insertSession(this.#sql, input.userId, input.session);
    });
    await this.#confirmEmail(input.email, input.subscriptionId, input.userId);
    return ok(this.#account(input.userId));
  }

  /**
   * The stored password of the user with this email, for the Worker to verify (hashing happens
   * there, so a slow PBKDF2 never holds up this subscription's other requests).
   */
  passwordFor(email: string): Result<StoredPassword | null> {
    const user = this.#sql.one<{ id: string }>('SELECT id FROM users WHERE email = ?', email);
    const stored = user ? this.#storedPassword(user.id) : null;
    if (!stored) return ok(null);
    return loginThrottle(this.#sql, stored.userId) ?? ok(stored);
  }

  /** Records the outcome of a password check; on success starts a session with the given hash. */
  completeLogin(userId: string, passwordMatched: boolean, session: NewSession): Result<Account> {
    if (!passwordMatched) {
      recordLoginFailure(this.#sql, userId);
      return fail('invalid_credentials', {});
    }
    const user = userRow(this.#sql, userId);
    if (!user) return fail('invalid_credentials', {});
    if (user.status === 'deactivated') {
      return fail('forbidden', { detail: 'This account is deactivated. Ask an administrator to reactivate it.' });
    }
    this.#write(() => {
      this.#sql.run('DELETE FROM login_failures WHERE user_id = ?', userId);
      insertSession(this.#sql, userId, session);
      this.#sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', isoNow(), userId);
    });
    return ok(this.#account(userId));
  }

  /** Sets the password of an invited user, activates them and signs them in. */
  acceptInvitation(invitationHash: string, password: PasswordHash, session: NewSession): Result<Account> {
    const invitation = this.#sql.one<{ user_id: string; expires_at: string }>(
      'SELECT user_id, expires_at FROM invitations WHERE token_hash = ?',
      invitationHash,
    );
    const user = invitation ? userRow(this.#sql, invitation.user_id) : null;
    if (!invitation || !user || invitation.expires_at <= isoNow() || user.status !== 'invited') {
      return fail('invitation_invalid', {
        detail: 'This invitation link is invalid, already used or expired. Ask an administrator for a new one.',
      });
    }
    this.#write(() => {
      this.#sql.run('DELETE FROM invitations WHERE user_id = ?', user.id);
      this.#sql.run(
        `UPDATE users SET status = 'active', password_hash = ?, password_salt = ?, password_iterations = ?,
           last_active_at = ? WHERE id = ?`,
        password.hash,
        password.salt,
        password.iterations,
        isoNow(),
        user.id,
      );
      const self = { id: user.id, name: user.name, role: user.role as Role };
      this.#audit(self, 'user.activated', { type: 'user', id: user.id, name: user.name });
      insertSession(this.#sql, user.id, session);
    });
    return ok(this.#account(user.id));
  }

  /** Ends the session behind this credential (API tokens are revoked, not signed out). */
  logout(credential: Credential): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    if (credential.kind === 'session') this.#sql.run('DELETE FROM sessions WHERE token_hash = ?', credential.hash);
    return ok(null);
  }

  /** The caller and their subscription. */
  me(credential: Credential): Result<Account> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return ok(this.#account(actor.value.id));
  }

  // ── Account security: devices, passwords, passkeys ────────────────────────────────────────

  /** The caller's signed-in devices, most recently used first. */
  listSessions(credential: Credential): Result<Page<SessionView>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const current = credential.kind === 'session' ? credential.hash : null;
    return ok({ items: userSessions(this.#sql, actor.value.id, current), nextCursor: null });
  }

  /** Signs one of the caller's devices out. */
  endSession(credential: Credential, sessionId: string): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const ended = this.#sql.run('DELETE FROM sessions WHERE id = ? AND user_id = ?', sessionId, actor.value.id);
    return ended ? ok(null) : fail('not_found', { detail: 'No such session of yours.' });
  }

  /** Signs every other device of the caller out; the current session stays. */
  endOtherSessions(credential: Credential): Result<{ ended: number }> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const ended = this.#sql.run('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?', actor.value.id, credential.hash);
    return ok({ ended });
  }

  /** The caller's stored password, for the Worker to check the current one before a change. */
  ownPassword(credential: Credential): Result<StoredPassword | null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return ok(this.#storedPassword(actor.value.id));
  }

  /** Sets the caller's new password and signs their other devices out. */
  changePassword(credential: Credential, password: PasswordHash): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    this.#write(() => {
      this.#setPassword(actor.value.id, password);
      this.#sql.run('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?', actor.value.id, credential.hash);
      this.#audit(actor.value, 'user.password_changed', { type: 'user', id: actor.value.id, name: actor.value.name });
    });
    return ok(null);
  }

  /**
   * Starts a password reset for an active user with this email. Null (and nothing stored) for
   * anyone else, which the Worker answers exactly like a success, so emails cannot be probed.
   */
  startPasswordReset(email: string, tokenHash: string): Result<{ name: string; email: string; expiresAt: string } | null> {
    const user = this.#sql.one<{ id: string; name: string; email: string }>(
      "SELECT id, name, email FROM users WHERE email = ? AND status = 'active'",
      email,
    );
    if (!user) return ok(null);
    const expiresAt = this.#write(() => insertPasswordReset(this.#sql, user.id, tokenHash));
    return ok({ name: user.name, email: user.email, expiresAt });
  }

  /** Sets a new password from a reset link (once), ends every session, and signs in here. */
  completePasswordReset(tokenHash: string, password: PasswordHash, session: NewSession): Result<Account> {
    const userId = passwordResetUser(this.#sql, tokenHash);
    const user = userId ? userRow(this.#sql, userId) : null;
    if (!user || user.status !== 'active') {
      return fail('invitation_invalid', {
        detail: 'This password reset link is invalid, already used or expired. Ask for a new one.',
      });
    }
    this.#write(() => {
      this.#sql.run('DELETE FROM password_resets WHERE user_id = ?', user.id);
      this.#sql.run('DELETE FROM sessions WHERE user_id = ?', user.id);
      this.#sql.run('DELETE FROM login_failures WHERE user_id = ?', user.id);
      this.#setPassword(user.id, password);
      const self = { id: user.id, name: user.name, role: user.role as Role };
      this.#audit(self, 'user.password_reset', { type: 'user', id: user.id, name: user.name });
      insertSession(this.#sql, user.id, session);
    });
    return ok(this.#account(user.id));
  }

  /** Who is registering a passkey, and the passkeys they already have (not to register twice). */
  passkeyOwner(credential: Credential): Result<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const user = this.#existing(actor.value.id);
    const passkeyIds = userPasskeys(this.#sql, user.id).map((p) => p.id);
    return ok({ userId: user.id, name: user.name, email: user.email, passkeyIds });
  }

  /** Stores a verified passkey for the caller. */
  addPasskey(credential: Credential, passkey: Omit<StoredPasskey, 'userId'> & { name: string }): Result<PasskeyView[]> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    this.#write(() => {
      insertPasskey(this.#sql, actor.value.id, passkey);
      this.#audit(actor.value, 'passkey.added', { type: 'user', id: actor.value.id, name: actor.value.name }, { passkey: passkey.name });
    });
    return ok(userPasskeys(this.#sql, actor.value.id));
  }

  /** A passkey presented at sign-in, if it belongs to an active user here. */
  passkeyForLogin(userId: string, credentialId: string): Result<StoredPasskey | null> {
    const user = userRow(this.#sql, userId);
    if (!user || user.status !== 'active') return ok(null);
    return ok(storedPasskey(this.#sql, userId, credentialId));
  }

  /** Records a verified passkey sign-in (its new signature counter) and starts a session. */
  completePasskeyLogin(userId: string, credentialId: string, counter: number, session: NewSession): Result<Account> {
    const user = userRow(this.#sql, userId);
    if (!user || user.status !== 'active' || !storedPasskey(this.#sql, userId, credentialId)) {
      return fail('invalid_credentials', {});
    }
    this.#write(() => {
      this.#sql.run('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?', counter, isoNow(), credentialId);
      this.#sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', isoNow(), userId);
      insertSession(this.#sql, userId, session);
    });
    return ok(this.#account(userId));
  }

  /** The caller's passkeys. */
  listPasskeys(credential: Credential): Result<Page<PasskeyView>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return ok({ items: userPasskeys(this.#sql, actor.value.id), nextCursor: null });
  }

  /** Removes one of the caller's passkeys. */
  deletePasskey(credential: Credential, passkeyId: string): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const removed = this.#write(() => {
      const count = this.#sql.run('DELETE FROM passkeys WHERE id = ? AND user_id = ?', passkeyId, actor.value.id);
      if (count) this.#audit(actor.value, 'passkey.removed', { type: 'user', id: actor.value.id, name: actor.value.name });
      return count;
    });
    return removed ? ok(null) : fail('not_found', { detail: 'No such passkey of yours.' });
  }

  // ── API tokens ─────────────────────────────────────────────────────────────────────────────

  /** Stores a personal API token (its hash) that acts with the creator's role. */
  createToken(credential: Credential, token: { id: string; name: string; hash: string; scope: TokenScope }): Result<ApiToken> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const now = isoNow();
    this.#write(() => {
      this.#sql.run(
        'INSERT INTO api_tokens (id, token_hash, user_id, name, scope, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        token.id,
        token.hash,
        actor.value.id,
        token.name,
        token.scope,
        now,
      );
      this.#audit(actor.value, 'token.created', { type: 'token', id: token.id, name: token.name }, { scope: token.scope });
    });
    return ok({ id: token.id, name: token.name, scope: token.scope, createdAt: now, lastUsedAt: null });
  }

  /** The caller's own API tokens, newest first. */
  listTokens(credential: Credential): Result<Page<ApiToken>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const rows = this.#sql.all<{ id: string; name: string; scope: string; created_at: string; last_used_at: string | null }>(
      'SELECT id, name, scope, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC',
      actor.value.id,
    );
    const items = rows.map((r) => ({
      id: r.id,
      name: r.name,
      scope: r.scope as TokenScope,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
    }));
    return ok({ items, nextCursor: null });
  }

  /** Revokes a token: the caller's own, or any in the subscription for an administrator. */
  deleteToken(credential: Credential, tokenId: string): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const token = this.#sql.one<{ user_id: string; name: string }>('SELECT user_id, name FROM api_tokens WHERE id = ?', tokenId);
    if (!token || (token.user_id !== actor.value.id && actor.value.role !== 'administrator')) {
      return notFound('token');
    }
    this.#write(() => {
      this.#sql.run('DELETE FROM api_tokens WHERE id = ?', tokenId);
      this.#audit(actor.value, 'token.revoked', { type: 'token', id: tokenId, name: token.name });
    });
    return ok(null);
  }

  // ── The subscription ───────────────────────────────────────────────────────────────────────

  /** The subscription with its seat counts. */
  getSubscription(credential: Credential): Result<SubscriptionView> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return ok(this.#subscriptionView());
  }

  /**
   * Renames the subscription, changes its purchased seats (never below the seats held), or turns
   * on or off giving freed seats to the oldest pending request.
   */
  updateSubscription(
    credential: Credential,
    change: { seats?: number; name?: string; autoAssignRequests?: boolean },
  ): Result<SubscriptionView> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const before = this.#subscriptionView();
    if (change.seats !== undefined) {
      const decision = decidePurchased(before.seats, change.seats);
      if (decision !== 'change') return decision;
    }
    const details: Record<string, unknown> = {};
    if (change.seats !== undefined && change.seats !== before.seats.purchased) {
      details.seats = { from: before.seats.purchased, to: change.seats };
    }
    if (change.name !== undefined && change.name !== before.name) details.name = { from: before.name, to: change.name };
    const auto = change.autoAssignRequests ?? before.autoAssignRequests;
    if (auto !== before.autoAssignRequests) details.autoAssignRequests = { from: before.autoAssignRequests, to: auto };
    if (Object.keys(details).length > 0) {
      this.#write(() => {
        this.#sql.run(
          'UPDATE subscription SET purchased = ?, name = ?, auto_assign_requests = ?',
          change.seats ?? before.seats.purchased,
          change.name ?? before.name,
          auto ? 1 : 0,
        );
        const target = { type: 'subscription' as const, id: before.id, name: change.name ?? before.name };
        this.#audit(actor.value, 'subscription.updated', target, details);
      });
    }
    return ok(this.#subscriptionView());
  }

  // ── Users ──────────────────────────────────────────────────────────────────────────────────

  /** One page of users, oldest first, filtered by seat, role, status and a search on name or email. */
  listUsers(credential: Credential, query: UserQuery): Result<Page<User>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return usersPage(this.#sql, query);
  }

  /** One user of this subscription. */
  getUser(credential: Credential, userId: string): Result<User> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return this.#user(userId);
  }

  /**
   * Creates a user with an invitation to set their password, and a seat unless `assignSeat` is
   * false. With no free seat nothing is created, and the email stays free.
   */
  async createUser(credential: Credential, input: NewUser): Promise<Result<{ user: User; invitationExpiresAt: string }>> {
    const before = this.#checkCreate(credential, input);
    if (!before.ok) return before;
    const subscriptionId = this.#subscriptionView().id;
    if (!(await this.#claimEmail(input.email, subscriptionId, input.id))) return fail('email_taken', { email: input.email });
    // The claim let other requests in: decide again on what holds now.
    const actor = this.#checkCreate(credential, input);
    if (!actor.ok) {
      await this.#releaseEmail(input.email, subscriptionId, input.id);
      return actor;
    }
    this.#write(() => {
      this.#sql.run(
        `INSERT INTO users (id, name, email, role, status, created_at) VALUES (?, ?, ?, ?, 'invited', ?)`,
        input.id,
        input.name,
        input.email,
        input.role,
        isoNow(),
      );
      this.#audit(actor.value, 'user.created', { type: 'user', id: input.id, name: input.name }, { role: input.role, email: input.email });
      if (input.assignSeat) this.#insertSeat(actor.value, input.id, input.name);
      this.#insertInvitation(input.id, input.invitationHash, input.invitationExpiresAt);
    });
    await this.#confirmEmail(input.email, subscriptionId, input.id);
    return ok({ user: this.#existing(input.id), invitationExpiresAt: input.invitationExpiresAt });
  }

  /** Replaces an invited user's invitation link with a new one (the old link stops working). */
  renewInvitation(credential: Credential, userId: string, invitation: { hash: string; expiresAt: string }): Result<User> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const user = this.#user(userId);
    if (!user.ok) return user;
    if (user.value.status !== 'invited') {
      return fail('validation_failed', { detail: `${user.value.name} has already accepted their invitation.` });
    }
    this.#write(() => this.#insertInvitation(userId, invitation.hash, invitation.expiresAt));
    return user;
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
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const row = userRow(this.#sql, userId);
    if (!row) return notFound('user');
    const user = toUser(row);
    const removesAdministrator =
      (change.role !== undefined && change.role !== 'administrator') || change.status === 'deactivated';
    const allowed = decideAdminChange({ ...user, activeAdministrators: activeAdministrators(this.#sql), removesAdministrator });
    if (allowed !== 'allow') return allowed;

    const details: Record<string, unknown> = {};
    if (change.name !== undefined && change.name !== user.name) details.name = { from: user.name, to: change.name };
    if (change.role !== undefined && change.role !== user.role) details.role = { from: user.role, to: change.role };
    // Reactivating someone who never set a password returns them to "invited".
    const status =
      change.status === 'active' && user.status === 'deactivated' ? (row.has_password ? 'active' : 'invited') : change.status;
    if (status !== undefined && status !== user.status && !(status === 'active' && user.status === 'invited')) {
      details.status = { from: user.status, to: status };
    }
    if (Object.keys(details).length === 0) return ok(user);
    this.#write(() => {
      this.#sql.run(
        'UPDATE users SET name = ?, role = ?, status = ? WHERE id = ?',
        change.name ?? user.name,
        change.role ?? user.role,
        details.status ? status! : user.status,
        userId,
      );
      this.#audit(actor.value, 'user.updated', { type: 'user', id: userId, name: change.name ?? user.name }, details);
      if (status === 'deactivated' && user.status !== 'deactivated') this.#revokeAccess(actor.value, user, 'deactivated');
    });
    return this.#user(userId);
  }

  /** Deletes a user, freeing their seat and ending their access; their email becomes free again. */
  async deleteUser(credential: Credential, userId: string): Promise<Result<null>> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const row = userRow(this.#sql, userId);
    if (!row) return notFound('user');
    const user = toUser(row);
    const allowed = decideAdminChange({ ...user, activeAdministrators: activeAdministrators(this.#sql), removesAdministrator: true });
    if (allowed !== 'allow') return allowed;
    this.#write(() => {
      this.#revokeAccess(actor.value, user, 'deleted');
      this.#sql.run('DELETE FROM invitations WHERE user_id = ?', userId);
      this.#sql.run('DELETE FROM login_failures WHERE user_id = ?', userId);
      this.#sql.run('DELETE FROM users WHERE id = ?', userId);
      this.#audit(actor.value, 'user.deleted', { type: 'user', id: userId, name: user.name }, { email: user.email });
    });
    await this.#releaseEmail(user.email, this.#subscriptionView().id, userId);
    return ok(null);
  }

  // ── Seats ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Gives a user a seat if one is free, optionally time-boxed `until` a time (then it is freed).
   * Idempotent: a user who holds one keeps it, with its end set to `until` (none without), and a
   * revocation waiting on it is cancelled.
   */
  assignSeat(credential: Credential, userId: string, options: { until?: string | null } = {}): Result<User> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const user = this.#user(userId);
    if (!user.ok) return user;
    const now = Date.now();
    const until = checkUntil(options.until, now);
    if (!until.ok) return until;
    const decision = decideAssign(this.#subscriptionView().seats, candidate(user.value), () => seatHolders(this.#sql));
    if (decision === 'noop') {
      const seat = user.value.seat!;
      if (seat.revocation === null && (seat.loan?.until ?? null) === until.value) return user;
      this.#write(() => setSeatTerm(this.#sql, actor.value, user.value, until.value));
      return this.#user(userId);
    }
    if (decision !== 'assign') return decision;
    this.#write(() => giveSeat(this.#sql, actor.value, user.value, now, { until: until.value, returnsTo: null }));
    return this.#user(userId);
  }

  /**
   * Takes a user's seat back. Idempotent: a user without one stays without. If they are connected
   * to computers, `choice` says when: now (their sessions end), after a grace period, or after
   * their last session; until then the seat stays theirs, shown in `seat.revocation`.
   */
  unassignSeat(credential: Credential, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Result<User> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const user = this.#user(userId);
    if (!user.ok) return user;
    const change = { action: 'unassign' as const, transferTo: null, until: null };
    if (user.value.seat) this.#write(() => releaseSeat(this.#sql, actor.value, user.value, change, choice, Date.now()));
    return this.#user(userId);
  }

  /**
   * Moves a seat from one user to another in one step: it works even when every seat is taken.
   * With `until`, the seat is lent: it returns to `from` then. If `from` is connected, the move
   * waits as the administrator chose (see unassignSeat), and completes then.
   */
  transferSeat(credential: Credential, fromId: string, toId: string, options: TransferOptions = {}): Result<{ from: User; to: User }> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const from = this.#user(fromId);
    if (!from.ok) return from;
    const to = this.#user(toId);
    if (!to.ok) return to;
    const decision = decideTransfer(candidate(from.value), candidate(to.value));
    if (decision !== 'transfer') return decision;
    const now = Date.now();
    const until = checkUntil(options.until, now);
    if (!until.ok) return until;
    const change = { action: 'transfer' as const, transferTo: to.value, until: until.value };
    this.#write(() => releaseSeat(this.#sql, actor.value, from.value, change, choiceOf(options), now));
    return ok({ from: this.#existing(fromId), to: this.#existing(toId) });
  }

  /**
   * Ends a time-boxed seat early: it returns to its lender if they can take it, otherwise it is
   * freed. Connected holders are treated as `choice` says, like unassignSeat.
   */
  returnSeat(credential: Credential, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Result<User> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const user = this.#user(userId);
    if (!user.ok) return user;
    const loan = user.value.seat?.loan;
    if (!loan) {
      return fail('seat_not_lent', {
        userId,
        detail: `${user.value.name} does not hold a time-boxed seat. To take their seat back, remove it instead.`,
      });
    }
    const change = { action: 'return' as const, transferTo: loan.returnsTo, until: null };
    this.#write(() => releaseSeat(this.#sql, actor.value, user.value, change, choice, Date.now()));
    return this.#user(userId);
  }

  // ── Expert Console ─────────────────────────────────────────────────────────────────────────

  /**
   * Lets the caller's Expert Console connect to a computer, if and only if they hold a seat that is
   * not being taken back. The session must send a heartbeat every `heartbeatSeconds`.
   */
  startConsoleSession(credential: Credential, session: { id: string; computer: string }): Result<ConsoleSession & { heartbeatSeconds: number }> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return this.#change(() => startSession(this.#sql, actor.value, session, Date.now()));
  }

  /** The caller's session is still running; the answer says whether their seat is leaving. */
  heartbeatConsoleSession(credential: Credential, sessionId: string): Result<SessionStatus> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    // A heartbeat changes nothing anyone sees: live clients are not told.
    return this.#change(() => heartbeat(this.#sql, actor.value, sessionId, Date.now()), false);
  }

  /** Ends a session: the caller's own, or anyone's for an administrator. */
  endConsoleSession(credential: Credential, sessionId: string): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const now = Date.now();
    return this.#change(() => {
      const closed = closeSession(this.#sql, actor.value, sessionId, now);
      if (!closed.ok) return closed;
      sessionsChanged(this.#sql, closed.value, now);
      return ok(null);
    });
  }

  /** Active console sessions: all (or one user's) for administrators, their own for technicians. */
  listConsoleSessions(credential: Credential, userId?: string): Result<Page<ConsoleSession>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const sessions = listSessions(this.#sql, actor.value, userId);
    return sessions.ok ? ok({ items: sessions.value, nextCursor: null }) : sessions;
  }

  // ── Seat requests ──────────────────────────────────────────────────────────────────────────

  /** The caller asks for a seat, with a reason. */
  createSeatRequest(credential: Credential, request: { id: string; reason: string }): Result<SeatRequest> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const created = this.#change(() => createRequest(this.#sql, actor.value, request, Date.now()));
    // With automatic assignment and a free seat, it may already be approved.
    return created.ok ? ok(requestById(this.#sql, request.id)!) : created;
  }

  /** Seat requests, oldest first: all for administrators, their own for technicians. */
  listSeatRequests(credential: Credential, query: RequestQuery): Result<Page<SeatRequest>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return listRequests(this.#sql, actor.value, query);
  }

  /** Approves a pending request: a free seat, or one transferred `from` a holder; lent `until` a time. */
  approveSeatRequest(credential: Credential, requestId: string, input: ApprovalInput): Result<{ request: SeatRequest; user: User; from: User | null }> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const now = Date.now();
    const until = checkUntil(input.until, now);
    if (!until.ok) return until;
    const plan = planApproval(this.#sql, actor.value, requestId, input.from);
    if (!plan.ok) return plan;
    const options = { until: until.value, note: input.note ?? null, choice: choiceOf(input) };
    this.#write(() => applyApproval(this.#sql, actor.value, plan.value, options, now));
    const from = plan.value.kind === 'transfer' ? this.#existing(plan.value.from.id) : null;
    return ok({ request: requestById(this.#sql, requestId)!, user: this.#existing(plan.value.request.user.id), from });
  }

  /** Declines a pending request with an optional note. */
  declineSeatRequest(credential: Credential, requestId: string, note: string | null): Result<SeatRequest> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    return this.#change(() => declineRequest(this.#sql, actor.value, requestId, note, Date.now()));
  }

  /** Withdraws a pending request: the requester's own, or any for an administrator. */
  cancelSeatRequest(credential: Credential, requestId: string): Result<null> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return this.#change(() => cancelRequest(this.#sql, actor.value, requestId, Date.now()));
  }

  // ── Reports ────────────────────────────────────────────────────────────────────────────────

  /** Seats assigned against purchased per UTC day, replayed from the audit log (administrators). */
  utilisationReport(credential: Credential, period: { from?: string; to?: string }): Result<UtilisationReport> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    return utilisationReport(this.#sql, period, Date.now());
  }

  /** Console sessions and connected time per user over the last `days` days (administrators). */
  consoleActivityReport(credential: Credential, days: number): Result<ConsoleActivityReport> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    return ok(consoleActivityReport(this.#sql, days, Date.now()));
  }

  /** Seats unused for `days` days, each with a reassignment suggestion (administrators). */
  idleSeatsReport(credential: Credential, days: number): Result<IdleSeatsReport> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    return ok(idleSeatsReport(this.#sql, days, Date.now()));
  }

  // ── Timers ─────────────────────────────────────────────────────────────────────────────────

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

  // ── Audit log ──────────────────────────────────────────────────────────────────────────────

  /** One page of the audit log, newest first. */
  listAudit(credential: Credential, query: AuditQuery): Result<Page<AuditEntry>> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    return auditPage(this.#sql, query);
  }

  // ── Idempotency ────────────────────────────────────────────────────────────────────────────

  /**
   * Starts a POST that carries an Idempotency-Key. A finished request with the same key and body
   * is replayed; the same key with another body, or while the first is still running, is refused.
   */
  beginIdempotent(credential: Credential, key: string, fingerprint: string): Result<IdempotencyStart> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return beginIdempotent(this.#sql, actor.value.id, key, fingerprint);
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
    return this.#sql.one('SELECT id FROM users WHERE id = ? AND email = ?', userId, email) !== null;
  }

  // ── Internals ──────────────────────────────────────────────────────────────────────────────

  #authenticate(credential: Credential, role?: 'administrator'): Result<Actor> {
    return authenticate(this.#sql, credential, role);
  }

  #checkCreate(credential: Credential, input: NewUser): Result<Actor> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    if (this.#sql.one('SELECT id FROM users WHERE email = ?', input.email)) return fail('email_taken', { email: input.email });
    if (input.assignSeat) {
      const decision = decideAssign(
        this.#subscriptionView().seats,
        { id: input.id, name: input.name, status: 'invited', hasSeat: false },
        () => seatHolders(this.#sql),
      );
      if (decision !== 'assign' && decision !== 'noop') return decision;
    }
    return actor;
  }

  #storedPassword(userId: string): StoredPassword | null {
    const row = this.#sql.one<{ password_hash: string | null; password_salt: string; password_iterations: number }>(
      'SELECT password_hash, password_salt, password_iterations FROM users WHERE id = ?',
      userId,
    );
    return row?.password_hash
      ? { userId, hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations }
      : null;
  }

  #setPassword(userId: string, password: PasswordHash): void {
    this.#sql.run(
      'UPDATE users SET password_hash = ?, password_salt = ?, password_iterations = ? WHERE id = ?',
      password.hash,
      password.salt,
      password.iterations,
      userId,
    );
  }

  #user(userId: string): Result<User> {
    const row = userRow(this.#sql, userId);
    return row ? ok(toUser(row)) : notFound('user');
  }

  /** A user this very call just read or wrote. */
  #existing(userId: string): User {
    const row = userRow(this.#sql, userId);
    if (!row) throw new Error(`user ${userId} vanished inside one call`);
    return toUser(row);
  }

  #subscriptionView(): SubscriptionView {
    const view = subscriptionRow(this.#sql);
    if (!view) throw new Error('Subscription not initialized');
    return view;
  }

  #account(userId: string): Account {
    return { user: this.#existing(userId), subscription: this.#subscriptionView() };
  }

  #insertSeat(actor: Actor, userId: string, name: string): void {
    giveSeat(this.#sql, actor, { id: userId, name }, Date.now());
  }

  #insertInvitation(userId: string, hash: string, expiresAt: string): void {
    this.#sql.run('DELETE FROM invitations WHERE user_id = ?', userId);
    this.#sql.run(
      'INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      hash,
      userId,
      isoNow(),
      expiresAt,
    );
  }

  /** Frees the user's seat and ends every way they had of acting: sessions, tokens, live sockets. */
  #revokeAccess(actor: Actor, user: User, reason: 'deactivated' | 'deleted'): void {
    const now = Date.now();
    endSessionsOf(this.#sql, user.id, reason, actor, now);
    seatLeavesWithUser(this.#sql, actor, user, reason, now);
    cancelRequestsOf(this.#sql, actor, user, now, reason);
    endAccess(this.#sql, user.id);
    for (const ws of this.ctx.getWebSockets(user.id)) ws.close(4001, 'access revoked');
  }

  #audit(actor: Actor | null, action: string, target: AuditTarget, details: Record<string, unknown> = {}): void {
    recordAudit(this.#sql, actor, action, target, details);
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
      this.#broadcast();
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

  #broadcast(): void {
    const message = this.#changedMessage();
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message);
      } catch {
        // A socket that is closing; the runtime drops it.
      }
    }
  }

  #changedMessage(): string {
    return JSON.stringify({ type: 'changed', seats: this.#subscriptionView().seats, at: isoNow() });
  }

  #emailIndex(email: string) {
    return this.env.EMAIL_INDEX.getByName(email.toLowerCase());
  }

  #claimEmail(email: string, subscriptionId: string, userId: string): Promise<boolean> {
    return this.#emailIndex(email).claim(subscriptionId, userId, email);
  }

  async #confirmEmail(email: string, subscriptionId: string, userId: string): Promise<void> {
    // A lost confirmation is repaired by the index itself, which asks us when a claim looks stale.
    await this.#emailIndex(email).confirm(subscriptionId, userId).catch((error: unknown) => {
      console.error('email confirm failed', error);
    });
  }

  async #releaseEmail(email: string, subscriptionId: string, userId: string): Promise<void> {
    await this.#emailIndex(email).release(subscriptionId, userId).catch((error: unknown) => {
      console.error('email release failed', error);
    });
  }
}

/** The Worker passes a live-update socket's credential in these headers. */
export const CREDENTIAL_HEADERS = { kind: 'x-setme-credential-kind', hash: 'x-setme-credential-hash' } as const;

function credentialFromHeaders(headers: Headers): Credential | null {
  const kind = headers.get(CREDENTIAL_HEADERS.kind);
  const hash = headers.get(CREDENTIAL_HEADERS.hash);
  return (kind === 'session' || kind === 'token') && hash ? { kind, hash, intent: 'read' } : null;
}

function choiceOf(options: Partial<ReleaseChoice>): ReleaseChoice {
  return { onActiveSessions: options.onActiveSessions ?? DEFAULT_CHOICE.onActiveSessions, graceMinutes: options.graceMinutes };
}

function candidate(user: User) {
  return { id: user.id, name: user.name, status: user.status, hasSeat: user.seat !== null };
}

function notFound(what: 'user' | 'token'): Failure {
  return fail('not_found', { detail: `No such ${what} in this subscription.` });
}

function isoNow(): string {
  return new Date().toISOString();
}
