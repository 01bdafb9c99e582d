/**
 * One Subscription object per subscription. It owns the subscription's users, seats, signed-in
 * devices, API tokens, invitations, idempotency records and audit log, and it serializes every
 * change to them.
 *
 * This file is the RPC surface. Every public method runs its work, a plain function of
 * `(sql, actor, input, now)` from the module named beside its section, through the one write path
 * (write-path.ts): one synchronous transaction that also authenticates the caller, in which a
 * refusal rolls back whatever the call wrote. Methods that must reach another object (the email
 * index) check first, await, and let the write check again, because an outgoing call lets other
 * requests run in between.
 */
import { DurableObject } from 'cloudflare:workers';
import type {
  Billing,
  ConsoleActivityReport,
  ConsoleSession,
  CreatedWebhook,
  Delivery,
  Device,
  Heartbeat,
  IdleSeatsReport,
  OwnedApiToken,
  NotificationSettings,
  NotificationSettingsPatch,
  Passkey,
  PasswordChanged,
  PushDevice,
  Reauthenticated,
  RecoveredAccount,
  ReleaseChoice,
  SeatHolders,
  SeatRequest,
  StartedConsoleSession,
  UpdateWebhookBody,
  UtilisationReport,
  Webhook,
  WebhookEvent,
  WebhookSecret,
} from '../contract';
import type { PasswordHash } from '../crypto';
import { fail, ok, type Result } from '../domain/result';
import { userDevices, type NewDevice } from './access';
import { acceptInvitation, checkNewSubscription, completeLogin, createSubscription, logout, passwordFor, type Signup } from './account';
import { fireTimer } from './alarm';
import { auditPage, type AuditQuery } from './audit';
import type { Call, Reply, SignInReply } from './call';
import { closeSession, heartbeat, listSessions, startSession } from './console';
import { replayDemo, type DemoReplayed, type DemoSeed } from './demo';
import { storedPasskey, storedPassword, userPasskeys, type NewPasskey, type StoredPasskey, type StoredPassword } from './credentials';
import { claimEmail, confirmEmail, releaseEmail } from './email-index';
import { changedMessage, closeSockets, credentialFromHeaders } from './live';
import { consoleActivityReport, idleSeatsReport, utilisationReport } from './reports';
import { DEFAULT_CHOICE, sessionsChanged } from './revocations';
import { migrate } from './migrate';
import { countFailedCheck } from './password-checks';
import { reauthenticate, type Proof } from './reauthentication';
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
  endSignedOutDevice,
  signOutDevice,
  signOutOtherDevices,
  passkeyForLogin,
  passkeyOwner,
  passwordLinkOwner,
  startPasswordReset,
  type PasskeyLogin,
  type PasswordChange,
} from './security';
import type { UsedChallenge } from './challenges';
import { Sql } from './sql';
import { dueTimers, nextDue, setTimer } from './timers';
import { createToken, deleteToken, listAllTokens, listTokens, tokenCreatedOnce, type NewToken } from './tokens';
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
import { accountOf, existingUser, findUser, holdsEmail, seatHoldersView, subscriptionView, usersPage, type UserQuery } from './users';
import type { Account, ApiToken, AuditEntry, Page, SubscriptionView, User } from './views';
import { WritePath, type Access } from './write-path';
import type { Coverage, IdleReclaimItem, IdleReclaimPolicy, Schedule } from '../contract';
import { idleReclaimPolicy, idleReclaimPreview, setIdleReclaim, type IdleReclaimInput } from './idle-reclaim';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  scheduleCoverage,
  setUserSchedule,
  updateSchedule,
  type NewSchedule,
  type ScheduleChange,
} from './schedules';
import { createPool, deletePool, listPools, managedPools, poolReport, updatePool } from './pools';
import { requestById } from './seat-requests';
import type { Actor } from './access';
import type { DirectoryStatus, Group, Pool, PoolReport } from '../contract';
import type { GroupCondition, UserCondition } from '../domain/scim-filter';
import type { DirectoryUserView } from '../domain/scim-users';
import { directoryStatus } from './directory';
import {
  changeGroup,
  createGroup,
  deleteGroup,
  directoryGroup,
  directoryGroupsPage,
  groupList,
  setGrantsSeat,
  type GroupChange,
  type GroupView,
  type NewGroup,
} from './directory-groups';
import {
  applyDirectoryUser,
  checkUnique,
  createDirectoryUser,
  directoryUser,
  directoryUsersPage,
  managedByDirectory,
  resolveChange,
  type DirectoryUserChange,
  type NewDirectoryUser,
} from './directory-users';

/** The refusal for a directory call made with anything but a directory token. */
const directoryOnly = () => fail('forbidden', { detail: 'Only a directory (SCIM) token may do this.' });
import { mailerFor } from '../mail';
import { destinationPolicy, vapidKeys } from '../notify/config';
import { Dispatcher } from '../notify/dispatcher';
import { sendWebhook } from '../notify/send';
import { applyPurchase, billingView, linkCustomer, linkedCustomer, setKeep, unlinkCustomer, type PurchaseOutcome, type SeatPurchase } from './billing';
import { deliveryLog, recordImmediate, redeliver } from './deliveries';
import { prefixedId } from './ids';
import { addPushDevice, notificationSettings, removePushDevice, sendTestPush, updateNotificationSettings, type NewPushDevice } from './push-devices';
import {
  createWebhook,
  deleteWebhook,
  findWebhook,
  listWebhooks,
  rotateSecret,
  secretShownOnce,
  signingTarget,
  updateWebhook,
  type NewWebhook,
} from './webhooks';

export class Subscription extends DurableObject<Env> {
  readonly #sql: Sql;
  /** The one way a call touches storage. */
  readonly #calls: WritePath;
  /** Sends the delivery queue (webhooks, push, mail) from the alarm. */
  readonly #dispatcher: Dispatcher;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new Sql(ctx.storage.sql);
    this.#calls = new WritePath(ctx, this.#sql);
    this.#dispatcher = new Dispatcher(this.#calls, this.#sql, () => ({
      policy: destinationPolicy(this.env),
      vapid: vapidKeys(this.env),
      mailer: mailerFor(this.env),
    }));
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
    const reply = credential ? this.#calls.as({ credential }, 'member', (actor) => ok(actor)) : null;
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
   * Creates this subscription with its first user, an administrator, signed in, answered with the
   * revision its creation committed. The email is claimed service-wide first; a refusal after the
   * claim frees it again.
   */
  async initialize(input: Signup): Promise<SignInReply<Account>> {
    const fresh = this.#calls.anonymous(() => checkNewSubscription(this.#sql));
    if (!fresh.ok) return { result: fresh, replayed: false, revision: null };
    if (!(await claimEmail(this.env.EMAIL_INDEX, input.email, input.subscriptionId, input.userId))) {
      return { result: fail('email_taken', { email: input.email }), replayed: false, revision: null };
    }
    const created = this.#calls.signIn((_, now) => createSubscription(this.#sql, input, now));
    if (created.result.ok) await confirmEmail(this.env.EMAIL_INDEX, input.email, input.subscriptionId, input.userId);
    else await releaseEmail(this.env.EMAIL_INDEX, input.email, input.subscriptionId, input.userId);
    return created;
  }

  /**
   * The stored password of the active user with this email (null for anyone else), for the Worker
   * to verify (hashing happens there, so a slow PBKDF2 never holds up this subscription's other
   * requests). The Worker has counted the attempt in the email index before asking.
   */
  passwordFor(email: string): Result<StoredPassword | null> {
    return this.#calls.anonymous(() => passwordFor(this.#sql, email));
  }

  /**
   * After the password matched: signs the device in (its cookie's hash), unless the user is no
   * longer active. Like every way in, answered with the revision the sign-in committed.
   */
  completeLogin(userId: string, device: NewDevice): SignInReply<Account> {
    return this.#calls.signIn((_, now) => completeLogin(this.#sql, userId, device, now));
  }

  /** Sets the password of an invited user, activates them and signs them in. */
  acceptInvitation(invitationHash: string, password: PasswordHash, device: NewDevice): SignInReply<Account> {
    return this.#calls.signIn((_, now) => acceptInvitation(this.#sql, invitationHash, password, device, now));
  }

  /** Signs out the device behind this credential (API tokens are revoked, not signed out). */
  logout(call: Call): Reply<null> {
    return this.#calls.as(call, 'member', () => logout(this.#sql, call.credential));
  }

  /** The caller and their subscription. */
  me(call: Call): Reply<Account> {
    return this.#calls.as(call, 'member', (actor) => ok(accountOf(this.#sql, actor.id)));
  }

  // ── Account security: devices, passwords, passkeys (security.ts) ───────────────────────────

  /** The caller's signed-in devices, most recently used first. */
  listDevices(call: Call): Reply<Page<Device>> {
    const current = call.credential.kind === 'device' ? call.credential.hash : null;
    return this.#calls.as(call, 'member', (actor, now) => ok({ items: userDevices(this.#sql, actor.id, current, now), nextCursor: null }));
  }

  /** Signs one of the caller's devices out. */
  signOutDevice(call: Call, deviceId: string): Reply<null> {
    return this.#calls.as(call, 'member', (actor) => signOutDevice(this.#sql, actor, deviceId));
  }

  /**
   * Ends a device that signed itself out in its browser (maybe offline), found by the hash of the
   * sign-out proof it sends at its next contact. Needs no signed-in caller: the device no longer
   * has its key. Answers the same whether or not a device matched.
   */
  endSignedOutDevice(signOutHash: string): Result<null> {
    return this.#calls.anonymous(() => endSignedOutDevice(this.#sql, signOutHash));
  }

  /** Signs every other device of the caller out; the one asking stays signed in. */
  signOutOtherDevices(call: Call): Reply<{ ended: number }> {
    return this.#calls.as(call, 'member', (actor) => signOutOtherDevices(this.#sql, actor, call.credential));
  }

  /**
   * The caller's stored password (its salt, for the Worker to hash the current one before a change
   * or a reauthentication), with their name and email for the password policy.
   */
  ownPassword(call: Call): Reply<{ stored: StoredPassword | null; name: string; email: string }> {
    return this.#calls.as(call, 'member', (actor) => {
      const { name, email } = existingUser(this.#sql, actor.id);
      return ok({ stored: storedPassword(this.#sql, actor.id), name, email });
    });
  }

  /**
   * Sets the caller's new password and signs their other devices out (and revokes their tokens and
   * removes their passkeys if asked), if `current` is their present password (hashed by the Worker
   * with its stored salt). Wrong ones are counted and throttled like sign-in, in the same step.
   */
  changePassword(call: Call, change: PasswordChange): Reply<PasswordChanged> {
    return this.#calls.as(call, 'member', (actor, now) => changePassword(this.#sql, actor, call.credential, change, now), {
      onRefusal: (failure, actor, now) => countFailedCheck(this.#sql, actor.id, failure, now),
    });
  }

  /**
   * The caller proves it is them again (a password hashed by the Worker with its stored salt, or a
   * passkey the Worker verified): for 10 minutes their credential may create tokens and passkeys.
   * Wrong passwords are counted and throttled like a password change.
   */
  reauthenticate(call: Call, proof: Proof): Reply<Reauthenticated> {
    return this.#calls.as(call, 'member', (actor, now) => reauthenticate(this.#sql, actor, call.credential, proof, now), {
      onRefusal: (failure, actor, now) => countFailedCheck(this.#sql, actor.id, failure, now),
    });
  }

  /** One of the caller's passkeys, for the Worker to verify a reauthentication with it. */
  ownPasskey(call: Call, credentialId: string): Reply<StoredPasskey | null> {
    return this.#calls.as(call, 'member', (actor) => ok(storedPasskey(this.#sql, actor.id, credentialId)));
  }

  /** Whose password a reset link or invitation sets (for the Worker's password policy), if the link is valid. */
  passwordLinkOwner(link: 'reset' | 'invitation', tokenHash: string): Result<{ name: string; email: string }> {
    return this.#calls.anonymous((_, now) => passwordLinkOwner(this.#sql, link, tokenHash, now));
  }

  /**
   * Starts a password reset for an active user with this email. Null (and nothing stored) for
   * anyone else, which the Worker answers exactly like a success, so emails cannot be probed.
   */
  startPasswordReset(email: string, tokenHash: string): Result<{ name: string; email: string; expiresAt: string } | null> {
    return this.#calls.anonymous((_, now) => startPasswordReset(this.#sql, email, tokenHash, now));
  }

  /**
   * Sets a new password from a reset link (once), signs every device out, revokes every API token,
   * removes every passkey and closes the user's live sockets, then signs this device in. The answer
   * says what was removed.
   */
  completePasswordReset(tokenHash: string, password: PasswordHash, device: NewDevice): SignInReply<RecoveredAccount> {
    const reset = this.#calls.signIn((_, now) => completePasswordReset(this.#sql, tokenHash, password, device, now));
    if (reset.result.ok) closeSockets(this.ctx.getWebSockets(reset.result.value.user.id));
    return reset;
  }

  /** Who is registering a passkey, and the passkeys they already have (not to register twice). */
  passkeyOwner(call: Call): Reply<{ userId: string; name: string; email: string; passkeyIds: string[] }> {
    return this.#calls.as(call, 'member', (actor, now) => passkeyOwner(this.#sql, actor, call.credential, now));
  }

  /** Stores a verified passkey for the caller, whose credential must have signed in recently, using up the registration's challenge (once). */
  addPasskey(call: Call, passkey: NewPasskey, challenge: UsedChallenge): Reply<Passkey[]> {
    return this.#calls.as(call, 'member', (actor, now) => addPasskey(this.#sql, actor, call.credential, passkey, challenge, now));
  }

  /** A passkey presented at sign-in, if it belongs to an active user here. */
  passkeyForLogin(userId: string, credentialId: string): Result<StoredPasskey | null> {
    return this.#calls.anonymous(() => passkeyForLogin(this.#sql, userId, credentialId));
  }

  /**
   * Records a verified passkey sign-in (its new signature counter) and signs the device in, using
   * up the challenge it answered: the same assertion again is refused.
   */
  completePasskeyLogin(login: PasskeyLogin, device: NewDevice): SignInReply<Account> {
    return this.#calls.signIn((_, now) => completePasskeyLogin(this.#sql, login, device, now));
  }

  /** The caller's passkeys. */
  listPasskeys(call: Call): Reply<Page<Passkey>> {
    return this.#calls.as(call, 'member', (actor) => ok({ items: userPasskeys(this.#sql, actor.id), nextCursor: null }));
  }

  /** Removes one of the caller's passkeys. */
  deletePasskey(call: Call, passkeyId: string): Reply<null> {
    return this.#calls.as(call, 'member', (actor, now) => deletePasskey(this.#sql, actor, passkeyId, now));
  }

  // ── API tokens (tokens.ts) ─────────────────────────────────────────────────────────────────

  /**
   * Stores a personal API token (its hash) that acts with the creator's role. Its secret is made
   * and shown by the Worker, once: a retry with the same Idempotency-Key is refused with what was made.
   */
  createToken(call: Call, token: NewToken): Reply<ApiToken> {
    return this.#calls.as(call, 'member', (actor, now) => createToken(this.#sql, actor, call.credential, token, now), {
      secret: tokenCreatedOnce,
    });
  }

  /** The caller's own API tokens, newest first. */
  listTokens(call: Call): Reply<Page<ApiToken>> {
    return this.#calls.as(call, 'member', (actor) => listTokens(this.#sql, actor));
  }

  /** Every API token of the subscription with its owner (administrators). */
  listAllTokens(call: Call): Reply<Page<OwnedApiToken>> {
    return this.#calls.as(call, 'administrator', () => listAllTokens(this.#sql));
  }

  /** Revokes a token: the caller's own, or any in the subscription for an administrator. */
  deleteToken(call: Call, tokenId: string): Reply<null> {
    return this.#calls.as(call, 'member', (actor, now) => deleteToken(this.#sql, actor, tokenId, now));
  }

  // ── The subscription (seat-admin.ts) ───────────────────────────────────────────────────────

  /** The subscription with its seat counts. */
  getSubscription(call: Call): Reply<SubscriptionView> {
    return this.#calls.as(call, 'member', () => ok(subscriptionView(this.#sql)));
  }

  /**
   * Renames the subscription, changes its purchased seats (never below the seats held), or turns
   * on or off giving freed seats to the oldest pending request.
   */
  updateSubscription(call: Call, change: SubscriptionChange): Reply<SubscriptionView> {
    return this.#calls.as(call, 'administrator', (actor, now) => updateSubscription(this.#sql, actor, change, now));
  }

  // ── Users (users.ts, user-admin.ts) ────────────────────────────────────────────────────────

  /** One page of users, oldest first, filtered by seat, role, status and a search on name or email. */
  listUsers(call: Call, query: UserQuery): Reply<Page<User>> {
    // A team manager's list is their team: the members of the pools they manage.
    return this.#calls.as(call, 'member', (actor) =>
      usersPage(this.#sql, actor.role === 'team_manager' ? { ...query, withinPools: managedPools(this.#sql, actor.id) } : query),
    );
  }

  /** One user of this subscription. */
  getUser(call: Call, userId: string): Reply<User> {
    return this.#calls.as(call, 'member', () => findUser(this.#sql, userId));
  }

  /**
   * Creates a user with an invitation to set their password, and a seat unless `assignSeat` is
   * false. With no free seat nothing is created, and the email stays free. The email is claimed
   * service-wide between a first check and the write, which checks everything again. The
   * invitation link is made and shown by the Worker, once: a retry is refused with what was made.
   */
  async createUser(call: Call, input: NewUser): Promise<Reply<{ user: User; invitationExpiresAt: string }>> {
    const checked = this.#calls.precheck<{ user: User; invitationExpiresAt: string }, string>(call, 'administrator', (_, now) => {
      const allowed = checkCreate(this.#sql, input, now);
      return allowed.ok ? ok(subscriptionView(this.#sql).id) : allowed;
    });
    if ('reply' in checked) return checked.reply;
    const subscriptionId = checked.value;
    try {
      if (!(await claimEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id))) {
        // Not the key's answer: the claim in the way may be a crashed attempt's, which the index
        // drops within a minute, and then a retry of this very request succeeds.
        return this.#calls.unstoredRefusal(fail('email_taken', { email: input.email }));
      }
      const created = this.#calls.as(call, 'administrator', (actor, now) => createUser(this.#sql, actor, input, now), {
        secret: createdOnce,
        inFlight: true,
      });
      if ('result' in created && created.result.ok) await confirmEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
      else await releaseEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
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
    return this.#calls.as(call, 'administrator', (_, now) => renewInvitation(this.#sql, userId, invitation, now), { secret: renewedOnce });
  }

  /**
   * Renames a user, changes their role or status. Deactivating frees their seat and ends their
   * console sessions, signs their devices out, revokes their tokens and closes their live sockets.
   * The last active administrator keeps their role and status.
   */
  updateUser(call: Call, userId: string, change: UserChange): Reply<User> {
    const updated = this.#calls.as(call, 'administrator', (actor, now) => {
      const { scheduleId, confirm, ...fields } = change;
      const owned = managedByDirectory(this.#sql, userId, fields);
      if (!owned.ok) return owned;
      const user = updateUser(this.#sql, actor, userId, fields, now);
      if (!user.ok || scheduleId === undefined) return user;
      const scheduled = setUserSchedule(this.#sql, actor, userId, scheduleId, now, confirm);
      return scheduled.ok ? findUser(this.#sql, userId) : scheduled;
    });
    if ('result' in updated && updated.result.ok && updated.result.value.status === 'deactivated') closeSockets(this.ctx.getWebSockets(userId));
    return updated;
  }

  /** Deletes a user, freeing their seat and ending their access; their email becomes free again. */
  async deleteUser(call: Call, userId: string): Promise<Reply<null>> {
    const deleted = this.#calls.as(call, 'administrator', (actor, now) => deleteUser(this.#sql, actor, userId, now));
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
    return this.#calls.as(call, { seatsOf: () => [userId] }, (actor, now) => assignSeat(this.#sql, actor, userId, options, now));
  }

  /**
   * Takes a user's seat back. Idempotent: a user without one stays without. If they are connected
   * to computers, `choice` says when: now (their sessions end), after a grace period, or after
   * their last session; until then the seat stays theirs, shown in `seat.revocation`.
   */
  unassignSeat(call: Call, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Reply<User> {
    return this.#calls.as(call, { seatsOf: () => [userId] }, (actor, now) => unassignSeat(this.#sql, actor, userId, choice, now));
  }

  /** Who holds the seats, least used first: what an administrator chooses from to free one. */
  seatHolders(call: Call): Reply<SeatHolders> {
    return this.#calls.as(call, 'administrator', (_, now) => ok(seatHoldersView(this.#sql, now)));
  }

  /**
   * Moves a seat from one user to another in one step: it works even when every seat is taken.
   * With `until`, the seat is lent: it returns to `from` then. If `from` is connected, the move
   * waits as the administrator chose (see unassignSeat), and completes then.
   */
  transferSeat(call: Call, move: { from: string; to: string } & TransferOptions): Reply<{ from: User; to: User }> {
    return this.#calls.as(call, { seatsOf: () => [move.from, move.to] }, (actor, now) => transferSeat(this.#sql, actor, move, now));
  }

  /**
   * Ends a time-boxed seat early: it returns to its lender if they can take it, otherwise it is
   * freed. Connected holders are treated as `choice` says, like unassignSeat.
   */
  returnSeat(call: Call, userId: string, choice: ReleaseChoice = DEFAULT_CHOICE): Reply<User> {
    return this.#calls.as(call, { seatsOf: () => [userId] }, (actor, now) => returnSeat(this.#sql, actor, userId, choice, now));
  }

  // ── Team pools (pools.ts) ──────────────────────────────────────────────────────────────────

  /** Every team pool with its reserve, maximum and the seats its members hold (any member may read them). */
  listPools(call: Call): Reply<{ items: Pool[] }> {
    return this.#calls.as(call, 'member', () => ok({ items: listPools(this.#sql) }));
  }

  /** Creates a pool; refused (409 `pool_in_use`) when its reserve needs seats others hold. */
  createPool(call: Call, input: { name: string; reserved: number; maximum: number }): Reply<Pool> {
    return this.#calls.as(call, 'administrator', (actor, now) => createPool(this.#sql, actor, input, now));
  }

  /** Renames a pool or changes its limits, never below the seats held (409 `pool_in_use` with the holders). */
  updatePool(call: Call, poolId: string, change: { name?: string; reserved?: number; maximum?: number }): Reply<Pool> {
    return this.#calls.as(call, 'administrator', (actor, now) => updatePool(this.#sql, actor, poolId, change, now));
  }

  /** Each pool's utilisation and idle seats, then the shared remainder's (administrators). */
  poolReport(call: Call, days: number): Reply<PoolReport> {
    return this.#calls.as(call, 'administrator', (_, now) => ok(poolReport(this.#sql, days, now)));
  }

  /** Deletes a pool: its members and their seats join the shared remainder. */
  deletePool(call: Call, poolId: string): Reply<null> {
    return this.#calls.as(call, 'administrator', (actor, now) => deletePool(this.#sql, actor, poolId, now));
  }

  // ── Expert Console (console.ts) ────────────────────────────────────────────────────────────

  /**
   * Lets the caller's Expert Console connect to a computer, if and only if they hold a seat that is
   * not being taken back. The session must send a heartbeat every `heartbeatSeconds`.
   */
  startConsoleSession(call: Call, session: { id: string; computer: string }): Reply<StartedConsoleSession> {
    return this.#calls.as(call, 'member', (actor, now) => startSession(this.#sql, actor, session, now));
  }

  /** The caller's session is still running; the answer says whether their seat is leaving. */
  heartbeatConsoleSession(call: Call, sessionId: string): Reply<Heartbeat> {
    // A heartbeat changes nothing anyone sees: live clients are not told.
    return this.#calls.as(call, 'member', (actor, now) => heartbeat(this.#sql, actor, sessionId, now), { silent: true });
  }

  /** Ends a session: the caller's own, or anyone's for an administrator. */
  endConsoleSession(call: Call, sessionId: string): Reply<null> {
    return this.#calls.as(call, 'member', (actor, now) => {
      const closed = closeSession(this.#sql, actor, sessionId, now);
      if (!closed.ok) return closed;
      sessionsChanged(this.#sql, closed.value, now);
      return ok(null);
    });
  }

  /** Active console sessions: all (or one user's) for administrators, their own for technicians. */
  listConsoleSessions(call: Call, userId?: string): Reply<Page<ConsoleSession>> {
    return this.#calls.as(call, 'member', (actor) => {
      const sessions = listSessions(this.#sql, actor, userId);
      return sessions.ok ? ok({ items: sessions.value, nextCursor: null }) : sessions;
    });
  }

  // ── Seat requests (seat-requests.ts) ───────────────────────────────────────────────────────

  /** The caller asks for a seat, with a reason; with automatic assignment it may be approved at once. */
  createSeatRequest(call: Call, request: { id: string; reason: string }): Reply<SeatRequest> {
    return this.#calls.as(call, 'member', (actor, now) => createRequest(this.#sql, actor, request, now));
  }

  /** Seat requests, oldest first: all for administrators, their own for technicians. */
  listSeatRequests(call: Call, query: RequestQuery): Reply<Page<SeatRequest>> {
    return this.#calls.as(call, 'member', (actor) => listRequests(this.#sql, actor, query));
  }

  /** Approves a pending request: a free seat, or one transferred `from` a holder; lent `until` a time. */
  approveSeatRequest(call: Call, requestId: string, input: ApprovalInput): Reply<{ request: SeatRequest; user: User; from: User | null }> {
    return this.#calls.as(call, requestAccess(requestId, input.from), (actor, now) => approveRequest(this.#sql, actor, requestId, input, now));
  }

  /** Declines a pending request with an optional note. */
  declineSeatRequest(call: Call, requestId: string, note: string | null): Reply<SeatRequest> {
    return this.#calls.as(call, requestAccess(requestId), (actor, now) => declineRequest(this.#sql, actor, requestId, note, now));
  }

  /** Withdraws a pending request: the requester's own, or any for an administrator. */
  cancelSeatRequest(call: Call, requestId: string): Reply<null> {
    return this.#calls.as(call, 'member', (actor, now) => cancelRequest(this.#sql, actor, requestId, now));
  }

  // ── Reports (reports.ts) ───────────────────────────────────────────────────────────────────

  /** Seats assigned against purchased per UTC day, replayed from the audit log (administrators). */
  utilisationReport(call: Call, period: { from?: string; to?: string }): Reply<UtilisationReport> {
    return this.#calls.as(call, 'administrator', (_, now) => utilisationReport(this.#sql, period, now));
  }

  /** Console sessions and connected time per user over the last `days` days (administrators). */
  consoleActivityReport(call: Call, days: number): Reply<ConsoleActivityReport> {
    return this.#calls.as(call, 'administrator', (_, now) => ok(consoleActivityReport(this.#sql, days, now)));
  }

  /** Seats unused for `days` days, each with a reassignment suggestion (administrators). */
  idleSeatsReport(call: Call, days: number): Reply<IdleSeatsReport> {
    return this.#calls.as(call, 'administrator', (_, now) => ok(idleSeatsReport(this.#sql, days, now)));
  }

  // ── The local demo (demo.ts) ───────────────────────────────────────────────────────────────

  /**
   * Creates the local demo: this subscription, its people and 60 days of history, replayed through
   * this object's own methods with past times. Only the Worker's local-development route calls it
   * (http/routes/demo.ts), after claiming every email; refused if this object already holds a
   * subscription.
   */
  seedDemo(seed: DemoSeed): Result<DemoReplayed> {
    const fresh = this.#calls.anonymous(() => checkNewSubscription(this.#sql));
    if (!fresh.ok) return fresh;
    return ok(replayDemo(this, this.#calls, this.#sql, seed, Date.now()));
  }

  // ── Shift schedules (schedules.ts) ─────────────────────────────────────────────────────────

  /** Every schedule, with its people and when its next shift starts or ends (administrators). */
  listSchedules(call: Call): Reply<{ items: Schedule[] }> {
    return this.#calls.as(call, 'administrator', (_, now) => listSchedules(this.#sql, now));
  }

  /** One schedule (administrators). */
  getSchedule(call: Call, id: string): Reply<Schedule> {
    return this.#calls.as(call, 'administrator', (_, now) => getSchedule(this.#sql, id, now));
  }

  /**
   * Creates a schedule with its users and groups; seats follow its shifts at once. Refused with
   * 409 `schedule_oversubscribed` (and nothing saved) if some hour of the coming week would want
   * more seats than purchased, unless `confirm`.
   */
  createSchedule(call: Call, input: Omit<NewSchedule, 'id'>): Reply<Schedule> {
    return this.#calls.as(call, 'administrator', (actor, now) => createSchedule(this.#sql, actor, { ...input, id: prefixedId('sch') }, now));
  }

  /** Changes a schedule; seats follow the new shifts at once. Oversubscription as for `createSchedule`. */
  updateSchedule(call: Call, id: string, change: ScheduleChange): Reply<Schedule> {
    return this.#calls.as(call, 'administrator', (actor, now) => updateSchedule(this.#sql, actor, id, change, now));
  }

  /** Deletes a schedule: its people leave it and the seats its shifts gave are taken back. */
  deleteSchedule(call: Call, id: string): Reply<null> {
    return this.#calls.as(call, 'administrator', (actor, now) => deleteSchedule(this.#sql, actor, id, now));
  }

  /** Hour by hour, the seats the schedules want against purchased, for at most a week (administrators). */
  scheduleCoverage(call: Call, period: { from?: string; to?: string }): Reply<Coverage> {
    return this.#calls.as(call, 'administrator', (_, now) => {
      const from = period.from ? Date.parse(period.from) : Math.floor(now / 3_600_000) * 3_600_000;
      const to = period.to ? Date.parse(period.to) : from + 7 * 24 * 3_600_000;
      return scheduleCoverage(this.#sql, from, to);
    });
  }

  // ── Idle-seat reclaim (idle-reclaim.ts) ────────────────────────────────────────────────────

  /** The idle-seat reclaim policy (administrators). */
  getIdleReclaim(call: Call): Reply<IdleReclaimPolicy> {
    return this.#calls.as(call, 'administrator', () => ok(idleReclaimPolicy(this.#sql)));
  }

  /** Sets the idle-seat reclaim policy; on, the daily check starts a day from now (administrators). */
  setIdleReclaim(call: Call, input: IdleReclaimInput): Reply<IdleReclaimPolicy> {
    return this.#calls.as(call, 'administrator', (actor, now) => setIdleReclaim(this.#sql, actor, input, now));
  }

  /** Who the daily check would warn or take a seat from now, and why (administrators). */
  idleReclaimPreview(call: Call): Reply<{ items: IdleReclaimItem[] }> {
    return this.#calls.as(call, 'administrator', (_, now) => idleReclaimPreview(this.#sql, now));
  }

  // ── Timers (timers.ts, alarm.ts) ───────────────────────────────────────────────────────────

  /**
   * Runs every due timer (grace ends, loan ends, heartbeat deadlines, reminders, digests, billing),
   * each in its own transaction, then sets the alarm for the next one. A timer that fails is logged
   * and retried a minute later, so it cannot hold up the others. Then the delivery queue is sent
   * (notify/dispatcher.ts): no transaction is held while it awaits receivers.
   */
  override async alarm(): Promise<void> {
    this.#calls.alarmSpent();
    for (const timer of dueTimers(this.#sql, Date.now())) {
      if (timer.kind === 'delivery') continue;
      try {
        // A timer that found nothing to change is no change to tell anyone about.
        this.#calls.anonymous((_, now) => ok(fireTimer(this.#sql, timer, now)), { quietWhen: (changed) => !changed });
      } catch (error) {
        console.error('timer failed', timer, error);
        this.#calls.anonymous((_, now) => {
          setTimer(this.#sql, timer.kind, timer.ref, now + 60_000);
          return ok(null);
        }, { silent: true });
      }
    }
    this.#calls.armAlarm();
    await this.#dispatcher.run();
    this.#calls.armAlarm();
  }

  // ── Audit log (audit.ts) ───────────────────────────────────────────────────────────────────

  /** One page of the audit log, newest first. */
  listAudit(call: Call, query: AuditQuery): Reply<Page<AuditEntry>> {
    return this.#calls.as(call, 'administrator', () => auditPage(this.#sql, query));
  }

  // ── Directory sync: SCIM users and groups (directory-users.ts, directory-groups.ts) ─────────

  /** Users as a directory sees them, filtered and paged (SCIM startIndex/count). */
  scimListUsers(call: Call, query: { conditions: UserCondition[]; startIndex: number; count: number }): Reply<{ total: number; items: DirectoryUserView[] }> {
    return this.#directory(call, () => directoryUsersPage(this.#sql, query.conditions, query.startIndex, query.count));
  }

  /** One user as a directory sees them. */
  scimGetUser(call: Call, userId: string): Reply<DirectoryUserView> {
    return this.#directory(call, () => directoryUser(this.#sql, userId));
  }

  /**
   * Provisions a user from a directory: invited (the Worker mails the link) or deactivated. The
   * email is claimed service-wide between a first check and the write, which checks again.
   */
  async scimCreateUser(call: Call, input: NewDirectoryUser): Promise<Reply<DirectoryUserView>> {
    const checked = this.#calls.precheck<DirectoryUserView, string>(call, 'administrator', () => {
      const unique = checkUnique(this.#sql, input, null);
      return unique.ok ? ok(subscriptionView(this.#sql).id) : unique;
    });
    if ('reply' in checked) return checked.reply;
    const subscriptionId = checked.value;
    try {
      if (!(await claimEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id))) {
        return this.#calls.unstoredRefusal(fail('email_taken', { email: input.email }));
      }
      const created = this.#directory(call, (actor, now) => createDirectoryUser(this.#sql, actor, input, now));
      if ('result' in created && created.result.ok) await confirmEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
      else await releaseEmail(this.env.EMAIL_INDEX, input.email, subscriptionId, input.id);
      return created;
    } finally {
      checked.landed();
    }
  }

  /**
   * Replaces (PUT) or patches (PATCH) a user as a directory says. A new email is claimed
   * service-wide first, and the old one freed once the change has committed. Deactivating frees
   * their seat and ends their access, as in the app; their seat then follows their groups.
   */
  async scimChangeUser(call: Call, userId: string, change: DirectoryUserChange): Promise<Reply<DirectoryUserView>> {
    const checked = this.#calls.precheck<DirectoryUserView, { subscriptionId: string; from: string; to: string }>(call, 'administrator', () => {
      const resolved = resolveChange(this.#sql, userId, change);
      if (!resolved.ok) return resolved;
      const unique = checkUnique(this.#sql, resolved.value.next, userId);
      if (!unique.ok) return unique;
      return ok({ subscriptionId: subscriptionView(this.#sql).id, from: resolved.value.before.email, to: resolved.value.next.email });
    });
    if ('reply' in checked) return checked.reply;
    const { subscriptionId, from, to } = checked.value;
    const moving = from.toLowerCase() !== to.toLowerCase();
    try {
      if (moving && !(await claimEmail(this.env.EMAIL_INDEX, to, subscriptionId, userId))) {
        return this.#calls.unstoredRefusal(fail('email_taken', { email: to }));
      }
      const changed = this.#directory(call, (actor, now) => {
        const resolved = resolveChange(this.#sql, userId, change);
        if (!resolved.ok) return resolved;
        if (resolved.value.next.email.toLowerCase() !== to.toLowerCase()) {
          return fail('validation_failed', { detail: 'The user changed while this request ran. Send it again.' });
        }
        return applyDirectoryUser(this.#sql, actor, userId, resolved.value.next, now);
      });
      const done = 'result' in changed && changed.result.ok ? changed.result.value : null;
      if (moving) {
        if (done) await confirmEmail(this.env.EMAIL_INDEX, to, subscriptionId, userId);
        await releaseEmail(this.env.EMAIL_INDEX, done ? from : to, subscriptionId, userId);
      }
      if (done?.status === 'deactivated') closeSockets(this.ctx.getWebSockets(userId));
      return changed;
    } finally {
      checked.landed();
    }
  }

  // ── Webhooks (webhooks.ts, deliveries.ts) ──────────────────────────────────────────────────

  /** The subscription's webhook endpoints (administrators). */
  listWebhooks(call: Call): Reply<Page<Webhook>> {
    return this.#calls.as(call, 'administrator', () => ok({ items: listWebhooks(this.#sql), nextCursor: null }));
  }

  /** Registers an endpoint; its signing secret is in this answer only (a keyed retry is refused with what was made). */
  createWebhook(call: Call, input: NewWebhook): Reply<CreatedWebhook> {
    return this.#calls.as(call, 'administrator', (actor, now) => createWebhook(this.#sql, actor, input, destinationPolicy(this.env), now), {
      secret: ({ webhook }) => secretShownOnce(webhook.id, 'created'),
    });
  }

  getWebhook(call: Call, id: string): Reply<Webhook> {
    return this.#calls.as(call, 'administrator', () => findWebhook(this.#sql, id));
  }

  /** Changes an endpoint's URL, events, description or whether it is enabled. */
  updateWebhook(call: Call, id: string, change: UpdateWebhookBody): Reply<Webhook> {
    return this.#calls.as(call, 'administrator', (actor, now) => updateWebhook(this.#sql, actor, id, change, destinationPolicy(this.env), now));
  }

  deleteWebhook(call: Call, id: string): Reply<null> {
    return this.#calls.as(call, 'administrator', (actor, now) => deleteWebhook(this.#sql, actor, id, now));
  }

  /** A new signing secret, shown once; the previous one keeps signing for 24 hours. */
  rotateWebhookSecret(call: Call, id: string): Reply<WebhookSecret> {
    return this.#calls.as(call, 'administrator', (actor, now) => rotateSecret(this.#sql, actor, id, now), { secret: () => secretShownOnce(id, 'rotated') });
  }

  /** An endpoint's delivery log, newest first. */
  listDeliveries(call: Call, id: string, query: { limit: number; cursor?: string }): Reply<Page<Delivery>> {
    return this.#calls.as(call, 'administrator', () => {
      const found = findWebhook(this.#sql, id);
      return found.ok ? deliveryLog(this.#sql, id, query) : found;
    });
  }

  /** Sends a delivery's event to its endpoint again, after what is queued for it. */
  redeliver(call: Call, id: string, deliveryId: string): Reply<Delivery> {
    return this.#calls.as(call, 'administrator', (_, now) => {
      const found = findWebhook(this.#sql, id);
      return found.ok ? redeliver(this.#sql, id, deliveryId, now) : found;
    });
  }

  /**
   * Sends a `webhook.test` event to an endpoint now, outside its queue, and logs the attempt. The
   * endpoint is read in one transaction and the attempt written in another: none is held while the
   * receiver answers.
   */
  async sendTestEvent(call: Call, id: string): Promise<Reply<Delivery>> {
    const checked = this.#calls.precheck<Delivery, { url: string; secrets: string[]; event: WebhookEvent }>(call, 'administrator', (actor, now) => {
      const target = signingTarget(this.#sql, id, now);
      if (!target.ok) return target;
      const view = subscriptionView(this.#sql);
      const event: WebhookEvent = {
        id: prefixedId('evt'),
        type: 'webhook.test',
        timestamp: new Date(now).toISOString(),
        subscription: { id: view.id, name: view.name },
        actor: { id: actor.id, name: actor.name },
        data: { message: 'A test event from SetMe Seats. Your endpoint verified its signature if it answered 2xx.' },
      };
      return ok({ ...target.value, event });
    });
    if ('reply' in checked) return checked.reply;
    try {
      const { event, ...target } = checked.value;
      const attempt = await sendWebhook(target, { id: event.id, payload: JSON.stringify(event) }, destinationPolicy(this.env));
      return this.#calls.as(call, 'administrator', (_, now) => {
        const found = findWebhook(this.#sql, id);
        return found.ok ? ok(recordImmediate(this.#sql, id, event, attempt, now)) : found;
      }, { inFlight: true });
    } finally {
      checked.landed();
    }
  }

  /** Deletes a user for a directory, as the app does: their seat frees, their email too. */
  async scimDeleteUser(call: Call, userId: string): Promise<Reply<null>> {
    if (call.credential.kind !== 'directory') return this.#calls.unstoredRefusal(directoryOnly());
    return this.deleteUser(call, userId);
  }

  /** Groups as a directory sees them, filtered and paged, with or without members. */
  scimListGroups(
    call: Call,
    query: { conditions: GroupCondition[]; startIndex: number; count: number; withMembers: boolean },
  ): Reply<{ total: number; items: GroupView[] }> {
    return this.#directory(call, () => directoryGroupsPage(this.#sql, query));
  }

  /** One group, with its members unless left out. */
  scimGetGroup(call: Call, groupId: string, withMembers: boolean): Reply<GroupView> {
    return this.#directory(call, () => directoryGroup(this.#sql, groupId, withMembers));
  }

  /** Creates a group with its members; members of a seat group get seats (one transaction). */
  scimCreateGroup(call: Call, input: NewGroup): Reply<GroupView> {
    return this.#directory(call, (actor, now) => createGroup(this.#sql, actor, input, now));
  }

  /** Renames a group or changes its members (PUT or PATCH): one transaction, however many members. */
  scimChangeGroup(call: Call, groupId: string, change: GroupChange): Reply<GroupView> {
    return this.#directory(call, (actor, now) => changeGroup(this.#sql, actor, groupId, change, now));
  }

  /** Deletes a group; seats given through it follow its members' other groups, or leave. */
  scimDeleteGroup(call: Call, groupId: string): Reply<null> {
    return this.#directory(call, (actor, now) => deleteGroup(this.#sql, actor, groupId, now));
  }

  /** Every directory group, with whether its members get a seat and how many hold one (administrators). */
  listGroups(call: Call): Reply<{ items: Group[] }> {
    return this.#calls.as(call, 'administrator', () => ok({ items: groupList(this.#sql) }));
  }

  /** Turns "Members get a seat" on or off for a group (administrators); seats follow at once. */
  setGroupGrantsSeat(call: Call, groupId: string, grantsSeat: boolean): Reply<Group> {
    return this.#calls.as(call, 'administrator', (actor, now) => setGrantsSeat(this.#sql, actor, groupId, grantsSeat, now));
  }

  /** Directory tokens, the last sync and recent directory changes (administrators). */
  directoryStatus(call: Call): Reply<DirectoryStatus> {
    return this.#calls.as(call, 'administrator', () => ok(directoryStatus(this.#sql)));
  }

  /** A directory's call: only a directory token (SCIM) may make it; it acts as an administrator named after its token. */
  #directory<T>(call: Call, work: (actor: Actor, now: number) => Result<T>): Reply<T> {
    if (call.credential.kind !== 'directory') return this.#calls.unstoredRefusal(directoryOnly());
    return this.#calls.as(call, 'administrator', work);
  }

  // ── Notifications: push devices, choices, thresholds (push-devices.ts, alerts.ts) ──────────

  /** The caller's notification choices and devices, the subscription's thresholds, and the VAPID key (administrators). */
  notificationSettings(call: Call): Reply<NotificationSettings> {
    const key = vapidKeys(this.env)?.publicKey ?? null;
    return this.#calls.as(call, 'administrator', (actor) => ok(notificationSettings(this.#sql, actor, key)));
  }

  /** Changes the caller's choices and (for everyone) the subscription's thresholds. */
  updateNotificationSettings(call: Call, patch: NotificationSettingsPatch): Reply<NotificationSettings> {
    const key = vapidKeys(this.env)?.publicKey ?? null;
    return this.#calls.as(call, 'administrator', (actor, now) => updateNotificationSettings(this.#sql, actor, patch, key, now));
  }

  /** Turns on push notifications for one of the caller's devices. */
  addPushDevice(call: Call, device: NewPushDevice): Reply<PushDevice> {
    if (!vapidKeys(this.env)) {
      return this.#calls.unstoredRefusal(fail('push_not_configured', { detail: 'This deployment has no VAPID keys, so it cannot send push notifications. Ask its operator to set them (README: Notifications).' }));
    }
    return this.#calls.as(call, 'administrator', (actor, now) => addPushDevice(this.#sql, actor, device, destinationPolicy(this.env), now));
  }

  /** Turns push notifications off for one of the caller's devices. */
  removePushDevice(call: Call, id: string): Reply<null> {
    return this.#calls.as(call, 'administrator', (actor, now) => removePushDevice(this.#sql, actor, id, now));
  }

  /** Sends a test notification to each of the caller's devices. */
  sendTestPush(call: Call): Reply<{ devices: number }> {
    return this.#calls.as(call, 'administrator', (actor, now) => sendTestPush(this.#sql, actor, now));
  }

  // ── Billing (billing.ts, billing-index.ts) ─────────────────────────────────────────────────

  /** The Stripe link, the seats paid, and a pending decrease (administrators). */
  getBilling(call: Call): Reply<Billing> {
    return this.#calls.as(call, 'administrator', () => ok(billingView(this.#sql)));
  }

  /**
   * Links this subscription to a Stripe customer. The customer is claimed in its BillingIndex first
   * (refused if another subscription links it), then linked here; a refusal frees the claim.
   */
  async linkBilling(call: Call, customerId: string): Promise<Reply<Billing>> {
    const checked = this.#calls.precheck<Billing, { subscriptionId: string; previous: string | null }>(call, 'administrator', () =>
      ok({ subscriptionId: subscriptionView(this.#sql).id, previous: linkedCustomer(this.#sql) }),
    );
    if ('reply' in checked) return checked.reply;
    const { subscriptionId, previous } = checked.value;
    try {
      if (!(await this.env.BILLING_INDEX.getByName(customerId).claim(subscriptionId, customerId))) {
        return this.#calls.unstoredRefusal(
          fail('billing_customer_taken', { customerId, detail: `${customerId} pays for another subscription. Check the customer id in Stripe, or unlink it there first.` }),
        );
      }
      const linked = this.#calls.as(call, 'administrator', (actor, now) => linkCustomer(this.#sql, actor, customerId, now), { inFlight: true });
      const done = 'result' in linked && linked.result.ok;
      if (!done && previous !== customerId) await this.env.BILLING_INDEX.getByName(customerId).release(subscriptionId);
      if (done && previous && previous !== customerId) await this.env.BILLING_INDEX.getByName(previous).release(subscriptionId);
      return linked;
    } finally {
      checked.landed();
    }
  }

  /** Unlinks the Stripe customer; purchased seats are changed by hand again. */
  async unlinkBilling(call: Call): Promise<Reply<null>> {
    const unlinked = this.#calls.as(call, 'administrator', (actor, now) => unlinkCustomer(this.#sql, actor, now));
    if (!('result' in unlinked) || !unlinked.result.ok) return unlinked as Reply<null>;
    const customer = unlinked.result.value.customerId;
    if (customer && !unlinked.replayed) await this.env.BILLING_INDEX.getByName(customer).release(subscriptionView(this.#sql).id);
    return { ...unlinked, result: ok(null) };
  }

  /** Chooses who keeps a seat when a pending decrease applies. */
  setBillingKeep(call: Call, userIds: string[]): Reply<Billing> {
    return this.#calls.as(call, 'administrator', (actor, now) => setKeep(this.#sql, actor, userIds, now));
  }

  /** A verified Stripe event for the linked customer (the Worker checked its signature). */
  applySeatPurchase(purchase: SeatPurchase): Result<PurchaseOutcome> {
    return this.#calls.anonymous((_, now) => applyPurchase(this.#sql, purchase, now));
  }

  /** The Stripe customer this subscription links (the billing index asks when a link looks stale). */
  billingCustomer(): string | null {
    const linked = this.#calls.anonymous(() => ok(linkedCustomer(this.#sql)));
    return linked.ok ? linked.value : null;
  }

  // ── For the email index ────────────────────────────────────────────────────────────────────

  /** Whether a user of this subscription still has this email (the index asks when a claim looks stale). */
  holdsEmail(email: string, userId: string): boolean {
    const held = this.#calls.anonymous(() => ok(holdsEmail(this.#sql, email, userId)));
    return held.ok && held.value;
  }
}

/** Who may answer a seat request: whoever may manage the seats of the requester (and of the holder a seat comes `from`). */
function requestAccess(requestId: string, from?: string): Access {
  return { seatsOf: (sql) => [requestById(sql, requestId)?.user.id, from].filter((id): id is string => id !== undefined) };
}
