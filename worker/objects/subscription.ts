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
import {
  authenticate,
  credentialOwner,
  endAccess,
  insertSession,
  loginThrottle,
  recordLoginFailure,
  type Actor,
  type Credential,
} from './access';
import { auditPage, recordAudit, type AuditQuery, type AuditTarget } from './audit';
import { beginIdempotent, completeIdempotent, type IdempotencyStart } from './idempotency';
import { migrate } from './schema';
import { Sql } from './sql';
import { activeAdministrators, seatHolders, subscriptionRow, userRow, usersPage, type UserQuery } from './users';
import { toUser, type ApiToken, type AuditEntry, type Page, type SubscriptionView, type User } from './views';

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
  sessionHash: string;
}


export class Subscription extends DurableObject<Env> {
  readonly #sql: Sql;
  #broadcastQueued = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql, ctx.storage);
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
      insertSession(this.#sql, input.userId, input.sessionHash);
    });
    await this.#confirmEmail(input.email, input.subscriptionId, input.userId);
    return ok(this.#account(input.userId));
  }

  /**
   * The stored password of the user with this email, for the Worker to verify (hashing happens
   * there, so a slow PBKDF2 never holds up this subscription's other requests).
   */
  passwordFor(email: string): Result<StoredPassword | null> {
    const row = this.#sql.one<{ id: string; password_hash: string | null; password_salt: string; password_iterations: number }>(
      'SELECT id, password_hash, password_salt, password_iterations FROM users WHERE email = ?',
      email,
    );
    if (!row || !row.password_hash) return ok(null);
    const throttled = loginThrottle(this.#sql, row.id);
    if (throttled) return throttled;
    return ok({ userId: row.id, hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations });
  }

  /** Records the outcome of a password check; on success starts a session with the given hash. */
  completeLogin(userId: string, passwordMatched: boolean, sessionHash: string): Result<Account> {
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
      insertSession(this.#sql, userId, sessionHash);
      this.#sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', isoNow(), userId);
    });
    return ok(this.#account(userId));
  }

  /** Sets the password of an invited user, activates them and signs them in. */
  acceptInvitation(invitationHash: string, password: PasswordHash, sessionHash: string): Result<Account> {
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
      insertSession(this.#sql, user.id, sessionHash);
    });
    return ok(this.#account(user.id));
  }

  /** Ends the session behind this credential (API tokens are revoked, not signed out). */
  logout(credential: Credential): Result<null> {
    if (credential.kind === 'session') this.#sql.run('DELETE FROM sessions WHERE token_hash = ?', credential.hash);
    return ok(null);
  }

  /** The caller and their subscription. */
  me(credential: Credential): Result<Account> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    return ok(this.#account(actor.value.id));
  }

  // ── API tokens ─────────────────────────────────────────────────────────────────────────────

  /** Stores a personal API token (its hash) that acts with the creator's role. */
  createToken(credential: Credential, token: { id: string; name: string; hash: string }): Result<ApiToken> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const now = isoNow();
    this.#write(() => {
      this.#sql.run(
        'INSERT INTO api_tokens (id, token_hash, user_id, name, created_at) VALUES (?, ?, ?, ?, ?)',
        token.id,
        token.hash,
        actor.value.id,
        token.name,
        now,
      );
      this.#audit(actor.value, 'token.created', { type: 'token', id: token.id, name: token.name });
    });
    return ok({ id: token.id, name: token.name, createdAt: now, lastUsedAt: null });
  }

  /** The caller's own API tokens, newest first. */
  listTokens(credential: Credential): Result<Page<ApiToken>> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    const rows = this.#sql.all<{ id: string; name: string; created_at: string; last_used_at: string | null }>(
      'SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC',
      actor.value.id,
    );
    const items = rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
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

  /** Renames the subscription or changes its purchased seats (never below the seats held). */
  updateSubscription(credential: Credential, change: { seats?: number; name?: string }): Result<SubscriptionView> {
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
    if (Object.keys(details).length > 0) {
      this.#write(() => {
        this.#sql.run(
          'UPDATE subscription SET purchased = ?, name = ?',
          change.seats ?? before.seats.purchased,
          change.name ?? before.name,
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
      this.#sql.run('UPDATE console_sessions SET ended_at = COALESCE(ended_at, ?) WHERE user_id = ?', isoNow(), userId);
      this.#sql.run('DELETE FROM users WHERE id = ?', userId);
      this.#audit(actor.value, 'user.deleted', { type: 'user', id: userId, name: user.name }, { email: user.email });
    });
    await this.#releaseEmail(user.email, this.#subscriptionView().id, userId);
    return ok(null);
  }

  // ── Seats ──────────────────────────────────────────────────────────────────────────────────

  /** Gives a user a seat if one is free. Idempotent: a user who holds one keeps it. */
  assignSeat(credential: Credential, userId: string): Result<User> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const user = this.#user(userId);
    if (!user.ok) return user;
    const decision = decideAssign(this.#subscriptionView().seats, candidate(user.value), () => seatHolders(this.#sql));
    if (decision === 'noop') return user;
    if (decision !== 'assign') return decision;
    this.#write(() => this.#insertSeat(actor.value, userId, user.value.name));
    return this.#user(userId);
  }

  /** Takes a user's seat back. Idempotent: a user without one stays without. */
  unassignSeat(credential: Credential, userId: string): Result<User> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const user = this.#user(userId);
    if (!user.ok) return user;
    if (user.value.seat) this.#write(() => this.#deleteSeat(actor.value, user.value, 'unassigned'));
    return this.#user(userId);
  }

  /** Moves a seat from one user to another in one step: it works even when every seat is taken. */
  transferSeat(credential: Credential, fromId: string, toId: string): Result<{ from: User; to: User }> {
    const actor = this.#authenticate(credential, 'administrator');
    if (!actor.ok) return actor;
    const from = this.#user(fromId);
    if (!from.ok) return from;
    const to = this.#user(toId);
    if (!to.ok) return to;
    const decision = decideTransfer(candidate(from.value), candidate(to.value));
    if (decision !== 'transfer') return decision;
    this.#write(() => {
      this.#sql.run('DELETE FROM seats WHERE user_id = ?', fromId);
      this.#sql.run('INSERT INTO seats (user_id, assigned_at) VALUES (?, ?)', toId, isoNow());
      this.#audit(actor.value, 'seat.transferred', { type: 'user', id: toId, name: to.value.name }, {
        from: { id: fromId, name: from.value.name },
        to: { id: toId, name: to.value.name },
      });
    });
    return ok({ from: this.#existing(fromId), to: this.#existing(toId) });
  }

  // ── Expert Console ─────────────────────────────────────────────────────────────────────────

  /** Lets the caller's Expert Console connect to a computer, if and only if they hold a seat. */
  startConsoleSession(
    credential: Credential,
    session: { id: string; computer: string },
  ): Result<{ id: string; computer: string; startedAt: string }> {
    const actor = this.#authenticate(credential);
    if (!actor.ok) return actor;
    if (!this.#sql.one('SELECT user_id FROM seats WHERE user_id = ?', actor.value.id)) {
      return fail('seat_required', {
        detail: 'You need a seat to connect to remote computers. Ask an administrator to assign you one.',
      });
    }
    const startedAt = isoNow();
    this.#write(() => {
      this.#sql.run(
        'INSERT INTO console_sessions (id, user_id, computer, started_at) VALUES (?, ?, ?, ?)',
        session.id,
        actor.value.id,
        session.computer,
        startedAt,
      );
    });
    return ok({ id: session.id, computer: session.computer, startedAt });
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
    this.#sql.run('INSERT INTO seats (user_id, assigned_at) VALUES (?, ?)', userId, isoNow());
    this.#audit(actor, 'seat.assigned', { type: 'user', id: userId, name });
  }

  #deleteSeat(actor: Actor, user: User, reason: 'unassigned' | 'deactivated' | 'deleted'): void {
    this.#sql.run('DELETE FROM seats WHERE user_id = ?', user.id);
    this.#audit(actor, 'seat.unassigned', { type: 'user', id: user.id, name: user.name }, reason === 'unassigned' ? {} : { reason });
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
    if (user.seat) this.#deleteSeat(actor, user, reason);
    endAccess(this.#sql, user.id);
    for (const ws of this.ctx.getWebSockets(user.id)) ws.close(4001, 'access revoked');
  }

  #audit(actor: Actor | null, action: string, target: AuditTarget, details: Record<string, unknown> = {}): void {
    recordAudit(this.#sql, actor, action, target, details);
  }

  /** Runs related writes as one transaction, then tells live clients (once per turn) that things changed. */
  #write<T>(fn: () => T): T {
    const result = this.ctx.storage.transactionSync(fn);
    if (!this.#broadcastQueued) {
      this.#broadcastQueued = true;
      queueMicrotask(() => {
        this.#broadcastQueued = false;
        this.#broadcast();
      });
    }
    return result;
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
  return (kind === 'session' || kind === 'token') && hash ? { kind, hash } : null;
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
