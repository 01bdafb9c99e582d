/** Someone the pure seat rules decide about: an active user without a seat unless told otherwise. */
export const seatCandidate = (over: Partial<{ id: string; name: string; status: 'invited' | 'active' | 'deactivated'; hasSeat: boolean }> = {}) => ({
  id: 'usr_a',
  name: 'Alex',
  status: 'active' as const,
  hasSeat: false,
  ...over,
});
