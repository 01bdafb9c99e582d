/**
 * Personal API tokens: created by a user, acting with their role (or only reading, with the "read"
 * scope). Only the token's hash is stored; access.ts authenticates with it.
 */
import { ok, type Result } from '../domain/result';
import type { Actor } from './access';
import { recordAudit } from './audit';
import type { ObjectContext } from './context';
import type { Sql } from './sql';
import { notFound } from './users';
import type { ApiToken, Page, TokenScope } from './views';

/** Stores a token (its hash) for the actor. */
export function createToken(object: ObjectContext, actor: Actor, token: { id: string; name: string; hash: string; scope: TokenScope }): Result<ApiToken> {
  const { sql } = object;
  const now = new Date().toISOString();
  object.write(() => {
    sql.run(
      'INSERT INTO api_tokens (id, token_hash, user_id, name, scope, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      token.id,
      token.hash,
      actor.id,
      token.name,
      token.scope,
      now,
    );
    recordAudit(sql, actor, 'token.created', { type: 'token', id: token.id, name: token.name }, { scope: token.scope });
  });
  return ok({ id: token.id, name: token.name, scope: token.scope, createdAt: now, lastUsedAt: null });
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
export function deleteToken(object: ObjectContext, actor: Actor, tokenId: string): Result<null> {
  const { sql } = object;
  const token = sql.one<{ user_id: string; name: string }>('SELECT user_id, name FROM api_tokens WHERE id = ?', tokenId);
  if (!token || (token.user_id !== actor.id && actor.role !== 'administrator')) {
    return notFound('token');
  }
  object.write(() => {
    sql.run('DELETE FROM api_tokens WHERE id = ?', tokenId);
    recordAudit(sql, actor, 'token.revoked', { type: 'token', id: tokenId, name: token.name });
  });
  return ok(null);
}
