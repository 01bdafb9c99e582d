/**
 * Signing up, in and out, and accepting an invitation: the routes that sign a device in. Password
 * hashing happens here in the Worker, never inside a Subscription object, so a slow PBKDF2 does not
 * hold up the subscription's other requests.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
} from '@simplewebauthn/server';
import { hashPassword, newId, newSecret, parseSecret, sha256, verifyPassword } from '../../crypto';
import { mailerFor } from '../../mail';
import { RESET_MINUTES } from '../../objects/credentials';
import type { Context } from 'hono';
import type { AppEnv } from '../context';
import { clearSignInCookie, newDevice, sameOrigin, setSignInCookie } from '../auth';
import { deviceSecretOf, sessionCookieOf } from '../device-cookies';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { ProblemError, unwrap } from '../problem';
import { unwrapReply } from '../reply';
import {
  AcceptInvitationBody,
  Account,
  LoginBody,
  Notice,
  PasskeyLoginBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  SignOutProofBody,
  SignupBody,
  WebAuthnOptions,
} from '../../contract';
import { PASSKEY_NOT_ACCEPTED } from '../../objects/security';
import {
  CHALLENGE_MS,
  challengeOf,
  checkChallenge,
  decodeKey,
  issueChallenge,
  PASSKEY_NOT_VERIFIED,
  PASSKEY_REQUEST_EXPIRED,
  parseUserHandle,
  relyingParty,
} from '../webauthn';

/** Checked against when the email is unknown, so both answers take about as long. */
const DECOY = { hash: '0'.repeat(64), salt: 'decoy-salt-0000000000000000000000', iterations: 100_000 };

const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags: ['Account'],
  summary: 'Create a subscription; its first user is an administrator, signed in',
  description:
    'No Idempotency-Key is needed (it is ignored here): a retry after a lost answer gets 409 `email_taken`, ' +
    'because the subscription exists; sign in instead. If the first attempt stopped before creating anything, ' +
    'the retry creates it (after up to a minute, while the email index checks the half-made claim).',
  request: { body: jsonBody(SignupBody) },
  responses: { 201: json(Account, 'The new administrator and subscription'), ...problems('email_taken') },
});

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['Account'],
  summary: 'Sign in with email and password; sets the sign-in cookie',
  description:
    'An Idempotency-Key is ignored here: a retry signs in again, as another device (each answer sets its own cookie; ' +
    'the earlier device can be signed out from GET /devices). Failed attempts count toward the throttle each time.',
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: json(Account, 'Signed in'),
    ...problems('invalid_credentials', 'forbidden', 'rate_limited'),
  },
});

const logout = signedInRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['Account'],
  summary: 'Sign out of this device',
  responses: { 204: { description: 'Signed out' }, ...problems() },
});

const finishLogout = createRoute({
  method: 'post',
  path: '/auth/logout/finish',
  tags: ['Account'],
  summary: 'End this device on the server after the app signed it out (maybe offline); clears both sign-in cookies',
  description:
    'The app signs out by deleting its readable sign-in cookie (`__Host-setme_key`) at once, network or not, and ' +
    'keeps its sign-out proof (the hex SHA-256 of "setme sign-out\\n" + that cookie). At its next contact it sends ' +
    'the proof here, with its HttpOnly cookie, which names the subscription. The proof ends that device and can do ' +
    'nothing else; the cookies are cleared unless the browser has signed in again since. Always 204 (a proof that matches nothing has nothing left to end); only from this site.',
  request: { body: jsonBody(SignOutProofBody) },
  responses: { 204: { description: 'The device is signed out' }, ...problems('forbidden') },
});

const me = signedInRoute({
  method: 'get',
  path: '/me',
  tags: ['Account'],
  summary: 'The signed-in user and their subscription',
  responses: { 200: json(Account, 'The caller'), ...problems() },
});

const acceptInvitation = createRoute({
  method: 'post',
  path: '/invitations/accept',
  tags: ['Account'],
  summary: 'Set a password from an invitation link; the user becomes active and is signed in',
  description:
    'An invitation works once; an Idempotency-Key is ignored here. A retry after a lost answer gets 400 ' +
    '`invitation_invalid`: the password is set, so sign in with it.',
  request: { body: jsonBody(AcceptInvitationBody) },
  responses: { 200: json(Account, 'Signed in'), ...problems('invitation_invalid') },
});

const requestReset = createRoute({
  method: 'post',
  path: '/auth/password-reset',
  tags: ['Account'],
  summary: 'Email a password reset link (the answer is the same whether or not the email is known)',
  description: 'A retry sends a new link, which replaces the previous one (an Idempotency-Key is ignored here).',
  request: { body: jsonBody(PasswordResetBody) },
  responses: { 202: json(Notice, 'A link is on its way if the account exists'), ...problems() },
});

const confirmReset = createRoute({
  method: 'post',
  path: '/auth/password-reset/confirm',
  tags: ['Account'],
  summary: 'Set a new password from a reset link (once, within 30 minutes); every other device is signed out',
  description:
    'A reset link works once; an Idempotency-Key is ignored here. A retry after a lost answer gets 400 ' +
    '`invitation_invalid`: the new password is set, so sign in with it.',
  request: { body: jsonBody(PasswordResetConfirmBody) },
  responses: { 200: json(Account, 'Signed in with the new password'), ...problems('invitation_invalid') },
});

const passkeyOptions = createRoute({
  method: 'post',
  path: '/auth/passkey-options',
  tags: ['Account'],
  summary: 'Start signing in with a passkey: options for navigator.credentials.get()',
  responses: { 200: json(WebAuthnOptions, 'PublicKeyCredentialRequestOptionsJSON'), ...problems() },
});

const passkeyLogin = createRoute({
  method: 'post',
  path: '/auth/passkey',
  tags: ['Account'],
  summary: 'Sign in with a passkey; sets the sign-in cookie',
  description:
    'The challenge must come from POST /auth/passkey-options within 5 minutes, and works once: an assertion sent ' +
    'again is refused (`passkey_expired`). The passkey must verify its user (fingerprint, face, PIN).',
  request: { body: jsonBody(PasskeyLoginBody) },
  responses: { 200: json(Account, 'Signed in'), ...problems('passkey_invalid', 'passkey_expired') },
});

export const account = new OpenAPIHono<AppEnv>()
  .openapi(signup, async (c) => {
    const body = c.req.valid('json');
    const subscriptionId = newId('sub');
    const device = await newDevice(c, subscriptionId);
    const result = await c.env.SUBSCRIPTION.getByName(subscriptionId).initialize({
      subscriptionId,
      organization: body.organization,
      name: body.name,
      email: body.email,
      userId: newId('usr'),
      password: await hashPassword(body.password),
      seats: body.seats,
      assignSeat: body.assignSeat,
      device: device.stored,
    });
    const created = unwrap(result);
    setSignInCookie(c, device.secret);
    return c.json(created, 201);
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid('json');
    const address = addressThrottle(c);
    const wait = address ? await address.retryAfter() : 0;
    if (wait > 0) {
      throw new ProblemError({
        ok: false,
        code: 'rate_limited',
        retryAfterSeconds: wait,
        detail: `Too many failed sign-ins from your network. Try again in ${Math.ceil(wait / 60)} minutes.`,
      });
    }
    const subscriptionId = await c.env.EMAIL_INDEX.getByName(email).lookup();
    const subscription = subscriptionId ? c.env.SUBSCRIPTION.getByName(subscriptionId) : null;
    const stored = subscription ? unwrap(await subscription.passwordFor(email)) : null;
    const matched = await verifyPassword(password, stored ?? DECOY);
    if (!matched) await address?.recordFailure();
    if (!subscription || !stored || !subscriptionId) {
      throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    }
    if (!matched) {
      unwrap(await subscription.recordFailedLogin(stored.userId));
      throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    }
    const device = await newDevice(c, subscriptionId);
    const signedInAccount = unwrap(await subscription.completeLogin(stored.userId, device.stored));
    setSignInCookie(c, device.secret);
    return c.json(signedInAccount, 200);
  })
  .openapi(logout, async (c) => {
    unwrapReply(c, await c.var.subscription.logout(c.var.call));
    clearSignInCookie(c);
    return c.body(null, 204);
  })
  .openapi(finishLogout, async (c) => {
    if (!sameOrigin(c)) throw new ProblemError({ ok: false, code: 'forbidden', detail: 'Only this site can finish its sign-out.' });
    const { proof } = c.req.valid('json');
    const session = sessionCookieOf(c);
    const parsed = session ? parseSecret(session) : null;
    // Without its HttpOnly half the browser holds nothing of the device any more: nothing to end here.
    if (parsed) unwrap(await c.env.SUBSCRIPTION.getByName(parsed.subscriptionId).endSignedOutDevice(await sha256(proof)));
    // A browser that signed in again since (both halves present) keeps that new sign-in: a proof
    // sent late, after a failed first try, must not sign the next person out.
    if (!deviceSecretOf(c)) clearSignInCookie(c);
    return c.body(null, 204);
  })
  .openapi(me, async (c) => c.json(unwrapReply(c, await c.var.subscription.me(c.var.call)), 200))
  .openapi(acceptInvitation, async (c) => {
    const { token, password } = c.req.valid('json');
    const parsed = parseSecret(token);
    if (!parsed) {
      throw new ProblemError({ ok: false, code: 'invitation_invalid', detail: 'This is not an invitation link of ours.' });
    }
    const device = await newDevice(c, parsed.subscriptionId);
    const result = await c.env.SUBSCRIPTION.getByName(parsed.subscriptionId).acceptInvitation(
      await sha256(token),
      await hashPassword(password),
      device.stored,
    );
    const accepted = unwrap(result);
    setSignInCookie(c, device.secret);
    return c.json(accepted, 200);
  })
  .openapi(requestReset, async (c) => {
    const { email } = c.req.valid('json');
    const subscriptionId = await c.env.EMAIL_INDEX.getByName(email).lookup();
    if (subscriptionId) {
      const token = newSecret(subscriptionId);
      const started = unwrap(await c.env.SUBSCRIPTION.getByName(subscriptionId).startPasswordReset(email, await sha256(token)));
      if (started) {
        const link = `${new URL(c.req.url).origin}/reset-password#token=${token}`;
        await mailerFor(c.env).send({
          to: started.email,
          subject: 'Reset your SetMe Seats password',
          text:
            `Hello ${started.name},\n\nSomeone (hopefully you) asked to reset your SetMe Seats password. ` +
            `Open this link within ${RESET_MINUTES} minutes to choose a new one:\n\n${link}\n\n` +
            `If it was not you, ignore this message: your password stays as it is.`,
        });
      }
    }
    // The same answer whether or not the email belongs to anyone.
    return c.json({ detail: `If an account uses ${email}, a reset link is on its way. It works for ${RESET_MINUTES} minutes.` }, 202);
  })
  .openapi(confirmReset, async (c) => {
    const { token, password } = c.req.valid('json');
    const parsed = parseSecret(token);
    if (!parsed) {
      throw new ProblemError({ ok: false, code: 'invitation_invalid', detail: 'This is not a password reset link of ours.' });
    }
    const device = await newDevice(c, parsed.subscriptionId);
    const account = unwrap(
      await c.env.SUBSCRIPTION.getByName(parsed.subscriptionId).completePasswordReset(
        await sha256(token),
        await hashPassword(password),
        device.stored,
      ),
    );
    setSignInCookie(c, device.secret);
    return c.json(account, 200);
  })
  .openapi(passkeyOptions, async (c) => {
    const { rpID } = relyingParty(c);
    const challenge = await issueChallenge(c.env, 'sign-in', '');
    const options = await generateAuthenticationOptions({ rpID, challenge, timeout: CHALLENGE_MS, userVerification: 'required' });
    return c.json(options, 200);
  })
  .openapi(passkeyLogin, async (c) => {
    const { response } = c.req.valid('json');
    // Only a challenge this server issued, unexpired, gets as far as a subscription's object.
    const challenge = challengeOf(response);
    const issued = await checkChallenge(c.env, challenge, 'sign-in', '');
    if (!challenge || !issued) throw new ProblemError(PASSKEY_REQUEST_EXPIRED);
    const owner = parseUserHandle(response.response.userHandle);
    const subscription = owner ? c.env.SUBSCRIPTION.getByName(owner.subscriptionId) : null;
    const stored = owner && subscription ? unwrap(await subscription.passkeyForLogin(owner.userId, response.id)) : null;
    if (!owner || !subscription || !stored) throw new ProblemError({ ok: false, code: 'passkey_invalid', detail: PASSKEY_NOT_ACCEPTED });
    const { rpID, origin } = relyingParty(c);
    const verification = await verifyAuthenticationResponse({
      // The envelope is validated by the schema; the library checks every cryptographic field inside it.
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: stored.id, publicKey: decodeKey(stored.publicKey), counter: stored.counter, transports: stored.transports as AuthenticatorTransport[] },
      requireUserVerification: true,
    }).catch(() => ({ verified: false as const, authenticationInfo: null }));
    if (!verification.verified || !verification.authenticationInfo) throw new ProblemError(PASSKEY_NOT_VERIFIED);
    const device = await newDevice(c, owner.subscriptionId);
    const account = unwrap(
      await subscription.completePasskeyLogin(
        { userId: owner.userId, credentialId: stored.id, counter: verification.authenticationInfo.newCounter, challenge: issued },
        device.stored,
      ),
    );
    setSignInCookie(c, device.secret);
    return c.json(account, 200);
  });

/** The throttle for the caller's network address, when the platform tells us the address. */
function addressThrottle(c: Context<AppEnv>) {
  const address = c.req.header('cf-connecting-ip');
  return address ? c.env.LOGIN_THROTTLE.getByName(`ip:${address}`) : null;
}
