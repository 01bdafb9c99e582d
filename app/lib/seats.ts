/**
 * Seat changes as the admin experiences them: each one offers Undo (the inverse call) for a few
 * seconds, and every screen showing the users involved applies the answer (the API modules
 * announce it). Giving a seat when all are taken asks whom to take it from and moves it in one
 * atomic transfer, so nobody else can grab it in between. Taking a seat from someone connected to
 * computers first asks what happens to their sessions.
 */
import type { ReleaseChoice, Seat, SeatHolder, SeatRequest, Transferred, User } from '#contract';
import { consoleApi } from '#lib/api/console.ts';
import { ApiProblem } from '#lib/api/request.ts';
import { seatRequestsApi } from '#lib/api/seat-requests.ts';
import { seatsApi } from '#lib/api/seats.ts';
import { usersApi } from '#lib/api/users.ts';
import { releaseChooser, seatChooser, type SeatChoice } from '#lib/seat-questions.ts';
import { at, seatEnd } from '#lib/seat-time.ts';
import { toasts } from '#lib/toasts.svelte.ts';

type Person = Pick<User, 'id' | 'name'> & { seat?: Seat | null };

const END_NOW: ReleaseChoice = { onActiveSessions: 'end_now' };

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** "Alex Moreno’s seat frees at 14:05." for a seat that waits for its holder's sessions. */
function leaving(name: string, seat: Seat | null): string | null {
  const end = seat?.revocation ? seatEnd(seat) : null;
  return end ? `${name} is connected: their seat ${lowerFirst(end.text)}.` : null;
}

/**
 * Asks what happens to `user`'s console sessions if they are connected. Resolves with the choice,
 * undefined when they are not connected (nothing to ask), or null when the admin cancelled.
 */
async function askRelease(user: Person, question: { title: string; confirm: string; outcome: string }): Promise<ReleaseChoice | undefined | null> {
  const sessions = (await consoleApi.sessions({ userId: user.id })).items;
  if (sessions.length === 0) return undefined;
  return releaseChooser.ask({ holder: user.name, sessions, ...question });
}

/** Gives `user` a seat, lent `until` a time if given; when none is free, offers the holders. Null if cancelled. */
export async function giveSeat(user: Person, until?: string): Promise<User | null> {
  try {
    const updated = await usersApi.assignSeat(user.id, { until });
    toasts.show(until ? `Seat lent to ${user.name} until ${at(until)}.` : `Seat assigned to ${user.name}.`, {
      undo: () => usersApi.unassignSeat(user.id, END_NOW),
    });
    return updated;
  } catch (error) {
    const full = error instanceof ApiProblem ? error.seatHolders : null;
    if (!full) throw error;
    const choice = await seatChooser.ask({ recipient: user.name, ...full, until });
    if (!choice) return null;
    return (await moveSeat(choice.holder, user, choice)).to;
  }
}

/**
 * Takes `user`'s seat back. If they are connected, asks first what happens to their sessions
 * (unless `preset` says); then the seat may stay theirs until that moment. Null if cancelled.
 */
export async function takeSeatBack(user: Person, preset?: ReleaseChoice): Promise<User | null> {
  const release =
    preset ?? (await askRelease(user, { title: `Take back ${user.name}’s seat?`, confirm: 'Take back seat', outcome: 'The seat frees' }));
  if (release === null) return null;
  const loanUntil = user.seat?.loan?.until;
  const updated = await usersApi.unassignSeat(user.id, release);
  toasts.show(leaving(user.name, updated.seat) ?? `Seat taken back from ${user.name}.`, {
    undo: () => usersApi.assignSeat(user.id, { until: loanUntil }),
  });
  return updated;
}

/** Moves a seat from one user to another in one step (lent `until` a time); Undo moves it back. */
export async function moveSeat(from: Person | SeatHolder, to: Person, options: Omit<SeatChoice, 'holder'> = {}): Promise<Transferred> {
  const moved = await seatsApi.transfer({ from: from.id, to: to.id, until: options.until, ...options.release });
  announceMove(from, to, moved.from, options.until);
  return moved;
}

function announceMove(from: Pick<User, 'id' | 'name'>, to: Pick<User, 'id' | 'name'>, fromAfter: User | null, until?: string): void {
  const waiting = leaving(from.name, fromAfter?.seat ?? null);
  if (waiting) {
    // The move waits for their sessions: giving the seat to them again (PUT) cancels it.
    toasts.show(waiting, { undo: () => usersApi.assignSeat(from.id) });
    return;
  }
  const message = until ? `Seat lent from ${from.name} to ${to.name} until ${at(until)}.` : `Seat moved from ${from.name} to ${to.name}.`;
  toasts.show(message, { undo: () => seatsApi.transfer({ from: to.id, to: from.id, ...END_NOW }) });
}

/** Sets a new end for a lent seat (`until`), or keeps it with no end (null). */
export async function extendLoan(user: Person, until: string | null): Promise<User> {
  const before = user.seat?.loan?.until;
  const updated = await usersApi.assignSeat(user.id, { until });
  toasts.show(until ? `${user.name}’s seat is now lent until ${at(until)}.` : `${user.name} keeps the seat with no end.`, {
    undo: before ? () => usersApi.assignSeat(user.id, { until: before }) : undefined,
  });
  return updated;
}

/**
 * Ends `user`'s loan now: the seat goes back to whom it was lent from (if they can still take
 * it), or is freed. A connected borrower is asked about first. Null if cancelled.
 */
export async function endLoan(user: Person, preset?: ReleaseChoice): Promise<User | null> {
  const loan = user.seat?.loan;
  const returnsTo = loan?.returnsTo ?? null;
  const outcome = returnsTo ? `The seat returns to ${returnsTo.name}` : 'The seat frees';
  const release = preset ?? (await askRelease(user, { title: `End ${user.name}’s loan now?`, confirm: 'End loan now', outcome }));
  if (release === null) return null;
  const updated = await usersApi.returnSeat(user.id, release);
  const waiting = leaving(user.name, updated.seat);
  if (waiting || !loan) {
    toasts.show(waiting ?? `${user.name}’s loan ended.`, { undo: loan ? () => usersApi.assignSeat(user.id, { until: loan.until }) : undefined });
    return updated;
  }
  // Whether the seat went back depends on whether the lender could still take it: the answer
  // (the borrower) does not say, so ask about the lender.
  const back = returnsTo ? await usersApi.get(returnsTo.id).catch(() => null) : null;
  if (returnsTo && back?.seat) {
    toasts.show(`The loan ended: the seat is back with ${returnsTo.name}.`, {
      undo: () => seatsApi.transfer({ from: returnsTo.id, to: user.id, until: loan.until, ...END_NOW }),
    });
  } else {
    toasts.show(`The loan ended: ${user.name}’s seat is free.`, { undo: () => usersApi.assignSeat(user.id, { until: loan.until }) });
  }
  return updated;
}

/** Lets a seat that is being taken back stay with its holder (keeping a loan's end). */
export async function keepSeat(user: Person): Promise<User> {
  const updated = await usersApi.assignSeat(user.id, { until: user.seat?.loan?.until });
  toasts.show(`${user.name} keeps the seat.`);
  return updated;
}

/**
 * Approves a seat request: a free seat if there is one, otherwise the seat chooser asks whom to
 * take it from. Resolves false if cancelled.
 */
export async function approveRequest(request: SeatRequest): Promise<boolean> {
  const to = request.user;
  try {
    await seatRequestsApi.approve(request.id);
    toasts.show(`Approved: ${to.name} has a seat.`, { undo: () => usersApi.unassignSeat(to.id, END_NOW) });
    return true;
  } catch (error) {
    const full = error instanceof ApiProblem ? error.seatHolders : null;
    if (!full) throw error;
    const choice = await seatChooser.ask({ recipient: to.name, ...full });
    if (!choice) return false;
    const approved = await seatRequestsApi.approve(request.id, { from: choice.holder.id, until: choice.until, ...choice.release });
    announceMove(choice.holder, to, approved.from, choice.until);
    return true;
  }
}

/** Approves a request with the seat of `from` (the idle-seats report's suggestion). False if cancelled. */
export async function approveFrom(request: { id: string; user: Pick<User, 'id' | 'name'> }, from: Person): Promise<boolean> {
  const to = request.user;
  const release = await askRelease(from, { title: `Move ${from.name}’s seat to ${to.name}?`, confirm: 'Move seat', outcome: `The seat moves to ${to.name}` });
  if (release === null) return false;
  const approved = await seatRequestsApi.approve(request.id, { from: from.id, ...release });
  announceMove(from, to, approved.from);
  return true;
}

/** Declines a seat request, with an optional note the requester sees. */
export async function declineRequest(request: SeatRequest, note: string): Promise<void> {
  await seatRequestsApi.decline(request.id, { note: note.trim() || undefined });
  toasts.show(`Declined ${request.user.name}’s request.`);
}
