/**
 * The users shown on the home screen: one filter, a search, and pages of 50 loaded as the list
 * scrolls. After a change elsewhere, `refresh` reloads the rows around what is on screen (and, in a
 * list loaded to its end, the end, where new users arrive), each run at most a few reads however
 * many rows are loaded; rows further away are reloaded when they come on screen. A change arriving
 * while a reload runs makes one more run after it, never a restart. `apply` shows what a change
 * made here answered.
 */
import { untrack } from 'svelte';
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

/** What the two ways of showing the list (cards on phones, a table on desktops) are given. */
export interface UserRowsProps {
  users: User[];
  /** Every row is loaded (the list's length is known). */
  complete: boolean;
  selectedId: string | null;
  canManage: boolean;
  onmanage: (user: User) => void;
  /** Told which rows are on screen (their indexes), whenever that changes. */
  onscreen: (first: number, last: number) => void;
}

const PAGE = 50;
/** The most rows one read brings back (the API's own limit). */
const RELOAD = 100;
/** Rows reloaded above and below those on screen: a screen or two, so a short scroll lands on fresh rows. */
const AROUND = 30;
/** The most reads one reload makes for the rows around the screen (and as many for the end). */
const MOST_READS = 3;
/** How many rows after the reloaded ones are looked for in what comes back, to join it to the rest. */
const JOIN_ROWS = 10;

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
  /** Bumped by a new search or filter: what was on its way for the previous one is dropped. */
  #generation = 0;
  /** The answers applied here, numbered: a page that was on its way meanwhile shows them over itself. */
  #answers: { seq: number; answer: Answer }[] = [];
  #seq = 0;
  /** The filter and search that `items` answer (and as JSON): a refresh for the same reloads in place. */
  #shown: { key: string; query: UserListQuery } = { key: '', query: {} };
  /**
   * Where reads may start: for a row, the cursor that read it first in its page (null: the list's
   * start). The API's cursor is a position (after the row before), so it stays good when rows
   * around it change or go.
   */
  #cursors = new Map<string, string | null>();
  /** The rows read since the last change elsewhere: the others may be out of date when they come on screen. */
  #fresh = new Set<string>();
  /** Counts changes elsewhere, so a read that began before one does not count as fresh after it. */
  #changes = 0;
  /** The rows on screen, by index (told by the list's row window). */
  #screen = { first: 0, last: 0 };
  /** The reload running now (for the search and filter of its generation), and whether another change came meanwhile (one more run, not a restart). */
  #reloading: { generation: number; done: Promise<void> } | null = null;
  #again = false;
  /** The first page of a new search or filter on its way: a change meanwhile reloads after it. */
  #firstPageLoading: { key: string; done: Promise<void> } | null = null;
  /** The next page on its way, which a reload waits for (both change the list's end). */
  #more: Promise<void> | null = null;

  #query(): UserListQuery {
    return { ...FILTERS[this.filter].query, q: this.search.trim() || undefined };
  }

  /**
   * Shows the list as the server has it now. A new search or filter reads its first page. The same
   * one (after a change elsewhere) reloads the rows around those on screen in place, so a list
   * scrolled to row 5,000 keeps its rows and its place at the cost of a read or two; a list loaded
   * to its end also reloads its end, where new users arrive. Calls while a reload runs are folded
   * into one more reload after it.
   */
  refresh(): Promise<void> {
    const key = JSON.stringify(this.#query());
    const firstPage = this.#firstPageLoading;
    if (firstPage?.key === key) {
      // The first page of this search is on its way: one reload after it, not a restart.
      this.#changed();
      this.#again = true;
      return firstPage.done;
    }
    if (key !== this.#shown.key || this.items.length === 0) return this.#firstPage(key);
    this.#changed();
    return this.#reload();
  }

  /** A change elsewhere: every row may be out of date until read again. */
  #changed(): void {
    this.#changes++;
    this.#fresh.clear();
  }

  /**
   * The list's row window says which rows are on screen now: rows there that were not read since
   * the last change elsewhere are reloaded (with those around them).
   */
  onScreen(first: number, last: number): void {
    untrack(() => {
      this.#screen = { first, last };
      if (this.error || this.#reloading || this.#firstPageLoading || !this.loaded) return;
      if (this.#staleOnScreen()) void this.#reload();
    });
  }

  /** Whether a row on screen was not read since the last change elsewhere. */
  #staleOnScreen(): boolean {
    return this.items.slice(this.#screen.first, this.#screen.last + 1).some((user) => !this.#fresh.has(user.id));
  }

  /** Reads the first page for a new search or filter (or an empty list), then reloads if a change came meanwhile. */
  #firstPage(key: string): Promise<void> {
    const generation = ++this.#generation;
    this.#again = false;
    const flight = { key, done: Promise.resolve() };
    const query = this.#query();
    flight.done = (async () => {
      const since = this.#seq;
      const changes = this.#changes;
      this.loading = true;
      try {
        const page = await usersApi.list({ ...query, limit: PAGE });
        if (generation !== this.#generation) return;
        this.#cursors = new Map(page.items.length > 0 ? [[page.items[0]!.id, null]] : []);
        this.#fresh = new Set();
        this.#show(this.#newerAnswers(page.items, since), changes);
        this.#shown = { key, query };
        this.nextCursor = page.nextCursor;
        this.error = null;
      } catch (error) {
        if (generation === this.#generation) this.error = messageOf(error);
      } finally {
        if (this.#firstPageLoading === flight) this.#firstPageLoading = null;
        if (generation === this.#generation) {
          this.loading = false;
          this.loaded = true;
        }
      }
      if (generation === this.#generation && this.#again && !this.error) await this.refresh();
    })();
    this.#firstPageLoading = flight;
    return flight.done;
  }

  /**
   * Runs reloads until no change came during the last one (and the rows on screen, if it moved
   * meanwhile, are fresh); a call meanwhile asks for one more run.
   */
  #reload(): Promise<void> {
    const generation = this.#generation;
    if (this.#reloading?.generation === generation) {
      this.#again = true;
      return this.#reloading.done;
    }
    this.loading = true;
    const run = { generation, done: Promise.resolve() };
    run.done = (async () => {
      try {
        await this.#more;
        let screenRuns = 0;
        do {
          this.#again = false;
          await this.#reloadAroundScreen(generation);
        } while (generation === this.#generation && (this.#again || (this.#staleOnScreen() && ++screenRuns < 3)));
        if (generation === this.#generation) this.error = null;
      } catch (error) {
        if (generation === this.#generation) this.error = messageOf(error);
      } finally {
        if (this.#reloading === run) this.#reloading = null;
        if (generation === this.#generation) this.loading = false;
      }
    })();
    this.#reloading = run;
    return run.done;
  }

  /** One reload: the rows around the screen, then (in a list loaded to its end) the end. */
  async #reloadAroundScreen(generation: number): Promise<void> {
    const length = this.items.length;
    if (length === 0) return;
    const first = Math.min(this.#screen.first, length - 1);
    const last = Math.min(Math.max(this.#screen.last, first), length - 1);
    const complete = !this.nextCursor;
    // Near the end of a complete list, the reload goes on to the end; further up, the end is read apart.
    const end = complete && length - (last + 1 + AROUND) < PAGE ? length : Math.min(length, last + 1 + AROUND);
    await this.#reloadRows(Math.max(0, first - AROUND), end, complete && end === length, generation);
    if (complete && end < length && generation === this.#generation) {
      await this.#reloadRows(Math.max(0, this.items.length - PAGE), this.items.length, true, generation);
    }
  }

  /**
   * Reads the rows `from`..`to` (indexes into `items`) again and puts what the server has there in
   * their place. Reading starts at the nearest row at or before `from` with a known cursor and goes
   * on until it reaches a row that followed them (the join to the rest of the list, which stays as
   * it is), as many rows as there were (`toEnd`: the end of the list, where new users arrive), or
   * MOST_READS reads: then the list ends with what was read and goes on loading from there as it scrolls.
   */
  async #reloadRows(from: number, to: number, toEnd: boolean, generation: number): Promise<void> {
    const since = this.#seq;
    const changes = this.#changes;
    const before = this.items;
    let start = from;
    while (start > 0 && !this.#cursors.has(before[start]!.id)) start--;
    let cursor = start === 0 ? null : this.#cursors.get(before[start]!.id)!;
    // The rows after these, each with where it stands: the first of them that comes back joins the read to the rest.
    const following = new Map(before.slice(to, to + JOIN_ROWS).map((user, k) => [user.id, to + k]));
    const wanted = to - start;
    const read: User[] = [];
    let joinAt = -1;
    let reads = 0;
    do {
      const page = await usersApi.list({ ...this.#shown.query, limit: RELOAD, cursor: cursor ?? undefined });
      reads++;
      if (generation !== this.#generation) return;
      if (page.items.length > 0) this.#cursors.set(page.items[0]!.id, cursor);
      const joined = page.items.findIndex((user) => following.has(user.id));
      if (joined >= 0) joinAt = following.get(page.items[joined]!.id)!;
      read.push(...(joined >= 0 ? page.items.slice(0, joined) : page.items));
      cursor = page.nextCursor;
    } while (joinAt < 0 && cursor && reads < MOST_READS && (following.size > 0 || toEnd || read.length < wanted));
    // The rows kept as they were still get the changes made here meanwhile (a deletion, a seat).
    const rest = joinAt >= 0 ? before.slice(joinAt) : [];
    const reread = new Set(read.map((user) => user.id));
    this.#show(this.#newerAnswers([...before.slice(0, start), ...read, ...rest.filter((user) => !reread.has(user.id))], since), changes, read);
    if (joinAt < 0) this.nextCursor = cursor;
  }

  /** Shows `items`; the rows `read` (all of them, when not said) count as fresh unless a change came since `changes`. */
  #show(items: User[], changes: number, read: User[] = items): void {
    this.items = items;
    remember(read);
    if (changes !== this.#changes) return;
    for (const user of read) this.#fresh.add(user.id);
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
  more(): Promise<void> {
    if (!this.nextCursor || this.loading) return Promise.resolve();
    const more = this.#nextPage(this.nextCursor);
    this.#more = more;
    void more.finally(() => {
      if (this.#more === more) this.#more = null;
    });
    return more;
  }

  async #nextPage(cursor: string): Promise<void> {
    const generation = this.#generation;
    const since = this.#seq;
    const changes = this.#changes;
    this.loading = true;
    try {
      const page = await usersApi.list({ ...this.#shown.query, limit: PAGE, cursor });
      if (generation !== this.#generation) return;
      const known = new Set(this.items.map((u) => u.id));
      const added = this.#newerAnswers(page.items, since).filter((u) => !known.has(u.id));
      if (page.items.length > 0) this.#cursors.set(page.items[0]!.id, cursor);
      this.#show([...this.items, ...added], changes, added);
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
