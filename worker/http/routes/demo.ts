/**
 * `POST /api/demo`: creates the local demo that `npm start` shows (scripts/server.mjs) — a
 * subscription, its people and 60 days of console activity and seat changes, replayed through the
 * Subscription object's own methods with past times (worker/objects/demo.ts). It exists only where
 * the Worker runs for local development (`ENVIRONMENT` "development", a loopback `PUBLIC_ORIGIN`,
 * and asked at a loopback address); anywhere else it is 404 like any unknown route, and it is not
 * in the API document. Idempotent: when the administrator's email already has an account, nothing is done.
 */
import { Hono } from 'hono';
import { DemoBody, type DemoCreated } from '../../contract';
import { hashPassword, newId } from '../../crypto';
import { castOf } from '../../domain/demo-story';
import { claimEmail, confirmEmail, releaseEmail } from '../../objects/email-index';
import { isLoopback, publicOrigin } from '../config';
import type { AppEnv } from '../context';
import { ProblemError, unwrap } from '../problem';

/**
 * Whether this Worker runs for local development, the only place the demo route exists: set up
 * for it, and asked on this machine (a deployment left with the defaults is still reached by its
 * own hostname, so it answers 404 too).
 */
export function localDevelopment(env: { ENVIRONMENT?: string; PUBLIC_ORIGIN?: string }, url: string): boolean {
  return env.ENVIRONMENT === 'development' && isLoopback(new URL(publicOrigin(env)).hostname) && isLoopback(new URL(url).hostname);
}

export const demo = new Hono<AppEnv>().post('/', async (c) => {
  if (!localDevelopment(c.env, c.req.url)) throw new ProblemError({ ok: false, code: 'not_found', detail: 'No such API route. See /api/docs.' });
  const parsed = DemoBody.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw new ProblemError({ ok: false, code: 'validation_failed', detail: parsed.error.message });
  const body = parsed.data;
  if (!castOf(body.technicians.map((t) => t.habit))) {
    throw new ProblemError({
      ok: false,
      code: 'validation_failed',
      detail: 'The story needs technicians of every habit: daily, two regular, part_time, occasional, idle and two no_seat.',
    });
  }
  const started = Date.now();
  const subscriptionId = newId('sub');
  const people = [{ ...body.administrator, habit: null }, ...body.technicians].map((p) => ({ ...p, id: newId('usr') }));
  const [administrator] = people;
  // The administrator's email decides: someone holds it, so the demo (or someone's own) is there.
  if (!(await claimEmail(c.env.EMAIL_INDEX, administrator!.email, subscriptionId, administrator!.id))) {
    return c.json({ created: false, story: null } satisfies DemoCreated, 200);
  }
  const claimed = [administrator!];
  const releaseAll = () => Promise.all(claimed.map((p) => releaseEmail(c.env.EMAIL_INDEX, p.email, subscriptionId, p.id)));
  try {
    // The other claims and the password hashes do not depend on each other: all at once.
    const [claims, passwords] = await Promise.all([
      Promise.all(people.slice(1).map(async (person) => ({ person, ok: await claimEmail(c.env.EMAIL_INDEX, person.email, subscriptionId, person.id) }))),
      Promise.all(people.map(() => hashPassword(body.password))),
    ]);
    claimed.push(...claims.filter((claim) => claim.ok).map((claim) => claim.person));
    const taken = claims.find((claim) => !claim.ok);
    if (taken) throw new ProblemError({ ok: false, code: 'email_taken', email: taken.person.email });
    const withPassword = people.map((p, i) => ({ id: p.id, name: p.name, email: p.email, password: passwords[i]! }));
    const replayed = unwrap(
      await c.env.SUBSCRIPTION.getByName(subscriptionId).seedDemo({
        subscriptionId,
        organization: body.organization,
        seats: body.seats,
        administrator: withPassword[0]!,
        technicians: body.technicians.map((t, i) => ({ ...withPassword[i + 1]!, habit: t.habit })),
      }),
    );
    await Promise.all(people.map((p) => confirmEmail(c.env.EMAIL_INDEX, p.email, subscriptionId, p.id)));
    return c.json({ created: true, story: { ...replayed, milliseconds: Date.now() - started } } satisfies DemoCreated, 201);
  } catch (error) {
    await releaseAll();
    throw error;
  }
});
