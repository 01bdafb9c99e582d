/**
 * Errors of the SCIM service: every refusal under /scim/v2 — bad credentials, unknown routes,
 * malformed JSON, invalid filters, refusals from the subscription — is a SCIM Error
 * (RFC 7644 §3.12, `application/scim+json`, `status` as a string), never an RFC 9457 problem.
 */
import { SCIM_SCHEMAS, type ScimError } from '../../contract';
import type { Failure } from '../../domain/result';
import { statusOf } from '../problem';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** A SCIM error on its way to the SCIM app's `onError`. */
export class ScimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }

  toResponse(): Response {
    const body: ScimError = { schemas: [SCIM_SCHEMAS.error], status: String(this.status), ...(this.scimType ? { scimType: this.scimType } : {}), detail: this.detail };
    const headers = new Headers({ 'content-type': SCIM_CONTENT_TYPE });
    if (this.status === 401) headers.set('www-authenticate', 'Bearer realm="setme-scim"');
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

/** The SCIM error for a refusal of the subscription: its status, its sentence, and the scimType a directory acts on. */
export function scimErrorOf(failure: Failure): ScimHttpError {
  switch (failure.code) {
    case 'validation_failed':
      return new ScimHttpError(400, failure.detail, 'invalidValue');
    case 'email_taken':
      return new ScimHttpError(409, `Another user already signs in with ${failure.email}.`, 'uniqueness');
    case 'already_exists':
      return new ScimHttpError(409, failure.detail, 'uniqueness');
    case 'invalid_credentials':
      return new ScimHttpError(401, 'The credentials are not valid.');
    case 'no_seats_available':
      // Never for a directory: group members without a free seat wait for one instead.
      return new ScimHttpError(409, 'No seat is free.');
    case 'seats_in_use':
      return new ScimHttpError(409, 'Seats are in use.');
    default:
      return new ScimHttpError(statusOf(failure.code), 'detail' in failure && failure.detail ? failure.detail : failure.code);
  }
}
