/** `/billing` (worker/http/routes/billing.ts): the Stripe customer, paid seats and a pending decrease. */
import type { Billing } from '#contract';
import { request } from './request.ts';

export const billingApi = {
  get: () => request<Billing>('GET', '/billing'),
  link: (customerId: string) => request<Billing>('PUT', '/billing', { customerId }),
  unlink: () => request<void>('DELETE', '/billing'),
  /** Who keeps a seat when the pending decrease applies (at most its new number of seats). */
  keep: (userIds: string[]) => request<Billing>('PUT', '/billing/keep', { userIds }),
};
