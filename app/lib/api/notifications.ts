/**
 * `/notifications` and `/push-subscriptions` (worker/http/routes/notifications.ts,
 * push-subscriptions.ts): what an administrator is told, and the devices push messages go to.
 */
import type { NotificationSettings, NotificationSettingsPatch, PushDevice, PushSubscriptionBody } from '#contract';
import { request, segment } from './request.ts';

export const notificationsApi = {
  get: () => request<NotificationSettings>('GET', '/notifications'),
  update: (patch: NotificationSettingsPatch) => request<NotificationSettings>('PATCH', '/notifications', patch),
  addDevice: (body: PushSubscriptionBody) => request<PushDevice>('POST', '/push-subscriptions', body),
  removeDevice: (id: string) => request<void>('DELETE', `/push-subscriptions/${segment(id)}`),
  test: () => request<{ devices: number }>('POST', '/push-subscriptions/test'),
};
