/** The shapes the API returns (see GET /api/v1/openapi.json). */

export type Role = 'administrator' | 'technician';
export type UserStatus = 'invited' | 'active' | 'deactivated';

export interface SeatCounts {
  purchased: number;
  assigned: number;
  available: number;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  seat: null | { assignedAt: string; expiresAt: string | null };
  createdAt: string;
  lastActiveAt: string | null;
}

export interface Subscription {
  id: string;
  name: string;
  seats: SeatCounts;
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

export interface ApiToken {
  id: string;
  name: string;
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
