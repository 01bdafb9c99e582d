/**
 * `/users` (worker/http/routes/users.ts): users, their invitations, and their seats — give one
 * (optionally lent until a time), take it back, end a loan early. Every user a change answers
 * with is announced (answers.ts), so every screen showing them applies it.
 */
import type { CreatedUser, CreateUserBody, Invitation, Page, ReleaseQuery, SeatBody, User, UserListQuery, UserPatch } from '#contract';
import { announce, announceUsers } from '#lib/answers.ts';
import { request, segment } from './request.ts';

const user = (id: string) => `/users/${segment(id)}`;

/** Announces the user a change answered with, and answers it. */
function changed(answer: Promise<User>): Promise<User> {
  return answer.then((updated) => {
    announceUsers(updated);
    return updated;
  });
}

export const usersApi = {
  list: (query: UserListQuery) => request<Page<User>>('GET', '/users', undefined, query),
  get: (id: string) => request<User>('GET', user(id)),

  /** With `assignSeat` (the default) and no free seat: `no_seats_available`, and nothing is created. */
  create: (body: CreateUserBody) =>
    request<CreatedUser>('POST', '/users', body).then((created) => {
      announceUsers(created.user);
      return created;
    }),
  /** Renames, changes the role, deactivates (freeing the seat) or reactivates. */
  update: (id: string, patch: UserPatch) => changed(request<User>('PATCH', user(id), patch)),
  remove: (id: string) =>
    request<void>('DELETE', user(id)).then(() => announce({ kind: 'user-deleted', id })),
  /** A fresh invitation link; the one sent before stops working. */
  renewInvitation: (id: string) => request<Invitation>('POST', `${user(id)}/invitation`),

  /** Gives a seat, or on a holder sets its end: `until` lends it, null makes it permanent. */
  assignSeat: (id: string, body?: SeatBody) => changed(request<User>('PUT', `${user(id)}/seat`, body)),
  /** Takes a seat back; a connected holder keeps it until the moment `release` chooses. */
  unassignSeat: (id: string, release?: ReleaseQuery) => changed(request<User>('DELETE', `${user(id)}/seat`, undefined, release)),
  /** Ends a loan early: the seat goes back to whom it was lent from (or is freed). */
  returnSeat: (id: string, release?: ReleaseQuery) => changed(request<User>('POST', `${user(id)}/seat/return`, undefined, release)),
};
