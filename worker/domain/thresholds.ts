/**
 * Seat alerts: each threshold (a percentage of purchased seats) fires once when the seats in use
 * reach it from below, and re-arms when they fall below it again. Pure: the object stores which
 * thresholds are crossed and asks this after every change.
 */

export interface Threshold {
  percent: number;
  crossed: boolean;
}

/** Which thresholds fire now and which re-arm, for the seats held after a change. */
export function thresholdChanges(thresholds: Threshold[], seats: { purchased: number; assigned: number }): { fire: number[]; rearm: number[] } {
  const fire: number[] = [];
  const rearm: number[] = [];
  for (const { percent, crossed } of thresholds) {
    // Compared in whole seats (assigned × 100 ≥ percent × purchased), so 100 % means every seat, exactly.
    const reached = seats.purchased > 0 && seats.assigned * 100 >= percent * seats.purchased;
    if (reached && !crossed) fire.push(percent);
    if (!reached && crossed) rearm.push(percent);
  }
  return { fire, rearm };
}
