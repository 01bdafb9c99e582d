/**
 * `/groups` and `/directory` (worker/http/routes/groups.ts): directory sync — the groups a directory
 * pushed, "Members get a seat", and the directory connection's tokens, last sync and recent events.
 */
import type { DirectoryStatus, Group, GroupList, GroupPatch } from '#contract';
import { request, segment } from './request.ts';

export const groupsApi = {
  list: () => request<GroupList>('GET', '/groups'),
  /** On: members get free seats, the rest wait for the next; off: the seats it gave are taken back. */
  update: (id: string, patch: GroupPatch) => request<Group>('PATCH', `/groups/${segment(id)}`, patch),
  directory: () => request<DirectoryStatus>('GET', '/directory'),
};
