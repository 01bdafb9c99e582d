/**
 * Free text (issue 9, item 11): every free-text field of the contract refuses control characters
 * and text-direction overrides, so `Admin\u202Egnp.exe` cannot pose as `Adminexe.png`; reasons and
 * notes keep their line breaks. (CSV quoting of semicolons: reports.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Api, createUser, problem, signedInUser, signup, uniqueEmail, type Reply } from './helpers';

const RLO = '\u202E';
/** Keys of a browser's push subscription (well-formed; nothing is sent: the request is refused). */
const PUSH_KEYS = {
  p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
  auth: 'tBHItJI5svbpez7KI4CCXg',
};

/** The field a free-text refusal names, after checking it is one. */
function refusedText(reply: Reply): string {
  const body = problem(reply, 400, 'validation_failed');
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].message).toMatch(/cannot contain control characters.*text-direction characters/);
  return body.errors[0].path;
}

describe('Free text', () => {
  it('every free-text field refuses control and text-direction characters, naming the field', async () => {
    const { admin, user } = await signup(3, { assignSeat: true });
    const holder = (await createUser(admin, { name: 'Holder', assignSeat: true })).user;
    const { api: tech } = await signedInUser(admin, { name: 'Asker' });
    const request = (await tech.post('/v1/seat-requests', { reason: 'Covering the help desk' })).body;
    const signupBody = { organization: 'Acme', name: 'Ada', email: uniqueEmail(), password: 'a long passphrase', seats: 1 };

    const fields = [
      refusedText(await new Api().post('/v1/signup', { ...signupBody, organization: `Acme${RLO}gnp.exe` })),
      refusedText(await new Api().post('/v1/signup', { ...signupBody, name: 'Ada\u0000' })),
      refusedText(await admin.post('/v1/users', { name: `Admin${RLO}gnp.exe`, email: uniqueEmail() })),
      refusedText(await admin.patch(`/v1/users/${holder.id}`, { name: 'Holder\u2066x\u2069' })),
      refusedText(await admin.patch('/v1/subscription', { name: 'Acme\u0085' })),
      refusedText(await admin.post('/v1/tokens', { name: 'ci\u0007' })),
      refusedText(await admin.post('/v1/console/sessions', { computer: `PC${RLO}` })),
      refusedText(await tech.post('/v1/seat-requests', { reason: `Need it\u202Dnow` })),
      refusedText(await admin.post(`/v1/seat-requests/${request.id}/decline`, { note: 'no\u001b[31m' })),
      refusedText(await admin.post(`/v1/seat-requests/${request.id}/approve`, { from: holder.id, note: `ok${RLO}` })),
      refusedText(await admin.get(`/v1/users?q=${encodeURIComponent(`x${RLO}`)}`)),
      refusedText(await admin.get(`/v1/audit?action=${encodeURIComponent('seat\u0000')}`)),
      refusedText(await admin.post('/v1/webhooks', { url: 'https://hooks.example.com/setme', description: `Billing${RLO}`, enabled: false })),
      refusedText(await admin.post('/v1/push-subscriptions', { endpoint: 'http://127.0.0.1:9/push/free-text', keys: PUSH_KEYS, device: 'Phone\u0000' })),
    ];
    expect(fields).toEqual(['organization', 'name', 'name', 'name', 'name', 'name', 'computer', 'reason', 'note', 'note', 'q', 'action', 'description', 'device']);
    expect((await admin.get(`/v1/users/${user.id}`)).body.name).toBe('Ada Admin');
    expect((await admin.get(`/v1/seat-requests?status=pending`)).body.items).toHaveLength(1);
  });

  it('reasons and notes keep their line breaks; names keep right-to-left marks', async () => {
    const { admin } = await signup(3);
    const { api: tech } = await signedInUser(admin, { name: 'Writer' });
    const asked = await tech.post('/v1/seat-requests', { reason: 'On call this weekend\r\nfor the Berlin office' });
    expect(asked.status).toBe(201);
    expect((await admin.post(`/v1/seat-requests/${asked.body.id}/decline`, { note: 'Not this week.\nAsk again on Monday.' })).status).toBe(200);
    const named = await admin.post('/v1/users', { name: 'דנה\u200F Cohen', email: uniqueEmail() });
    expect(named.status).toBe(201);
  });
});
