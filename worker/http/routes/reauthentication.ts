/**
 * Confirming it is you: creating an API token or a passkey needs a sign-in within the last 10
 * minutes, and a device (or token) signed in longer ago proves it again here, with the password or
 * one of the user's passkeys. Hashing and WebAuthn verification run here in the Worker; the object
 * compares, throttles and records.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type AuthenticatorTransport } from '@simplewebauthn/server';
import { hashPasswordLike } from '../../crypto';
import type { AppEnv } from '../context';
import { json, jsonBody, problems, signedInRoute } from '../openapi';
import { ProblemError } from '../problem';
import { unwrapReply } from '../reply';
import { ReauthenticateBody, Reauthenticated } from '../../contract';
import { decodeKey, relyingParty, takeChallenge } from '../webauthn';

const reauthenticateRoute = signedInRoute({
  method: 'post',
  path: '/me/reauthenticate',
  tags: ['Security'],
  summary: 'Confirm it is you (password or passkey): creating tokens and passkeys is allowed for 10 minutes',
  description:
    'For a passkey, get a challenge from POST /auth/passkey-options first and send the assertion as `passkey`. ' +
    'Wrong passwords are throttled like sign-in: 10 in 15 minutes, then 429 `rate_limited` with `Retry-After`.',
  request: { body: jsonBody(ReauthenticateBody) },
  responses: { 200: json(Reauthenticated, 'Confirmed'), ...problems('invalid_credentials', 'rate_limited') },
});

export const reauthentication = new OpenAPIHono<AppEnv>().openapi(reauthenticateRoute, async (c) => {
  const { password, passkey } = c.req.valid('json');
  const { subscription, call } = c.var;
  // Only the last call carries the Idempotency-Key: its answer is what a retry replays.
  const reading = { credential: call.credential };
  if (password !== undefined) {
    const own = unwrapReply(c, await subscription.ownPassword(reading));
    if (!own.stored) throw new ProblemError({ ok: false, code: 'invalid_credentials' });
    const hashed = await hashPasswordLike(password, own.stored);
    return c.json(unwrapReply(c, await subscription.reauthenticate(call, { password: hashed })), 200);
  }
  const response = passkey!;
  const expectedChallenge = takeChallenge(c);
  const stored = unwrapReply(c, await subscription.ownPasskey(reading, response.id));
  if (!stored) throw new ProblemError({ ok: false, code: 'invalid_credentials' });
  const { rpID, origin } = relyingParty(c);
  const verification = await verifyAuthenticationResponse({
    // The envelope is validated by the schema; the library checks every cryptographic field inside it.
    response: response as unknown as AuthenticationResponseJSON,
    expectedChallenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential: { id: stored.id, publicKey: decodeKey(stored.publicKey), counter: stored.counter, transports: stored.transports as AuthenticatorTransport[] },
    requireUserVerification: true,
  }).catch(() => ({ verified: false as const, authenticationInfo: null }));
  if (!verification.verified || !verification.authenticationInfo) throw new ProblemError({ ok: false, code: 'invalid_credentials' });
  const proof = { passkey: { credentialId: stored.id, counter: verification.authenticationInfo.newCounter } };
  return c.json(unwrapReply(c, await subscription.reauthenticate(call, proof)), 200);
});
