/**
 * `/schedules` (worker/http/routes/schedules.ts): shift schedules whose people hold a seat only
 * during their shifts, and the hourly coverage of what they want against the seats purchased.
 */
import type { Coverage, CoverageQuery, CreateScheduleBody, Schedule, ScheduleList, SchedulePatch } from '#contract';
import { request, segment } from './request.ts';

export const schedulesApi = {
  list: () => request<ScheduleList>('GET', '/schedules'),
  /** Some hour of the coming week wanting more seats than purchased: 409 `schedule_oversubscribed` unless `confirm`. */
  create: (body: CreateScheduleBody) => request<Schedule>('POST', '/schedules', body),
  update: (id: string, patch: SchedulePatch) => request<Schedule>('PATCH', `/schedules/${segment(id)}`, patch),
  remove: (id: string) => request<null>('DELETE', `/schedules/${segment(id)}`),
  coverage: (query: CoverageQuery) => request<Coverage>('GET', '/schedules/coverage', undefined, query),
};
