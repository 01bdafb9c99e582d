/**
 * Which rows of a long list are in the page: those within a margin of the viewport, and the row
 * that has focus wherever it is, with its neighbours (a keyboard user's place is never recycled
 * away under them, and Tab goes on to the next row). The rows left out are stood in for by spacers
 * as tall as they were measured (or, never seen, as the rows seen so far on average), so the
 * scrollbar is true and nothing jumps as rows come and go.
 * Thousands of users thus keep a few dozen rows in the DOM: style, layout and memory stay flat.
 *
 * The page scrolls (not the list), so the viewport is read from the list's own position on screen.
 * Row heights are measured, not assumed: a card with a loan note or a wrapped name is taller.
 */

/** A run of rows shown, or one spacer standing in for the rows between. */
export type Piece = { kind: 'row'; index: number; id: string } | { kind: 'gap'; key: string; height: number };

/** How far beyond the viewport rows are kept, in px: a fast flick lands on rows already there. */
const MARGIN_PX = 800;

/** The row elements carry `data-row="<index>"`; a list's container holds them and the spacers. */
const ROW_SELECTOR = ':scope > [data-row]';

export class RowWindow {
  readonly #ids: () => string[];
  /** Measured heights by row id (from the row's top to the next row's top: margins included). */
  readonly #heights = new Map<string, number>();
  #measuredTotal = 0;
  /** Bumped when a height changes, so the offsets below are computed again. */
  #measured = $state(0);
  readonly #fallback: number;
  #view = $state({ top: 0, bottom: typeof innerHeight === 'number' ? innerHeight : 900 });
  #focused = $state<string | null>(null);

  /**
   * @param ids the list's row ids, in order (read reactively)
   * @param estimate a row's height in px until one has been measured
   */
  constructor(ids: () => string[], estimate: number) {
    this.#ids = ids;
    this.#fallback = estimate;
  }

  /** Where each row starts, from the list's top; the last entry is the whole list's height. */
  readonly #offsets = $derived.by(() => {
    void this.#measured;
    const ids = this.#ids();
    const estimate = this.#heights.size ? this.#measuredTotal / this.#heights.size : this.#fallback;
    const offsets = new Float64Array(ids.length + 1);
    for (let i = 0; i < ids.length; i++) offsets[i + 1] = offsets[i]! + (this.#heights.get(ids[i]!) ?? estimate);
    return offsets;
  });

  /** The first row on screen (its index in the list; 0 for an empty list). */
  readonly firstOnScreen: number = $derived(Math.max(0, rowAt(this.#offsets, this.#view.top)));
  /** The last row on screen. */
  readonly lastOnScreen: number = $derived(Math.max(0, rowAt(this.#offsets, this.#view.bottom)));

  /** The rows to put in the page, in order, with a spacer wherever rows are left out. */
  readonly pieces: Piece[] = $derived.by(() => {
    const ids = this.#ids();
    const offsets = this.#offsets;
    const first = Math.max(0, rowAt(offsets, this.#view.top - MARGIN_PX));
    const last = Math.min(ids.length - 1, rowAt(offsets, this.#view.bottom + MARGIN_PX));
    // The focused row and its neighbours, so Tab and Shift+Tab go on from it to the next row.
    const focused = this.#focused === null ? -1 : ids.indexOf(this.#focused);
    const near = focused < 0 ? [] : [focused - 1, focused, focused + 1].filter((i) => i >= 0 && i < ids.length);
    const shown: number[] = near.filter((i) => i < first);
    for (let i = first; i <= last; i++) shown.push(i);
    shown.push(...near.filter((i) => i > last));

    const pieces: Piece[] = [];
    let next = 0;
    for (const index of shown) {
      if (index > next) pieces.push({ kind: 'gap', key: `gap-${pieces.length}`, height: offsets[index]! - offsets[next]! });
      pieces.push({ kind: 'row', index, id: ids[index]! });
      next = index + 1;
    }
    if (next < ids.length) pieces.push({ kind: 'gap', key: 'gap-end', height: offsets[ids.length]! - offsets[next]! });
    return pieces;
  });

  /**
   * Follows the page's scrolling, the viewport's size, the rows' sizes and focus for `list` (the
   * element holding the rows and spacers). Returns the function that stops it: use as an attachment.
   */
  follow(list: HTMLElement): () => void {
    let frame = 0;
    const see = () => {
      frame = 0;
      const top = list.getBoundingClientRect().top;
      const view = { top: -top, bottom: innerHeight - top };
      // Sub-pixel moves change nothing shown: skip them rather than recompute.
      if (Math.abs(view.top - this.#view.top) >= 1 || Math.abs(view.bottom - this.#view.bottom) >= 1) this.#view = view;
    };
    const soon = () => (frame ||= requestAnimationFrame(see));
    // The list's size changes when a row does (a loan note, a narrower screen): measure again.
    // The observer also reports once after the list's first layout, before that frame is painted:
    // the first view is read there, where layout is already done, rather than forced while the
    // screen mounts (a whole-page layout inside the longest task of the first load).
    const resized = new ResizeObserver(() => {
      this.measure(list);
      see();
    });
    resized.observe(list);
    const focusIn = (event: FocusEvent) => {
      const row = (event.target as Element).closest<HTMLElement>('[data-id]');
      this.#focused = row?.dataset.id ?? null;
    };
    // Focus that leaves the list frees its row; focus moving within the list is caught by focusin.
    const focusOut = (event: FocusEvent) => {
      if (!(event.relatedTarget instanceof Node && list.contains(event.relatedTarget))) this.#focused = null;
    };
    list.addEventListener('focusin', focusIn);
    list.addEventListener('focusout', focusOut);
    addEventListener('scroll', soon, { passive: true });
    addEventListener('resize', soon, { passive: true });
    return () => {
      cancelAnimationFrame(frame);
      resized.disconnect();
      list.removeEventListener('focusin', focusIn);
      list.removeEventListener('focusout', focusOut);
      removeEventListener('scroll', soon);
      removeEventListener('resize', soon);
    };
  }

  /** Records the heights of the rows in `list` as laid out now (after each change of rows shown). */
  measure(list: HTMLElement): void {
    const rows = list.querySelectorAll<HTMLElement>(ROW_SELECTOR);
    const ids = this.#ids();
    let changed = false;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const index = Number(row.dataset.row);
      const id = ids[index];
      if (id === undefined || row.dataset.id !== id) continue;
      const box = row.getBoundingClientRect();
      const next = rows[k + 1];
      // Next to the following row the distance between their tops says it all (gaps and margins
      // included); the last of a run adds its bottom margin.
      const height =
        next && Number(next.dataset.row) === index + 1
          ? next.getBoundingClientRect().top - box.top
          : box.height + parseFloat(getComputedStyle(row).marginBottom || '0');
      const before = this.#heights.get(id);
      if (before !== undefined && Math.abs(before - height) < 0.5) continue;
      this.#measuredTotal += height - (before ?? 0);
      this.#heights.set(id, height);
      changed = true;
    }
    if (changed) this.#measured++;
  }
}

/** The index of the row that spans `y` (clamped to the list), by binary search over `offsets`. */
function rowAt(offsets: Float64Array, y: number): number {
  let low = 0;
  let high = offsets.length - 2;
  if (high < 0) return -1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (offsets[mid]! <= y) low = mid;
    else high = mid - 1;
  }
  return low;
}
