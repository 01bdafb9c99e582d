import { describe, expect, it } from 'vitest';
import { committed, decidePoolLimits, decidePurchasedWithPools, seatRoom, unreservedFree, withSeat, type PoolLedger } from '../../worker/domain/pools';

const pool = (id: string, reserved: number, maximum: number, assigned = 0) => ({ id, name: id, reserved, maximum, assigned });
const none = () => [];

describe('Team pool rules (pure)', () => {
  // 10 purchased: desk reserves 3 (holds 1), field reserves 2 (holds 3: one borrowed), 2 shared holders.
  const ledger: PoolLedger = { purchased: 10, sharedAssigned: 2, pools: [pool('desk', 3, 5, 1), pool('field', 2, 4, 3)] };

  it('counts a pool as its reserve or its holders, whichever is more', () => {
    expect(committed(ledger)).toBe(3 + 3 + 2);
    expect(unreservedFree(ledger)).toBe(2);
  });

  it('a pool under its reserve gets a seat even when no unreserved seat is free', () => {
    const full = { ...ledger, sharedAssigned: 4 };
    expect(unreservedFree(full)).toBe(0);
    expect(seatRoom(full, 'desk')).toBe('room');
  });

  it('a pool at its reserve borrows only unreserved seats', () => {
    const atReserve = { ...ledger, pools: [pool('desk', 3, 5, 3), pool('field', 2, 4, 3)], sharedAssigned: 4 };
    expect(unreservedFree(atReserve)).toBe(0);
    expect(seatRoom(atReserve, 'desk')).toMatchObject({ limit: 'reserve', pool: { id: 'desk' } });
    expect(seatRoom({ ...atReserve, sharedAssigned: 3 }, 'desk')).toBe('room');
  });

  it('a pool at its maximum gets no seat, free seats or not', () => {
    expect(seatRoom({ ...ledger, pools: [pool('desk', 3, 3, 3)] }, 'desk')).toMatchObject({ limit: 'maximum' });
  });

  it('a shared user never takes a seat reserved for a pool', () => {
    const rest = { purchased: 5, sharedAssigned: 2, pools: [pool('desk', 3, 3, 0)] };
    expect(seatRoom(rest, null)).toEqual({ limit: 'shared' });
    expect(seatRoom(withSeat(rest, null, -1), null)).toBe('room');
  });

  it('refuses a maximum below the seats held, and a reserve that needs seats others hold', () => {
    expect(decidePoolLimits(ledger, { id: 'field', name: 'field', reserved: 2, maximum: 2 }, none)).toMatchObject({ code: 'pool_in_use', toFree: 1 });
    // Raising desk's reserve to 6 commits 6 + 3 + 2 = 11 > 10.
    expect(decidePoolLimits(ledger, { id: 'desk', name: 'desk', reserved: 6, maximum: 6 }, none)).toMatchObject({ code: 'pool_in_use', toFree: 1 });
    expect(decidePoolLimits(ledger, { id: 'desk', name: 'desk', reserved: 5, maximum: 6 }, none)).toBe('allow');
    expect(decidePoolLimits(ledger, { id: 'new', name: 'new', reserved: 3, maximum: 3 }, none)).toMatchObject({ code: 'pool_in_use', toFree: 1 });
    expect(decidePoolLimits(ledger, { id: 'new', name: 'new', reserved: 2, maximum: 9 }, none)).toBe('allow');
    expect(decidePoolLimits(ledger, { id: 'new', name: 'new', reserved: 3, maximum: 2 }, none)).toMatchObject({ code: 'validation_failed' });
  });

  it('purchased seats never go below what is held and reserved', () => {
    expect(decidePurchasedWithPools(ledger, 8, none)).toBe('change');
    expect(decidePurchasedWithPools(ledger, 7, none)).toMatchObject({ code: 'seats_in_use', toFree: 1, reserved: 2 });
  });
});
