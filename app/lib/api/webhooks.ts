/** `/webhooks` (worker/http/routes/webhooks.ts): endpoints, their secrets, and delivery logs. */
import type { CreatedWebhook, CreateWebhookBody, Delivery, Page, UpdateWebhookBody, Webhook, WebhookSecret } from '#contract';
import { request, segment } from './request.ts';

export const webhooksApi = {
  list: () => request<Page<Webhook>>('GET', '/webhooks'),
  /** The answer holds the signing secret, shown only this once. */
  create: (body: CreateWebhookBody) => request<CreatedWebhook>('POST', '/webhooks', body),
  update: (id: string, patch: UpdateWebhookBody) => request<Webhook>('PATCH', `/webhooks/${segment(id)}`, patch),
  remove: (id: string) => request<void>('DELETE', `/webhooks/${segment(id)}`),
  rotateSecret: (id: string) => request<WebhookSecret>('POST', `/webhooks/${segment(id)}/secret`),
  deliveries: (id: string) => request<Page<Delivery>>('GET', `/webhooks/${segment(id)}/deliveries`, undefined, { limit: 20 }),
  redeliver: (id: string, deliveryId: string) => request<Delivery>('POST', `/webhooks/${segment(id)}/deliveries/${segment(deliveryId)}/redeliver`),
  test: (id: string) => request<Delivery>('POST', `/webhooks/${segment(id)}/test`),
};
