/**
 * The password policy (issue 9, item 12): every way of setting a password refuses a common one
 * (the list of @zxcvbn-ts/language-common, also dressed with digits and symbols) and one that
 * contains the person's name or email, as `validation_failed` with a sentence on the field.
 */
import { describe, expect, it } from 'vitest';
import { outbox } from '../../worker/mail';
import { Api, createUser, mailTo, PASSWORD, problem, resetToken, signup, uniqueEmail, type Reply } from './helpers';

/** The field error of a refusal by the password policy. */
function refusedPassword(reply: Reply, field = 'password'): string {
  const body = problem(reply, 400, 'validation_failed');
  expect(body.errors).toEqual([{ path: field, message: expect.any(String) }]);
  return body.errors[0].message;
}

const COMMON = /most used ones/;
const PERSONAL = /does not contain your name or your email/;

describe('Password policy', () => {
  it('sign-up refuses a common password, one dressed up with digits and symbols, and one containing the name or email', async () => {
    const email = uniqueEmail('grace');
    const body = { organization: 'Acme', name: 'Grace Hopper', email, seats: 2 };
    expect(refusedPassword(await new Api().post('/v1/signup', { ...body, password: 'password1234' }))).toMatch(COMMON);
    expect(refusedPassword(await new Api().post('/v1/signup', { ...body, password: 'Summer2024!!' }))).toMatch(COMMON);
    expect(refusedPassword(await new Api().post('/v1/signup', { ...body, password: 'QWERTYUIOP' }))).toMatch(COMMON);
    expect(refusedPassword(await new Api().post('/v1/signup', { ...body, password: 'grace hopper 1906' }))).toMatch(PERSONAL);
    expect(refusedPassword(await new Api().post('/v1/signup', { ...body, password: `my ${email}` }))).toMatch(PERSONAL);
    expect(refusedPassword(await new Api().post('/v1/signup', { ...body, password: 'the hopper of the bugs' }))).toMatch(PERSONAL);
    problem(await new Api().post('/v1/signup', { ...body, password: 'short1' }), 400, 'validation_failed');
    // A good password is accepted: the confirmation mail goes out (the subscription comes with the link).
    expect((await new Api().post('/v1/signup', { ...body, password: PASSWORD })).status).toBe(202);
  });

  it('accepting an invitation and a reset link refuse them too, and the link still works afterwards', async () => {
    const { admin } = await signup();
    const { user, invitation } = await createUser(admin, { name: 'Lena Fischer' });
    expect(refusedPassword(await new Api().post('/v1/invitations/accept', { token: invitation.token, password: 'iloveyou1234' }))).toMatch(COMMON);
    expect(refusedPassword(await new Api().post('/v1/invitations/accept', { token: invitation.token, password: 'LenaFischer!!' }))).toMatch(PERSONAL);
    expect((await new Api().post('/v1/invitations/accept', { token: invitation.token, password: PASSWORD })).status).toBe(200);

    const seen = new Set(outbox);
    await new Api().post('/v1/auth/password-reset', { email: user.email });
    const token = resetToken(await mailTo(user.email, seen));
    expect(refusedPassword(await new Api().post('/v1/auth/password-reset/confirm', { token, password: 'football2024' }))).toMatch(COMMON);
    expect((await new Api().post('/v1/auth/password-reset/confirm', { token, password: 'ferns by the river' })).status).toBe(200);
  });

  it('a password change refuses them on newPassword, before anything changes', async () => {
    const { admin, user } = await signup(2, { name: 'Ada Lovelace' });
    const change = (newPassword: string) => admin.post('/v1/me/password', { currentPassword: PASSWORD, newPassword });
    expect(refusedPassword(await change('1234567890'), 'newPassword')).toMatch(COMMON);
    expect(refusedPassword(await change('lovelace engine'), 'newPassword')).toMatch(PERSONAL);
    expect((await new Api().post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);
    expect((await change('analytical engine notes')).status).toBe(200);
  });
});
