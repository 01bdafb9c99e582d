/**
 * Personal API tokens: created by a user, acting with their role (or only reading, with the "read"
 * scope). Only the token's hash is stored; access.ts authenticates with it.
 */
import { fail, ok, type Failure, type Result } from '../domain/result';
import type { Actor, Credential } from './access';
import { recordAudit } from './audit';
import { requireRecentSignIn } from './reauthentication';
import type { Sql } from './sql';
import { notFound } from './users';
import type { ApiToken, Page, TokenScope } from './views';

/** What the Worker made of a new token: its id, name, scope and the hash of its secret. */
export interface NewToken {
  id: string;
  name: string;
  hash: string;
  scope: TokenScope;
}

/**
 * Stores a token (its hash) for the actor, if the credential asking signed in recently: a token is
 * a lasting way in, so a stolen device or token alone cannot make one.
 */
export function createToken(sql: Sql, actor: Actor, credential: Credential, token: NewToken, now: number): Result<ApiToken> {
  const stale = requireRecentSignIn(sql, credential, now, 'create an API token');
  if (stale) return stale;
  const createdAt = new Date(now).toISOString();
  sql.run(
    'INSERT INTO api_tokens (id, token_hash, user_id, name, scope, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    token.id,
    token.hash,
    actor.id,
    token.name,
    token.scope,
    createdAt,
  );
  recordAudit(sql, now, actor, 'token.created', { type: 'token', id: token.id, name: token.name }, { scope: token.scope });
  return ok({ id: token.id, name: token.name, scope: token.scope, createdAt, lastUsedAt: null });
}

/** What a retry of a token's creation answers: its secret was shown once and is not kept. */
export function tokenCreatedOnce(token: ApiToken): Failure {
  return fail('idempotency_replay_secret', {
    resource: { type: 'token', id: token.id },
    detail:
      `The first request with this Idempotency-Key created the API token "${token.name}" (${token.id}). Its secret was ` +
      'shown only in that answer: create a new token for a new secret, and revoke this one if its secret is lost.',
  });
}

/** The actor's own tokens, newest first. */
export function listTokens(sql: Sql, actor: Actor): Result<Page<ApiToken>> {
  const rows = sql.all<{ id: string; name: string; scope: string; created_at: string; last_used_at: string | null }>(
    'SELECT id, name, scope, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC',
    actor.id,
  );
  const items = rows.map((r) => ({
    id: r.id,
    name: r.name,
    scope: r.scope as TokenScope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }));
  return ok({ items, nextCursor: null });
}

/** Revokes a token: the actor's own, or any in the subscription for an administrator. */
export function deleteToken(sql: Sql, actor: Actor, tokenId: string, now: number): Result<null> {
  const token = sql.one<{ user_id: string; name: string }>('SELECT user_id, name FROM api_tokens WHERE id = ?', tokenId);
  if (!token || (token.user_id !== actor.id && actor.role !== 'administrator')) {
    return notFound('token');
  }
  sql.run('DELETE FROM api_tokens WHERE id = ?', tokenId);
  recordAudit(sql, now, actor, 'token.revoked', { type: 'token', id: tokenId, name: token.name });
  return ok(null);
}
