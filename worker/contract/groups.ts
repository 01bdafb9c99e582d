/**
 * Directory sync as the app sees it (`/api/v1/groups`, `/api/v1/directory`): the groups a
 * directory pushed, which of them give their members a seat, and how the connection is doing.
 */
import { z } from 'zod';
import { TokenExpiry } from './account';
import { AuditEntry } from './reports';
import { Person, Timestamp } from './common';

export const Group = z
  .object({
    id: z.string(),
    displayName: z.string(),
    memberCount: z.number().int(),
    grantsSeat: z.boolean().meta({ description: '"Members get a seat": members hold seats while one is free, and wait for one otherwise.' }),
    seatsHeld: z.number().int().meta({ description: 'Members holding a seat through this group.' }),
    waiting: z.number().int().meta({ description: 'Members waiting for a seat through this group.' }),
  })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof Group>;

export const GroupList = z.object({ items: z.array(Group) }).meta({ id: 'GroupList' });
export type GroupList = z.infer<typeof GroupList>;

export const GroupPatch = z.object({ grantsSeat: z.boolean() }).strict();
export type GroupPatch = z.input<typeof GroupPatch>;

/** A directory token, with who made it (any administrator may see and revoke it). */
export const DirectoryToken = z
  .object({ id: z.string(), name: z.string(), createdAt: Timestamp, lastUsedAt: Timestamp.nullable(), expiresAt: TokenExpiry, createdBy: Person })
  .meta({ id: 'DirectoryToken' });
export type DirectoryToken = z.infer<typeof DirectoryToken>;

export const DirectoryStatus = z
  .object({
    tokens: z.array(DirectoryToken),
    lastSyncAt: Timestamp.nullable().meta({ description: 'When a directory last called, to the minute.' }),
    events: z.array(AuditEntry).meta({ description: 'The latest changes directories made, newest first.' }),
  })
  .meta({ id: 'DirectoryStatus' });
export type DirectoryStatus = z.infer<typeof DirectoryStatus>;
