import { describe, expect, it } from 'vitest';
import { allUsers, createUser, problem, signup } from './helpers';

describe("The announcement's example", () => {
  it('6 seats, 9 users: only 6 can hold a seat, and a seat is reassigned with a couple of clicks', async () => {
    // "You have purchased 6 seats and created 9 users."
    const { admin, user: owner } = await signup(6, { assignSeat: false });
    const techs = [];
    for (let i = 1; i <= 6; i++) techs.push((await createUser(admin, { name: `Tech ${i}`, assignSeat: true })).user);

    // The "Assign seat" checkbox is checked by default: with all 6 seats taken, a 7th user with the
    // default is refused and nothing is created...
    const refused = await admin.post('/v1/users', { name: 'Tech 7', email: 'tech7@example.com', role: 'technician' });
    const body = problem(refused, 409, 'no_seats_available');
    expect(body.seats).toEqual({ purchased: 6, assigned: 6, available: 0 });
    expect(body.holders.map((h: { id: string }) => h.id).sort()).toEqual(techs.map((t) => t.id).sort());
    expect((await allUsers(admin)).map((u) => u.name)).not.toContain('Tech 7');

    // ...unchecking the box creates users who keep the web portal but cannot connect.
    const seatless = [];
    for (let i = 7; i <= 8; i++) seatless.push((await createUser(admin, { name: `Tech ${i}`, assignSeat: false })).user);
    const everyone = await allUsers(admin);
    expect(everyone).toHaveLength(9);
    expect(everyone.filter((u) => u.seat)).toHaveLength(6);
    expect((await admin.get('/v1/users?seat=unassigned')).body.items.map((u: { id: string }) => u.id)).toEqual([
      owner.id,
      ...seatless.map((u) => u.id),
    ]);

    // Reassigning: "uncheck the Assign seat box" for one user, "check" it for another.
    const off = await admin.delete(`/v1/users/${techs[0]!.id}/seat`);
    expect(off.status).toBe(200);
    expect(off.body.seat).toBeNull();
    const on = await admin.put(`/v1/users/${seatless[0]!.id}/seat`);
    expect(on.status).toBe(200);
    expect(on.body.seat.assignedAt).toEqual(expect.any(String));

    // An administrator can take a seat for themselves in one atomic step while all are taken.
    const moved = await admin.post('/v1/seats/transfer', { from: techs[1]!.id, to: owner.id });
    expect(moved.status).toBe(200);
    expect(moved.body.from.seat).toBeNull();
    expect(moved.body.to.seat).not.toBeNull();

    const subscription = await admin.get('/v1/subscription');
    expect(subscription.body.seats).toEqual({ purchased: 6, assigned: 6, available: 0 });
    const holders = (await allUsers(admin, '&seat=assigned')).map((u) => u.id);
    expect(holders).toHaveLength(6);
    expect(holders).toContain(owner.id);
    expect(holders).toContain(seatless[0]!.id);
    expect(holders).not.toContain(techs[0]!.id);

    // The audit log tells the story, newest first.
    const audit = await admin.get('/v1/audit?limit=3');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['seat.transferred', 'seat.assigned', 'seat.unassigned']);
    expect(audit.body.items[0]).toMatchObject({
      actor: { id: owner.id, name: 'Ada Admin' },
      target: { type: 'user', id: owner.id },
      details: { from: { id: techs[1]!.id }, to: { id: owner.id } },
    });
  });
});
