/**
 * Seat requests and the waitlist: a user without a seat asks for one; administrators approve (by
 * assigning a free seat or transferring one) or decline with a note.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { randomToken } from '../../crypto';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import {
  ApprovedSeatRequest,
  ApproveSeatRequestBody,
  DeclineSeatRequestBody,
  IdParams,
  pageOf,
  SeatRequest,
  SeatRequestBody,
  SeatRequestQuery,
} from '../../contract';

const create = signedInRoute({
  method: 'post',
  path: '/',
  tags: ['Seat requests'],
  summary: 'Ask for a seat, with a reason',
  description:
    'One pending request per user (409 `seat_request_pending`); a seat holder cannot ask (409 `seat_already_held`). ' +
    'With the subscription\'s `autoAssignRequests` and a free seat, the answer is already "approved".',
  request: { body: jsonBody(SeatRequestBody) },
  responses: {
    201: json(SeatRequest, 'The request, with its place in the waitlist'),
    ...problems('seat_already_held', 'seat_request_pending'),
  },
});

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['Seat requests'],
  summary: 'Seat requests, oldest first: all for administrators, your own for technicians',
  description: '`?status=pending` is the waitlist (and the badge count).',
  request: { query: SeatRequestQuery },
  responses: { 200: json(pageOf(SeatRequest), 'One page of requests'), ...problems('forbidden') },
});

const approve = signedInRoute({
  method: 'post',
  path: '/{id}/approve',
  tags: ['Seat requests'],
  summary: 'Approve a request: assign a free seat, or transfer one `from` a holder (administrators; team managers within their pools)',
  description:
    'Without `from` and no free seat: 409 `no_seats_available` with the holders to choose from. With `from`, ' +
    'the transfer follows `onActiveSessions` like POST /seats/transfer. `until` lends the seat until then.',
  request: { params: IdParams, body: jsonBody(ApproveSeatRequestBody) },
  responses: {
    200: json(ApprovedSeatRequest, 'The answered request, the requester, and the former holder for a transfer'),
    ...problems(
      'forbidden',
      'not_found',
      'seat_request_closed',
      'no_seats_available',
      'pool_full',
      'seat_not_held',
      'seat_already_held',
      'user_deactivated',
    ),
  },
});

const decline = signedInRoute({
  method: 'post',
  path: '/{id}/decline',
  tags: ['Seat requests'],
  summary: 'Decline a request with an optional note (administrators; team managers within their pools)',
  request: { params: IdParams, body: jsonBody(DeclineSeatRequestBody) },
  responses: {
    200: json(SeatRequest, 'The declined request'),
    ...problems('forbidden', 'not_found', 'seat_request_closed'),
  },
});

const cancel = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['Seat requests'],
  summary: 'Withdraw a pending request: your own, or any for administrators',
  request: { params: IdParams },
  responses: { 204: { description: 'Withdrawn' }, ...problems('not_found', 'seat_request_closed') },
});

export const seatRequests = new OpenAPIHono<AppEnv>()
  .openapi(create, async (c) => {
    const { reason } = c.req.valid('json');
    const id = `req_${randomToken(13).slice(0, 20)}`;
    return c.json(unwrapReply(c, await c.var.subscription.createSeatRequest(c.var.call, { id, reason })), 201);
  })
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listSeatRequests(c.var.call, c.req.valid('query'))), 200))
  .openapi(approve, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(unwrapReply(c, await c.var.subscription.approveSeatRequest(c.var.call, id, c.req.valid('json'))), 200);
  })
  .openapi(decline, async (c) => {
    const { id } = c.req.valid('param');
    const { note } = c.req.valid('json');
    return c.json(unwrapReply(c, await c.var.subscription.declineSeatRequest(c.var.call, id, note ?? null)), 200);
  })
  .openapi(cancel, async (c) => {
    unwrapReply(c, await c.var.subscription.cancelSeatRequest(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  });
