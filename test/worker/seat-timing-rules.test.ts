import { describe, expect, it } from 'vitest';
import { seatCandidate } from './candidates';
import { consoleActivity, idleSeats, secondsWithin, utilisationByDay, type Holder } from '../../worker/domain/reports';
import { decideAnswer, decideNewRequest } from '../../worker/domain/seat-requests';
import { checkUntil, decideHandOver, earliest, endedSessionRefusal, planRelease, sessionStatus } from '../../worker/domain/seat-timing';
import { seatCounts } from '../../worker/domain/seats';
import { csvField, toCsv } from '../../worker/http/csv';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const user = seatCandidate;

describe('When a taken seat leaves', () => {
  it('leaves now without active sessions or with end_now; otherwise after the grace period or the last session', () => {
    expect(planRelease(0, { onActiveSessions: 'after_session' }, NOW)).toEqual({ when: 'now' });
    expect(planRelease(3, { onActiveSessions: 'end_now' }, NOW)).toEqual({ when: 'now' });
    expect(planRelease(1, { onActiveSessions: 'grace' }, NOW)).toEqual({ when: 'grace', endsAt: NOW + 5 * 60_000 });
    expect(planRelease(1, { onActiveSessions: 'grace', graceMinutes: 30 }, NOW)).toEqual({ when: 'grace', endsAt: NOW + 30 * 60_000 });
    expect(planRelease(2, { onActiveSessions: 'after_session' }, NOW)).toEqual({ when: 'after_session' });
  });

  it('accepts a loan end in the future, at most a year ahead, normalised to UTC', () => {
    expect(checkUntil(undefined, NOW)).toEqual({ ok: true, value: null });
    expect(checkUntil('2026-11-29T17:00:00+01:00', NOW)).toEqual({ ok: true, value: '2026-11-29T16:00:00.000Z' });
    expect(checkUntil('2026-11-29T11:59:59Z', NOW)).toMatchObject({ code: 'validation_failed' });
    expect(checkUntil(iso(NOW + 367 * DAY), NOW)).toMatchObject({ code: 'validation_failed' });
    expect(checkUntil('soon', NOW)).toMatchObject({ code: 'validation_failed' });
  });

  it('hands a seat over only to someone who still exists, is not deactivated and holds no seat, even when all are taken', () => {
    const full = seatCounts(2, 2);
    expect(decideHandOver(user(), full)).toBe('hand_over');
    expect(decideHandOver(null, full)).toBe('free');
    expect(decideHandOver(user({ status: 'deactivated' }), full)).toBe('free');
    expect(decideHandOver(user({ hasSeat: true }), full)).toBe('free');
  });

  it('tells an ended session whether the seat is gone or only the session', () => {
    expect(endedSessionRefusal('grace_ended', iso(NOW), false)).toMatchObject({ code: 'seat_revoked' });
    expect(endedSessionRefusal('closed', iso(NOW), false)).toMatchObject({ code: 'seat_revoked' });
    expect(endedSessionRefusal('heartbeat_timeout', iso(NOW), true)).toMatchObject({ code: 'session_ended', reason: 'heartbeat_timeout' });
    expect(endedSessionRefusal('loan_ended', iso(NOW), true)).toMatchObject({ code: 'seat_revoked' });
  });

  it('says "ending" while a revocation waits, with the earliest known end', () => {
    const loan = '2026-11-29T17:00:00.000Z';
    expect(sessionStatus({ loanUntil: null, revocation: null })).toEqual({ status: 'active', endsAt: null });
    expect(sessionStatus({ loanUntil: loan, revocation: null })).toEqual({ status: 'active', endsAt: loan });
    expect(sessionStatus({ loanUntil: loan, revocation: { endsAt: '2026-11-29T12:05:00.000Z' } })).toEqual({ status: 'ending', endsAt: '2026-11-29T12:05:00.000Z' });
    expect(sessionStatus({ loanUntil: null, revocation: { endsAt: null } })).toEqual({ status: 'ending', endsAt: null });
    expect(earliest(null, null)).toBeNull();
  });
});

describe('Seat request rules', () => {
  it('one pending request per user, none for holders; only pending requests are answered', () => {
    expect(decideNewRequest({ id: 'usr_a', hasSeat: false }, null)).toBe('create');
    expect(decideNewRequest({ id: 'usr_a', hasSeat: true }, null)).toMatchObject({ code: 'seat_already_held' });
    expect(decideNewRequest({ id: 'usr_a', hasSeat: false }, { id: 'req_1', createdAt: iso(NOW) })).toMatchObject({ code: 'seat_request_pending', requestId: 'req_1' });
    expect(decideAnswer({ id: 'req_1', status: 'pending', decidedAt: null })).toBe('answer');
    expect(decideAnswer({ id: 'req_1', status: 'declined', decidedAt: iso(NOW) })).toMatchObject({ code: 'seat_request_closed', requestStatus: 'declined' });
  });
});

describe('Report arithmetic', () => {
  it('utilisation starts on the day the subscription was created and carries the last state over quiet days', () => {
    const days = utilisationByDay(
      [
        { at: '2026-01-02T10:00:00.000Z', action: 'subscription.created', details: { seats: 2 } },
        { at: '2026-01-02T11:00:00.000Z', action: 'seat.assigned', details: {} },
        { at: '2026-01-04T00:00:00.000Z', action: 'seat.unassigned', details: {} },
      ],
      '2026-01-01',
      '2026-01-04',
    );
    expect(days).toEqual([
      { date: '2026-01-02', purchased: 2, assigned: 1, peakAssigned: 1 },
      { date: '2026-01-03', purchased: 2, assigned: 1, peakAssigned: 1 },
      { date: '2026-01-04', purchased: 2, assigned: 0, peakAssigned: 1 },
    ]);
  });

  it('counts only the part of a session inside the period, a running one up to its end', () => {
    expect(secondsWithin({ userId: 'u', startedAt: iso(NOW - 2 * DAY), endedAt: iso(NOW) }, NOW - DAY, NOW)).toBe(86_400);
    expect(secondsWithin({ userId: 'u', startedAt: iso(NOW - 60_000), endedAt: null }, NOW - DAY, NOW)).toBe(60);
    expect(secondsWithin({ userId: 'u', startedAt: iso(NOW - 3 * DAY), endedAt: iso(NOW - 2 * DAY) }, NOW - DAY, NOW)).toBe(0);
    const people = [{ id: 'u', name: 'U', email: 'u@x', role: 'technician', hasSeat: true, lastConnectionAt: null }];
    expect(consoleActivity(people, [{ userId: 'nobody', startedAt: iso(NOW), endedAt: null }], NOW - DAY, NOW)[0]).toMatchObject({ sessions: 0 });
  });

  it('idle seats: held long enough, unused long enough, not connected now; suggestions pair with the oldest requests', () => {
    const holder = (id: string, heldDays: number, lastEndDays: number | null, connectedNow = false): Holder => ({
      id,
      name: id,
      email: `${id}@x`,
      seatAssignedAt: iso(NOW - heldDays * DAY),
      lastConnectionAt: lastEndDays === null ? null : iso(NOW - (lastEndDays + 1) * DAY),
      lastDisconnectionAt: lastEndDays === null ? null : iso(NOW - lastEndDays * DAY),
      connectedNow,
    });
    const items = idleSeats(
      [holder('a', 30, 20), holder('b', 30, null), holder('c', 5, null), holder('d', 30, 2), holder('e', 30, 20, true)],
      [
        { requestId: 'req_2', user: { id: 'w2', name: 'W2' }, createdAt: iso(NOW - DAY) },
        { requestId: 'req_1', user: { id: 'w1', name: 'W1' }, createdAt: iso(NOW - 2 * DAY) },
      ],
      14,
      NOW,
    );
    expect(items.map((i) => [i.user.id, i.idleDays, i.suggestion])).toEqual([
      ['b', 30, { action: 'approve_request', requestId: 'req_1', to: { id: 'w1', name: 'W1' } }],
      ['a', 20, { action: 'approve_request', requestId: 'req_2', to: { id: 'w2', name: 'W2' } }],
    ]);
  });
});

describe('CSV', () => {
  it('quotes what needs quoting, doubles quotes, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=1+2')).toBe("'=1+2");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(true)).toBe('true');
    const text = toCsv([{ header: 'name', value: (r: { n: string }) => r.n }], [{ n: 'x' }, { n: 'y,z' }]);
    expect(text).toBe('name\r\nx\r\n"y,z"\r\n');
  });
});
