/** What an administrator is told and how (push, mail), and the subscription's seat alert thresholds. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { NotificationSettings, NotificationSettingsPatch } from '../../contract';

const get = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['Notifications'],
  summary: "The caller's notification choices and push devices, the thresholds, and the VAPID key (administrators)",
  responses: { 200: json(NotificationSettings, 'The settings'), ...problems('forbidden') },
});

const update = signedInRoute({
  method: 'patch',
  path: '/',
  tags: ['Notifications'],
  summary: 'Change what the caller is told, and the seat alert thresholds (administrators)',
  description:
    'Choices are per administrator; `thresholds` (percent of purchased seats, default 80, 95, 100) are the ' +
    "subscription's. Each threshold alerts once when seats in use reach it, and again only after falling below it.",
  request: { body: jsonBody(NotificationSettingsPatch) },
  responses: { 200: json(NotificationSettings, 'The changed settings'), ...problems('forbidden') },
});

export const notifications = new OpenAPIHono<AppEnv>()
  .openapi(get, async (c) => c.json(unwrapReply(c, await c.var.subscription.notificationSettings(c.var.call)), 200))
  .openapi(update, async (c) => c.json(unwrapReply(c, await c.var.subscription.updateNotificationSettings(c.var.call, c.req.valid('json'))), 200));
