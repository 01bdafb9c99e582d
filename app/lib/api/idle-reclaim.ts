/**
 * `/policies/idle-reclaim` (worker/http/routes/idle-reclaim.ts): take back seats unused for N days,
 * with a warning two days before, exemptions, and a dry run.
 */
import type { IdleReclaimBody, IdleReclaimPolicy, IdleReclaimPreview } from '#contract';
import { request } from './request.ts';

export const idleReclaimApi = {
  get: () => request<IdleReclaimPolicy>('GET', '/policies/idle-reclaim'),
  /** `days` below 3: 400 `validation_failed`. */
  set: (body: IdleReclaimBody) => request<IdleReclaimPolicy>('PUT', '/policies/idle-reclaim', body),
  preview: () => request<IdleReclaimPreview>('GET', '/policies/idle-reclaim/preview'),
};
