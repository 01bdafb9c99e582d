/**
 * Signing in and out, password resets and accepting an invitation: the routes that sign a device
 * in (signing up is in signup.ts). Password hashing happens here in the Worker, never inside a
 * Subscription object, so a slow PBKDF2 does not hold up the subscription's other requests.
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
import type { AppEnv } from '../context';
import { clearSignInCookie, newDevice, sameOrigin, setSignInCookie } from '../auth';
import { publicOrigin, secretKeys } from '../config';
import { deviceSecretOf, sessionCookieOf } from '../device-cookies';
import { json, jsonBody, problems, signedInRoute, signInRoute } from '../openapi';
import { requireAllowedPassword } from '../password-policy';
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
  RecoveredAccount,
  SignOutProofBody,
  WebAuthnOptions,
} from '../../contract';
import { PASSKEY_NOT_ACCEPTED } from '../../objects/security';
import { beginPasswordCheck, countMail } from '../throttle';
import {
  CHALLENGE_MS,
  challengeOf,
  checkChallenge,
  decodeKey,
  issueChallenge,
  PASSKEY_BEFORE_SIGNED_HANDLES,
  PASSKEY_NOT_VERIFIED,
  PASSKEY_REQUEST_EXPIRED,
  parseUserHandle,
  relyingParty,
} from '../webauthn';

/** Checked against when the email is unknown, so both answers take about as long. */
const DECOY = { hash: '0'.repeat(64), salt: 'decoy-salt-0000000000000000000000', iterations: 100_000 };

const login = signInRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['Account'],
  summary: 'Sign in with email and password; sets the sign-in cookie',
  description:
    'An Idempotency-Key is ignored here: a retry signs in again, as another device (each answer sets its own cookie; ' +
    'the earlier device can be signed out from GET /devices). Every attempt counts as failed until it succeeds: ' +
    '10 failures in 15 minutes per email and client address, 50 in an hour per email from addresses that have not ' +
    'signed in to it lately, and 30 in 15 minutes per client address, then 429 `rate_limited` with Retry-After. ' +
    'Unknown emails, wrong passwords and deactivated accounts all get the same 401 `invalid_credentials`.',
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: json(Account, 'Signed in'),
    ...problems('invalid_credentials', 'rate_limited'),
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

const acceptInvitation = signInRoute({
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
  description:
    'The mail goes out after the answer. A retry sends a new link, which replaces the previous one (an Idempotency-Key ' +
    'is ignored here). At most 5 mails per hour go to one address (sign-up mail included) and 20 per hour are sent for ' +
    'one client address (429 `rate_limited`), whether or not the email has an account.',
  request: { body: jsonBody(PasswordResetBody) },
  responses: { 202: json(Notice, 'A link is on its way if the account exists'), ...problems('rate_limited') },
});

const confirmReset = signInRoute({
  method: 'post',
  path: '/auth/password-reset/confirm',
  tags: ['Account'],
  summary: 'Set a new password from a reset link (once, within 30 minutes); everything else is removed',
  description:
    'Evicts whoever else got in: every device is signed out, every API token revoked and every passkey removed; ' +
    'the answer says how many of each (`removed`, and `detail` as a sentence). The password must not be a common ' +
    'one nor contain the name or email (400 `validation_failed`). A reset link works once; an Idempotency-Key is ' +
    'ignored here. A retry after a lost answer gets 400 `invitation_invalid`: the new password is set, so sign in with it.',
  request: { body: jsonBody(PasswordResetConfirmBody) },
  responses: { 200: json(RecoveredAccount, 'Signed in with the new password; what was removed'), ...problems('invitation_invalid') },
});

const passkeyOptions = createRoute({
  method: 'post',
  path: '/auth/passkey-options',
  tags: ['Account'],
  summary: 'Start signing in with a passkey: options for navigator.credentials.get()',
  responses: { 200: json(WebAuthnOptions, 'PublicKeyCredentialRequestOptionsJSON'), ...problems() },
});

const passkeyLogin = signInRoute({
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
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid('json');
    // Counted as failed from here until it succeeds, or refused: the same for any email.
    const check = await beginPasswordCheck(c, email);
    const subscription = check.subscriptionId ? c.env.SUBSCRIPTION.getByName(check.subscriptionId) : null;
    // Known and unknown emails make the same calls: the subscription's stored password, or the index's nothing.
    const stored = subscription ? unwrap(await subscription.passwordFor(email)) : await c.env.EMAIL_INDEX.getByName(email).noPassword();
    const matched = await verifyPassword(password, stored ?? DECOY);
    if (!check.subscriptionId || !subscription || !stored || !matched) throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    const device = await newDevice(c, check.subscriptionId);
    const signedInAccount = unwrapReply(c, await subscription.completeLogin(stored.userId, device.stored));
    await check.succeeded();
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
    const parsed = session ? await parseSecret(await secretKeys(c.env), session) : null;
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
    const parsed = await parseSecret(await secretKeys(c.env), token);
    if (!parsed) {
      throw new ProblemError({ ok: false, code: 'invitation_invalid', detail: 'This is not an invitation link of ours.' });
    }
    const subscription = c.env.SUBSCRIPTION.getByName(parsed.subscriptionId);
    const invitationHash = await sha256(token);
    await requireAllowedPassword(password, unwrap(await subscription.passwordLinkOwner('invitation', invitationHash)));
    const device = await newDevice(c, parsed.subscriptionId);
    const accepted = unwrapReply(c, await subscription.acceptInvitation(invitationHash, await hashPassword(password), device.stored));
    setSignInCookie(c, device.secret);
    return c.json(accepted, 200);
  })
  .openapi(requestReset, async (c) => {
    const { email } = c.req.valid('json');
    await countMail(c, email);
    // Whether the email has an account decides only what happens after the answer.
    c.executionCtx.waitUntil(mailPasswordReset(c.env, email).catch((error: unknown) => console.error('reset mail failed', error)));
    return c.json({ detail: `If an account uses ${email}, a reset link is on its way. It works for ${RESET_MINUTES} minutes.` }, 202);
  })
  .openapi(confirmReset, async (c) => {
    const { token, password } = c.req.valid('json');
    const parsed = await parseSecret(await secretKeys(c.env), token);
    if (!parsed) {
      throw new ProblemError({ ok: false, code: 'invitation_invalid', detail: 'This is not a password reset link of ours.' });
    }
    const subscription = c.env.SUBSCRIPTION.getByName(parsed.subscriptionId);
    const resetHash = await sha256(token);
    await requireAllowedPassword(password, unwrap(await subscription.passwordLinkOwner('reset', resetHash)));
    const device = await newDevice(c, parsed.subscriptionId);
    const recovered = unwrapReply(c, await subscription.completePasswordReset(resetHash, await hashPassword(password), device.stored));
    setSignInCookie(c, device.secret);
    return c.json(recovered, 200);
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
    const handle = await parseUserHandle(c.env, response.response.userHandle);
    if (handle === 'unsigned') throw new ProblemError({ ok: false, code: 'passkey_invalid', detail: PASSKEY_BEFORE_SIGNED_HANDLES });
    const owner = handle;
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
    const account = unwrapReply(
      c,
      await subscription.completePasskeyLogin(
        { userId: owner.userId, credentialId: stored.id, counter: verification.authenticationInfo.newCounter, challenge: issued },
        device.stored,
      ),
    );
    setSignInCookie(c, device.secret);
    return c.json(account, 200);
  });

/**
 * Mails a reset link on this deployment's public origin to the active user with this email, if
 * there is one. An unknown email makes the same calls (a link for no one, and the index's
 * `noPassword` where a known one asks its subscription): this runs after the answer, but in the
 * same isolate, so unequal work could still show in the timing of what comes next.
 */
async function mailPasswordReset(env: Env, email: string): Promise<void> {
  const index = env.EMAIL_INDEX.getByName(email);
  const subscriptionId = await index.lookup();
  const token = await newSecret(await secretKeys(env), subscriptionId ?? newId('sub'));
  const tokenHash = await sha256(token);
  if (!subscriptionId) {
    await index.noPassword();
    return;
  }
  const started = unwrap(await env.SUBSCRIPTION.getByName(subscriptionId).startPasswordReset(email, tokenHash));
  if (!started) return;
  await mailerFor(env).send({
    to: started.email,
    subject: 'Reset your SetMe Seats password',
    text:
      `Hello ${started.name},\n\nSomeone (hopefully you) asked to reset your SetMe Seats password. ` +
      `Open this link within ${RESET_MINUTES} minutes to choose a new one:\n\n${publicOrigin(env)}/reset-password#token=${token}\n\n` +
      `If it was not you, ignore this message: your password stays as it is.`,
  });
}
