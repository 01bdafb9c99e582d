/** Where each person starts: administrators and team managers manage users; technicians see their own seat. */
import type { Account } from '#contract';

export function homeOf(account: Account): string {
  const role = account.user.role;
  switch (role) {
    case 'administrator':
    case 'team_manager':
      return '/';
    case 'technician':
      return '/me';
    default:
      return role satisfies never;
  }
}
