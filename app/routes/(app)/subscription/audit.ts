/** Audit entries as sentences: "Dana Whitfield moved a seat from Alex Moreno to Lena Fischer". */
import type { AuditEntry } from '#contract';
import { describeSeatEntry, SEAT_ACTIONS } from './audit-seats';

export const ACTIONS: Record<string, string> = {
  'seat.assigned': 'Seat assigned',
  'seat.unassigned': 'Seat taken back',
  'seat.transferred': 'Seat moved',
  'user.created': 'User added',
  'user.updated': 'User changed',
  'user.activated': 'Invitation accepted',
  'user.deleted': 'User deleted',
  'subscription.created': 'Subscription created',
  'subscription.updated': 'Subscription changed',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'group.created': 'Directory group added',
  'group.updated': 'Directory group changed',
  'group.deleted': 'Directory group deleted',
  'group.member_added': 'Joined a directory group',
  'group.member_removed': 'Left a directory group',
  'seat.source_changed': 'Seat now through another group',
  ...SEAT_ACTIONS,
};

type Change = { from?: unknown; to?: unknown };

function changes(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(details)) {
    const change = value as Change | null;
    if (change && typeof change === 'object' && 'to' in change) parts.push(`${field} ${String(change.from)} → ${String(change.to)}`);
  }
  return parts.join(', ');
}

export function describe(entry: AuditEntry): string {
  const actor = entry.actor?.name ?? 'An API script';
  const target = entry.target.name ?? 'a deleted item';
  const d = entry.details;
  switch (entry.action) {
    case 'seat.assigned':
      return `${actor} assigned a seat to ${target}`;
    case 'seat.unassigned':
      return `${actor} took the seat back from ${target}${typeof d.reason === 'string' ? ` (${d.reason})` : ''}`;
    case 'seat.transferred': {
      const from = (d.from as { name?: string } | undefined)?.name ?? 'someone';
      return `${actor} moved a seat from ${from} to ${target}`;
    }
    case 'user.created':
      // Signing up makes its first administrator: they did not "add themselves".
      if (entry.actor && entry.actor.id === entry.target.id) return `${actor} created the subscription and became its administrator`;
      return `${actor} added ${target}${d.role === 'administrator' ? ' as an administrator' : d.role === 'technician' ? ' as a technician' : ''}`;
    case 'user.updated':
      return `${actor} changed ${target}: ${changes(d) || 'details'}`;
    case 'user.activated':
      return `${target} accepted the invitation`;
    case 'user.deleted':
      return `${actor} deleted ${target}`;
    case 'subscription.created':
      return `${actor} created the subscription ${target}`;
    case 'subscription.updated':
      return `${actor} changed the subscription: ${changes(d) || 'details'}`;
    case 'token.created':
      return `${actor} created the API token “${target}”`;
    case 'token.revoked':
      return `${actor} revoked the API token “${target}”`;
    case 'group.created':
      return `${actor} added the group ${target}`;
    case 'group.updated':
      return `${actor} changed the group ${target}: ${changes(d) || 'details'}`;
    case 'group.deleted':
      return `${actor} deleted the group ${target}`;
    case 'group.member_added':
      return `${actor} added ${target} to ${groupName(d)}`;
    case 'group.member_removed':
      return `${actor} removed ${target} from ${groupName(d)}`;
    case 'seat.source_changed':
      return `${target}'s seat is now through ${groupName(d)}`;
    default:
      return describeSeatEntry(entry) ?? `${actor}: ${entry.action} ${target}`;
  }
}

const groupName = (details: Record<string, unknown>) => (details.group as { name?: string } | undefined)?.name ?? 'a group';
