import { describe, expect, it } from 'vitest';
import { elapse, MINUTE } from './clock';
import { createUser, problem, signedInUser, signup, type Api } from './helpers';

/** A full subscription (one seat, held by Hal) and two signed-in technicians without a seat. */
async function waitlist(seats = 1) {
  const home = await signup(seats);
  const holders = [];
  for (let i = 0; i < seats; i++) holders.push((await createUser(home.admin, { name: `Hal Holder ${i}`, assignSeat: true })).user);
  const ann = await signedInUser(home.admin, { name: 'Ann Asker' });
  const ben = await signedInUser(home.admin, { name: 'Ben Behind' });
  return { ...home, holder: holders[0]!, ann, ben, subscriptionId: home.subscription.id as string };
}

const ask = (api: Api, reason = 'Covering the weekend shift') => api.post('/v1/seat-requests', { reason });
const seatOf = async (admin: Api, id: string) => (await admin.get(`/v1/users/${id}`)).body.seat;

describe('Seat requests', () => {
  it('a technician without a seat asks with a reason and sees their place in the waitlist', async () => {
    const { admin, ann, ben } = await waitlist();
    const first = await ask(ann.api);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: expect.stringMatching(/^req_[a-z2-7]{20}$/),
      user: { id: ann.user.id, name: 'Ann Asker' },
      reason: 'Covering the weekend shift',
      status: 'pending',
      position: 1,
      decidedAt: null,
      decidedBy: null,
      note: null,
    });
    expect((await ask(ben.api, 'Also me')).body.position).toBe(2);

    expect((await ann.api.get('/v1/seat-requests')).body.items.map((r: any) => r.user.id)).toEqual([ann.user.id]);
    problem(await ann.api.get(`/v1/seat-requests?userId=${ben.user.id}`), 403, 'forbidden');
    const pending = await admin.get('/v1/seat-requests?status=pending');
    expect(pending.body.items.map((r: any) => [r.user.name, r.position])).toEqual([['Ann Asker', 1], ['Ben Behind', 2]]);
    const firstPage = await admin.get('/v1/seat-requests?limit=1');
    expect(firstPage.body.items.map((r: any) => r.user.name)).toEqual(['Ann Asker']);
    const secondPage = await admin.get(`/v1/seat-requests?limit=1&cursor=${firstPage.body.nextCursor}`);
    expect(secondPage.body).toMatchObject({ items: [{ user: { name: 'Ben Behind' } }], nextCursor: null });
    problem(await admin.get('/v1/seat-requests?cursor=nonsense'), 400, 'validation_failed');
    expect((await admin.get('/v1/audit?limit=1')).body.items[0]).toMatchObject({
      action: 'seat_request.created',
      details: { requestId: expect.any(String), reason: 'Also me' },
    });
  });

  it('one pending request at a time; seat holders have nothing to ask for', async () => {
    const { admin, ann } = await waitlist();
    const first = await ask(ann.api);
    const again = problem(await ask(ann.api, 'Please!'), 409, 'seat_request_pending');
    expect(again.requestId).toBe(first.body.id);
    expect(again.detail).toMatch(/Cancel that request first/);
    const { api: holderApi, user: holder } = await signedInUser(admin, { name: 'Has One', assignSeat: false });
    await admin.patch('/v1/subscription', { seats: 2 });
    await admin.put(`/v1/users/${holder.id}/seat`);
    expect(problem(await ask(holderApi), 409, 'seat_already_held').userId).toBe(holder.id);
    problem(await ann.api.post('/v1/seat-requests', { reason: '' }), 400, 'validation_failed');
    problem(await ann.api.post('/v1/seat-requests', { reason: 'x', urgent: true }), 400, 'validation_failed');
  });

  it('approving assigns a free seat, records who and why, and cannot be answered twice', async () => {
    const { admin, user: owner, ann } = await waitlist(1);
    await admin.patch('/v1/subscription', { seats: 2 });
    const request = (await ask(ann.api)).body;
    const approved = await admin.post(`/v1/seat-requests/${request.id}/approve`, { note: 'Enjoy' });
    expect(approved.status).toBe(200);
    expect(approved.body.request).toMatchObject({ status: 'approved', position: null, note: 'Enjoy', decidedBy: { id: owner.id }, decidedAt: expect.any(String) });
    expect(approved.body.user.seat).not.toBeNull();
    expect(approved.body.from).toBeNull();
    const log = (await admin.get('/v1/audit?limit=2')).body.items;
    expect(log.map((e: any) => e.action)).toEqual(['seat.assigned', 'seat_request.approved']);
    expect(log[0].details).toEqual({ requestId: request.id });

    const twice = problem(await admin.post(`/v1/seat-requests/${request.id}/approve`, {}), 409, 'seat_request_closed');
    expect(twice).toMatchObject({ requestId: request.id, requestStatus: 'approved' });
    problem(await admin.post(`/v1/seat-requests/${request.id}/decline`, {}), 409, 'seat_request_closed');
    expect((await ann.api.get('/v1/seat-requests')).body.items[0]).toMatchObject({ status: 'approved', note: 'Enjoy' });
  });

  it('with every seat taken, approving needs a transfer: the refusal lists the holders to take it from', async () => {
    const { admin, holder, ann } = await waitlist(1);
    const request = (await ask(ann.api)).body;
    const full = problem(await admin.post(`/v1/seat-requests/${request.id}/approve`, {}), 409, 'no_seats_available');
    expect(full.holders.map((h: any) => h.id)).toEqual([holder.id]);
    expect((await admin.get('/v1/seat-requests?status=pending')).body.items).toHaveLength(1);

    const until = new Date(Date.now() + 60 * MINUTE).toISOString();
    const moved = await admin.post(`/v1/seat-requests/${request.id}/approve`, { from: holder.id, until });
    expect(moved.status).toBe(200);
    expect(moved.body.from.seat).toBeNull();
    expect(moved.body.user.seat).toMatchObject({ loan: { until, returnsTo: { id: holder.id } } });
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ purchased: 1, assigned: 1 });
  });

  it('a transfer from a connected holder approves now and moves the seat when the grace period ends', async () => {
    const home = await signup(1);
    const { api: hal, user: holder } = await signedInUser(home.admin, { name: 'Hal', assignSeat: true });
    const ann = await signedInUser(home.admin, { name: 'Ann' });
    await hal.post('/v1/console/sessions', { computer: 'HAL-9000' });
    const request = (await ask(ann.api)).body;
    const approved = await home.admin.post(`/v1/seat-requests/${request.id}/approve`, { from: holder.id, onActiveSessions: 'grace', graceMinutes: 1 });
    expect(approved.body.request.status).toBe('approved');
    expect(approved.body.user.seat).toBeNull();
    expect(approved.body.from.seat.revocation).toMatchObject({ action: 'transfer', transferTo: { id: ann.user.id } });
    await elapse(home.subscription.id, 2 * MINUTE);
    expect(await seatOf(home.admin, ann.user.id)).not.toBeNull();
    expect(await seatOf(home.admin, holder.id)).toBeNull();
  });

  it('declining leaves a note the technician can read; technicians cannot answer requests', async () => {
    const { admin, ann, ben } = await waitlist();
    const request = (await ask(ann.api)).body;
    problem(await ben.api.post(`/v1/seat-requests/${request.id}/approve`, {}), 403, 'forbidden');
    problem(await ann.api.post(`/v1/seat-requests/${request.id}/decline`, {}), 403, 'forbidden');
    const declined = await admin.post(`/v1/seat-requests/${request.id}/decline`, { note: 'Use the shared seat on Fridays' });
    expect(declined.body).toMatchObject({ status: 'declined', note: 'Use the shared seat on Fridays', position: null });
    expect((await ann.api.get('/v1/seat-requests')).body.items[0].note).toBe('Use the shared seat on Fridays');
    expect((await admin.get('/v1/audit?limit=1')).body.items[0]).toMatchObject({ action: 'seat_request.declined', details: { note: 'Use the shared seat on Fridays' } });
    // Once answered, they may ask again.
    expect((await ask(ann.api, 'Second try')).status).toBe(201);
  });

  it('the requester can withdraw their request; others get 404', async () => {
    const { admin, ann, ben } = await waitlist();
    const request = (await ask(ann.api)).body;
    problem(await ben.api.delete(`/v1/seat-requests/${request.id}`), 404, 'not_found');
    expect((await ann.api.delete(`/v1/seat-requests/${request.id}`)).status).toBe(204);
    problem(await ann.api.delete(`/v1/seat-requests/${request.id}`), 409, 'seat_request_closed');
    expect((await admin.get(`/v1/seat-requests?status=cancelled`)).body.items.map((r: any) => r.id)).toEqual([request.id]);
    problem(await admin.post('/v1/seat-requests/req_aaaaaaaaaaaaaaaaaaaa/approve', {}), 404, 'not_found');
    const { admin: intruder } = await signup(1);
    problem(await intruder.post(`/v1/seat-requests/${request.id}/decline`, {}), 404, 'not_found');
  });

  it('a request ends when its user gets a seat some other way, or is deactivated', async () => {
    const { admin, ann, ben } = await waitlist(1);
    await admin.patch('/v1/subscription', { seats: 2 });
    const annRequest = (await ask(ann.api)).body;
    const benRequest = (await ask(ben.api)).body;
    await admin.put(`/v1/users/${ann.user.id}/seat`);
    await admin.patch(`/v1/users/${ben.user.id}`, { status: 'deactivated' });
    const all = (await admin.get('/v1/seat-requests')).body.items;
    expect(all.find((r: any) => r.id === annRequest.id)).toMatchObject({ status: 'approved' });
    expect(all.find((r: any) => r.id === benRequest.id)).toMatchObject({ status: 'cancelled' });
  });
});

describe('Giving freed seats to the waitlist automatically', () => {
  it('is off by default; once on, each freed seat goes to the oldest pending request', async () => {
    const { admin, holder, ann, ben, subscriptionId } = await waitlist(1);
    expect((await admin.get('/v1/subscription')).body.autoAssignRequests).toBe(false);
    await ask(ann.api);
    await ask(ben.api);
    const on = await admin.patch('/v1/subscription', { autoAssignRequests: true });
    expect(on.body.autoAssignRequests).toBe(true);
    expect((await admin.get('/v1/audit?limit=1')).body.items[0].details).toEqual({ autoAssignRequests: { from: false, to: true } });

    // Freed by an administrator: Ann, the oldest, gets it at once.
    expect((await admin.delete(`/v1/users/${holder.id}/seat`)).body.seat).toBeNull();
    expect(await seatOf(admin, ann.user.id)).not.toBeNull();
    expect((await admin.get('/v1/subscription')).body.seats).toMatchObject({ assigned: 1, available: 0 });
    const annRequest = (await ann.api.get('/v1/seat-requests')).body.items[0];
    expect(annRequest).toMatchObject({ status: 'approved', decidedBy: null });
    expect((await ben.api.get('/v1/seat-requests')).body.items[0]).toMatchObject({ status: 'pending', position: 1 });

    // Freed by a loan ending (the alarm): Ben gets it.
    await admin.patch(`/v1/users/${ann.user.id}`, { name: 'Ann Asker' });
    await admin.put(`/v1/users/${ann.user.id}/seat`, { until: new Date(Date.now() + 10 * MINUTE).toISOString() });
    await elapse(subscriptionId, 11 * MINUTE);
    expect(await seatOf(admin, ben.user.id)).not.toBeNull();
    expect(await seatOf(admin, ann.user.id)).toBeNull();
    const log = (await admin.get('/v1/audit?limit=3')).body.items;
    expect(log.map((e: any) => [e.action, e.actor])).toEqual([
      ['seat.assigned', null],
      ['seat_request.approved', null],
      ['seat.loan_ended', null],
    ]);
    expect(log[0].details).toMatchObject({ automatic: true });
  });

  it('a request made while a seat is free is approved at once, and more seats serve more requests', async () => {
    const { admin, ann, ben } = await waitlist(1);
    await admin.patch('/v1/subscription', { autoAssignRequests: true });
    await ask(ben.api);
    expect((await admin.patch('/v1/subscription', { seats: 2 })).body.seats).toMatchObject({ assigned: 2, available: 0 });
    expect(await seatOf(admin, ben.user.id)).not.toBeNull();
    await admin.patch('/v1/subscription', { seats: 3 });
    const instant = await ask(ann.api);
    expect(instant.status).toBe(201);
    expect(instant.body).toMatchObject({ status: 'approved', position: null });
    expect(await seatOf(admin, ann.user.id)).not.toBeNull();
  });
});
