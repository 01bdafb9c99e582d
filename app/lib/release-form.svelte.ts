/**
 * What happens to a connected holder's sessions, as chosen in a form (ReleaseOptions.svelte):
 * end them now, after a grace period (5 minutes unless changed), or after their session.
 */
import type { OnActiveSessions, ReleaseChoice } from '#contract';

const DEFAULT_GRACE_MINUTES = 5;
/** The contract's MAX_GRACE_MINUTES: the longest grace period the API accepts. */
export const MAX_GRACE_MINUTES = 24 * 60;

export class ReleaseForm {
  mode = $state<OnActiveSessions>('grace');
  minutes = $state(DEFAULT_GRACE_MINUTES);

  get valid(): boolean {
    return this.mode !== 'grace' || (Number.isInteger(this.minutes) && this.minutes >= 1 && this.minutes <= MAX_GRACE_MINUTES);
  }

  get release(): ReleaseChoice {
    return this.mode === 'grace' ? { onActiveSessions: 'grace', graceMinutes: this.minutes } : { onActiveSessions: this.mode };
  }
}
