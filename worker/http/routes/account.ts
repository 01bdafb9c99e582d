/**
 * Signing up, in and out, and accepting an invitation: the routes that start a session. Password
 * hashing happens here in the Worker, never inside a Subscription object, so a slow PBKDF2 does not
 * hold up the subscription's other requests.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { hashPassword, newId, newSecret, parseSecret, sha256, verifyPassword } from '../../crypto';
import type { AppEnv } from '../context';
import { authenticate, clearSessionCookie, setSessionCookie } from '../auth';
import { json, jsonBody, problems, signedIn } from '../openapi';
import { ProblemError, unwrap } from '../problem';
import { AcceptInvitationBody, AccountSchema, LoginBody, SignupBody } from '../schemas';

/** Checked against when the email is unknown, so both answers take about as long. */
const DECOY = { hash: '0'.repeat(64), salt: 'decoy-salt-0000000000000000000000', iterations: 100_000 };

const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags: ['Account'],
  summary: 'Create a subscription; its first user is an administrator, signed in',
  request: { body: jsonBody(SignupBody) },
  responses: { 201: json(AccountSchema, 'The new administrator and subscription'), ...problems('email_taken') },
});

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['Account'],
  summary: 'Sign in with email and password; sets the session cookie',
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: json(AccountSchema, 'Signed in'),
    ...problems('invalid_credentials', 'forbidden', 'rate_limited'),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['Account'],
  summary: 'Sign out of this session',
  security: signedIn,
  middleware: [authenticate()] as const,
  responses: { 204: { description: 'Signed out' }, ...problems('unauthenticated') },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['Account'],
  summary: 'The signed-in user and their subscription',
  security: signedIn,
  middleware: [authenticate()] as const,
  responses: { 200: json(AccountSchema, 'The caller'), ...problems('unauthenticated') },
});

const acceptInvitation = createRoute({
  method: 'post',
  path: '/invitations/accept',
  tags: ['Account'],
  summary: 'Set a password from an invitation link; the user becomes active and is signed in',
  request: { body: jsonBody(AcceptInvitationBody) },
  responses: { 200: json(AccountSchema, 'Signed in'), ...problems('invitation_invalid') },
});

export const account = new OpenAPIHono<AppEnv>()
  .openapi(signup, async (c) => {
    const body = c.req.valid('json');
    const subscriptionId = newId('sub');
    const session = newSecret(subscriptionId);
    const result = await c.env.SUBSCRIPTION.getByName(subscriptionId).initialize({
      subscriptionId,
      organization: body.organization,
      name: body.name,
      email: body.email,
      userId: newId('usr'),
      password: await hashPassword(body.password),
      seats: body.seats,
      assignSeat: body.assignSeat,
      sessionHash: await sha256(session),
    });
    const created = unwrap(result);
    setSessionCookie(c, session);
    return c.json(created, 201);
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid('json');
    const subscriptionId = await c.env.EMAIL_INDEX.getByName(email).lookup();
    const subscription = subscriptionId ? c.env.SUBSCRIPTION.getByName(subscriptionId) : null;
    const stored = subscription ? unwrap(await subscription.passwordFor(email)) : null;
    const matched = await verifyPassword(password, stored ?? DECOY);
    if (!subscription || !stored || !subscriptionId) {
      throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    }
    const session = newSecret(subscriptionId);
    const signedInAccount = unwrap(await subscription.completeLogin(stored.userId, matched, await sha256(session)));
    setSessionCookie(c, session);
    return c.json(signedInAccount, 200);
  })
  .openapi(logout, async (c) => {
    unwrap(await c.var.subscription.logout(c.var.credential));
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .openapi(me, async (c) => c.json(unwrap(await c.var.subscription.me(c.var.credential)), 200))
  .openapi(acceptInvitation, async (c) => {
    const { token, password } = c.req.valid('json');
    const parsed = parseSecret(token);
    if (!parsed) {
      throw new ProblemError({ ok: false, code: 'invitation_invalid', detail: 'This is not an invitation link of ours.' });
    }
    const session = newSecret(parsed.subscriptionId);
    const result = await c.env.SUBSCRIPTION.getByName(parsed.subscriptionId).acceptInvitation(
      await sha256(token),
      await hashPassword(password),
      await sha256(session),
    );
    const accepted = unwrap(result);
    setSessionCookie(c, session);
    return c.json(accepted, 200);
  });
