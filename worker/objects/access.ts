/**
 * Who may act in a subscription: signed-in devices and API tokens. Plain
 * functions over the object's SQLite storage; only the Subscription object calls them, inside its
 * own synchronous methods.
 */
import type { Device, Role } from '../contract';
import { fail, ok, type Result } from '../domain/result';
import type { Sql } from './sql';

/**
 * How a caller proves who they are: the SHA-256 of their device's sign-in cookie or of their API
 * token, and whether
 * the request only reads (GET) or may write, so read-only tokens can be held to reading.
 */
export interface Credential {
  /** `directory`: an API token presented to the SCIM service (/scim/v2), which only "scim" tokens may use. */
  kind: 'device' | 'token' | 'directory';
  hash: string;
  intent: 'read' | 'write';
}

/** The user behind a credential. */
export interface Actor {
  id: string;
  name: string;
  role: Role;
}

/** How long a device stays signed in at most. */
export const SIGN_IN_DAYS = 30;
/** A device unused for this long is signed out. */
export const IDLE_HOURS = 12;
const IDLE_MS = IDLE_HOURS * 3_600_000;
/** Activity is recorded at most once a minute, so reads stay reads. */
const ACTIVITY_RESOLUTION_MS = 60_000;

/**
 * The active user behind a credential at `at`, optionally required to be an administrator.
 * Records when the user was last active.
 */
export function authenticate(sql: Sql, credential: Credential, at: number, role?: 'administrator'): Result<Actor> {
  if (credential.kind === 'directory') return authenticateDirectory(sql, credential, at);
  const now = new Date(at).toISOString();
  // Parameters written `+?`: every call runs this join, and a bare `?` would re-prepare it each time (sql.ts).
  type Row = { id: string; name: string; role: string; seen: string | null; scope: string; expires: string | null };
  const row =
    credential.kind === 'device'
      ? sql.one<Row>(
          `SELECT u.id, u.name, CASE WHEN u.team_manager = 1 THEN 'team_manager' ELSE u.role END AS role, d.last_seen_at AS seen, 'write' AS scope, NULL AS expires FROM devices d
           JOIN users u ON u.id = d.user_id
           WHERE d.token_hash = +? AND d.expires_at > +? AND d.last_seen_at > +? AND u.status = 'active'`,
          credential.hash,
          now,
          new Date(at - IDLE_MS).toISOString(),
        )
      : sql.one<Row>(
          `SELECT u.id, u.name, CASE WHEN u.team_manager = 1 THEN 'team_manager' ELSE u.role END AS role, t.last_used_at AS seen, t.scope, t.expires_at AS expires FROM api_tokens t
           JOIN users u ON u.id = t.user_id WHERE t.token_hash = +? AND u.status = 'active'`,
          credential.hash,
        );
  if (!row) return fail('unauthenticated', { detail: 'Sign in again, or use a valid API token.' });
  if (row.expires !== null && row.expires <= now) {
    return fail('token_expired', {
      expiredAt: row.expires,
      detail: `This API token expired on ${row.expires}. Create a new token (Subscription or Me › API tokens) and use it instead.`,
    });
  }
  if (row.scope === 'scim') {
    return fail('forbidden', {
      detail: 'This is a directory (SCIM) token: it works only under /scim/v2. Use a personal API token here.',
    });
  }
  if (credential.intent === 'write' && row.scope === 'read') {
    return fail('forbidden', { detail: 'This API token is read-only. Create a token without "scope": "read" to make changes.' });
  }
  if (!row.seen || at - Date.parse(row.seen) > ACTIVITY_RESOLUTION_MS) {
    if (credential.kind === 'device') sql.run('UPDATE devices SET last_seen_at = ? WHERE token_hash = ?', now, credential.hash);
    else sql.run('UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?', now, credential.hash);
    sql.run('UPDATE users SET last_active_at = ? WHERE id = ?', now, row.id);
  }
  if (role && row.role !== role) return fail('forbidden', { detail: 'Only administrators can do this.' });
  return ok({ id: row.id, name: row.name, role: row.role as Role });
}

/**
 * A directory (Okta, Entra ID…) behind a "scim" token. It acts as an administrator named after
 * the token ("Okta" in the audit log), for as long as the administrator who made the token is one
 * and is active. Any other credential is refused: the SCIM service is for directories only.
 */
function authenticateDirectory(sql: Sql, credential: Credential, at: number): Result<Actor> {
  const row = sql.one<{ id: string; name: string; scope: string; seen: string | null; role: string; status: string; expires: string | null }>(
    `SELECT t.id, t.name, t.scope, t.last_used_at AS seen, t.expires_at AS expires, u.role, u.status FROM api_tokens t
     JOIN users u ON u.id = t.user_id WHERE t.token_hash = +?`,
    credential.hash,
  );
  if (!row || row.status !== 'active') return fail('unauthenticated', { detail: 'The directory token is not valid: it was revoked, or never existed.' });
  if (row.expires !== null && row.expires <= new Date(at).toISOString()) {
    return fail('token_expired', {
      expiredAt: row.expires,
      detail: `This directory token expired on ${row.expires}. Make a new one (Subscription › Directory sync) and give it to your identity provider.`,
    });
  }
  if (row.scope !== 'scim') {
    return fail('forbidden', {
      detail: 'This API token is not a directory token. Create one with "scope": "scim" (Subscription › Directory sync) for your identity provider.',
    });
  }
  if (row.role !== 'administrator') {
    return fail('forbidden', { detail: 'The administrator who made this directory token is no longer an administrator. Make a new token.' });
  }
  if (!row.seen || at - Date.parse(row.seen) > ACTIVITY_RESOLUTION_MS) {
    sql.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', new Date(at).toISOString(), row.id);
  }
  return ok({ id: row.id, name: row.name, role: 'administrator' });
}

/**
 * What the Worker knows about a new sign-in: the hash of its two cookies, the hash of its sign-out
 * proof (worker/http/device-cookies.ts) and the device's user agent.
 */
export interface NewDevice {
  hash: string;
  signOutHash: string;
  userAgent: string | null;
}

/**
 * Signs a device in for a user at `at`, identified by the hash of its cookie secret. Every way in
 * proves the user (a password, a passkey, an invitation or reset link), so this is also when the
 * device last authenticated (see reauthentication.ts).
 */
export function addDevice(sql: Sql, userId: string, device: NewDevice, at: number): void {
  const now = new Date(at);
  const expires = new Date(at + SIGN_IN_DAYS * 86_400_000);
  sql.run(
    `INSERT INTO devices (id, token_hash, sign_out_hash, user_id, user_agent, created_at, expires_at, last_seen_at, authenticated_at)
     VALUES ('dev_' || lower(hex(randomblob(10))), ?, ?, ?, ?, ?, ?, ?, ?)`,
    device.hash,
    device.signOutHash,
    userId,
    device.userAgent?.slice(0, 300) ?? null,
    now.toISOString(),
    expires.toISOString(),
    now.toISOString(),
    now.toISOString(),
  );
}

/** A user's signed-in devices at `at` (neither expired nor idle too long), most recently used first. */
export function userDevices(sql: Sql, userId: string, currentHash: string | null, at: number): Device[] {
  const now = new Date(at).toISOString();
  return sql
    .all<{ id: string; token_hash: string; user_agent: string | null; created_at: string; last_seen_at: string }>(
      `SELECT id, token_hash, user_agent, created_at, last_seen_at FROM devices
       WHERE user_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY last_seen_at DESC`,
      userId,
      now,
      new Date(at - IDLE_MS).toISOString(),
    )
    .map((r) => ({
      id: r.id,
      userAgent: r.user_agent,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      current: r.token_hash === currentHash,
    }));
}

/** Signs every device of a user out and revokes their API tokens. */
export function endAccess(sql: Sql, userId: string): void {
  sql.run('DELETE FROM devices WHERE user_id = ?', userId);
  sql.run('DELETE FROM api_tokens WHERE user_id = ?', userId);
}
