/** `/console` (worker/http/routes/console.ts): the Expert Console's remote sessions, as the app lists them. */
import type { ConsoleSession, ConsoleSessionQuery, Page } from '#contract';
import { request } from './request.ts';

export const consoleApi = {
  /** Active sessions: everyone's (or one user's) for administrators, one's own for technicians. */
  sessions: (query: ConsoleSessionQuery = {}) => request<Page<ConsoleSession>>('GET', '/console/sessions', undefined, query),
};
