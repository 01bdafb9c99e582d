/**
 * The ways out of a subscription: the events it publishes (signed webhooks), push notifications to
 * administrators' devices, mail alerts and digests, and billing (seat purchases from Stripe).
 */
import { z } from 'zod';
import { Cursor, Limit, Person, Text, Timestamp, UserId } from './common';
import { SeatRequest } from './seat-requests';
import { SeatCounts, Subscription, User } from './users';

// ── Events ──────────────────────────────────────────────────────────────────────────────────

/** Every event a webhook endpoint can subscribe to. */
export const EVENT_TYPES = [
  'seat.assigned',
  'seat.unassigned',
  'seat.transferred',
  'seat.requested',
  'seat.request.decided',
  'subscription.updated',
  'user.created',
  'user.updated',
  'user.deleted',
  'seats.threshold',
] as const;
export const EventType = z.enum(EVENT_TYPES).meta({ id: 'EventType' });
export type EventType = z.infer<typeof EventType>;

/** What changed, as the audit log records it (e.g. `{"name":{"from":"A","to":"B"}}`). */
const Changes = z.record(z.string(), z.unknown());

/** Every event has the same envelope; `data` holds the resource after the change. */
const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    id: z.string().meta({ description: 'The event id; also the `webhook-id` header, the same on every retry.' }),
    type: z.literal(type),
    timestamp: Timestamp,
    subscription: Person,
    actor: Person.nullable().meta({ description: 'Who made the change; null for the system (timers, billing, automatic assignment).' }),
    data,
  });

const SeatData = z.object({ user: User, seats: SeatCounts });

export const WebhookEvent = z
  .discriminatedUnion('type', [
    envelope('seat.assigned', SeatData),
    envelope('seat.unassigned', SeatData),
    envelope('seat.transferred', SeatData.extend({ from: Person, until: Timestamp.nullable() })),
    envelope('seat.requested', z.object({ request: SeatRequest, seats: SeatCounts, origin: z.enum(['app', 'directory']) })),
    envelope('seat.request.decided', z.object({ request: SeatRequest, seats: SeatCounts })),
    envelope('subscription.updated', z.object({ subscription: Subscription, changes: Changes })),
    envelope('user.created', z.object({ user: User })),
    envelope('user.updated', z.object({ user: User, changes: Changes })),
    envelope('user.deleted', z.object({ user: z.object({ id: z.string(), name: z.string(), email: z.string() }) })),
    envelope('seats.threshold', z.object({ percent: z.number().int(), subscription: Subscription })),
    envelope('webhook.test', z.object({ message: z.string() })),
  ])
  .meta({ id: 'WebhookEvent', description: 'The JSON body of every webhook request, signed per Standard Webhooks.' });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

// ── Webhook endpoints ───────────────────────────────────────────────────────────────────────

/** What an endpoint is for, as typed: free text like every other (no control or text-direction characters). */
const Description = Text({ max: 200, what: 'Descriptions' });

const WebhookUrl = z.string().trim().max(2000).pipe(z.url({ protocol: /^https?$/ })).meta({ example: 'https://hooks.example.com/setme' });
const EventTypes = z
  .array(EventType)
  .max(EVENT_TYPES.length)
  .meta({ description: 'The events sent to this endpoint; empty means all of them.' });

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(EventType),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().meta({ description: 'Why the endpoint was disabled (e.g. it answered 410 Gone).' }),
    previousSecretExpiresAt: Timestamp.nullable().meta({ description: 'After a rotation both secrets sign until then.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

export const CreateWebhookBody = z
  .object({
    url: WebhookUrl,
    description: Description.default(''),
    eventTypes: EventTypes.default([]),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateWebhookBody = z.input<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .object({ url: WebhookUrl, description: Description, eventTypes: EventTypes, enabled: z.boolean() })
  .partial()
  .strict();
export type UpdateWebhookBody = z.input<typeof UpdateWebhookBody>;

/** A signing secret, shown once: when the endpoint is made and when it is rotated. */
export const WebhookSecret = z
  .object({
    secret: z.string().meta({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
    previousSecretExpiresAt: Timestamp.nullable(),
  })
  .meta({ id: 'WebhookSecret' });
export type WebhookSecret = z.infer<typeof WebhookSecret>;

export const CreatedWebhook = z.object({ webhook: Webhook, secret: z.string() }).meta({ id: 'CreatedWebhook' });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed', 'cancelled']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One event's delivery to one endpoint: the delivery log. */
export const Delivery = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    createdAt: Timestamp,
    lastAttemptAt: Timestamp.nullable(),
    nextAttemptAt: Timestamp.nullable().meta({ description: 'When the next attempt is due, while pending.' }),
    responseStatus: z.number().int().nullable(),
    latencyMs: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryQuery = z.object({ limit: Limit, cursor: Cursor }).strict();
export type DeliveryQuery = z.input<typeof DeliveryQuery>;

export const WebhookParams = z.object({ id: z.string().min(1).max(200) });
export const DeliveryParams = z.object({ id: z.string().min(1).max(200), deliveryId: z.string().min(1).max(200) });

// ── Push notifications and mail alerts ──────────────────────────────────────────────────────

const Base64Url = (min: number, max: number) => z.string().regex(/^[A-Za-z0-9_-]+=*$/, 'Not base64url.').min(min).max(max);

/** What the browser's `PushSubscription.toJSON()` gives, plus a name for the device. */
export const PushSubscriptionBody = z
  .object({
    endpoint: WebhookUrl,
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: Base64Url(80, 100), auth: Base64Url(16, 30) }).strict(),
    device: Text({ max: 100, what: 'Device names' }).default(''),
  })
  .strict();
export type PushSubscriptionBody = z.input<typeof PushSubscriptionBody>;

export const PushDevice = z
  .object({ id: z.string(), device: z.string(), endpointOrigin: z.string(), createdAt: Timestamp, lastSentAt: Timestamp.nullable() })
  .meta({ id: 'PushDevice' });
export type PushDevice = z.infer<typeof PushDevice>;

/** What an administrator is told, on which channel. */
export const NotificationChoices = z
  .object({
    push: z.object({
      seatRequests: z.boolean().meta({ description: 'A seat request waits (with Approve / Decline).' }),
      seatsFull: z.boolean().meta({ description: 'Seats are full or cross a threshold.' }),
      loansReturning: z.boolean().meta({ description: 'A lent seat returns in 15 minutes.' }),
      directoryWaitlist: z.boolean().meta({ description: 'Directory sync put someone on the waitlist.' }),
    }),
    mail: z.object({
      thresholds: z.boolean().meta({ description: 'Mail when seats cross a threshold.' }),
      digest: z.boolean().meta({ description: 'A daily mail of pending requests and idle seats.' }),
    }),
  })
  .meta({ id: 'NotificationChoices' });
export type NotificationChoices = z.infer<typeof NotificationChoices>;

const Percent = z.number().int().min(1).max(100);

export const NotificationSettings = z
  .object({
    choices: NotificationChoices,
    thresholds: z.array(Percent).meta({ description: "The subscription's alert thresholds, in % of purchased seats." }),
    devices: z.array(PushDevice).meta({ description: "The caller's devices that receive push notifications." }),
    vapidPublicKey: z.string().nullable().meta({ description: 'The applicationServerKey for PushManager.subscribe; null when push is not configured.' }),
  })
  .meta({ id: 'NotificationSettings' });
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const NotificationSettingsPatch = z
  .object({
    push: NotificationChoices.shape.push.partial().strict().optional(),
    mail: NotificationChoices.shape.mail.partial().strict().optional(),
    thresholds: z
      .array(Percent)
      .max(10)
      .refine((list) => new Set(list).size === list.length, 'Each threshold once.')
      .optional(),
  })
  .strict();
export type NotificationSettingsPatch = z.input<typeof NotificationSettingsPatch>;

/** What a push message carries to the service worker, which shows it. */
export const PushMessage = z
  .object({
    kind: z.enum(['seat_request', 'seats', 'loan_returning', 'directory_waitlist', 'test']),
    title: z.string(),
    body: z.string(),
    url: z.string().meta({ description: 'The app page a tap opens.' }),
    tag: z.string(),
    requestId: z.string().nullable().meta({ description: 'For seat requests: what Approve and Decline act on.' }),
    seatsFull: z.boolean().meta({ description: 'No seat is free: Approve opens the chooser instead of approving.' }),
  })
  .meta({ id: 'PushMessage' });
export type PushMessage = z.infer<typeof PushMessage>;

// ── Billing ─────────────────────────────────────────────────────────────────────────────────

export const StripeCustomerId = z.string().trim().regex(/^cus_[A-Za-z0-9]{1,64}$/, 'A Stripe customer id looks like cus_…');

export const Billing = z
  .object({
    customerId: z.string().nullable(),
    paidSeats: z.number().int().nullable().meta({ description: 'The quantity of the seat price in the latest Stripe subscription event.' }),
    seats: SeatCounts,
    pendingDecrease: z
      .object({
        seats: z.number().int(),
        from: Timestamp.meta({ description: 'The paid period ends: the lower count applies then.' }),
        held: z.number().int(),
        toRelease: z.number().int().meta({ description: 'Seats that must be taken back by then (least used first, unless kept).' }),
        keep: z.array(Person).meta({ description: 'Holders chosen to keep their seat.' }),
      })
      .nullable(),
    lastEventAt: Timestamp.nullable(),
  })
  .meta({ id: 'Billing' });
export type Billing = z.infer<typeof Billing>;

export const BillingLinkBody = z.object({ customerId: StripeCustomerId }).strict();
export type BillingLinkBody = z.input<typeof BillingLinkBody>;

export const BillingKeepBody = z.object({ userIds: z.array(UserId).max(10_000) }).strict();
export type BillingKeepBody = z.input<typeof BillingKeepBody>;
