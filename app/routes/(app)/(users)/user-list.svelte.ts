/**
 * The users shown on the home screen: one filter, a search, and pages of 50 loaded as the list
 * scrolls. `refresh` reloads what is on screen (after a change elsewhere); `apply` shows what a
 * change made here answered.
 */
import type { User, UserListQuery } from '#contract';
import type { Answer } from '#lib/answers.ts';
import { messageOf } from '#lib/api/request.ts';
import { usersApi } from '#lib/api/users.ts';

export const FILTERS = {
  all: { label: 'All', query: {} },
  seat: { label: 'With seat', query: { seat: 'assigned' } },
  noseat: { label: 'Without seat', query: { seat: 'unassigned' } },
  admins: { label: 'Administrators', query: { role: 'administrator' } },
} satisfies Record<string, { label: string; query: UserListQuery }>;

export type Filter = keyof typeof FILTERS;

const PAGE = 50;

/**
 * The last copy of each user seen in a list, so Manage user shows someone at once (and, offline,
 * at all) while their fresh copy loads.
 */
export const knownUsers = new Map<string, User>();

function remember(users: User[]): void {
  for (const user of users) knownUsers.set(user.id, user);
}

export class UserList {
  filter = $state<Filter>('all');
  search = $state('');
  items = $state<User[]>([]);
  nextCursor = $state<string | null>(null);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  #generation = 0;

  #query(): UserListQuery {
    return { ...FILTERS[this.filter].query, q: this.search.trim() || undefined };
  }

  /** Loads the first page again, keeping as many rows as are on screen (up to 100). */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const limit = Math.min(100, Math.max(PAGE, this.items.length));
      const page = await usersApi.list({ ...this.#query(), limit });
      if (generation !== this.#generation) return;
      remember(page.items);
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      this.error = null;
    } catch (error) {
      if (generation === this.#generation) this.error = messageOf(error);
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.loaded = true;
      }
    }
  }

  /**
   * Shows a change made here as its answer says: the row changes, or leaves when it no longer
   * matches the filter. Only a user the list does not show yet (a new one, or one that now
   * matches) makes it fetch again, since where they go in the list is the server's to say.
   */
  apply(answer: Answer): void {
    if (answer.kind === 'subscription') return;
    if (answer.kind === 'user-deleted') {
      knownUsers.delete(answer.id);
      this.items = this.items.filter((u) => u.id !== answer.id);
      return;
    }
    const user = answer.user;
    knownUsers.set(user.id, user);
    const index = this.items.findIndex((u) => u.id === user.id);
    const matches = this.#matches(user);
    if (index >= 0) this.items = matches ? this.items.with(index, user) : this.items.toSpliced(index, 1);
    else if (matches) void this.refresh();
  }

  /** Whether `user` belongs in the list as filtered and searched now (the search as the server does it: name or email). */
  #matches(user: User): boolean {
    const { seat, role, q } = this.#query();
    if ((seat === 'assigned' && !user.seat) || (seat === 'unassigned' && user.seat) || (role && user.role !== role)) return false;
    const search = q?.toLowerCase();
    if (!search) return true;
    // As worker/objects/users.ts searches: three characters or more anywhere, fewer at the start.
    const found = [...search].length >= 3 ? (text: string) => text.includes(search) : (text: string) => text.startsWith(search);
    return found(user.name.toLowerCase()) || found(user.email.toLowerCase());
  }

  /** Appends the next page. */
  async more(): Promise<void> {
    if (!this.nextCursor || this.loading) return;
    const generation = this.#generation;
    this.loading = true;
    try {
      const page = await usersApi.list({ ...this.#query(), limit: PAGE, cursor: this.nextCursor });
      if (generation !== this.#generation) return;
      remember(page.items);
      const known = new Set(this.items.map((u) => u.id));
      this.items = [...this.items, ...page.items.filter((u) => !known.has(u.id))];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
