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
import type { OwnedApiToken } from '../contract';
import type { ApiToken, Page, TokenScope } from './views';

/** What the Worker made of a new token: its id, name, scope, expiry (null: never) and the hash of its secret. */
export interface NewToken {
  id: string;
  name: string;
  hash: string;
  scope: TokenScope;
  expiresAt: string | null;
}

/**
 * Stores a token (its hash) for the actor, if the credential asking signed in recently: a token is
 * a lasting way in, so a stolen device or token alone cannot make one. Only administrators may
 * connect a directory (a "scim" token).
 */
export function createToken(sql: Sql, actor: Actor, credential: Credential, token: NewToken, now: number): Result<ApiToken> {
  if (token.scope === 'scim' && actor.role !== 'administrator') {
    return fail('forbidden', { detail: 'Only administrators can connect a directory (a "scim" token).' });
  }
  const stale = requireRecentSignIn(sql, credential, now, token.scope === 'scim' ? 'connect a directory' : 'create an API token');
  if (stale) return stale;
  const createdAt = new Date(now).toISOString();
  sql.run(
    'INSERT INTO api_tokens (id, token_hash, user_id, name, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    token.id,
    token.hash,
    actor.id,
    token.name,
    token.scope,
    createdAt,
    token.expiresAt,
  );
  const details = { scope: token.scope, expiresAt: token.expiresAt };
  recordAudit(sql, now, actor, 'token.created', { type: 'token', id: token.id, name: token.name }, details);
  return ok({ id: token.id, name: token.name, scope: token.scope, createdAt, lastUsedAt: null, expiresAt: token.expiresAt });
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

type TokenRow = { id: string; name: string; scope: string; created_at: string; last_used_at: string | null; expires_at: string | null };
const TOKEN_COLUMNS = 't.id, t.name, t.scope, t.created_at, t.last_used_at, t.expires_at';

const tokenOf = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  scope: r.scope as TokenScope,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  expiresAt: r.expires_at,
});

/** The actor's own tokens, newest first (expired ones too, until revoked, so a failing script can be explained). */
export function listTokens(sql: Sql, actor: Actor): Result<Page<ApiToken>> {
  const rows = sql.all<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = ? ORDER BY t.created_at DESC`, actor.id);
  return ok({ items: rows.map(tokenOf), nextCursor: null });
}

/** Every token of the subscription with its owner, newest first: for administrators, who may revoke any. */
export function listAllTokens(sql: Sql): Result<Page<OwnedApiToken>> {
  const rows = sql.all<TokenRow & { user_id: string; user_name: string; user_email: string }>(
    `SELECT ${TOKEN_COLUMNS}, u.id AS user_id, u.name AS user_name, u.email AS user_email
     FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id`,
  );
  const items = rows.map((r) => ({ ...tokenOf(r), owner: { id: r.user_id, name: r.user_name, email: r.user_email } }));
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
