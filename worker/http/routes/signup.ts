/**
 * Signing up proves the email. `POST /signup` answers the same for every address, new or taken,
 * and mails after answering: a confirmation link for a new address, a note that an account exists
 * (with the way to reset its password) for a taken one. Nothing is stored before the link is
 * opened: the link itself carries the sign-up, sealed with the Worker's key (AES-GCM), including
 * the new subscription's id, so opening it twice finds the subscription already there.
 * `POST /signup/confirm` then creates the subscription and signs in, as sign-up did before.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { hashPassword, newId, seal, unseal } from '../../crypto';
import { requireAllowedPassword } from '../password-policy';
import { mailerFor } from '../../mail';
import { Account, SignupAccepted, SignupBody, SignupConfirmBody } from '../../contract';
import { newDevice, setSignInCookie } from '../auth';
import { publicOrigin, secretKeys } from '../config';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signInRoute } from '../openapi';
import { ProblemError } from '../problem';
import { unwrapReply } from '../reply';
import { countMail } from '../throttle';

/** How long a confirmation link works. */
export const CONFIRMATION_HOURS = 24;

/** What a confirmation link carries (sealed: only this Worker can read or make one). */
const PendingSignup = z.object({
  subscriptionId: z.string(),
  userId: z.string(),
  organization: z.string(),
  name: z.string(),
  email: z.string(),
  password: z.object({ hash: z.string(), salt: z.string(), iterations: z.number() }),
  seats: z.number(),
  assignSeat: z.boolean(),
  expiresAt: z.number(),
});
type PendingSignup = z.infer<typeof PendingSignup>;

const signup = createRoute({
  method: 'post',
  path: '/',
  tags: ['Account'],
  summary: 'Sign up: mails a link that creates the subscription (its first user is an administrator)',
  description:
    `The answer is the same for every address. A new address gets a confirmation link that works for ${CONFIRMATION_HOURS} hours ` +
    '(`/confirm-signup#token=…`, for POST /signup/confirm); an address that already has an account gets a note saying so, ' +
    'with the way to reset its password. Nothing is created until the link is opened. A retry sends another mail. ' +
    'At most 5 mails per hour go to one address and 20 per hour are sent for one client address (429 `rate_limited`).',
  request: { body: jsonBody(SignupBody) },
  responses: { 202: json(SignupAccepted, 'A mail is on its way'), ...problems('rate_limited') },
});

const confirm = signInRoute({
  method: 'post',
  path: '/confirm',
  tags: ['Account'],
  summary: 'Create the subscription from a sign-up confirmation link; signs in its administrator',
  description:
    'A link works once: opening it again gets 400 `confirmation_invalid` (the subscription exists; sign in). ' +
    'If the address got an account meanwhile: 409 `email_taken`.',
  request: { body: jsonBody(SignupConfirmBody) },
  responses: { 201: json(Account, 'The new administrator and subscription'), ...problems('confirmation_invalid', 'email_taken') },
});

export const signupRoutes = new OpenAPIHono<AppEnv>()
  .openapi(signup, async (c) => {
    const body = c.req.valid('json');
    // The rule does not depend on whether the address has an account, so refusing here reveals nothing.
    await requireAllowedPassword(body.password, body);
    await countMail(c, body.email);
    // Everything that depends on the address happens after the answer, so every answer looks and takes alike.
    c.executionCtx.waitUntil(mailSignup(c.env, body).catch((error: unknown) => console.error('sign-up mail failed', error)));
    return c.json({ status: 'confirmation_sent' as const }, 202);
  })
  .openapi(confirm, async (c) => {
    const pending = PendingSignup.safeParse(await unseal(await secretKeys(c.env), c.req.valid('json').token));
    if (!pending.success || pending.data.expiresAt <= Date.now()) {
      throw new ProblemError({
        ok: false,
        code: 'confirmation_invalid',
        detail: `This confirmation link is not valid or has expired (links work for ${CONFIRMATION_HOURS} hours). Sign up again for a new one.`,
      });
    }
    const { expiresAt: _expiresAt, ...signup } = pending.data;
    const device = await newDevice(c, signup.subscriptionId);
    const created = unwrapReply(c, await c.env.SUBSCRIPTION.getByName(signup.subscriptionId).initialize({ ...signup, device: device.stored }));
    setSignInCookie(c, device.secret);
    return c.json(created, 201);
  });

/**
 * The mail a sign-up sends: a confirmation link for a new address, a note for one that has an
 * account. The link (with its slow password hash) is made either way: this runs after the answer,
 * but in the same isolate, so unequal work could still show in the timing of what comes next.
 */
async function mailSignup(env: Env, body: z.output<typeof SignupBody>): Promise<void> {
  const origin = publicOrigin(env);
  const mailer = mailerFor(env);
  const pending: PendingSignup = {
    ...body,
    subscriptionId: newId('sub'),
    userId: newId('usr'),
    password: await hashPassword(body.password),
    expiresAt: Date.now() + CONFIRMATION_HOURS * 3_600_000,
  };
  const token = await seal(await secretKeys(env), pending);
  if (await env.EMAIL_INDEX.getByName(body.email).lookup()) {
    await mailer.send({
      to: body.email,
      subject: 'You already have a SetMe Seats account',
      text:
        'Hello,\n\nSomeone (hopefully you) tried to sign up for SetMe Seats with this address, but it already has an account. ' +
        `Sign in at ${origin}/signin — or, if you forgot your password, choose a new one here:\n\n${origin}/forgot-password\n\n` +
        'If it was not you, ignore this message: nothing changed.',
    });
    return;
  }
  await mailer.send({
    to: body.email,
    subject: 'Confirm your SetMe Seats sign-up',
    text:
      `Hello ${body.name},\n\nSomeone (hopefully you) asked to create the SetMe Seats subscription "${body.organization}" ` +
      `(${body.seats} seat${body.seats === 1 ? '' : 's'}) with this address. Open this link within ${CONFIRMATION_HOURS} hours ` +
      `to create it and sign in:\n\n${origin}/confirm-signup#token=${token}\n\n` +
      'If it was not you, ignore this message: nothing is created without this link.',
  });
}
