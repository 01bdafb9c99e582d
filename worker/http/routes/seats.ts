/** Who holds the seats, and moving a seat between two users in one atomic step. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { SeatHolders, TransferBody, Transferred } from '../../contract';

const transfer = signedInRoute({
  method: 'post',
  path: '/transfer',
  tags: ['Seats'],
  summary: 'Move a seat from one user to another in one step (administrators; team managers within their pools)',
  description:
    'Works when every seat is taken: nobody can grab the seat in between. ' +
    '409 `seat_not_held` when "from" has no seat, `seat_already_held` when "to" has one. ' +
    'With `until`, the seat is lent: it returns to "from" then, if they can still take it (else it is freed). ' +
    'If "from" is connected to computers, `onActiveSessions` decides when the move happens (as for ' +
    'DELETE /users/{id}/seat); until then "from" keeps the seat and `from.seat.revocation` shows the move.',
  request: { body: jsonBody(TransferBody) },
  responses: {
    200: json(Transferred, 'Both users after the transfer'),
    ...problems('forbidden', 'not_found', 'seat_not_held', 'seat_already_held', 'user_deactivated', 'pool_full', 'no_seats_available'),
  },
});

const holders = signedInRoute({
  method: 'get',
  path: '/holders',
  tags: ['Seats'],
  summary: 'Who holds the seats, least used first (administrators)',
  description:
    'The same holders a `no_seats_available` problem lists, with what to choose by: console sessions open now, ' +
    'minutes of console time in the last 7 days, when their last console session ended, and when a lent seat ends. ' +
    'Least used first: least console time, then not connected, then the longest since their last session. At most 50.',
  responses: { 200: json(SeatHolders, 'The seat counts and the holders'), ...problems('forbidden') },
});

export const seats = new OpenAPIHono<AppEnv>()
  .openapi(holders, async (c) => c.json(unwrapReply(c, await c.var.subscription.seatHolders(c.var.call)), 200))
  .openapi(transfer, async (c) => {
    return c.json(unwrapReply(c, await c.var.subscription.transferSeat(c.var.call, c.req.valid('json'))), 200);
  });
