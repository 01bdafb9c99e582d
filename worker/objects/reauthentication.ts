/**
 * A recent sign-in: creating an API token or a passkey gives lasting access, so it needs the
 * credential asking (a device, or an API token) to have proved its user with a password or a
 * passkey in the last 10 minutes. Signing in (every way), a reset and a password change prove it;
 * `reauthenticate` proves it again for a credential signed in longer ago.
 */
import type { Reauthenticated } from '../contract';
import { fail, ok, type Failure, type Result } from '../domain/result';
import type { Actor, Credential } from './access';
import { recordAudit } from './audit';
import { storedPasskey } from './credentials';
import { checkPassword, forgetFailedChecks } from './password-checks';
import type { Sql } from './sql';

export const RECENT_SIGN_IN_MINUTES = 10;
const RECENT_MS = RECENT_SIGN_IN_MINUTES * 60_000;

/** How the caller proves it is them: their password hashed with its stored salt, or a passkey the Worker verified. */
export type Proof = { password: string } | { passkey: { credentialId: string; counter: number } };

/**
 * A `reauthentication_required` refusal unless the credential proved its user within the last
 * 10 minutes before `now`; `what` is what it would do ("create an API token").
 */
export function requireRecentSignIn(sql: Sql, credential: Credential, now: number, what: string): Failure | null {
  const table = credential.kind === 'device' ? 'devices' : 'api_tokens';
  const at = sql.one<{ at: string | null }>(`SELECT authenticated_at AS at FROM ${table} WHERE token_hash = ?`, credential.hash)?.at;
  if (at && now - Date.parse(at) < RECENT_MS) return null;
  return fail('reauthentication_required', {
    detail:
      `To ${what}, confirm it is you: you signed in more than ${RECENT_SIGN_IN_MINUTES} minutes ago. Enter your password ` +
      'or use a passkey (POST /api/v1/me/reauthenticate), then try again.',
  });
}

/** Records that the credential proved its user at `now`. */
export function markAuthenticated(sql: Sql, credential: Credential, now: number): void {
  const table = credential.kind === 'device' ? 'devices' : 'api_tokens';
  sql.run(`UPDATE ${table} SET authenticated_at = ? WHERE token_hash = ?`, new Date(now).toISOString(), credential.hash);
}

/**
 * The actor proves it is them again, with their password (throttled like sign-in) or one of their
 * passkeys: for the next 10 minutes the credential may create tokens and passkeys.
 */
export function reauthenticate(sql: Sql, actor: Actor, credential: Credential, proof: Proof, now: number): Result<Reauthenticated> {
  if ('password' in proof) {
    const checked = checkPassword(sql, actor.id, proof.password, now);
    if (!checked.ok) return checked;
    forgetFailedChecks(sql, actor.id);
  } else {
    const { credentialId, counter } = proof.passkey;
    if (!storedPasskey(sql, actor.id, credentialId)) return fail('invalid_credentials', {});
    sql.run('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?', counter, new Date(now).toISOString(), credentialId);
  }
  markAuthenticated(sql, credential, now);
  const method = 'password' in proof ? 'password' : 'passkey';
  recordAudit(sql, now, actor, 'user.reauthenticated', { type: 'user', id: actor.id, name: actor.name }, { method });
  return ok({ until: new Date(now + RECENT_MS).toISOString() });
}
