/** The shapes the API returns (see GET /api/v1/openapi.json). */

export type Role = 'administrator' | 'technician';
export type UserStatus = 'invited' | 'active' | 'deactivated';

export interface SeatCounts {
  purchased: number;
  assigned: number;
  available: number;
}

/** Someone named in a seat's loan or revocation. */
export interface Person {
  id: string;
  name: string;
}

/**
 * A held seat. `expiresAt` is when it leaves at the latest; `loan` is a time-boxed seat (it goes
 * back to `returnsTo`, or is freed); `revocation` is a seat being taken from someone connected to
 * computers, still counted as theirs until `endsAt` (null: when their last session ends).
 */
export interface Seat {
  assignedAt: string;
  expiresAt: string | null;
  loan: { until: string; returnsTo: Person | null } | null;
  revocation: {
    action: 'unassign' | 'transfer' | 'return';
    onActiveSessions: 'grace' | 'after_session';
    endsAt: string | null;
    transferTo: Person | null;
    requestedAt: string;
  } | null;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  seat: Seat | null;
  createdAt: string;
  lastActiveAt: string | null;
}

export interface Subscription {
  id: string;
  name: string;
  seats: SeatCounts;
  /** Freed seats go to the oldest pending seat request at once. */
  autoAssignRequests: boolean;
}

export interface Account {
  user: User;
  subscription: Subscription;
}

export interface Invitation {
  token: string;
  url: string;
  expiresAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A seat holder, as listed in a `no_seats_available` problem (least recently active first). */
export interface SeatHolder {
  id: string;
  name: string;
  email: string;
  role: Role;
  lastActiveAt: string | null;
}

/** "read" tokens may only read: any change made with one is refused (403). */
export type TokenScope = 'read' | 'write';

export interface ApiToken {
  id: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; name: string } | null;
  action: string;
  target: { type: string; id: string; name: string | null };
  details: Record<string, unknown>;
}
