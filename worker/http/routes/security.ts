/**
 * The signed-in user's own security: their devices (sessions), their password, their passkeys.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { hashPassword, verifyPassword } from '../../crypto';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedIn } from '../openapi';
import { ProblemError, unwrap } from '../problem';
import { pageOf } from '../schemas';
import { encodeKey, keepChallenge, relyingParty, takeChallenge, userHandle } from '../webauthn';

const timestamp = z.string().openapi({ format: 'date-time' });
const SessionSchema = z
  .object({ id: z.string(), userAgent: z.string().nullable(), createdAt: timestamp, lastSeenAt: timestamp, current: z.boolean() })
  .openapi('Session');
const PasskeySchema = z
  .object({ id: z.string(), name: z.string(), createdAt: timestamp, lastUsedAt: timestamp.nullable() })
  .openapi('Passkey');
const IdParams = z.object({ id: z.string().max(200).openapi({ param: { name: 'id', in: 'path' } }) });
const PasswordChange = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(10, 'Passwords need at least 10 characters.').max(256) })
  .strict();
const PasskeyRegistration = z
  .object({
    name: z.string().trim().min(1).max(60).default('Passkey'),
    response: z.object({ id: z.string(), rawId: z.string(), type: z.literal('public-key'), response: z.looseObject({}) }).loose(),
  })
  .strict();

const listSessions = createRoute({
  method: 'get', path: '/sessions', tags: ['Security'], security: signedIn,
  summary: 'Your signed-in devices', responses: { 200: json(pageOf(SessionSchema), 'Sessions'), ...problems('unauthenticated') },
});
const endSession = createRoute({
  method: 'delete', path: '/sessions/{id}', tags: ['Security'], security: signedIn, request: { params: IdParams },
  summary: 'Sign one of your devices out', responses: { 204: { description: 'Signed out' }, ...problems('unauthenticated', 'not_found') },
});
const endOthers = createRoute({
  method: 'post', path: '/sessions/sign-out-others', tags: ['Security'], security: signedIn,
  summary: 'Sign out every other device', responses: { 200: json(z.object({ ended: z.number().int() }), 'How many were signed out'), ...problems('unauthenticated') },
});
const changePassword = createRoute({
  method: 'post', path: '/me/password', tags: ['Security'], security: signedIn, request: { body: jsonBody(PasswordChange) },
  summary: 'Change your password (your other devices are signed out)',
  responses: { 204: { description: 'Changed' }, ...problems('unauthenticated', 'invalid_credentials') },
});
const registrationOptions = createRoute({
  method: 'post', path: '/passkeys/registration-options', tags: ['Security'], security: signedIn,
  summary: 'Start registering a passkey: options for navigator.credentials.create()',
  responses: { 200: json(z.looseObject({}), 'PublicKeyCredentialCreationOptionsJSON'), ...problems('unauthenticated') },
});
const addPasskey = createRoute({
  method: 'post', path: '/passkeys', tags: ['Security'], security: signedIn, request: { body: jsonBody(PasskeyRegistration) },
  summary: 'Finish registering a passkey', responses: { 201: json(PasskeySchema, 'The passkey'), ...problems('unauthenticated') },
});
const listPasskeys = createRoute({
  method: 'get', path: '/passkeys', tags: ['Security'], security: signedIn,
  summary: 'Your passkeys', responses: { 200: json(pageOf(PasskeySchema), 'Passkeys'), ...problems('unauthenticated') },
});
const deletePasskey = createRoute({
  method: 'delete', path: '/passkeys/{id}', tags: ['Security'], security: signedIn, request: { params: IdParams },
  summary: 'Remove a passkey', responses: { 204: { description: 'Removed' }, ...problems('unauthenticated', 'not_found') },
});

export const security = new OpenAPIHono<AppEnv>()
  .openapi(listSessions, async (c) => c.json(unwrap(await c.var.subscription.listSessions(c.var.credential)), 200))
  .openapi(endSession, async (c) => {
    unwrap(await c.var.subscription.endSession(c.var.credential, c.req.valid('param').id));
    return c.body(null, 204);
  })
  .openapi(endOthers, async (c) => c.json(unwrap(await c.var.subscription.endOtherSessions(c.var.credential)), 200))
  .openapi(changePassword, async (c) => {
    const { currentPassword, newPassword } = c.req.valid('json');
    const stored = unwrap(await c.var.subscription.ownPassword(c.var.credential));
    if (!stored || !(await verifyPassword(currentPassword, stored))) {
      throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    }
    unwrap(await c.var.subscription.changePassword(c.var.credential, await hashPassword(newPassword)));
    return c.body(null, 204);
  })
  .openapi(registrationOptions, async (c) => {
    const owner = unwrap(await c.var.subscription.passkeyOwner(c.var.credential));
    const { rpName, rpID } = relyingParty(c);
    const options = await generateRegistrationOptions({
      rpName,
      rpID,
      userName: owner.email,
      userDisplayName: owner.name,
      userID: userHandle(c.var.subscriptionId, owner.userId),
      attestationType: 'none',
      excludeCredentials: owner.passkeyIds.map((id) => ({ id })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    keepChallenge(c, options.challenge);
    return c.json(options, 200);
  })
  .openapi(addPasskey, async (c) => {
    const { name, response } = c.req.valid('json');
    const { rpID, origin } = relyingParty(c);
    const verification = await verifyRegistrationResponse({
      // The envelope is validated above; the library checks every cryptographic field inside it.
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: takeChallenge(c),
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    }).catch((error: unknown) => {
      throw new ProblemError({ ok: false, code: 'validation_failed', detail: `The passkey could not be verified: ${String(error)}` });
    });
    if (!verification.verified) {
      throw new ProblemError({ ok: false, code: 'validation_failed', detail: 'The passkey could not be verified.' });
    }
    const { credential } = verification.registrationInfo;
    const passkey = { id: credential.id, name, publicKey: encodeKey(credential.publicKey), counter: credential.counter, transports: credential.transports ?? [] };
    const all = unwrap(await c.var.subscription.addPasskey(c.var.credential, passkey));
    return c.json(all.find((p) => p.id === credential.id)!, 201);
  })
  .openapi(listPasskeys, async (c) => c.json(unwrap(await c.var.subscription.listPasskeys(c.var.credential)), 200))
  .openapi(deletePasskey, async (c) => {
    unwrap(await c.var.subscription.deletePasskey(c.var.credential, c.req.valid('param').id));
    return c.body(null, 204);
  });
