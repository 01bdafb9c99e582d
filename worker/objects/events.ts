/**
 * The events a subscription publishes (seat.assigned, user.created, …), written to the `outbox`
 * table in the transaction of the change they describe. The audit log already sees every change,
 * so `recordAudit` notes the matching event here; the write path publishes the noted events at the
 * end of the call's work, still inside its transaction (`publishEvents`), with the resource as it
 * is after the whole call. A refused call rolls its events back with everything else; a crash after
 * the commit loses nothing, because the outbox rows and their deliveries are already stored. An
 * event no target wants (no webhook endpoint, push device or mailbox) has no delivery to send it
 * and is not stored.
 */
import type { EventType, Person, WebhookEvent } from '../contract';
import type { Actor } from './access';
import type { AuditTarget } from './audit';
import { notifyFor, noteThresholds } from './alerts';
import { enqueueWebhooks, storeEvent } from './deliveries';
import { requestById } from './seat-requests';
import { storedCounts } from './seats';
import type { Sql } from './sql';
import { findUser, subscriptionView } from './users';
import { prefixedId } from './ids';

type Data<T extends WebhookEvent['type']> = Extract<WebhookEvent, { type: T }>['data'];

/** An event noted during a call, published when its work is done. */
interface Noted {
  at: number;
  actor: Person | null;
  type: EventType;
  data: () => Record<string, unknown> | null;
}

const noted = new WeakMap<Sql, Noted[]>();

/** Forgets events noted by a call that did not commit (the write path calls it before each call's work). */
export function discardEvents(sql: Sql): void {
  noted.delete(sql);
}

/** Notes an event to publish at the end of this call's work. `data` reads the resource then. */
export function noteEvent(sql: Sql, at: number, actor: Person | null, type: EventType, data: () => Record<string, unknown> | null): void {
  const list = noted.get(sql) ?? [];
  list.push({ at, actor: actor && { id: actor.id, name: actor.name }, type, data });
  noted.set(sql, list);
}

/**
 * Notes the event an audit entry stands for, if any. Resources are read when the call's work is
 * done, except for a user deleted by this very call, read now while they still exist.
 */
export function noteAudited(sql: Sql, at: number, actor: Actor | null, action: string, target: AuditTarget, details: Record<string, unknown>): void {
  const mapped = eventOf(sql, action, target, details);
  if (!mapped) return;
  if (details.reason === 'deleted') {
    const now = mapped.data();
    mapped.data = () => now;
  }
  noteEvent(sql, at, actor, mapped.type, mapped.data);
}

/**
 * Publishes what this call's work noted (and a seats threshold it crossed): each event goes to the
 * outbox with its deliveries, in the call's transaction (not at all when no target wants it).
 */
export function publishEvents(sql: Sql, now: number): void {
  noteThresholds(sql, now);
  const events = noted.get(sql);
  noted.delete(sql);
  if (!events?.length) return;
  const view = subscriptionView(sql);
  const subscription = { id: view.id, name: view.name };
  for (const item of events) {
    const data = item.data();
    if (!data) continue;
    const event = { id: prefixedId('evt'), type: item.type, timestamp: new Date(item.at).toISOString(), subscription, actor: item.actor, data } as WebhookEvent;
    // Its deliveries first (webhook endpoints, push devices, mailboxes that want it), then the
    // outbox row they read, only if there is one: nothing ever reads an event nobody receives.
    const before = sql.written;
    enqueueWebhooks(sql, event, now);
    notifyFor(sql, event, now);
    if (sql.written > before) storeEvent(sql, event, now);
  }
}

/** The event type and resource of an audit entry; null for changes no event describes. */
function eventOf(sql: Sql, action: string, target: AuditTarget, details: Record<string, unknown>): { type: EventType; data: () => Record<string, unknown> | null } | null {
  const seatData = (userId: string) => (): Data<'seat.assigned'> | null => {
    const user = findUser(sql, userId);
    return user.ok ? { user: user.value, seats: storedCounts(sql) } : null;
  };
  const requestData = (requestId: unknown, extra: Record<string, unknown> = {}) => () => {
    const request = typeof requestId === 'string' ? requestById(sql, requestId) : null;
    return request ? { request, seats: storedCounts(sql), ...extra } : null;
  };
  switch (action) {
    case 'seat.assigned':
    case 'seat.unassigned':
      return { type: action, data: seatData(target.id) };
    case 'seat.transferred': {
      const from = details.from as Person;
      const until = typeof details.until === 'string' ? details.until : null;
      return { type: 'seat.transferred', data: () => withSeat(seatData(target.id)(), { from, until }) };
    }
    case 'seat.loan_ended': {
      // A loan's end gives the seat back to the lender (a transfer) or frees it.
      const returnedTo = details.returnedTo as Person | undefined;
      if (!returnedTo) return { type: 'seat.unassigned', data: seatData(target.id) };
      const from = { id: target.id, name: target.name ?? '' };
      return { type: 'seat.transferred', data: () => withSeat(seatData(returnedTo.id)(), { from, until: null }) };
    }
    case 'seat_request.created':
      return { type: 'seat.requested', data: requestData(details.requestId, { origin: details.origin === 'directory' ? 'directory' : 'app' }) };
    case 'seat_request.approved':
    case 'seat_request.declined':
    case 'seat_request.cancelled':
      return { type: 'seat.request.decided', data: requestData(details.requestId) };
    case 'subscription.updated':
      return { type: 'subscription.updated', data: () => ({ subscription: subscriptionView(sql), changes: details }) };
    case 'user.created':
      return { type: 'user.created', data: () => userData(sql, target.id) };
    case 'user.updated':
      return { type: 'user.updated', data: () => { const data = userData(sql, target.id); return data && { ...data, changes: details }; } };
    case 'user.deleted':
      return { type: 'user.deleted', data: () => ({ user: { id: target.id, name: target.name ?? '', email: String(details.email ?? '') } }) };
    default:
      return null;
  }
}

function userData(sql: Sql, userId: string): Data<'user.created'> | null {
  const user = findUser(sql, userId);
  return user.ok ? { user: user.value } : null;
}

function withSeat<E extends Record<string, unknown>>(data: Data<'seat.assigned'> | null, extra: E) {
  return data && { ...data, ...extra };
}
