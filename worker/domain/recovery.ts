/** What recovering an account (a password reset or change) removed, said as a person reads it. */
import type { RemovedAccess } from '../contract';

const counted = (n: number, one: string, many: string, done: string) => `${n} ${n === 1 ? one : many} ${done}`;

/**
 * The sentence after a reset or change: what was removed, and what to do about passkeys.
 * @example removedSentence({ devices: 3, apiTokens: 1, passkeys: 1 })
 * // → 'Your password is changed: 3 devices signed out, 1 API token revoked, 1 passkey removed — add your passkey again.'
 */
export function removedSentence(removed: RemovedAccess): string {
  const parts = [
    removed.devices > 0 ? counted(removed.devices, 'device', 'devices', 'signed out') : null,
    removed.apiTokens > 0 ? counted(removed.apiTokens, 'API token', 'API tokens', 'revoked') : null,
    removed.passkeys > 0 ? counted(removed.passkeys, 'passkey', 'passkeys', 'removed') : null,
  ].filter((part): part is string => part !== null);
  if (parts.length === 0) return 'Your password is changed. No other device, API token or passkey had access to your account.';
  const again = removed.passkeys > 0 ? ` — add your ${removed.passkeys === 1 ? 'passkey' : 'passkeys'} again` : '';
  return `Your password is changed: ${parts.join(', ')}${again}.`;
}
