/**
 * Who is signed in on this device, and their subscription. Filled from GET /me when the app
 * starts, or from the answer of signing in (which also goes into the offline copy, as GET /me's);
 * emptied on sign-out, together with the offline copy of API data.
 */
import type { Account, SeatCounts } from '#contract';
import { onAnswer, type Answer } from '#lib/answers.ts';
import { accountApi } from '#lib/api/account.ts';
import { ApiProblem, whenSignedOut } from '#lib/api/request.ts';
import { revisions } from '#lib/api/revision.ts';
import { deviceKey, forgetDeviceKey, offlineName } from '#lib/device-key.ts';
import { clearApiCache, keepInCopy } from '#lib/offline-cache.ts';
import { finishSignOuts, signOutHere } from '#lib/sign-out.ts';

class Session {
  account = $state<Account | null>(null);
  /** False until the first GET /me has answered (or failed). */
  checked = $state(false);
  /** Why the last session ended, shown on the sign-in page. */
  endedBecause = $state<string | null>(null);
  /** The account of the last sign-in on its way into the offline copy (sign-out waits for it). */
  #keeping: Promise<void> = Promise.resolve();

  get user() {
    return this.account?.user ?? null;
  }

  get isAdmin(): boolean {
    return this.account?.user.role === 'administrator';
  }

  /** Administrators manage every seat; team managers the seats of their pools' members (the API says no to the rest). */
  get managesSeats(): boolean {
    const role = this.account?.user.role;
    return role === 'administrator' || role === 'team_manager';
  }

  /** Asks the server (or, offline, its stored copy) who is signed in. */
  async load(): Promise<Account | null> {
    // Without this device's key cookie the server signs nobody in (it needs both halves): no need
    // to ask, and no 401 in the console of a signed-out visitor on their way to sign in.
    if (!(await deviceKey())) {
      this.account = null;
      this.checked = true;
      return null;
    }
    try {
      this.account = await accountApi.me();
    } catch (error) {
      // Offline without a stored copy: keep whatever we had; otherwise nobody is signed in.
      if (!(error instanceof ApiProblem && error.code === 'offline')) this.account = null;
    } finally {
      this.checked = true;
    }
    return this.account;
  }

  /**
   * Someone signed in here (password, passkey, invitation, reset link, sign-up confirmation): every
   * way in answers with the account GET /me would, and its revision (recorded by `request`, so the
   * first live message fetches nothing again), so the app does not read /me now. The service
   * worker copies only reads, so the account goes into this device's offline copy from here:
   * without it, a reload offline right after signing in found nobody signed in. The copy is named
   * for the key cookie this sign-in's answer has just set, as the reads are.
   */
  signedIn(account: Account): void {
    this.account = account;
    this.endedBecause = null;
    this.checked = true;
    this.#keeping = keepAccountOffline(account);
  }

  updateSeats(seats: SeatCounts): void {
    if (this.account) this.account.subscription.seats = seats;
  }

  /** A change made here answered with this: the signed-in user and the subscription follow it. */
  apply(answer: Answer): void {
    if (!this.account) return;
    if (answer.kind === 'user' && answer.user.id === this.account.user.id) this.account.user = answer.user;
    if (answer.kind === 'subscription') this.account.subscription = answer.subscription;
  }

  /**
   * Signs out: at once in this browser (its key and offline copy are gone, network or not), then on
   * the server, now or at the next contact (sign-out.ts). With a reason the server already ended the
   * session: only the browser's part is left.
   */
  async signOut(reason: string | null = null): Promise<void> {
    // Not after the copy is dropped: it would bring the account back.
    await this.#keeping;
    if (reason === null) {
      await signOutHere();
      void finishSignOuts();
    } else {
      await forgetDeviceKey();
      await clearApiCache();
    }
    revisions.forget();
    this.account = null;
    this.endedBecause = reason;
  }
}

/** Puts a signed-in account into this device's offline copy; a failure only leaves it out. */
async function keepAccountOffline(account: Account): Promise<void> {
  try {
    const name = await offlineName();
    if (name) await keepInCopy(name, '/me', account);
  } catch {
    // No CacheStorage (a private window may refuse it): there is no offline copy to keep it in.
  }
}

export const session = new Session();

onAnswer((answer) => session.apply(answer));

whenSignedOut(() => {
  if (session.account) void session.signOut('Your session ended. Please sign in again.');
});
