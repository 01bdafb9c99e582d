/** `/subscription` (worker/http/routes/subscription.ts): its name, purchased seats and waitlist policy. */
import type { Subscription, SubscriptionPatch } from '#contract';
import { announce } from '#lib/answers.ts';
import { request } from './request.ts';

export const subscriptionApi = {
  /** Purchased seats cannot go below the seats assigned: `seats_in_use` says how many to free first. */
  update: (patch: SubscriptionPatch) =>
    request<Subscription>('PATCH', '/subscription', patch).then((subscription) => {
      announce({ kind: 'subscription', subscription });
      return subscription;
    }),
};
