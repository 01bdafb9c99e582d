/**
 * The users shown on the home screen: one filter, a search, and pages of 50 loaded as the list
 * scrolls. `refresh` reloads every row loaded so far (after a change elsewhere), so a list scrolled
 * far down stays where it is; `apply` shows what a change made here answered.
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
/** The most rows one read brings back (the API's own limit). */
const RELOAD = 100;

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
  /** The answers applied here, numbered: a page that was on its way meanwhile shows them over itself. */
  #answers: { seq: number; answer: Answer }[] = [];
  #seq = 0;
  /** The filter and search that `items` answer (JSON): a refresh for the same reloads every row loaded. */
  #shownQuery = '';

  #query(): UserListQuery {
    return { ...FILTERS[this.filter].query, q: this.search.trim() || undefined };
  }

  /**
   * Loads the list again from its start, as many rows as were loaded (at least a page; all of them
   * and whoever was added, when every row was loaded), in reads of up to 100, and shows them all at
   * once when the last read is in: a list scrolled to row 500 keeps its rows and its place, where
   * reloading only the first 100 would throw it back to the top. A new search or filter reads one page.
   */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    const since = this.#seq;
    const query = this.#query();
    const key = JSON.stringify(query);
    // A complete list stays complete: one read more than it held brings in whoever was added.
    const loadedRows = this.nextCursor ? Math.max(PAGE, this.items.length) : this.items.length + RELOAD;
    const wanted = key === this.#shownQuery ? loadedRows : PAGE;
    this.loading = true;
    try {
      let page = await usersApi.list({ ...query, limit: Math.min(RELOAD, wanted) });
      let items = page.items;
      while (page.nextCursor && items.length < wanted && generation === this.#generation) {
        page = await usersApi.list({ ...query, limit: Math.min(RELOAD, wanted - items.length), cursor: page.nextCursor });
        items = [...items, ...page.items];
      }
      if (generation !== this.#generation) return;
      this.items = this.#newerAnswers(items, since);
      this.#shownQuery = key;
      remember(this.items);
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
    this.#answers = [...this.#answers.slice(-49), { seq: ++this.#seq, answer }];
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

  /**
   * `items` as a page read them, with the answers applied here since `since` over them: the page
   * may have been read before those changes, and must not show their users as they were.
   */
  #newerAnswers(items: User[], since: number): User[] {
    let shown = items;
    for (const { seq, answer } of this.#answers) {
      if (seq <= since || answer.kind === 'subscription') continue;
      const id = answer.kind === 'user' ? answer.user.id : answer.id;
      const index = shown.findIndex((u) => u.id === id);
      if (index < 0) continue;
      shown = answer.kind === 'user' && this.#matches(answer.user) ? shown.with(index, answer.user) : shown.toSpliced(index, 1);
    }
    return shown;
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
    const since = this.#seq;
    this.loading = true;
    try {
      const page = await usersApi.list({ ...this.#query(), limit: PAGE, cursor: this.nextCursor });
      if (generation !== this.#generation) return;
      const known = new Set(this.items.map((u) => u.id));
      const added = this.#newerAnswers(page.items, since).filter((u) => !known.has(u.id));
      remember(added);
      this.items = [...this.items, ...added];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
