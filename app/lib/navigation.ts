/** Where each person starts: administrators manage users; technicians see their own seat. */
import type { Account } from '#contract';

export function homeOf(account: Account): string {
  return account.user.role === 'administrator' ? '/' : '/me';
}
