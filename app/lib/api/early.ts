/**
 * Answers the page asked for before the app's code had loaded: app.html starts GET /me (and, on
 * Users, the first page of users) while the app's JavaScript downloads, so the first screen does
 * not wait for the code and then for the data. `request()` takes such an answer instead of asking
 * again — once, and only for the very same URL. They are for the page as it was opened: the first
 * navigation inside the app (a redirect to sign-in, a click) forgets those not taken.
 */
type Early = Record<string, Promise<Response> | undefined>;

const holder = globalThis as { __setmeEarly?: Early };

/** The answer app.html started for `/api/v1{pathAndQuery}`, if any and not taken yet. */
export function takeEarly(pathAndQuery: string): Promise<Response> | undefined {
  const answer = holder.__setmeEarly?.[pathAndQuery];
  if (answer) delete holder.__setmeEarly![pathAndQuery];
  return answer;
}

/** Whether app.html started answers that the app has neither taken nor forgotten yet. */
export function earlyWaiting(): boolean {
  return Object.keys(holder.__setmeEarly ?? {}).length > 0;
}

/** Forgets the answers not taken: what they say may be out of date by now. */
export function forgetEarly(): void {
  delete holder.__setmeEarly;
}
