/**
 * The signed-in user's own security: their devices (signed-in browsers and apps), their password,
 * their passkeys.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { hashPassword, hashPasswordLike } from '../../crypto';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { requireAllowedPassword } from '../password-policy';
import { ProblemError } from '../problem';
import { unwrapReply } from '../reply';
import {
  Device,
  IdParams,
  pageOf,
  Passkey,
  PasskeyRegistrationBody,
  PasswordChangeBody,
  PasswordChanged,
  SignedOut,
  WebAuthnOptions,
} from '../../contract';
import {
  CHALLENGE_MS,
  challengeOf,
  checkChallenge,
  encodeKey,
  issueChallenge,
  PASSKEY_NOT_REGISTERED,
  PASSKEY_REQUEST_EXPIRED,
  relyingParty,
  userHandle,
} from '../webauthn';
import type { Context } from 'hono';


const listDevices = signedInRoute({
  method: 'get', path: '/devices', tags: ['Security'],
  summary: 'Your signed-in devices', responses: { 200: json(pageOf(Device), 'Devices'), ...problems() },
});
const signOutDevice = signedInRoute({
  method: 'delete', path: '/devices/{id}', tags: ['Security'], request: { params: IdParams },
  summary: 'Sign one of your devices out', responses: { 204: { description: 'Signed out' }, ...problems('not_found') },
});
const signOutOthers = signedInRoute({
  method: 'post', path: '/devices/sign-out-others', tags: ['Security'],
  summary: 'Sign out every other device', responses: { 200: json(SignedOut, 'How many were signed out'), ...problems() },
});
const changePassword = signedInRoute({
  method: 'post', path: '/me/password', tags: ['Security'], request: { body: jsonBody(PasswordChangeBody) },
  summary: 'Change your password (your other devices are signed out; your tokens and passkeys too if you ask)',
  description:
    'The new password must not be a common one nor contain your name or email (400 `validation_failed` on ' +
    '`newPassword`). Wrong current passwords are throttled like sign-in: 10 in 15 minutes, then 429 `rate_limited` ' +
    'with `Retry-After`.',
  responses: { 200: json(PasswordChanged, 'Changed: what was removed'), ...problems('invalid_credentials', 'rate_limited') },
});
const registrationOptions = signedInRoute({
  method: 'post', path: '/passkeys/registration-options', tags: ['Security'],
  summary: 'Start registering a passkey: options for navigator.credentials.create()',
  description: 'Needs a sign-in within the last 10 minutes: otherwise 403 `reauthentication_required` (POST /me/reauthenticate).',
  responses: { 200: json(WebAuthnOptions, 'PublicKeyCredentialCreationOptionsJSON'), ...problems('reauthentication_required') },
});
const addPasskey = signedInRoute({
  method: 'post', path: '/passkeys', tags: ['Security'], request: { body: jsonBody(PasskeyRegistrationBody) },
  summary: 'Finish registering a passkey', responses: { 201: json(Passkey, 'The passkey'), ...problems('reauthentication_required', 'passkey_expired') },
});
const listPasskeys = signedInRoute({
  method: 'get', path: '/passkeys', tags: ['Security'],
  summary: 'Your passkeys', responses: { 200: json(pageOf(Passkey), 'Passkeys'), ...problems() },
});
const deletePasskey = signedInRoute({
  method: 'delete', path: '/passkeys/{id}', tags: ['Security'], request: { params: IdParams },
  summary: 'Remove a passkey', responses: { 204: { description: 'Removed' }, ...problems('not_found') },
});

export const security = new OpenAPIHono<AppEnv>()
  .openapi(listDevices, async (c) => c.json(unwrapReply(c, await c.var.subscription.listDevices(c.var.call)), 200))
  .openapi(signOutDevice, async (c) => {
    unwrapReply(c, await c.var.subscription.signOutDevice(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  })
  .openapi(signOutOthers, async (c) => c.json(unwrapReply(c, await c.var.subscription.signOutOtherDevices(c.var.call)), 200))
  .openapi(changePassword, async (c) => {
    const { currentPassword, newPassword, revokeApiTokens, removePasskeys } = c.req.valid('json');
    // Only the change carries the Idempotency-Key: its answer is what a retry replays.
    const own = unwrapReply(c, await c.var.subscription.ownPassword({ credential: c.var.call.credential }));
    if (!own.stored) throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    await requireAllowedPassword(newPassword, own, 'newPassword');
    // The object compares the current password (throttled) in the transaction that changes it.
    const [current, password] = await Promise.all([hashPasswordLike(currentPassword, own.stored), hashPassword(newPassword)]);
    const change = { current, password, revokeApiTokens, removePasskeys };
    return c.json(unwrapReply(c, await c.var.subscription.changePassword(c.var.call, change)), 200);
  })
  .openapi(registrationOptions, async (c) => {
    const owner = unwrapReply(c, await c.var.subscription.passkeyOwner(c.var.call));
    const { rpName, rpID } = relyingParty(c);
    const options = await generateRegistrationOptions({
      rpName,
      rpID,
      userName: owner.email,
      userDisplayName: owner.name,
      userID: await userHandle(c.env, c.var.subscriptionId, owner.userId),
      challenge: await issueChallenge(c.env, 'registration', registrant(c)),
      timeout: CHALLENGE_MS,
      attestationType: 'none',
      excludeCredentials: owner.passkeyIds.map((id) => ({ id })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    return c.json(options, 200);
  })
  .openapi(addPasskey, async (c) => {
    const { name, response } = c.req.valid('json');
    const challenge = challengeOf(response);
    const issued = await checkChallenge(c.env, challenge, 'registration', registrant(c));
    if (!challenge || !issued) throw new ProblemError(PASSKEY_REQUEST_EXPIRED);
    const { rpID, origin } = relyingParty(c);
    const verification = await verifyRegistrationResponse({
      // The envelope is validated above; the library checks every cryptographic field inside it.
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    }).catch(() => ({ verified: false as const, registrationInfo: undefined }));
    if (!verification.verified || !verification.registrationInfo) throw new ProblemError(PASSKEY_NOT_REGISTERED);
    const { credential } = verification.registrationInfo;
    const passkey = { id: credential.id, name, publicKey: encodeKey(credential.publicKey), counter: credential.counter, transports: credential.transports ?? [] };
    const all = unwrapReply(c, await c.var.subscription.addPasskey(c.var.call, passkey, issued));
    return c.json(all.find((p) => p.id === credential.id)!, 201);
  })
  .openapi(listPasskeys, async (c) => c.json(unwrapReply(c, await c.var.subscription.listPasskeys(c.var.call)), 200))
  .openapi(deletePasskey, async (c) => {
    unwrapReply(c, await c.var.subscription.deletePasskey(c.var.call, c.req.valid('param').id));
    return c.body(null, 204);
  });

/**
 * Whom a registration challenge is for: the caller's subscription and credential (the device or
 * token that asked for the options), so no one else can answer it.
 */
const registrant = (c: Context<AppEnv>) => `${c.var.subscriptionId}\n${c.var.call.credential.hash}`;
