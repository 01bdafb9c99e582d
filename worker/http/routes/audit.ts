/** The audit log: every change, who made it, and to what. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { json, problems, signedInRoute } from '../openapi';
import { unwrapReply } from '../reply';
import { AuditEntry, AuditQuery, pageOf } from '../../contract';

const list = signedInRoute({
  method: 'get',
  path: '/',
  tags: ['Audit'],
  summary: 'The audit log, newest first (administrators)',
  request: { query: AuditQuery },
  responses: { 200: json(pageOf(AuditEntry), 'One page of entries'), ...problems('forbidden') },
});

export const audit = new OpenAPIHono<AppEnv>().openapi(list, async (c) =>
  c.json(unwrapReply(c, await c.var.subscription.listAudit(c.var.call, c.req.valid('query'))), 200),
);
