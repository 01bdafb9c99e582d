/** `/audit` (worker/http/routes/audit.ts): the audit log, newest first. */
import type { AuditEntry, AuditQuery, Page } from '#contract';
import { request } from './request.ts';

export const auditApi = {
  list: (query: AuditQuery) => request<Page<AuditEntry>>('GET', '/audit', undefined, query),
};
