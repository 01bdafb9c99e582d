/**
 * Passkey challenges used in this subscription. The Worker issues challenges without storing them
 * (worker/http/webauthn.ts: each one is signed and carries its expiry); what makes each work only
 * once is this table, written in the same transaction as the sign-in or the new passkey. A row is
 * kept until its challenge expires, after which the Worker refuses the challenge by itself.
 */
import { fail } from '../domain/result';
import type { Sql } from './sql';

/** A challenge the Worker checked: its id and when it expires (ms since the epoch). */
export interface UsedChallenge {
  id: string;
  expiresAt: number;
}

/** Records a challenge as used at `now`; false when it was used before (and nothing changes). */
export function consumeChallenge(sql: Sql, challenge: UsedChallenge, now: number): boolean {
  sql.run('DELETE FROM consumed_challenges WHERE expires_at <= ?', now);
  if (sql.one('SELECT 1 AS used FROM consumed_challenges WHERE id = ?', challenge.id)) return false;
  sql.run('INSERT INTO consumed_challenges (id, expires_at) VALUES (?, ?)', challenge.id, challenge.expiresAt);
  return true;
}

/** What a refused challenge answers: it was used before (or is a replay of one that was). */
export const challengeUsed = () =>
  fail('passkey_expired', { detail: 'This passkey request was already used. Start again to get a new one.' });
