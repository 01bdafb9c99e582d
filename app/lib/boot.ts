/**
 * app.html draws a header bar and "Loading…" (#boot) before the app's code has run, so something
 * is on screen at once. The app removes it in the same update that shows its own first screen:
 * removing it earlier would flash an empty page, later would push that screen down.
 */
export function removeBootScreen(): void {
  document.getElementById('boot')?.remove();
}
