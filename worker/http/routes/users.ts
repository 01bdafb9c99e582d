/**
 * Users and their seats. Creating a user gives them a seat by default (the "Assign seat" checkbox,
 * checked) and an invitation link to set their password.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { derivedId, newId, newSecret, sha256 } from '../../crypto';
import type { Call } from '../../objects/call';
import { publicOrigin, secretKeys } from '../config';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import {
  CreatedUser,
  CreateUserBody,
  IdParams,
  Invitation,
  pageOf,
  ReleaseQuery,
  SeatBody,
  User,
  UserListQuery,
  UserPatch,
} from '../../contract';

const INVITATION_DAYS = 7;

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['Users'],
  summary: 'List users, filtered by seat, role, status or a search on name and email',
  description:
    '`q` with three characters or more finds users whose name or email contains them, in any case; ' +
    'with one or two, users whose name or email starts with them. Both are answered by an index.',
  request: { query: UserListQuery },
  responses: { 200: json(pageOf(User), 'One page of users'), ...problems() },
});

const create = signedInRoute({
  method: 'post',
  path: '/',
  tags: ['Users'],
  summary: 'Create a user (administrators); with assignSeat (default) they also get a seat',
  description:
    'With assignSeat and no free seat: 409 `no_seats_available`, listing the holders, and nothing is created. ' +
    'The invitation link is shown only in this answer: a retry with the same Idempotency-Key gets 409 ' +
    '`idempotency_replay_secret`, naming the user made (`resource`); renew the invitation for a new link.',
  request: { body: jsonBody(CreateUserBody) },
  responses: {
    201: json(CreatedUser, 'The user and their invitation link'),
    ...problems('forbidden', 'no_seats_available', 'pool_full', 'email_taken', 'idempotency_replay_secret'),
  },
});

const get = signedInRoute({
  method: 'get',
  path: '/{id}',
  tags: ['Users'],
  summary: 'One user',
  request: { params: IdParams },
  responses: { 200: json(User, 'The user'), ...problems('not_found') },
});

const update = signedInRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['Users'],
  summary: 'Rename, change role, deactivate or reactivate a user (administrators)',
  description:
    'Deactivating frees the seat, ends their console sessions, signs their devices out and revokes their tokens. ' +
    'The last active administrator stays one. A user managed by a directory (SCIM) keeps the name and role the ' +
    'directory gave them (403 forbidden); their status and seat are still the administrators\' to change. ' +
    '`poolId` moves the user, and a seat they hold, into a team pool (409 `pool_full` when it has no room); ' +
    '`role: "team_manager"` with `pools` lets them manage the seats of those pools\' members. ' +
    '`scheduleId` puts them on a shift schedule; when that makes some hour of the coming week want more seats than ' +
    'purchased, nothing is saved and the answer is 409 `schedule_oversubscribed` with the hours and who would wait; ' +
    'send `"confirm": true` to save anyway.',
  request: { params: IdParams, body: jsonBody(UserPatch) },
  responses: {
    200: json(User, 'The changed user'),
    ...problems('forbidden', 'not_found', 'last_administrator', 'pool_full', 'no_seats_available', 'schedule_oversubscribed'),
  },
});

const remove = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['Users'],
  summary: 'Delete a user, freeing their seat (administrators)',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...problems('forbidden', 'not_found', 'last_administrator') },
});

const assignSeat = signedInRoute({
  method: 'put',
  path: '/{id}/seat',
  tags: ['Seats'],
  summary: 'Give a user a seat (administrators, team managers within their pools; idempotent), optionally until a set time',
  description:
    'With `until`, the seat is time-boxed: it is freed then (after a transfer with `until`, it returns to the ' +
    'previous holder). On a user who holds a seat, sets its end (`until`, or none without it) and cancels a ' +
    'revocation waiting on it. The body is optional.',
  request: { params: IdParams, body: { ...jsonBody(SeatBody), required: false } },
  responses: {
    200: json(User, 'The user, holding a seat'),
    ...problems('forbidden', 'not_found', 'no_seats_available', 'pool_full', 'user_deactivated'),
  },
});

const unassignSeat = signedInRoute({
  method: 'delete',
  path: '/{id}/seat',
  tags: ['Seats'],
  summary: "Take a user's seat back (administrators, team managers within their pools; idempotent)",
  description:
    'With no active console session the seat is freed at once. Otherwise `onActiveSessions` decides: `end_now` ' +
    '(their sessions end), `grace` (default; after `graceMinutes`, default 5) or `after_session` (when their ' +
    'last session ends). Until then the seat still counts as theirs: the answer shows `seat.revocation` and ' +
    '`seat.expiresAt`. Asking again with `end_now` ends it at once; giving the seat (PUT) cancels it.',
  request: { params: IdParams, query: ReleaseQuery },
  responses: { 200: json(User, 'The user, without a seat or with one being taken back'), ...problems('forbidden', 'not_found') },
});

const returnSeat = signedInRoute({
  method: 'post',
  path: '/{id}/seat/return',
  tags: ['Seats'],
  summary: 'End a time-boxed seat early (administrators; team managers within their pools)',
  description:
    'The seat goes back to the user it was lent from if they can still take it, otherwise it is freed. ' +
    'Connected holders are handled by `onActiveSessions` as for DELETE. 409 `seat_not_lent` for a seat with no end.',
  request: { params: IdParams, query: ReleaseQuery },
  responses: {
    200: json(User, 'The user after the loan ended (or while it is ending)'),
    ...problems('forbidden', 'not_found', 'seat_not_lent'),
  },
});

const renewInvitation = signedInRoute({
  method: 'post',
  path: '/{id}/invitation',
  tags: ['Users'],
  summary: 'A fresh invitation link for an invited user (the previous one stops working)',
  description:
    'The link is shown only in this answer: a retry with the same Idempotency-Key gets 409 `idempotency_replay_secret`; ' +
    'renew again (with a new key) for a new link.',
  request: { params: IdParams },
  responses: {
    201: json(Invitation, 'The new invitation'),
    ...problems('forbidden', 'not_found', 'idempotency_replay_secret'),
  },
});

export const users = new OpenAPIHono<AppEnv>()
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listUsers(c.var.call, c.req.valid('query'))), 200))
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const invitation = await newInvitation(c.env, c.var.subscriptionId);
    const created = unwrapReply(
      c,
      await c.var.subscription.createUser(c.var.call, {
        ...body,
        id: await newUserId(c.var.call),
        invitationHash: invitation.hash,
        invitationExpiresAt: invitation.expiresAt,
      }),
    );
    return c.json({ user: created.user, invitation: invitation.public }, 201);
  })
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.getUser(c.var.call, c.req.valid('param').id)), 200))
  .openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.updateUser(c.var.call, id, c.req.valid('json'))), 200);
  })
  .openapi(remove, async (c) => {
    unwrapReply(c, await c.var.subscription.deleteUser(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  })
  .openapi(assignSeat, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.assignSeat(c.var.call, id, c.req.valid('json'))), 200);
  })
  .openapi(unassignSeat, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.unassignSeat(c.var.call, id, c.req.valid('query'))), 200);
  })
  .openapi(returnSeat, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.returnSeat(c.var.call, id, c.req.valid('query'))), 200);
  })
  .openapi(renewInvitation, async (c) => {
    const invitation = await newInvitation(c.env, c.var.subscriptionId);
    unwrapReply(
      c,
      await c.var.subscription.renewInvitation(c.var.call, c.req.valid('param').id, {
        hash: invitation.hash,
        expiresAt: invitation.expiresAt,
      }),
    );
    return c.json(invitation.public, 201);
  });

/** A new user's id: derived from the caller and the Idempotency-Key when there is one (see derivedId). */
function newUserId(call: Call): Promise<string> | string {
  return call.idempotency ? derivedId('usr', `${call.credential.hash}\n${call.idempotency.key}`) : newId('usr');
}

/**
 * An invitation link on this deployment's public origin (never the request's Host): the secret
 * goes in the URL fragment, so it never reaches a server log.
 */
async function newInvitation(env: Env, subscriptionId: string) {
  const token = await newSecret(await secretKeys(env), subscriptionId);
  const origin = publicOrigin(env);
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000).toISOString();
  return {
    hash: await sha256(token),
    expiresAt,
    public: { token, url: `${origin}/invitation#token=${token}`, expiresAt },
  };
}
