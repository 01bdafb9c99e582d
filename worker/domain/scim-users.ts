/**
 * How a SCIM user (RFC 7643 §4.1) maps onto a user of this service, both ways, pure. `userName`
 * is kept exactly as the directory sent it; the primary email is the sign-in email (the userName
 * when it sends no email); the name is the displayName it sent, else given + family name; roles
 * are "administrator" or "technician". Every user, also one made in the app, answers with both
 * name parts non-empty.
 */
import { Email, SCIM_SCHEMAS, type DirectoryRole, type ScimUser, type ScimUserInput } from '../contract';
import type { z } from 'zod';
import { fail, ok, type Result } from './result';

/** What a directory decides about a user, after mapping. */
export interface DirectoryUserInput {
  userName: string;
  email: string;
  givenName: string | null;
  familyName: string | null;
  /** The displayName as sent; null when the directory sent none. */
  displayName: string | null;
  /** The user's name: the displayName, else given + family name, else the userName. */
  name: string;
  active: boolean;
  externalId: string | null;
  role: DirectoryRole;
}

/** A user as stored, with what the directory told us about them. */
export interface DirectoryUserView {
  id: string;
  name: string;
  email: string;
  role: DirectoryRole;
  status: 'invited' | 'active' | 'deactivated';
  givenName: string | null;
  familyName: string | null;
  userName: string | null;
  externalId: string | null;
  displayName: string | null;
  createdAt: string;
  updatedAt: string | null;
}

/**
 * Maps what a directory sent to a user of ours: refuses (`validation_failed`, SCIM invalidValue)
 * a user without a usable email, or with a name longer than names may be.
 */
export function fromScimUser(input: z.output<typeof ScimUserInput>): Result<DirectoryUserInput> {
  const emails = input.emails ?? [];
  const chosen = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
  const email = Email.safeParse(chosen?.value ?? input.userName);
  if (!email.success) {
    return fail('validation_failed', {
      detail: `"${chosen?.value ?? input.userName}" is not an email address. Send the user's email as userName or as their primary email.`,
    });
  }
  const givenName = input.name?.givenName || null;
  const familyName = input.name?.familyName || null;
  const displayName = input.displayName || null;
  const fromParts = [givenName, familyName].filter(Boolean).join(' ');
  const name = displayName ?? (fromParts || input.name?.formatted || input.userName);
  if (name.length > 100) return fail('validation_failed', { detail: 'The name is longer than 100 characters.' });
  const role = (input.roles ?? []).find((r) => r.primary === true)?.value ?? input.roles?.[0]?.value ?? 'technician';
  return ok({
    userName: input.userName,
    email: email.data,
    givenName,
    familyName,
    displayName,
    name,
    active: input.active ?? true,
    externalId: input.externalId || null,
    role,
  });
}

/**
 * Two non-empty name parts from one display name: the last word is the family name, the rest the
 * given name ("Ada King Lovelace" → "Ada King" + "Lovelace"); a single word is both.
 */
export function splitName(name: string): { givenName: string; familyName: string } {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { givenName: '-', familyName: '-' };
  if (words.length === 1) return { givenName: words[0]!, familyName: words[0]! };
  return { givenName: words.slice(0, -1).join(' '), familyName: words[words.length - 1]! };
}

/** A user as the SCIM service answers: `location` is the resource's URL. */
export function toScimUser(user: DirectoryUserView, location: string): ScimUser {
  const split = splitName(user.name);
  const givenName = user.givenName ?? split.givenName;
  const familyName = user.familyName ?? split.familyName;
  const body = {
    schemas: [SCIM_SCHEMAS.user],
    id: user.id,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: user.userName ?? user.email,
    name: { givenName, familyName, formatted: `${givenName} ${familyName}` },
    // A name the directory gave in parts has no displayName of its own: answering one would make
    // a PUT of this very answer keep the old name when the parts change.
    ...(user.displayName !== null || (user.givenName === null && user.familyName === null) ? { displayName: user.displayName ?? user.name } : {}),
    emails: [{ value: user.email, type: 'work' as const, primary: true as const }],
    active: user.status !== 'deactivated',
    roles: [{ value: user.role, primary: true as const }],
  };
  const meta = {
    resourceType: 'User' as const,
    created: user.createdAt,
    lastModified: user.updatedAt ?? user.createdAt,
    location,
    version: weakEtag(body),
  };
  return { ...body, meta };
}

/** A weak ETag of a resource's attributes (FNV-1a, 53 bits): it changes whenever they do. */
export function weakEtag(body: unknown): string {
  const text = JSON.stringify(body);
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return `W/"${(hash & 0x1fffffffffffffn).toString(36)}"`;
}
