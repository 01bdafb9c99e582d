import { describe, expect, it } from 'vitest';
import { seatCandidate } from './candidates';
import { decideAdminChange, decideAssign, decidePurchased, decideTransfer, seatCounts } from '../../worker/domain/seats';

const user = seatCandidate;

describe('Seat rules', () => {
  it('assigns while seats are free and refuses with the holders once all are taken', () => {
    expect(decideAssign(seatCounts(3, 2), user(), () => [])).toBe('assign');
    const holders = [{ id: 'usr_h', name: 'Holder', email: 'h@x', role: 'technician' as const, lastActiveAt: null,
      openConsoleSessions: 0, consoleMinutesLast7Days: 0, lastConsoleSessionAt: null, loanEndsAt: null }];
    const refusal = decideAssign(seatCounts(3, 3), user(), () => holders);
    expect(refusal).toMatchObject({ ok: false, code: 'no_seats_available', seats: { purchased: 3, assigned: 3, available: 0 } });
    expect(refusal).toHaveProperty('holders', holders);
  });

  it('treats assigning to a holder as a no-op even when every seat is taken', () => {
    expect(decideAssign(seatCounts(1, 1), user({ hasSeat: true }), () => [])).toBe('noop');
  });

  it('never gives a seat to a deactivated user', () => {
    expect(decideAssign(seatCounts(5, 0), user({ status: 'deactivated' }), () => [])).toMatchObject({ code: 'user_deactivated' });
  });

  it('transfers only from a holder to a non-holder', () => {
    const from = user({ id: 'usr_f', hasSeat: true });
    const to = user({ id: 'usr_t' });
    expect(decideTransfer(from, to)).toBe('transfer');
    expect(decideTransfer(user({ id: 'usr_f' }), to)).toMatchObject({ code: 'seat_not_held', userId: 'usr_f' });
    expect(decideTransfer(from, user({ id: 'usr_t', hasSeat: true }))).toMatchObject({ code: 'seat_already_held', userId: 'usr_t' });
    expect(decideTransfer(from, from)).toMatchObject({ code: 'validation_failed' });
    expect(decideTransfer(from, user({ id: 'usr_t', status: 'deactivated' }))).toMatchObject({ code: 'user_deactivated' });
  });

  it('lets purchased seats shrink only down to the seats held, and says how many to free', () => {
    expect(decidePurchased(seatCounts(6, 4), 4)).toBe('change');
    expect(decidePurchased(seatCounts(6, 4), 2)).toMatchObject({ code: 'seats_in_use', requested: 2, toFree: 2 });
    expect(decidePurchased(seatCounts(6, 0), 0)).toMatchObject({ code: 'validation_failed' });
    expect(decidePurchased(seatCounts(6, 0), 10_001)).toMatchObject({ code: 'validation_failed' });
  });

  it('keeps the last active administrator', () => {
    const admin = { role: 'administrator' as const, status: 'active' as const, removesAdministrator: true };
    expect(decideAdminChange({ ...admin, activeAdministrators: 1 })).toMatchObject({ code: 'last_administrator' });
    expect(decideAdminChange({ ...admin, activeAdministrators: 2 })).toBe('allow');
    expect(decideAdminChange({ ...admin, status: 'invited', activeAdministrators: 1 })).toBe('allow');
    expect(decideAdminChange({ ...admin, removesAdministrator: false, activeAdministrators: 1 })).toBe('allow');
  });

  it('derives available seats and never reports a negative number', () => {
    expect(seatCounts(6, 4)).toEqual({ purchased: 6, assigned: 4, available: 2 });
    expect(seatCounts(2, 3).available).toBe(0);
  });
});
