/**
 * Webhook endpoints: where a subscription's events are sent, signed per Standard Webhooks. Each
 * endpoint has a signing secret (`whsec_…`), shown once when made and when rotated; after a
 * rotation the previous secret also signs for 24 hours, so receivers can switch without missing
 * an event. Disabling or deleting an endpoint cancels what was still queued for it.
 */
import type { EventType, UpdateWebhookBody, Webhook, WebhookSecret } from '../contract';
import { checkDestination, type DestinationPolicy } from '../domain/destinations';
import { fail, ok, type Failure, type Result } from '../domain/result';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { cancelQueue } from './deliveries';
import { prefixedId } from './ids';
import type { Sql } from './sql';

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
/** Endpoints per subscription: each one costs a delivery per event. */
const MAX_ENDPOINTS = 20;

/** A new endpoint, as validated (defaults filled in). */
export interface NewWebhook {
  url: string;
  description: string;
  eventTypes: EventType[];
  enabled: boolean;
}

type WebhookRow = {
  id: string;
  url: string;
  description: string;
  event_types: string;
  enabled: number;
  disabled_reason: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
};

const COLUMNS = 'id, url, description, event_types, enabled, disabled_reason, previous_secret_expires_at, created_at';

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries expect. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export function listWebhooks(sql: Sql): Webhook[] {
  return sql.all<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks ORDER BY created_at, id`).map(toWebhook);
}

export function findWebhook(sql: Sql, id: string): Result<Webhook> {
  const row = sql.one<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE id = ?`, id);
  return row ? ok(toWebhook(row)) : notFound();
}

/** Registers an endpoint; the answer has its secret, which is not shown again. */
export function createWebhook(
  sql: Sql,
  actor: Actor,
  input: NewWebhook,
  policy: DestinationPolicy,
  now: number,
): Result<{ webhook: Webhook; secret: string }> {
  const allowed = checkDestination(input.url, policy);
  if (!allowed.ok) return allowed;
  if (sql.count('SELECT COUNT(*) FROM webhooks') >= MAX_ENDPOINTS) {
    return fail('validation_failed', { detail: `A subscription can have ${MAX_ENDPOINTS} webhook endpoints. Delete one you no longer use first.` });
  }
  const id = prefixedId('whk');
  const secret = newWebhookSecret();
  sql.run(
    'INSERT INTO webhooks (id, url, description, event_types, enabled, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id,
    input.url,
    input.description,
    JSON.stringify(input.eventTypes),
    input.enabled ? 1 : 0,
    secret,
    new Date(now).toISOString(),
  );
  recordAudit(sql, now, actor, 'webhook.created', { type: 'webhook', id, name: input.url }, { eventTypes: input.eventTypes, enabled: input.enabled });
  return ok({ webhook: toWebhook(sql.one<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE id = ?`, id)!), secret });
}

/** Changes an endpoint. Disabling it cancels its queue; enabling it clears why it was disabled. */
export function updateWebhook(sql: Sql, actor: Actor, id: string, change: UpdateWebhookBody, policy: DestinationPolicy, now: number): Result<Webhook> {
  const found = findWebhook(sql, id);
  if (!found.ok) return found;
  const before = found.value;
  if (change.url !== undefined && change.url !== before.url) {
    const allowed = checkDestination(change.url, policy);
    if (!allowed.ok) return allowed;
  }
  const after = {
    url: change.url ?? before.url,
    description: change.description ?? before.description,
    eventTypes: change.eventTypes ?? before.eventTypes,
    enabled: change.enabled ?? before.enabled,
  };
  const details: Record<string, unknown> = {};
  for (const key of ['url', 'description', 'eventTypes', 'enabled'] as const) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) details[key] = { from: before[key], to: after[key] };
  }
  if (Object.keys(details).length === 0) return ok(before);
  sql.run(
    'UPDATE webhooks SET url = ?, description = ?, event_types = ?, enabled = ?, disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END WHERE id = ?',
    after.url,
    after.description,
    JSON.stringify(after.eventTypes),
    after.enabled ? 1 : 0,
    after.enabled ? 1 : 0,
    id,
  );
  if (!after.enabled && before.enabled) {
    sql.run("UPDATE webhooks SET disabled_reason = 'Disabled by ' || ? WHERE id = ?", actor.name, id);
    cancelQueue(sql, id, 'The endpoint was disabled.', now);
  }
  recordAudit(sql, now, actor, 'webhook.updated', { type: 'webhook', id, name: after.url }, details);
  return findWebhook(sql, id);
}

/** Deletes an endpoint and its queue (its delivery log goes with it). */
export function deleteWebhook(sql: Sql, actor: Actor, id: string, now: number): Result<null> {
  const found = findWebhook(sql, id);
  if (!found.ok) return found;
  cancelQueue(sql, id, 'The endpoint was deleted.', now);
  sql.run('DELETE FROM deliveries WHERE target = ?', id);
  sql.run('DELETE FROM webhooks WHERE id = ?', id);
  recordAudit(sql, now, actor, 'webhook.deleted', { type: 'webhook', id, name: found.value.url });
  return ok(null);
}

/** A new secret; the previous one keeps signing (beside it) for 24 hours. */
export function rotateSecret(sql: Sql, actor: Actor, id: string, now: number): Result<WebhookSecret> {
  const found = findWebhook(sql, id);
  if (!found.ok) return found;
  const secret = newWebhookSecret();
  const expires = new Date(now + ROTATION_OVERLAP_MS).toISOString();
  sql.run('UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = ?, secret = ? WHERE id = ?', expires, secret, id);
  recordAudit(sql, now, actor, 'webhook.secret_rotated', { type: 'webhook', id, name: found.value.url }, { previousSecretExpiresAt: expires });
  return ok({ secret, previousSecretExpiresAt: expires });
}

/** What a retry of a secret-bearing answer gets: the secret was shown once. */
export function secretShownOnce(id: string, what: 'created' | 'rotated'): Failure {
  return fail('idempotency_replay_secret', {
    resource: { type: 'webhook', id },
    detail:
      `The first request with this Idempotency-Key ${what} the secret of webhook ${id}. It was shown only in that answer: ` +
      `rotate the secret (POST /api/v1/webhooks/${id}/secret) for a new one.`,
  });
}

/** The endpoint for a test event, with its secrets. */
export function signingTarget(sql: Sql, id: string, now: number): Result<{ url: string; secrets: string[] }> {
  const row = sql.one<{ url: string; secret: string; previous_secret: string | null; previous_secret_expires_at: string | null }>(
    'SELECT url, secret, previous_secret, previous_secret_expires_at FROM webhooks WHERE id = ?',
    id,
  );
  if (!row) return notFound();
  const previous = row.previous_secret && row.previous_secret_expires_at && Date.parse(row.previous_secret_expires_at) > now ? [row.previous_secret] : [];
  return ok({ url: row.url, secrets: [row.secret, ...previous] });
}

function notFound(): Failure {
  return fail('not_found', { detail: 'No such webhook endpoint in this subscription.' });
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as Webhook['eventTypes'],
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
  };
}
