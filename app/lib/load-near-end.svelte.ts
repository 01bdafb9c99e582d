/**
 * Infinite scroll for a list that loads in pages (the Users list, the audit log): the next page is
 * asked for before its end is reached.
 */
import { untrack } from 'svelte';
import type { Attachment } from 'svelte/attachments';

/**
 * Attached to the element after a list's last row: calls `more` whenever `wanted()` and that
 * element is within a screen below the viewport. Checked on each scrolled or resized frame and
 * whenever what `wanted` reads changes (so after each read ends, and after one was dropped): an
 * IntersectionObserver reports only crossings, so an end that stayed in view while a page was
 * loading (or a reload replaced it) never asked again and the list stalled.
 *
 * `wanted` says whether a page may be asked for now: there is one, none is on its way, and the last
 * read did not fail (else a failing read would be asked for again at once, over and over).
 *
 * @example <div {@attach loadNearEnd(() => !!nextCursor && !loading && !error, more)}>…</div>
 */
export function loadNearEnd(wanted: () => boolean, more: () => unknown): Attachment<HTMLElement> {
  return (end) => {
    const check = () => {
      if (wanted() && end.getBoundingClientRect().top < 2 * innerHeight) untrack(more);
    };
    let frame = 0;
    const soon = () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        check();
      });
    };
    addEventListener('scroll', soon, { passive: true });
    addEventListener('resize', soon, { passive: true });
    // After the DOM shows each change of what `wanted` reads.
    $effect(check);
    return () => {
      cancelAnimationFrame(frame);
      removeEventListener('scroll', soon);
      removeEventListener('resize', soon);
    };
  };
}
