/**
 * Answers to changes made on this device, for every screen that shows the same things: a user as
 * a change left them, a user who was deleted, the subscription. The API modules announce them;
 * screens apply them instead of fetching again, and live.svelte.ts does not fetch again when the
 * change's own live message arrives.
 */
import type { Subscription, User } from '#contract';

export type Answer =
  | { kind: 'user'; user: User }
  | { kind: 'user-deleted'; id: string }
  | { kind: 'subscription'; subscription: Subscription };

type Listener = (answer: Answer) => void;

const listeners = new Set<Listener>();

/** Registers `listener` for every answer; returns the function that removes it. */
export function onAnswer(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells every screen about `answer`. */
export function announce(answer: Answer): void {
  for (const listener of listeners) listener(answer);
}

/** Announces each user of an answer (a transfer has two; an approval's `from` may be null). */
export function announceUsers(...users: (User | null)[]): void {
  for (const user of users) if (user) announce({ kind: 'user', user });
}
