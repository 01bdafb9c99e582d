/**
 * Ways to sign in besides a device's cookie itself: passwords (hashed in the Worker, stored here),
 * password resets (single-use, 30 minutes) and passkeys (WebAuthn credentials). Plain functions
 * over the Subscription object's storage.
 */
import type { Passkey } from '../contract';
import type { PasswordHash } from '../crypto';
import { fail } from '../domain/result';
import type { Sql } from './sql';

export const RESET_MINUTES = 30;

/** A user's stored password hash, which the Worker verifies (hashing never runs in the object). */
export interface StoredPassword {
  userId: string;
  hash: string;
  salt: string;
  iterations: number;
}

/** A user's stored password, or null before they have set one. */
export function storedPassword(sql: Sql, userId: string): StoredPassword | null {
  const row = sql.one<{ password_hash: string | null; password_salt: string; password_iterations: number }>(
    'SELECT password_hash, password_salt, password_iterations FROM users WHERE id = ?',
    userId,
  );
  return row?.password_hash
    ? { userId, hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations }
    : null;
}

export function setPassword(sql: Sql, userId: string, password: PasswordHash): void {
  sql.run(
    'UPDATE users SET password_hash = ?, password_salt = ?, password_iterations = ? WHERE id = ?',
    password.hash,
    password.salt,
    password.iterations,
    userId,
  );
}

/** Stores a reset token's hash for a user at `now`, replacing any earlier one; returns when it expires. */
export function insertPasswordReset(sql: Sql, userId: string, tokenHash: string, now: number): string {
  const expiresAt = new Date(now + RESET_MINUTES * 60_000).toISOString();
  storeLink(sql, 'password_resets', { userId, hash: tokenHash, expiresAt }, now);
  return expiresAt;
}

/**
 * Stores the hash of a user's single-use link (an invitation, a password reset) at `now`; the
 * link it replaces stops working.
 */
export function storeLink(
  sql: Sql,
  table: 'invitations' | 'password_resets',
  link: { userId: string; hash: string; expiresAt: string },
  now: number,
): void {
  sql.run(`DELETE FROM ${table} WHERE user_id = ?`, link.userId);
  sql.run(
    `INSERT INTO ${table} (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
    link.hash,
    link.userId,
    new Date(now).toISOString(),
    link.expiresAt,
  );
}

/** The user a reset token still valid at `now` belongs to, or null. */
export function passwordResetUser(sql: Sql, tokenHash: string, now: number): string | null {
  return (
    sql.one<{ user_id: string }>(
      'SELECT user_id FROM password_resets WHERE token_hash = ? AND expires_at > ?',
      tokenHash,
      new Date(now).toISOString(),
    )?.user_id ?? null
  );
}

/** The user an invitation still valid at `now` belongs to, or null. */
export function invitedUser(sql: Sql, invitationHash: string, now: number): string | null {
  return (
    sql.one<{ user_id: string }>(
      'SELECT user_id FROM invitations WHERE token_hash = ? AND expires_at > ?',
      invitationHash,
      new Date(now).toISOString(),
    )?.user_id ?? null
  );
}

/** The refusal of a reset link that is unknown, used or expired. */
export const resetLinkInvalid = () =>
  fail('invitation_invalid', { detail: 'This password reset link is invalid, already used or expired. Ask for a new one.' });

/** The refusal of an invitation link that is unknown, used or expired. */
export const invitationLinkInvalid = () =>
  fail('invitation_invalid', { detail: 'This invitation link is invalid, already used or expired. Ask an administrator for a new one.' });

export interface StoredPasskey {
  id: string;
  userId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

/** A passkey the Worker verified, for the caller to keep under a name. */
export type NewPasskey = Omit<StoredPasskey, 'userId'> & { name: string };

type PasskeyRow = {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: number;
  transports: string;
  created_at: string;
  last_used_at: string | null;
};

/** A user's passkeys, newest first. */
export function userPasskeys(sql: Sql, userId: string): Passkey[] {
  return sql
    .all<PasskeyRow>('SELECT * FROM passkeys WHERE user_id = ? ORDER BY created_at DESC', userId)
    .map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}

/** One stored passkey of a user, for verifying a sign-in with it. */
export function storedPasskey(sql: Sql, userId: string, credentialId: string): StoredPasskey | null {
  const row = sql.one<PasskeyRow>('SELECT * FROM passkeys WHERE id = ? AND user_id = ?', credentialId, userId);
  return row
    ? { id: row.id, userId: row.user_id, publicKey: row.public_key, counter: row.counter, transports: JSON.parse(row.transports) as string[] }
    : null;
}

export function insertPasskey(sql: Sql, userId: string, passkey: NewPasskey, now: number): void {
  sql.run(
    'INSERT INTO passkeys (id, user_id, name, public_key, counter, transports, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    passkey.id,
    userId,
    passkey.name,
    passkey.publicKey,
    passkey.counter,
    JSON.stringify(passkey.transports),
    new Date(now).toISOString(),
  );
}
