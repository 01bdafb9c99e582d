/**
 * Where keyboard focus goes when the screen changes under it, so a keyboard or screen-reader user
 * never finds themselves back on <body> (WCAG 2.4.3):
 * - `unavailable(when)`: a control that is busy or not ready yet stays focusable (aria-disabled)
 *   and ignores activation, instead of `disabled`, which drops focus to the body.
 * - `focusSoon(find)`: after the DOM updated, focus what replaced a control (a form that replaced
 *   its button, the next row after one left); gone, the view's heading.
 * - `returnFocus(opener)`: a dialog closed; back to the control that opened it, or the heading.
 * - `keepPlace(find)`: like focusSoon, but only when focus was lost (its control went away).
 * - `focusHeading()`: a view opened or the control is gone; its h1 (as a screen reader's "you are here").
 */
import { tick } from 'svelte';
import type { Attachment } from 'svelte/attachments';

const ignore = (event: Event) => {
  event.preventDefault();
  event.stopImmediatePropagation();
};

/**
 * Marks a control unavailable while `when` holds: aria-disabled, and clicks (which keys, Enter in
 * a form's field and a checkbox's Space all become) do nothing, yet it keeps focus.
 *
 * @example
 * <button type="button" {@attach unavailable(action.busy)} onclick={save}>Save</button>
 */
export function unavailable(when: boolean): Attachment<HTMLElement> {
  return (element) => {
    if (!when) {
      element.removeAttribute('aria-disabled');
      return;
    }
    element.setAttribute('aria-disabled', 'true');
    // Capture, so it runs before the control's own handler (Svelte delegates `onclick` to the root).
    element.addEventListener('click', ignore, { capture: true });
    return () => {
      element.removeEventListener('click', ignore, { capture: true });
      element.removeAttribute('aria-disabled');
    };
  };
}

/** Whether `element` can take focus now: still on the page, shown, not disabled. */
function focusable(element: Element | null): element is HTMLElement {
  return (
    element instanceof HTMLElement &&
    element.isConnected &&
    !(element as HTMLButtonElement).disabled &&
    !element.closest('[inert], dialog:not([open])') &&
    element.getClientRects().length > 0
  );
}

/**
 * Focuses the view's heading: the h1 in main (made focusable by script only), else main itself.
 * Returns it.
 */
export function focusHeading(): HTMLElement | null {
  const main = document.querySelector<HTMLElement>('main');
  const heading = main?.querySelector<HTMLElement>('h1') ?? main ?? null;
  if (!heading) return null;
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus();
  return heading;
}

/**
 * After the DOM has updated, focuses what `find` returns (what replaced a control), or the
 * view's heading when it returns nothing focusable.
 */
export async function focusSoon(find: () => Element | null | undefined): Promise<void> {
  await tick();
  const target = find() ?? null;
  if (focusable(target)) target.focus();
  else focusHeading();
}

/**
 * Returns focus to `opener` (the control that opened a dialog) if it is still there, else to the
 * view's heading. Focus that already moved somewhere on purpose (not the body) is left alone.
 */
export async function returnFocus(opener: Element | null): Promise<void> {
  await tick();
  const here = document.activeElement;
  if (here && here !== document.body && here !== opener && !here.closest('dialog')) return;
  if (focusable(opener)) opener.focus();
  else focusHeading();
}

/** The element with focus now (to return to it later), or null when focus is nowhere. */
export function focused(): HTMLElement | null {
  const here = document.activeElement;
  return here instanceof HTMLElement && here !== document.body ? here : null;
}

/** Whether focus is nowhere in particular: on the body, or on main itself (a view still loading). */
export function lostFocus(): boolean {
  const here = document.activeElement;
  return !here || here === document.body || here.tagName === 'MAIN';
}

/**
 * After the DOM has updated, if focus was lost (its control went away with a change), focuses
 * what `find` returns, else the view's heading. Focus still somewhere is left alone.
 */
export async function keepPlace(find: () => Element | null | undefined): Promise<void> {
  await tick();
  if (lostFocus()) await focusSoon(find);
}
