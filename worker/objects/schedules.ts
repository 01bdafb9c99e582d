/**
 * Shift schedules in the Subscription object: stored patterns (domain/schedules.ts does the time
 * arithmetic), who is on which (directly, or through a directory group), and the seats that follow
 * the shifts. `followSchedules` is the one reconciliation: everyone whose shift is over loses the
 * seat the shift gave them (through revocations.ts with the default session policy, so a connected
 * technician gets the grace period), then everyone on shift without a seat gets a free one or waits
 * as a seat request ("Shift EU day") that the waitlist serves as seats free. Ends go before starts,
 * so a seat freed by the shift that ends goes to the shift that starts in the same transaction. It
 * then sets each schedule's `schedule` timer at its next boundary. It runs after every schedule
 * change and from that timer, and since it looks at the clock rather than at what happened, an
 * alarm that fires late (the object was down across a boundary) comes out right.
 */
import type { Coverage, CreateScheduleBody, Person, Schedule, SchedulePatch } from '../contract';
import { coverage, isTimeZone, nextBoundary, onShift, type ScheduleRules, type Scheduled } from '../domain/schedules';
import { fail, ok, type Failure, type Result } from '../domain/result';
import type { Actor } from './access';
import { recordAudit } from './audit';
import { cancelRevocation, DEFAULT_CHOICE, releaseSeat } from './revocations';
import { hasRoom } from './pools';
import { nextServed } from './seat-requests';
import { giveSeat, storedCounts, target } from './seats';
import type { Sql } from './sql';
import { clearTimer, setTimer } from './timers';

export type NewSchedule = Omit<CreateScheduleBody, 'exceptions' | 'userIds' | 'groupIds' | 'confirm'> &
  Required<Pick<CreateScheduleBody, 'exceptions' | 'userIds' | 'groupIds'>> & { id: string; confirm: boolean };
export type ScheduleChange = Omit<SchedulePatch, 'confirm'> & { confirm: boolean };

type ScheduleRow = { seq: number; id: string; name: string; time_zone: string; windows: string; exceptions: string; created_at: string };

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/** The reason a shift's seat request gives. */
export const shiftReason = (name: string) => `Shift ${name}`;

const rulesOf = (row: ScheduleRow): ScheduleRules => ({
  timeZone: row.time_zone,
  windows: JSON.parse(row.windows) as ScheduleRules['windows'],
  exceptions: JSON.parse(row.exceptions) as ScheduleRules['exceptions'],
});

const scheduleRow = (sql: Sql, id: string) => sql.one<ScheduleRow>('SELECT * FROM schedules WHERE id = ?', id);
const notFound = () => fail('not_found', { detail: 'No such schedule in this subscription.' });

/** Each user's schedule: their own, else that of the first directory group they joined that has one. */
const EFFECTIVE = `COALESCE(u.schedule_id, (SELECT g.schedule_id FROM group_members m JOIN groups g ON g.id = m.group_id
  WHERE m.user_id = u.id AND g.schedule_id IS NOT NULL ORDER BY m.seq LIMIT 1))`;

/** Everyone a schedule wants in a seat at times (not deactivated), in the order they joined the subscription. */
function scheduledPeople(sql: Sql): { id: string; name: string; scheduleId: string }[] {
  return sql.all<{ id: string; name: string; schedule_id: string }>(
    `SELECT * FROM (SELECT u.seq, u.id, u.name, ${EFFECTIVE} AS schedule_id FROM users u WHERE u.status != 'deactivated')
     WHERE schedule_id IS NOT NULL ORDER BY seq`,
  ).map((r) => ({ id: r.id, name: r.name, scheduleId: r.schedule_id }));
}

/** All schedules, by name. */
export function listSchedules(sql: Sql, now: number): Result<{ items: Schedule[] }> {
  const rows = sql.all<ScheduleRow>('SELECT * FROM schedules ORDER BY name COLLATE NOCASE');
  const people = scheduledPeople(sql);
  return ok({ items: rows.map((row) => toSchedule(sql, row, people, now)) });
}

/** One schedule. */
export function getSchedule(sql: Sql, id: string, now: number): Result<Schedule> {
  const row = scheduleRow(sql, id);
  return row ? ok(toSchedule(sql, row, scheduledPeople(sql), now)) : notFound();
}

function toSchedule(sql: Sql, row: ScheduleRow, people: { id: string; scheduleId: string }[], now: number): Schedule {
  const rules = rulesOf(row);
  const on = people.filter((p) => p.scheduleId === row.id && onShift(rules, p.id, now)).length;
  const timer = sql.one<{ due_at: number }>("SELECT due_at FROM timers WHERE kind = 'schedule' AND ref = ?", row.id);
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    windows: rules.windows,
    exceptions: rules.exceptions,
    users: sql.all<Person>('SELECT id, name FROM users WHERE schedule_id = ? ORDER BY seq', row.id),
    groups: sql.all<Person>('SELECT id, display_name AS name FROM groups WHERE schedule_id = ? ORDER BY display_name', row.id),
    onShift: on,
    nextChangeAt: timer ? new Date(timer.due_at).toISOString() : null,
    createdAt: row.created_at,
  };
}

/** Creates a schedule with its users and groups; refused when it would oversubscribe without `confirm`. */
export function createSchedule(sql: Sql, actor: Actor, input: NewSchedule, now: number): Result<Schedule> {
  const invalid = checkRules(sql, input.name, input.timeZone, input.exceptions, null);
  if (invalid) return invalid;
  sql.run(
    'INSERT INTO schedules (id, name, time_zone, windows, exceptions, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    input.id,
    input.name,
    input.timeZone,
    JSON.stringify(input.windows),
    JSON.stringify(input.exceptions),
    new Date(now).toISOString(),
  );
  const members = setMembers(sql, input.id, input.userIds, input.groupIds);
  if (!members.ok) return members;
  recordAudit(sql, now, actor, 'schedule.created', scheduleTarget(input.id, input.name), {
    timeZone: input.timeZone,
    windows: input.windows,
    users: input.userIds.length,
    groups: input.groupIds.length,
  });
  return saved(sql, actor, input.id, input.confirm, now);
}

/** Changes a schedule (fields given replace what was there); refused when it would oversubscribe without `confirm`. */
export function updateSchedule(sql: Sql, actor: Actor, id: string, change: ScheduleChange, now: number): Result<Schedule> {
  const row = scheduleRow(sql, id);
  if (!row) return notFound();
  const invalid = checkRules(sql, change.name ?? row.name, change.timeZone ?? row.time_zone, change.exceptions ?? [], id);
  if (invalid) return invalid;
  sql.run(
    'UPDATE schedules SET name = ?, time_zone = ?, windows = ?, exceptions = ? WHERE id = ?',
    change.name ?? row.name,
    change.timeZone ?? row.time_zone,
    change.windows ? JSON.stringify(change.windows) : row.windows,
    change.exceptions ? JSON.stringify(change.exceptions) : row.exceptions,
    id,
  );
  if (change.userIds || change.groupIds) {
    const current = getSchedule(sql, id, now);
    if (!current.ok) return current;
    const members = setMembers(sql, id, change.userIds ?? current.value.users.map((u) => u.id), change.groupIds ?? current.value.groups.map((g) => g.id));
    if (!members.ok) return members;
  }
  const { confirm: _confirm, ...changed } = change;
  recordAudit(sql, now, actor, 'schedule.updated', scheduleTarget(id, change.name ?? row.name), { changed: Object.keys(changed) });
  return saved(sql, actor, id, change.confirm, now);
}

/** Deletes a schedule: its people leave it, and the seats its shifts gave are taken back. */
export function deleteSchedule(sql: Sql, actor: Actor, id: string, now: number): Result<null> {
  const row = scheduleRow(sql, id);
  if (!row) return notFound();
  sql.run('UPDATE users SET schedule_id = NULL WHERE schedule_id = ?', id);
  sql.run('UPDATE groups SET schedule_id = NULL WHERE schedule_id = ?', id);
  followSchedules(sql, actor, now);
  sql.run('DELETE FROM schedules WHERE id = ?', id);
  clearTimer(sql, 'schedule', id);
  recordAudit(sql, now, actor, 'schedule.deleted', scheduleTarget(id, row.name));
  return ok(null);
}

/**
 * Puts a user on a schedule (null: off any), and gives or takes their seat as their shifts say.
 * Like saving a schedule, putting someone on one that makes some hour of the coming week want
 * more seats than purchased is refused (409 `schedule_oversubscribed`, nothing saved) unless `confirm`.
 */
export function setUserSchedule(
  sql: Sql,
  actor: Actor,
  userId: string,
  scheduleId: string | null,
  now: number,
  confirm = false,
): Result<boolean> {
  const user = sql.one<{ name: string; schedule_id: string | null }>('SELECT name, schedule_id FROM users WHERE id = ?', userId);
  if (!user) return fail('not_found', { detail: 'No such user in this subscription.' });
  if (user.schedule_id === scheduleId) return ok(false);
  if (scheduleId !== null && !scheduleRow(sql, scheduleId)) return fail('validation_failed', { detail: `No schedule ${scheduleId} in this subscription.` });
  sql.run('UPDATE users SET schedule_id = ? WHERE id = ?', scheduleId, userId);
  // Off a schedule asks for fewer seats, never more: only going on one can oversubscribe.
  const short = scheduleId === null || confirm ? null : oversubscription(sql, now);
  if (short) return short;
  recordAudit(sql, now, actor, 'user.updated', target({ id: userId, name: user.name }), { scheduleId: { from: user.schedule_id, to: scheduleId } });
  followSchedules(sql, actor, now);
  return ok(true);
}

/** Hour by hour: the seats all schedules want against those purchased (at most a week). */
export function scheduleCoverage(sql: Sql, from: number, to: number): Result<Coverage> {
  if (!(to > from)) return fail('validation_failed', { detail: '`to` must be after `from`.' });
  if (to - from > WEEK) return fail('validation_failed', { detail: 'Coverage is shown for at most a week: bring `to` closer to `from`.' });
  return ok({ items: coverageBetween(sql, from, to) });
}

function coverageBetween(sql: Sql, from: number, to: number): Coverage['items'] {
  const rules = new Map(sql.all<ScheduleRow>('SELECT * FROM schedules').map((row) => [row.id, rulesOf(row)]));
  // A seat given by hand or a group is held whatever the shift; its holder needs no second one.
  const fixedHolders = new Set(sql.all<{ user_id: string }>('SELECT user_id FROM seats WHERE via_schedule IS NULL').map((r) => r.user_id));
  const people = scheduledPeople(sql).filter((p) => !fixedHolders.has(p.id));
  const names = new Map(people.map((p) => [p.id, p.name]));
  const scheduled: Scheduled[] = people.map((p) => ({ userId: p.id, rules: rules.get(p.scheduleId)! }));
  return coverage(scheduled, fixedHolders.size, storedCounts(sql).purchased, from, to).map((h) => ({
    at: new Date(h.at).toISOString(),
    wanted: h.wanted,
    purchased: h.purchased,
    waiting: h.waiting.map((id) => ({ id, name: names.get(id) ?? '' })),
  }));
}

/** After a save: refused (and so rolled back) if some hour of the coming week wants more seats than purchased, unless confirmed. */
function saved(sql: Sql, actor: Actor, id: string, confirm: boolean, now: number): Result<Schedule> {
  const short = confirm ? null : oversubscription(sql, now);
  if (short) return short;
  followSchedules(sql, actor, now);
  return getSchedule(sql, id, now);
}

/**
 * The refusal for a plan whose coming week wants more seats than purchased in some hour: the hours
 * and who would wait. Null when every hour has enough seats. Saving a schedule and putting a user
 * on one both ask it before following the schedules, so a refusal rolls the whole change back.
 */
function oversubscription(sql: Sql, now: number): Failure | null {
  const short = coverageBetween(sql, now, now + WEEK).filter((h) => h.wanted > h.purchased);
  if (short.length === 0) return null;
  const waiting = new Map(short.flatMap((h) => h.waiting).map((p) => [p.id, p]));
  return fail('schedule_oversubscribed', {
    hours: short.map(({ at, wanted, purchased }) => ({ at, wanted, purchased })),
    waiting: [...waiting.values()],
    detail:
      `In ${short.length} hour${short.length === 1 ? '' : 's'} of the coming week the schedules want more seats than the ` +
      `${short[0]!.purchased} purchased, so ${[...waiting.values()].map((p) => p.name).join(', ')} would wait for a seat. ` +
      'Save again with "confirm": true to accept that, or change the shifts or buy more seats.',
  });
}

function checkRules(sql: Sql, name: string, timeZone: string, exceptions: ScheduleRules['exceptions'], id: string | null): Failure | null {
  if (!isTimeZone(timeZone)) return fail('validation_failed', { detail: `${timeZone} is not an IANA time zone (e.g. Europe/Berlin).` });
  const taken = sql.one<{ id: string }>('SELECT id FROM schedules WHERE name = ? COLLATE NOCASE', name);
  if (taken && taken.id !== id) return fail('already_exists', { detail: `A schedule named ${name} already exists. Choose another name.` });
  for (const e of exceptions) {
    if (e.userId && !sql.one('SELECT 1 AS x FROM users WHERE id = ?', e.userId)) {
      return fail('validation_failed', { detail: `The exception on ${e.date} names ${e.userId}, who is not a user of this subscription.` });
    }
  }
  return null;
}

/** Makes exactly these users and groups the schedule's own (users are taken off any other schedule). */
function setMembers(sql: Sql, id: string, userIds: string[], groupIds: string[]): Result<null> {
  for (const userId of userIds) {
    if (!sql.one('SELECT 1 AS x FROM users WHERE id = ?', userId)) return fail('validation_failed', { detail: `No user ${userId} in this subscription.` });
  }
  for (const groupId of groupIds) {
    if (!sql.one('SELECT 1 AS x FROM groups WHERE id = ?', groupId)) return fail('validation_failed', { detail: `No directory group ${groupId} in this subscription.` });
  }
  sql.run('UPDATE users SET schedule_id = NULL WHERE schedule_id = ?', id);
  sql.run('UPDATE groups SET schedule_id = NULL WHERE schedule_id = ?', id);
  for (const userId of userIds) sql.run('UPDATE users SET schedule_id = ? WHERE id = ?', id, userId);
  for (const groupId of groupIds) sql.run('UPDATE groups SET schedule_id = ? WHERE id = ?', id, groupId);
  return ok(null);
}

const scheduleTarget = (id: string, name: string) => ({ type: 'schedule' as const, id, name });

type SeatState = {
  id: string;
  name: string;
  status: string;
  schedule_id: string | null;
  held: number;
  via_schedule: string | null;
  revoking: number;
  request_id: string | null;
  request_schedule: string | null;
  request_reason: string | null;
};

/**
 * Gives and takes seats as the shifts say at `now` (ends first, then starts, in the order users
 * joined), then sets each schedule's timer at its next boundary. The `schedule` timer runs it;
 * every schedule change runs it too. True when it changed a seat or a wait (not only a timer).
 */
export function followSchedules(sql: Sql, actor: Actor | null, now: number): boolean {
  const before = sql.written;
  const schedules = new Map(sql.all<ScheduleRow>('SELECT * FROM schedules').map((row) => [row.id, { row, rules: rulesOf(row) }]));
  const users = sql.all<SeatState>(
    `SELECT * FROM (SELECT u.seq, u.id, u.name, u.status, ${EFFECTIVE} AS schedule_id, s.user_id IS NOT NULL AS held, s.via_schedule,
       v.user_id IS NOT NULL AS revoking, r.id AS request_id, r.schedule_id AS request_schedule, r.reason AS request_reason
     FROM users u LEFT JOIN seats s ON s.user_id = u.id LEFT JOIN seat_revocations v ON v.user_id = s.user_id
       LEFT JOIN seat_requests r ON r.user_id = u.id AND r.status = 'pending')
     WHERE schedule_id IS NOT NULL OR via_schedule IS NOT NULL OR request_schedule IS NOT NULL ORDER BY seq`,
  );
  const shiftOf = (user: SeatState) => {
    const schedule = user.schedule_id ? schedules.get(user.schedule_id) : undefined;
    return schedule && user.status !== 'deactivated' && onShift(schedule.rules, user.id, now) ? schedule.row : null;
  };
  const on = users.map((user) => ({ user, shift: shiftOf(user) }));
  for (const { user, shift } of on) if (!shift) endShift(sql, actor, user, schedules.get(user.via_schedule ?? '')?.row.name ?? null, now);
  for (const { user, shift } of on) if (shift) startShift(sql, actor, user, shift, now);
  const changed = sql.written > before;
  armScheduleTimers(sql, [...schedules.values()], now);
  return changed;
}

/** Off shift: the seat the shift gave leaves (connected: the default grace period), and a shift's wait ends. */
function endShift(sql: Sql, actor: Actor | null, user: SeatState, scheduleName: string | null, now: number): void {
  const person = { id: user.id, name: user.name };
  if (user.held && user.via_schedule && !user.revoking) {
    const schedule = { id: user.via_schedule, name: scheduleName };
    releaseSeat(sql, actor, person, { action: 'unassign', transferTo: null, until: null }, DEFAULT_CHOICE, now, { reason: 'shift_ended', schedule });
  }
  if (!user.request_id || !user.request_schedule) return;
  if (!user.request_reason?.startsWith(shiftReason(''))) {
    // Their own request: it stays, as theirs again.
    sql.run('UPDATE seat_requests SET schedule_id = NULL WHERE id = ?', user.request_id);
    return;
  }
  sql.run(
    "UPDATE seat_requests SET status = 'cancelled', decided_at = ?, decided_by_id = ?, decided_by_name = ? WHERE id = ?",
    new Date(now).toISOString(),
    actor?.id ?? null,
    actor?.name ?? null,
    user.request_id,
  );
  recordAudit(sql, now, actor, 'seat_request.cancelled', target(person), { requestId: user.request_id, reason: 'shift_ended' });
}

/** On shift: a free seat (the shift's), else a wait served as seats free; a seat leaving at a shift's end stays after all. */
function startShift(sql: Sql, actor: Actor | null, user: SeatState, shift: ScheduleRow, now: number): void {
  const person = { id: user.id, name: user.name };
  const schedule = { id: shift.id, name: shift.name };
  if (user.held) {
    if (!user.via_schedule) return; // Given by hand or a group: it stays as it is.
    if (user.revoking) cancelRevocation(sql, actor, person, 'shift_started', now);
    if (user.via_schedule !== shift.id) sql.run('UPDATE seats SET via_schedule = ? WHERE user_id = ?', shift.id, user.id);
    return;
  }
  if (user.request_id) {
    if (!user.request_schedule) sql.run('UPDATE seat_requests SET schedule_id = ? WHERE id = ?', shift.id, user.request_id);
    return;
  }
  // A free seat the pools leave room for (a reserve is only its pool's), and nobody ahead in line.
  if (storedCounts(sql).available > 0 && hasRoom(sql, user.id) && nextServed(sql) === null) {
    giveSeat(sql, actor, person, now, undefined, { reason: 'shift_started', schedule });
    sql.run('UPDATE seats SET via_schedule = ? WHERE user_id = ?', shift.id, user.id);
    return;
  }
  const reason = shiftReason(shift.name);
  const id = sql.one<{ id: string }>(
    `INSERT INTO seat_requests (id, user_id, reason, status, created_at, schedule_id)
     VALUES ('req_' || lower(hex(randomblob(10))), ?, ?, 'pending', ?, ?) RETURNING id`,
    user.id,
    reason,
    new Date(now).toISOString(),
    shift.id,
  )!.id;
  recordAudit(sql, now, actor, 'seat_request.created', target(person), { requestId: id, reason, schedule });
}

/** Each schedule with people on it wakes the object at its next boundary (one `schedule` timer per schedule). */
function armScheduleTimers(sql: Sql, schedules: { row: ScheduleRow; rules: ScheduleRules }[], now: number): void {
  const used = new Set(scheduledPeople(sql).map((p) => p.scheduleId));
  for (const { row, rules } of schedules) {
    const swappers = [...new Set(rules.exceptions.flatMap((e) => (e.userId ? [e.userId] : [])))];
    const next = used.has(row.id) ? nextBoundary(rules, [null, ...swappers], now) : null;
    if (next === null) clearTimer(sql, 'schedule', row.id);
    else setTimer(sql, 'schedule', row.id, next);
  }
}
