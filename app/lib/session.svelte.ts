/**
 * Who is signed in on this device, and their subscription. Filled from GET /me when the app
 * starts; emptied on sign-out, together with the offline copy of API data.
 */
import type { Account, SeatCounts } from '#contract';
import { onAnswer, type Answer } from '#lib/answers.ts';
import { accountApi } from '#lib/api/account.ts';
import { ApiProblem, whenSignedOut } from '#lib/api/request.ts';
import { revisions } from '#lib/api/revision.ts';
import { clearApiCache } from '#lib/offline-cache.ts';

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

  /** Asks the server (or, offline, its stored copy) who is signed in. */
  async load(): Promise<Account | null> {
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

  /** Signs out here and on the server; forgets the offline copy either way. */
  async signOut(reason: string | null = null): Promise<void> {
    try {
      if (reason === null) await accountApi.signOut();
    } catch {
      // Offline or already signed out: the local sign-out below still happens.
    }
    await clearApiCache();
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
