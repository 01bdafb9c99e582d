/**
 * The API contract: every shape that crosses the wire, as zod schemas. The Worker validates
 * requests and generates the OpenAPI document from them; the Worker's views and the app's types
 * are their `z.infer` (answers) and `z.input` (requests), imported as types. Nothing else defines
 * what the API answers or accepts. This module imports only zod.
 *
 * @example
 * import type { User } from '#contract';              // in the app
 * import { User, CreateUserBody } from '../contract'; // in the Worker
 */
export * from './common';
export * from './users';
export * from './account';
export * from './console';
export * from './seat-requests';
export * from './reports';
export * from './token-admin';
export * from './groups';
export * from './scim';
export * from './notifications';
export * from './demo';
export * from './schedules';
export * from './idle-reclaim';
export * from './pools';
