/**
 * The two questions a seat change may need answered before it happens, each one dialog for the
 * whole app (rendered by the signed-in layout):
 * - "Take the seat from…" (SeatChooserDialog): every seat is taken, so instead of an error the app
 *   lists the holders (least recently active first) and the administrator picks one; a connected
 *   holder comes with what happens to their sessions, and a moved seat can be lent until a time.
 * - "Alex Moreno is connected to 2 computers" (ReleaseDialog): before a seat is taken from someone
 *   connected, what happens to their sessions: end them now, a few minutes, or after their session.
 */
import type { ConsoleSession, ReleaseChoice, SeatCounts, SeatHolder } from '#contract';
import { Question } from '#lib/question.svelte.ts';

export interface SeatQuestion {
  /** Who gets the seat, or null when the admin is freeing one for a user not created yet. */
  recipient: string | null;
  seats: SeatCounts;
  holders: SeatHolder[];
  /** The team pool that is full (its holders are listed), when that is what stops the seat. */
  pool?: string;
  /** A loan chosen before (Manage user → Lend until…): the chooser starts with it. */
  until?: string;
}

export interface SeatChoice {
  holder: SeatHolder;
  /** Set when the holder is connected: what happens to their sessions. */
  release?: ReleaseChoice;
  /** Set when the seat is lent to the recipient until then (ISO). */
  until?: string;
}

export interface ReleaseQuestion {
  /** Whose seat is taken. */
  holder: string;
  sessions: ConsoleSession[];
  /** "Take back Alex Moreno’s seat?" */
  title: string;
  /** The button: "Take back seat". */
  confirm: string;
  /** What happens to the seat: "The seat frees", "The seat returns to Dana Whitfield". */
  outcome: string;
}

export const seatChooser = new Question<SeatQuestion, SeatChoice>();
export const releaseChooser = new Question<ReleaseQuestion, ReleaseChoice>();
