/**
 * The pure shift arithmetic (worker/domain/schedules.ts), run in workerd so it uses the runtime's
 * own time-zone data: DST weekends in Europe/Berlin and America/New_York, windows across
 * midnight, times that do not exist or happen twice, holidays and swaps.
 */
import { describe, expect, it } from 'vitest';
import { coverage, instantOf, isTimeZone, nextBoundary, onShift, shiftsBetween, type ScheduleRules } from '../../worker/domain/schedules';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const euDay: ScheduleRules = { timeZone: 'Europe/Berlin', windows: [{ days: [...weekdays], start: '07:00', end: '15:00' }], exceptions: [] };
const usEvening: ScheduleRules = { timeZone: 'America/New_York', windows: [{ days: [...weekdays], start: '15:00', end: '23:00' }], exceptions: [] };

describe('Time zones', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('moves a time in the spring-forward gap forward, and takes the first of a time that happens twice', () => {
    // Berlin: 02:00 CET → 03:00 CEST on 29 March 2026; 03:00 CEST → 02:00 CET on 25 October 2026.
    expect(iso(instantOf(at('2026-03-29T02:30:00Z'), 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(instantOf(at('2026-10-25T02:30:00Z'), 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z'); // first 02:30, CEST
    // New York: 8 March and 1 November 2026.
    expect(iso(instantOf(at('2026-03-08T02:30:00Z'), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(iso(instantOf(at('2026-11-01T01:30:00Z'), 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z'); // first 01:30, EDT
  });
});

describe('Weekly windows across DST', () => {
  it('keeps 07:00–15:00 Berlin local on both sides of the spring change (UTC moves an hour)', () => {
    // Friday 27 March is CET (UTC+1), Monday 30 March is CEST (UTC+2).
    const week = shiftsBetween(euDay, null, at('2026-03-27T00:00:00Z'), at('2026-03-31T00:00:00Z'));
    expect(week.map((i) => [iso(i.start), iso(i.end)])).toEqual([
      ['2026-03-27T06:00:00.000Z', '2026-03-27T14:00:00.000Z'],
      ['2026-03-30T05:00:00.000Z', '2026-03-30T13:00:00.000Z'],
    ]);
    expect(iso(nextBoundary(euDay, [null], at('2026-03-27T14:00:00Z')))).toBe('2026-03-30T05:00:00.000Z');
  });

  it('keeps 07:00–15:00 Berlin local across the autumn change', () => {
    expect(iso(nextBoundary(euDay, [null], at('2026-10-23T14:00:00Z')))).toBe('2026-10-26T06:00:00.000Z');
    expect(onShift(euDay, null, at('2026-10-26T06:00:00Z'))).toBe(true);
    expect(onShift(euDay, null, at('2026-10-26T05:59:00Z'))).toBe(false);
  });

  it('keeps 15:00–23:00 New York local across both changes', () => {
    // Friday 6 March EST (UTC−5), Monday 9 March EDT (UTC−4); Friday 30 October EDT, Monday 2 November EST.
    expect(iso(nextBoundary(usEvening, [null], at('2026-03-07T12:00:00Z')))).toBe('2026-03-09T19:00:00.000Z');
    expect(iso(nextBoundary(usEvening, [null], at('2026-03-09T19:00:00Z')))).toBe('2026-03-10T03:00:00.000Z');
    expect(iso(nextBoundary(usEvening, [null], at('2026-10-31T12:00:00Z')))).toBe('2026-11-02T20:00:00.000Z');
  });

  it('gives a night shift on the spring Sunday an hour less, and on the autumn Sunday an hour more', () => {
    const night: ScheduleRules = { timeZone: 'Europe/Berlin', windows: [{ days: ['sat'], start: '22:00', end: '06:00' }], exceptions: [] };
    const [spring] = shiftsBetween(night, null, at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'));
    expect((spring!.end - spring!.start) / 3_600_000).toBe(7);
    const [autumn] = shiftsBetween(night, null, at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'));
    expect((autumn!.end - autumn!.start) / 3_600_000).toBe(9);
  });

  it('starts a window that begins in the gap when the gap ends, and one in the repeated hour the first time', () => {
    const early: ScheduleRules = { timeZone: 'Europe/Berlin', windows: [{ days: ['sun'], start: '02:30', end: '05:00' }], exceptions: [] };
    const [spring] = shiftsBetween(early, null, at('2026-03-29T00:00:00Z'), at('2026-03-29T12:00:00Z'));
    expect([iso(spring!.start), iso(spring!.end)]).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T03:00:00.000Z']);
    const [autumn] = shiftsBetween(early, null, at('2026-10-25T00:00:00Z'), at('2026-10-25T12:00:00Z'));
    expect([iso(autumn!.start), iso(autumn!.end)]).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T04:00:00.000Z']);
  });
});

describe('Midnight and joined windows', () => {
  it('runs a 22:00–06:00 window into the next day', () => {
    const night: ScheduleRules = { timeZone: 'America/New_York', windows: [{ days: ['mon'], start: '22:00', end: '06:00' }], exceptions: [] };
    expect(onShift(night, null, at('2026-12-08T05:00:00Z'))).toBe(true); // Tue 00:00 EST
    expect(onShift(night, null, at('2026-12-08T11:00:00Z'))).toBe(false); // Tue 06:00 EST
    expect(iso(nextBoundary(night, [null], at('2026-12-08T05:00:00Z')))).toBe('2026-12-08T11:00:00.000Z');
  });

  it('treats back-to-back windows as one stretch, with no boundary between them', () => {
    const double: ScheduleRules = {
      timeZone: 'Europe/Berlin',
      windows: [
        { days: ['mon'], start: '07:00', end: '15:00' },
        { days: ['mon'], start: '15:00', end: '24:00' },
      ],
      exceptions: [],
    };
    expect(iso(nextBoundary(double, [null], at('2026-12-07T07:00:00Z')))).toBe('2026-12-07T23:00:00.000Z');
  });
});

describe('Exceptions', () => {
  it('takes a holiday off for everyone', () => {
    const holiday = { ...euDay, exceptions: [{ date: '2026-12-25', kind: 'off' as const }] };
    expect(onShift(holiday, 'usr_a', at('2026-12-25T08:00:00Z'))).toBe(false);
    expect(onShift(holiday, 'usr_a', at('2026-12-24T08:00:00Z'))).toBe(true);
    expect(iso(nextBoundary(holiday, [null], at('2026-12-24T14:00:00Z')))).toBe('2026-12-28T06:00:00.000Z');
  });

  it('swaps one day between two users and leaves everyone else alone', () => {
    const swap = {
      ...euDay,
      exceptions: [
        { date: '2026-12-05', kind: 'on' as const, start: '07:00', end: '15:00', userId: 'usr_a' }, // a Saturday
        { date: '2026-12-07', kind: 'off' as const, userId: 'usr_a' },
      ],
    };
    expect(onShift(swap, 'usr_a', at('2026-12-05T08:00:00Z'))).toBe(true);
    expect(onShift(swap, 'usr_b', at('2026-12-05T08:00:00Z'))).toBe(false);
    expect(onShift(swap, 'usr_a', at('2026-12-07T08:00:00Z'))).toBe(false);
    expect(onShift(swap, 'usr_b', at('2026-12-07T08:00:00Z'))).toBe(true);
    expect(iso(nextBoundary(swap, [null, 'usr_a'], at('2026-12-04T14:00:00Z')))).toBe('2026-12-05T06:00:00.000Z');
  });

  it('finds a lone extra shift months away when the week has none', () => {
    const lone: ScheduleRules = { timeZone: 'Europe/Berlin', windows: [], exceptions: [{ date: '2027-05-01', kind: 'on', start: '09:00', end: '12:00' }] };
    expect(iso(nextBoundary(lone, [null], at('2026-12-01T00:00:00Z')))).toBe('2027-05-01T07:00:00.000Z');
    expect(nextBoundary({ ...lone, exceptions: [] }, [null], at('2026-12-01T00:00:00Z'))).toBeNull();
  });
});

describe('Coverage', () => {
  it('counts the busiest moment of each hour and names who would wait', () => {
    const allDay: ScheduleRules = { timeZone: 'UTC', windows: [{ days: [...everyDay], start: '09:00', end: '10:30' }], exceptions: [] };
    const late: ScheduleRules = { timeZone: 'UTC', windows: [{ days: [...everyDay], start: '10:00', end: '11:00' }], exceptions: [] };
    const people = [
      { userId: 'usr_a', rules: allDay },
      { userId: 'usr_b', rules: late },
    ];
    const hours = coverage(people, 1, 2, at('2026-12-01T08:00:00Z'), at('2026-12-01T12:00:00Z'));
    expect(hours.map((h) => [iso(h.at), h.wanted, h.waiting])).toEqual([
      ['2026-12-01T08:00:00.000Z', 1, []],
      ['2026-12-01T09:00:00.000Z', 2, []],
      ['2026-12-01T10:00:00.000Z', 3, ['usr_b']],
      ['2026-12-01T11:00:00.000Z', 1, []],
    ]);
  });
});
