/**
 * Shift schedules ("follow the sun", administrators): named weekly patterns in a time zone whose
 * people hold a seat only during their shifts, and the hourly coverage of what they want.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { Coverage, CoverageQuery, CreateScheduleBody, IdParams, Schedule, ScheduleList, SchedulePatch } from '../../contract';

const tags = ['Shift schedules'];

const seatsFollow =
  'A scheduled user holds a seat only during their shifts: when a shift starts they get a free seat (or wait as a seat ' +
  'request "Shift <name>", served before manual requests as seats free), and when it ends the seat the shift gave is ' +
  'taken back with the default session policy (a connected technician gets the grace period). Seats given by hand or ' +
  'by a directory group are never taken by a shift. If some hour of the coming week would want more seats than ' +
  'purchased, nothing is saved and the answer is 409 `schedule_oversubscribed` with the hours and who would wait; ' +
  'send `"confirm": true` to save anyway.';

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Shift schedules, by name (administrators)',
  responses: { 200: json(ScheduleList, 'Every schedule'), ...problems('forbidden') },
});

const coverage = signedInRoute({
  method: 'get',
  path: '/coverage',
  tags,
  summary: 'Hour by hour, the seats the schedules want against those purchased (at most a week)',
  description: '`wanted` counts the seats held outside schedules plus everyone on shift at the busiest moment of the hour.',
  request: { query: CoverageQuery },
  responses: { 200: json(Coverage, 'One entry per hour'), ...problems('forbidden', 'validation_failed') },
});

const create = signedInRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a shift schedule with its users and directory groups (administrators)',
  description: seatsFollow,
  request: { body: jsonBody(CreateScheduleBody) },
  responses: { 201: json(Schedule, 'The schedule'), ...problems('forbidden', 'validation_failed', 'already_exists', 'schedule_oversubscribed') },
});

const get = signedInRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One shift schedule (administrators)',
  request: { params: IdParams },
  responses: { 200: json(Schedule, 'The schedule'), ...problems('forbidden', 'not_found') },
});

const update = signedInRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change a shift schedule: the fields given replace what was there (administrators)',
  description: seatsFollow,
  request: { params: IdParams, body: jsonBody(SchedulePatch) },
  responses: { 200: json(Schedule, 'The schedule'), ...problems('forbidden', 'not_found', 'validation_failed', 'already_exists', 'schedule_oversubscribed') },
});

const remove = signedInRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete a shift schedule: its people leave it and the seats its shifts gave are taken back (administrators)',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...problems('forbidden', 'not_found') },
});

export const schedules = new OpenAPIHono<AppEnv>()
  .openapi(list, async (c) => c.json(unwrapReply(c, await c.var.subscription.listSchedules(c.var.call)), 200))
  .openapi(coverage, async (c) => c.json(unwrapReply(c, await c.var.subscription.scheduleCoverage(c.var.call, c.req.valid('query'))), 200))
  .openapi(create, async (c) => c.json(unwrapReply(c, await c.var.subscription.createSchedule(c.var.call, c.req.valid('json'))), 201))
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.getSchedule(c.var.call, c.req.valid('param').id)), 200))
  .openapi(update, async (c) =>
    c.json(unwrapReply(c, await c.var.subscription.updateSchedule(c.var.call, c.req.valid('param').id, c.req.valid('json'))), 200),
  )
  .openapi(remove, async (c) => {
    unwrapReply(c, await c.var.subscription.deleteSchedule(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  });
