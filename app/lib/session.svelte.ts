/**
 * Who is signed in on this device, and their subscription. Filled from GET /me when the app
 * starts; emptied on sign-out, together with the offline copy of API data.
 */
import type { Account, SeatCounts } from '#contract';
import { onAnswer, type Answer } from '#lib/answers.ts';
import { accountApi } from '#lib/api/account.ts';
import { ApiProblem, whenSignedOut } from '#lib/api/request.ts';
import { revisions } from '#lib/api/revision.ts';
import { deviceKey, forgetDeviceKey } from '#lib/device-key.ts';
import { clearApiCache } from '#lib/offline-cache.ts';
import { finishSignOuts, signOutHere } from '#lib/sign-out.ts';

class Session {
  account = $state<Account | null>(null);
  /** False until the first GET /me has answered (or failed). */
  checked = $state(false);
  /** Why the last session ended, shown on the sign-in page. */
  endedBecause = $state<string | null>(null);

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

  signedIn(account: Account): void {
    this.account = account;
    this.endedBecause = null;
    this.checked = true;
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

export const session = new Session();

onAnswer((answer) => session.apply(answer));

whenSignedOut(() => {
  if (session.account) void session.signOut('Your session ended. Please sign in again.');
});
