/**
 * Seats that follow directory groups, pure. A user who is not deactivated and belongs to at least
 * one group whose members get a seat ("seat group") should hold a seat: they get a free one, and
 * when none is free they wait for one (first come, first served) — the directory is never refused.
 * A seat that came through a group leaves when its holder is in no seat group any more; a seat an
 * administrator gave by hand is never touched here.
 */

/** What the rule needs to know about one user. */
export interface GroupSeatState {
  status: 'invited' | 'active' | 'deactivated';
  /** Their seat: null without one; `viaGroup` the seat group it came through (null: given by hand). */
  seat: { viaGroup: string | null } | null;
  /** The seat groups they belong to, the one they joined first first. */
  seatGroups: string[];
  /** Whether they already wait for a seat through a group. */
  waiting: boolean;
  /** A free seat, with nobody served before them waiting for one. */
  seatFree: boolean;
}

/** What to do about one user's seat. */
export type GroupSeatDecision =
  | { action: 'none' }
  | { action: 'give'; group: string }
  | { action: 'wait'; group: string }
  /** The seat's group no longer gives it, another of theirs does: it is now through that one. */
  | { action: 'regroup'; group: string }
  | { action: 'take_back' }
  | { action: 'stop_waiting' };

/**
 * Decides one user's seat after a directory change.
 * @example decideGroupSeat({ status: 'active', seat: null, seatGroups: ['grp_1'], waiting: false, seatFree: false }) // → wait
 */
export function decideGroupSeat(state: GroupSeatState): GroupSeatDecision {
  const wants = state.status !== 'deactivated' && state.seatGroups.length > 0;
  const first = state.seatGroups[0];
  if (wants && first !== undefined) {
    if (state.seat) {
      const via = state.seat.viaGroup;
      return via !== null && !state.seatGroups.includes(via) ? { action: 'regroup', group: first } : { action: 'none' };
    }
    if (state.waiting) return { action: 'none' };
    return state.seatFree ? { action: 'give', group: first } : { action: 'wait', group: first };
  }
  if (state.seat?.viaGroup) return { action: 'take_back' };
  if (state.waiting) return { action: 'stop_waiting' };
  return { action: 'none' };
}
