/**
 * The local demo's history: the 60-day story (worker/domain/demo-story.ts) replayed through the
 * Subscription object's own methods — the same write path, seat rules, timers, waitlist, audit and
 * events as live calls — each step at its past time (`WritePath.replayAt`). People sign in and out
 * with devices as the app does; their consoles send heartbeats; loans end by their timers. Only the
 * Worker's local-development route reaches it (worker/http/routes/demo.ts).
 */
import type { DemoHabit } from '../contract';
import type { PasswordHash } from '../crypto';
import { demoStory, type DemoStep, type Who } from '../domain/demo-story';
import { ok, type Result } from '../domain/result';
import type { NewDevice } from './access';
import { createSubscription } from './account';
import { fireTimer } from './alarm';
import type { Call, Reply } from './call';
import type { Sql } from './sql';
import type { Subscription } from './subscription';
import { dueTimers } from './timers';
import { createUser } from './user-admin';
import type { WritePath } from './write-path';

const INVITATION_DAYS = 7;

/** A person of the demo, with the password hash the Worker made for them. */
interface DemoPerson {
  id: string;
  name: string;
  email: string;
  password: PasswordHash;
}

/** What the Worker hands the object: the subscription and its people, emails already claimed. */
export interface DemoSeed {
  subscriptionId: string;
  organization: string;
  seats: number;
  administrator: DemoPerson;
  technicians: (DemoPerson & { habit: DemoHabit })[];
}

/** What the replay did. */
export interface DemoReplayed {
  steps: number;
  sessions: number;
}

/**
 * Replays the story ending at `now` into a new subscription. Before each step the consoles still
 * connected send their heartbeat and the timers due by then run (each at its own due time), as
 * the alarm would have. A step the product refuses stops the replay with an error, unless the story
 * expects that refusal (the day the seats ran out).
 */
export function replayDemo(object: Subscription, calls: WritePath, sql: Sql, seed: DemoSeed, now: number): DemoReplayed {
  const steps = demoStory(seed.technicians.map((t) => t.habit), now);
  const person = (who: Who) => (who === 'admin' ? seed.administrator : seed.technicians[who]!);
  const devices = new Map<Who, string>();
  const connected = new Map<string, number>();
  const invitations = new Map<number, string>();
  const callOf = (who: Who): Call => {
    const hash = devices.get(who);
    if (!hash) throw new Error(`demo story: ${person(who).name} acts while signed out`);
    return { credential: { kind: 'device', hash, intent: 'write' } };
  };
  const signedIn = (who: Who): NewDevice => {
    const device = { hash: crypto.randomUUID(), signOutHash: crypto.randomUUID(), userAgent: 'SetMe demo history' };
    devices.set(who, device.hash);
    return device;
  };

  const run = (step: DemoStep): Result<unknown> => {
    switch (step.kind) {
      case 'create': {
        const { id, name, email, password } = seed.administrator;
        const { subscriptionId, organization, seats } = seed;
        const device = signedIn('admin');
        return calls.anonymous((_, at) =>
          createSubscription(sql, { subscriptionId, organization, name, email, userId: id, password, seats, assignSeat: false, device }, at),
        );
      }
      case 'invite': {
        const { id, name, email } = person(step.who);
        const invitationHash = crypto.randomUUID();
        invitations.set(step.who, invitationHash);
        const invitationExpiresAt = new Date(step.at + INVITATION_DAYS * 86_400_000).toISOString();
        const input = { id, name, email, role: 'technician' as const, assignSeat: step.seat, poolId: null, pools: [], invitationHash, invitationExpiresAt };
        return resultOf(calls.as(callOf('admin'), 'administrator', (actor, at) => createUser(sql, actor, input, at)));
      }
      case 'accept':
        return resultOf(object.acceptInvitation(invitations.get(step.who)!, person(step.who).password, signedIn(step.who)));
      case 'signIn':
        return resultOf(object.completeLogin(person(step.who).id, signedIn(step.who)));
      case 'signOut': {
        const signedOut = resultOf(object.logout(callOf(step.who)));
        devices.delete(step.who);
        return signedOut;
      }
      case 'assign':
        return resultOf(object.assignSeat(callOf('admin'), person(step.who).id));
      case 'unassign':
        return resultOf(object.unassignSeat(callOf('admin'), person(step.who).id));
      case 'lend': {
        const move = { from: person(step.from).id, to: person(step.to).id, until: new Date(step.until).toISOString() };
        return resultOf(object.transferSeat(callOf('admin'), move));
      }
      case 'request':
        return resultOf(object.createSeatRequest(callOf(step.who), { id: step.id, reason: step.reason }));
      case 'approve': {
        const approval = { from: person(step.from).id, until: new Date(step.until).toISOString() };
        return resultOf(object.approveSeatRequest(callOf('admin'), step.id, approval));
      }
      case 'start': {
        connected.set(step.id, step.who);
        return resultOf(object.startConsoleSession(callOf(step.who), { id: step.id, computer: step.computer }));
      }
      case 'end':
        connected.delete(step.id);
        return resultOf(object.endConsoleSession(callOf(step.who), step.id));
    }
  };

  let sessions = 0;
  for (const step of steps) {
    for (const [id, who] of connected) expectOk(calls.replayAt(step.at, () => resultOf(object.heartbeatConsoleSession(callOf(who), id))), step);
    for (const timer of dueTimers(sql, step.at)) {
      if (timer.kind === 'delivery') continue;
      calls.replayAt(timer.dueAt, () => calls.anonymous((_, at) => ok(fireTimer(sql, timer, at))));
    }
    const result = calls.replayAt(step.at, () => run(step));
    if (step.kind === 'assign' && step.refused) {
      if (result.ok || result.code !== step.refused) throw new Error(`demo story: expected ${step.refused} at ${new Date(step.at).toISOString()}`);
      continue;
    }
    expectOk(result, step);
    if (step.kind === 'start') sessions += 1;
  }
  return { steps: steps.length, sessions };
}

/** A reply's result (the story sends no Idempotency-Key, so no answer is a stored one). */
function resultOf<T>(reply: Reply<T>): Result<T> {
  if (!('result' in reply)) throw new Error('demo story: a stored answer, without an Idempotency-Key');
  return reply.result;
}

function expectOk(result: Result<unknown>, step: DemoStep): void {
  if (!result.ok) throw new Error(`demo story: ${step.kind} at ${new Date(step.at).toISOString()} was refused: ${result.code}`);
}
