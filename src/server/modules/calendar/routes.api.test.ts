import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';

/**
 * The calendar API on a real database, per role. Fixture (see test-app.ts) plus: `director`
 * (head of sales1: sales1, t1, t2) is also a resource_manager, i.e. a department head who keeps
 * calendars, assignments and leave for that subtree.
 */
let t: TestApp;
let admin: TestClient;
let office: { id: string; version: number };

const OFFICE_WINDOWS = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];
const weekdays = (windows: { start: string; end: string }[]) => ({
  kind: 'weekly' as const,
  days: { mon: windows, tue: windows, wed: windows, thu: windows, fri: windows, sat: [], sun: [] },
});
const officeBody = (over: Record<string, unknown> = {}) => ({
  nameZh: '办公日历',
  nameEn: 'Office calendar',
  timeZone: 'Asia/Shanghai',
  hours: weekdays(OFFICE_WINDOWS),
  validity: { fromYear: 2026, toYear: 2026 },
  ...over,
});

async function calendarRow(id: string) {
  const [row] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM business_calendars WHERE id = ${id}`);
  return row;
}
async function daysOf(id: string) {
  return t.rows<{ kind: string; date: string; version: number }>(
    sql`SELECT 'holiday' AS kind, date::text AS date, version FROM calendar_holidays WHERE calendar_id = ${id}
        UNION ALL SELECT 'makeup', date::text, version FROM calendar_makeup_days WHERE calendar_id = ${id} ORDER BY 2, 1`,
  );
}
async function count(table: 'business_calendars' | 'calendar_assignments' | 'person_leave' | 'calendar_holidays') {
  const [row] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`);
  return row!.n;
}
/** Everything the calendar module stores, to prove a refused request changed nothing. */
async function everything() {
  return t.rows(
    sql`SELECT 'c' AS t, id::text, version, name_zh AS x FROM business_calendars
        UNION ALL SELECT 'h', id::text, version, date::text FROM calendar_holidays
        UNION ALL SELECT 'm', id::text, version, date::text FROM calendar_makeup_days
        UNION ALL SELECT 'a', id::text, version, calendar_id::text FROM calendar_assignments
        UNION ALL SELECT 'l', id::text, version, kind FROM person_leave ORDER BY 1, 2`,
  );
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.as('admin');
  const [director] = await t.rows<{ version: number }>(sql`SELECT version FROM users WHERE id = ${t.fixture.users.director}`);
  const res = await admin.patch(`/api/v1/users/${t.fixture.users.director}`, {
    version: director!.version,
    roles: ['sales_manager', 'resource_manager'],
  });
  expect(res.statusCode).toBe(200);
  // The office calendar of the tests: 09:00–12:00 + 13:30–18:00 on weekdays, China's official 2026.
  const created = await admin.post('/api/v1/calendars', officeBody({ nameZh: '中国大陆标准工作日历' }));
  expect(created.statusCode).toBe(201);
  const imported = await admin.post(`/api/v1/calendars/${created.json().id}/import-official`, { country: 'CN', year: 2026 });
  expect(imported.statusCode).toBe(200);
  office = { id: created.json().id, version: imported.json().calendar.version };
});
afterAll(() => t.close());

describe('calendars: reads and writes by role', () => {
  it('everyone reads calendars; the official import added 2026 with its 调休 days', async () => {
    for (const who of ['repA', 'engineer', 'finance'] as FixtureUser[]) {
      const c = await t.as(who);
      const list = await c.get('/api/v1/calendars?limit=200');
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((x: { id: string }) => x.id)).toContain(office.id);
    }
    const detail = (await (await t.as('repA')).get(`/api/v1/calendars/${office.id}`)).json();
    expect(detail.holidayCount).toBe(33);
    expect(detail.makeUpDays.map((m: { date: string }) => m.date)).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(detail.makeUpDays.every((m: { source: string }) => m.source === 'official_cn')).toBe(true);
  });

  it('a missing calendar is 404', async () => {
    const res = await (await t.as('repA')).get('/api/v1/calendars/00000000-0000-4000-8000-000000000000');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('platform.not_found');
  });

  it('a rep cannot create, edit, delete a calendar or add a holiday (403); nothing changes', async () => {
    const rep = await t.as('repA');
    const before = await everything();
    const attempts = [
      await rep.post('/api/v1/calendars', officeBody()),
      await rep.patch(`/api/v1/calendars/${office.id}`, { version: office.version, nameZh: '改名' }),
      await rep.delete(`/api/v1/calendars/${office.id}?version=${office.version}`),
      await rep.post(`/api/v1/calendars/${office.id}/holidays`, { date: '2026-03-02', nameZh: '公司假' }),
      await rep.post(`/api/v1/calendars/${office.id}/import-official`, { country: 'CN', year: 2026 }),
    ];
    for (const res of attempts) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('platform.forbidden');
    }
    expect(await everything()).toEqual(before);
  });

  it('a department head (resource manager) keeps calendars of their subtree only', async () => {
    const director = await t.as('director');
    // Without an owner, their calendar belongs to their own unit.
    const own = await director.post('/api/v1/calendars', officeBody({ nameZh: '销售一部日历' }));
    expect(own.statusCode).toBe(201);
    expect(own.json().ownerUnitId).toBe(t.fixture.units.sales1);
    const renamed = await director.patch(`/api/v1/calendars/${own.json().id}`, { version: own.json().version, nameZh: '销售一部工作日历' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().nameZh).toBe('销售一部工作日历');

    const before = await everything();
    // The company calendar (no owner) and a calendar for a unit outside the subtree: 403.
    const company = await director.patch(`/api/v1/calendars/${office.id}`, { version: office.version, nameZh: '改名' });
    expect(company.statusCode).toBe(403);
    const foreign = await director.post('/api/v1/calendars', officeBody({ ownerUnitId: t.fixture.units.sales2 }));
    expect(foreign.statusCode).toBe(403);
    const moveAway = await director.patch(`/api/v1/calendars/${own.json().id}`, { version: renamed.json().version, ownerUnitId: t.fixture.units.bg2 });
    expect(moveAway.statusCode).toBe(403);
    expect(await everything()).toEqual(before);
  });

  it('editing a calendar bumps its version and is audited; a stale version is 409 and changes nothing', async () => {
    const created = (await admin.post('/api/v1/calendars', officeBody({ nameZh: '版本测试' }))).json();
    expect(created.version).toBe(1);
    const edited = await admin.patch(`/api/v1/calendars/${created.id}`, {
      version: 1,
      hours: weekdays([{ start: '08:30', end: '17:30' }]),
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().version).toBe(2);
    const holiday = await admin.post(`/api/v1/calendars/${created.id}/holidays`, { date: '2026-03-02', nameZh: '公司日' });
    expect(holiday.statusCode).toBe(201);
    expect(holiday.json().calendarVersion).toBe(3);
    const removed = await admin.delete(`/api/v1/calendars/${created.id}/holidays/${holiday.json().holiday.id}?version=1`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().calendarVersion).toBe(4);
    expect((await calendarRow(created.id))!['version']).toBe(4);

    const audit = await t.rows<{ action: string; actor_id: string; changes: Record<string, [unknown, unknown]> }>(
      sql`SELECT action, actor_id, changes FROM audit_log WHERE entity_type = 'calendar' AND entity_id = ${created.id} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'holiday.create', 'holiday.delete']);
    expect(audit.every((a) => a.actor_id === t.fixture.users.admin)).toBe(true);
    expect(audit[1]!.changes['version']).toEqual([1, 2]);
    // One readable field per weekday that changed; the weekend did not.
    expect(audit[1]!.changes['hours.mon']).toEqual(['09:00–12:00, 13:30–18:00', '08:30–17:30']);
    expect(audit[1]!.changes).not.toHaveProperty('hours.sat');
    expect(audit[2]!.changes['holiday.date']).toEqual([null, '2026-03-02']);

    const before = await calendarRow(created.id);
    const stale = await admin.patch(`/api/v1/calendars/${created.id}`, { version: 2, nameZh: '过期' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'platform.version_conflict', currentVersion: 4 });
    const staleDelete = await admin.delete(`/api/v1/calendars/${created.id}?version=3`);
    expect(staleDelete.statusCode).toBe(409);
    expect(await calendarRow(created.id)).toEqual(before);
    // The history is readable by anyone who may read the calendar.
    const history = await (await t.as('repD')).get(`/api/v1/audit/calendar/${created.id}`);
    expect(history.statusCode).toBe(200);
    expect(history.json().items).toHaveLength(4);
  });

  it('holidays and make-up days: a half day off shows in the year view; edits are checked and versioned', async () => {
    const cal = (await admin.post('/api/v1/calendars', officeBody({ nameZh: '半天假' }))).json();
    const eve = await admin.post(`/api/v1/calendars/${cal.id}/holidays`, {
      date: '2026-12-31',
      nameZh: '跨年',
      offWindows: [{ start: '13:30', end: '18:00' }],
    });
    expect(eve.statusCode).toBe(201);
    const sat = await admin.post(`/api/v1/calendars/${cal.id}/makeup-days`, { date: '2026-12-26', nameZh: '年会', windows: [{ start: '10:00', end: '16:00' }] });
    expect(sat.statusCode).toBe(201);
    expect(sat.json().calendarVersion).toBe(3);
    const year = (await admin.get(`/api/v1/calendars/${cal.id}/year/2026`)).json();
    const day = (date: string) => year.days.find((d: { date: string }) => d.date === date);
    expect(day('2026-12-31')).toMatchObject({ kind: 'holiday', partial: true, minutes: 180, nameZh: '跨年' });
    expect(day('2026-12-26')).toMatchObject({ kind: 'makeup_workday', minutes: 360, nameZh: '年会' });

    const before = await everything();
    // Inverted off window, a date already taken by the make-up day, a stale version: all refused.
    const inverted = await admin.patch(`/api/v1/calendars/${cal.id}/holidays/${eve.json().holiday.id}`, {
      version: 1,
      offWindows: [{ start: '18:00', end: '13:30' }],
    });
    expect(inverted.statusCode).toBe(422);
    expect(inverted.json()).toMatchObject({ code: 'calendar.window_inverted', errors: [{ path: 'offWindows.0' }] });
    const clash = await admin.patch(`/api/v1/calendars/${cal.id}/holidays/${eve.json().holiday.id}`, { version: 1, date: '2026-12-26' });
    expect(clash.statusCode).toBe(422);
    expect(clash.json()).toMatchObject({ code: 'calendar.holiday_makeup_clash', errors: [{ path: 'date' }] });
    const outside = await admin.patch(`/api/v1/calendars/${cal.id}/makeup-days/${sat.json().makeUpDay.id}`, { version: 1, date: '2027-01-02' });
    expect(outside.statusCode).toBe(422);
    expect(outside.json()).toMatchObject({ code: 'calendar.date_outside_validity', errors: [{ path: 'date' }] });
    const stale = await admin.patch(`/api/v1/calendars/${cal.id}/makeup-days/${sat.json().makeUpDay.id}`, { version: 7, nameZh: '旧' });
    expect(stale.statusCode).toBe(409);
    expect(await everything()).toEqual(before);

    const moved = await admin.patch(`/api/v1/calendars/${cal.id}/makeup-days/${sat.json().makeUpDay.id}`, { version: 1, date: '2026-12-27', windows: null });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ makeUpDay: { date: '2026-12-27', windows: null, version: 2 }, calendarVersion: 4 });
    expect(await daysOf(cal.id)).toEqual([
      { kind: 'holiday', date: '2026-12-31', version: 1 },
      { kind: 'makeup', date: '2026-12-27', version: 2 },
    ].sort((a, b) => a.date.localeCompare(b.date)));

    // Removing it: a stale version is 409 and keeps the day; the right one removes it and bumps the calendar.
    const dayUrl = `/api/v1/calendars/${cal.id}/makeup-days/${sat.json().makeUpDay.id}`;
    expect((await admin.delete(`${dayUrl}?version=1`)).statusCode).toBe(409);
    expect(await daysOf(cal.id)).toContainEqual({ kind: 'makeup', date: '2026-12-27', version: 2 });
    const removed = await admin.delete(`${dayUrl}?version=2`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ makeUpDay: null, calendarVersion: 5 });
    expect(await daysOf(cal.id)).toEqual([{ kind: 'holiday', date: '2026-12-31', version: 1 }]);
    expect((await admin.delete(`${dayUrl}?version=2`)).statusCode).toBe(404);
  });

  it('creating is idempotent: the same Idempotency-Key replays, another body with it is 422', async () => {
    const key = { 'idempotency-key': 'calendar-create-0001' };
    const before = await count('business_calendars');
    const first = await admin.post('/api/v1/calendars', officeBody({ nameZh: '幂等' }), key);
    const again = await admin.post('/api/v1/calendars', officeBody({ nameZh: '幂等' }), key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await count('business_calendars')).toBe(before + 1);
    const other = await admin.post('/api/v1/calendars', officeBody({ nameZh: '另一个' }), key);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('platform.idempotency_key_reused');
    expect(await count('business_calendars')).toBe(before + 1);
  });

  it('a calendar still assigned cannot be deleted (409); unassigned, it can', async () => {
    const cal = (await admin.post('/api/v1/calendars', officeBody({ nameZh: '待删' }))).json();
    const assigned = await admin.post('/api/v1/calendars/assignments', { calendarId: cal.id, unitId: t.fixture.units.t3 });
    expect(assigned.statusCode).toBe(201);
    const refused = await admin.delete(`/api/v1/calendars/${cal.id}?version=${cal.version}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'calendar.in_use' });
    expect(await calendarRow(cal.id)).toBeDefined();
    expect((await admin.delete(`/api/v1/calendars/assignments/${assigned.json().id}?version=1`)).statusCode).toBe(200);
    expect((await admin.delete(`/api/v1/calendars/${cal.id}?version=${cal.version}`)).statusCode).toBe(200);
    expect(await calendarRow(cal.id)).toBeUndefined();
  });
});

describe('calendars: bad input is a problem with field paths, and nothing is stored', () => {
  async function refused(res: Awaited<ReturnType<TestClient['post']>>, status: number, code: string, paths: string[]) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.code).toBe(code);
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    return problem;
  }

  it('overlapping and inverted windows → 422 with every offending window', async () => {
    const before = await everything();
    const overlap = await admin.post(
      '/api/v1/calendars',
      officeBody({ hours: weekdays([{ start: '09:00', end: '12:30' }, { start: '12:00', end: '18:00' }]) }),
    );
    // The same windows every weekday: one overlap reported per day.
    await refused(overlap, 422, 'calendar.window_overlap', ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => `hours.days.${d}.1`));
    const inverted = await admin.post('/api/v1/calendars', officeBody({ hours: { ...weekdays(OFFICE_WINDOWS), days: { ...weekdays(OFFICE_WINDOWS).days, sat: [{ start: '18:00', end: '09:00' }] } } }));
    const problem = await refused(inverted, 422, 'calendar.window_inverted', ['hours.days.sat.0']);
    expect(problem.errors[0].message).toBeTruthy();
    expect(problem.errors[0].message).not.toMatch(/^v:/);
    expect(await everything()).toEqual(before);
  });

  it('a holiday and a make-up day on the same date → 422 holiday_makeup_clash (create and add)', async () => {
    const before = await everything();
    const both = await admin.post(
      '/api/v1/calendars',
      officeBody({ holidays: [{ date: '2026-03-07', nameZh: '假' }], makeUpDays: [{ date: '2026-03-07', nameZh: '班' }] }),
    );
    await refused(both, 422, 'calendar.holiday_makeup_clash', ['makeUpDays.0.date']);
    // 2026-02-14 is an official 调休 Saturday of the office calendar: it cannot also be a holiday.
    const add = await admin.post(`/api/v1/calendars/${office.id}/holidays`, { date: '2026-02-14', nameZh: '假' });
    await refused(add, 422, 'calendar.holiday_makeup_clash', ['date']);
    // …nor can a second make-up day sit on a holiday.
    const addMakeUp = await admin.post(`/api/v1/calendars/${office.id}/makeup-days`, { date: '2026-10-01', nameZh: '班' });
    await refused(addMakeUp, 422, 'calendar.holiday_makeup_clash', ['date']);
    expect(await everything()).toEqual(before);
  });

  it('an unknown time zone → 422 calendar.unknown_time_zone; a malformed time → 400', async () => {
    const before = await everything();
    await refused(await admin.post('/api/v1/calendars', officeBody({ timeZone: 'Mars/Olympus_Mons' })), 422, 'calendar.unknown_time_zone', ['timeZone']);
    await refused(
      await admin.patch(`/api/v1/calendars/${office.id}`, { version: office.version, timeZone: 'Asia/Peking' }),
      422,
      'calendar.unknown_time_zone',
      ['timeZone'],
    );
    await refused(
      await admin.post('/api/v1/calendars', officeBody({ hours: weekdays([{ start: '9:00', end: '12:00' }]) })),
      400,
      'platform.validation',
      ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => `hours.days.${d}.0.start`),
    );
    expect(await everything()).toEqual(before);
  });

  it('narrowing the validity below the stored days is refused on the validity field', async () => {
    const before = await everything();
    const res = await admin.patch(`/api/v1/calendars/${office.id}`, { version: office.version, validity: { fromYear: 2027, toYear: 2027 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('calendar.date_outside_validity');
    expect(new Set(res.json().errors.map((e: { path: string }) => e.path))).toEqual(new Set(['validity']));
    expect(await everything()).toEqual(before);
  });

  it('importing a year not yet published → 422 schedule_not_published; an unknown year → 422', async () => {
    const before = await everything();
    await refused(await admin.post(`/api/v1/calendars/${office.id}/import-official`, { country: 'CN', year: 2027 }), 422, 'calendar.schedule_not_published', ['year']);
    const unknown = await admin.post(`/api/v1/calendars/${office.id}/import-official`, { country: 'CN', year: 2031 });
    await refused(unknown, 422, 'calendar.no_official_schedule', ['year']);
    expect(unknown.json().detail).toContain('2031');
    expect(await everything()).toEqual(before);
  });

  it('re-importing a published year replaces the earlier import and changes no dates', async () => {
    const daysBefore = await daysOf(office.id);
    const res = await admin.post(`/api/v1/calendars/${office.id}/import-official`, { country: 'CN', year: 2026 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ holidaysAdded: 33, makeUpDaysAdded: 6, replaced: 39 });
    expect((await daysOf(office.id)).map((d) => `${d.kind} ${d.date}`)).toEqual(daysBefore.map((d) => `${d.kind} ${d.date}`));
    office.version = res.json().calendar.version;
  });
});

describe('the year view', () => {
  it('shows every day of 2026 with its kind and working minutes', async () => {
    const res = await (await t.as('engineer')).get(`/api/v1/calendars/${office.id}/year/2026`);
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view.days).toHaveLength(365);
    expect(view.covered).toBe(true);
    const day = (date: string) => view.days.find((d: { date: string }) => d.date === date);
    expect(day('2026-02-13')).toMatchObject({ kind: 'workday', minutes: 450, weekday: 5 });
    expect(day('2026-02-14')).toMatchObject({ kind: 'makeup_workday', minutes: 450, weekday: 6, nameZh: '春节调休上班' });
    expect(day('2026-02-16')).toMatchObject({ kind: 'holiday', minutes: 0, weekday: 1, nameZh: '春节', nameEn: 'Spring Festival' });
    expect(day('2026-03-07')).toMatchObject({ kind: 'weekend', minutes: 0 });
    // 2026 has 261 Monday–Fridays; 19 of them are holidays and 6 weekend days are worked (调休):
    // 261 − 19 + 6 = 248 working days × 7.5 h = 1,860 h. 33 holiday dates in all (3+9+3+5+3+3+7).
    expect(view.totals).toEqual({ workdays: 248, restDays: 117, holidays: 33, makeupWorkdays: 6, workingHours: 1860 });
    const uncovered = (await (await t.as('engineer')).get(`/api/v1/calendars/${office.id}/year/2027`)).json();
    expect(uncovered.covered).toBe(false);
  });
});

describe('"when is it due?"', () => {
  it('counts across the Spring Festival block, with the 调休 Saturday worked', async () => {
    const rep = await t.as('repC');
    const res = await rep.post(`/api/v1/calendars/${office.id}/due`, {
      start: '2026-02-13T16:00:00+08:00',
      duration: { unit: 'hours', value: 16 },
    });
    expect(res.statusCode).toBe(200);
    // Fri 02-13 16:00–18:00 = 2 h (14 left); Sat 02-14 is a make-up workday: 3 + 4.5 = 7.5 h
    // (6.5 left); Sun 02-15 … Mon 02-23 is the holiday block (0 h); Tue 02-24 09:00–12:00 = 3 h
    // (3.5 left), then 13:30 + 3.5 h = 17:00. Due 2026-02-24 17:00 +08:00 = 09:00Z.
    const due = res.json();
    expect(due.due).toBe('2026-02-24T09:00:00.000Z');
    expect(due.workingMinutes).toBe(16 * 60);
    expect(due.windows).toEqual([
      { start: '2026-02-13T08:00:00.000Z', end: '2026-02-13T10:00:00.000Z', minutes: 120 },
      { start: '2026-02-14T01:00:00.000Z', end: '2026-02-14T04:00:00.000Z', minutes: 180 },
      { start: '2026-02-14T05:30:00.000Z', end: '2026-02-14T10:00:00.000Z', minutes: 270 },
      { start: '2026-02-24T01:00:00.000Z', end: '2026-02-24T04:00:00.000Z', minutes: 180 },
      { start: '2026-02-24T05:30:00.000Z', end: '2026-02-24T09:00:00.000Z', minutes: 210 },
    ]);
    expect(due.calendar).toEqual({ id: office.id, version: office.version });
    expect(due.uncoveredYears).toEqual([]);
  });

  it('business days: the start date never counts; the 调休 Saturday is the first working day', async () => {
    const res = await admin.post(`/api/v1/calendars/${office.id}/due`, {
      start: '2026-02-13T10:00:00+08:00',
      duration: { unit: 'business_days', value: 2 },
    });
    // Working days after Fri 02-13: Sat 02-14 (调休) is day 1, Tue 02-24 day 2 → its end, 18:00 +08:00.
    expect(res.json().due).toBe('2026-02-24T10:00:00.000Z');
  });

  it('a negative duration → 422 calendar.negative_duration on duration.value; fractional days → invalid_duration', async () => {
    const neg = await admin.post(`/api/v1/calendars/${office.id}/due`, { start: '2026-02-13T10:00:00+08:00', duration: { unit: 'minutes', value: -5 } });
    expect(neg.statusCode).toBe(422);
    expect(neg.json()).toMatchObject({ code: 'calendar.negative_duration', errors: [{ path: 'duration.value' }] });
    const frac = await admin.post(`/api/v1/calendars/${office.id}/due`, { start: '2026-02-13T10:00:00+08:00', duration: { unit: 'business_days', value: 1.5 } });
    expect(frac.statusCode).toBe(422);
    expect(frac.json().code).toBe('calendar.invalid_duration');
  });

  it('a calendar without working time → 422 calendar.no_working_time', async () => {
    const empty = (await admin.post('/api/v1/calendars', officeBody({ nameZh: '空', hours: weekdays([]) }))).json();
    const res = await admin.post(`/api/v1/calendars/${empty.id}/due`, { start: '2026-02-13T10:00:00+08:00', duration: { unit: 'hours', value: 1 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('calendar.no_working_time');
  });
});

describe('clock preview (event-log SLA clock)', () => {
  it('a pause over the holiday block moves the due by the working time paused', async () => {
    const res = await admin.post(`/api/v1/calendars/${office.id}/clock`, {
      target: { unit: 'hours', value: 4 },
      events: [
        { type: 'start', at: '2026-02-13T16:00:00+08:00' },
        { type: 'pause', at: '2026-02-13T17:00:00+08:00' },
        { type: 'resume', at: '2026-02-14T10:00:00+08:00' },
      ],
      asOf: '2026-02-14T11:00:00+08:00',
    });
    expect(res.statusCode).toBe(200);
    // Ran 16:00–17:00 (1 h), paused 17:00–18:00 Fri + 09:00–10:00 Sat (2 working hours), running
    // again since Sat 10:00 with 3 h left: 10:00–12:00 (2 h), 13:30 + 1 h = 14:30 Sat (调休).
    expect(res.json()).toMatchObject({
      status: 'running',
      due: '2026-02-14T06:30:00.000Z',
      elapsedMinutes: 120,
      pausedMinutes: 120,
      remainingMinutes: 120,
      breached: false,
    });
  });

  it('a pause without a start → 422 calendar.pause_without_start on the event; events out of order → event_order', async () => {
    const pause = await admin.post(`/api/v1/calendars/${office.id}/clock`, {
      target: { unit: 'hours', value: 4 },
      events: [{ type: 'pause', at: '2026-02-13T17:00:00+08:00' }],
    });
    expect(pause.statusCode).toBe(422);
    expect(pause.headers['content-type']).toContain('application/problem+json');
    expect(pause.json()).toMatchObject({ code: 'calendar.pause_without_start', errors: [{ path: 'events.0' }] });
    const order = await admin.post(`/api/v1/calendars/${office.id}/clock`, {
      target: { unit: 'hours', value: 4 },
      events: [
        { type: 'start', at: '2026-02-13T17:00:00+08:00' },
        { type: 'stop', at: '2026-02-13T16:00:00+08:00' },
      ],
    });
    expect(order.statusCode).toBe(422);
    expect(order.json()).toMatchObject({ code: 'calendar.event_order', errors: [{ path: 'events.1.at' }] });
  });
});

describe('assignments', () => {
  it('a department head assigns within their subtree only; a rep not at all', async () => {
    const director = await t.as('director');
    const before = await everything();
    const outside = await director.post('/api/v1/calendars/assignments', { calendarId: office.id, unitId: t.fixture.units.bg1 });
    expect(outside.statusCode).toBe(403);
    const personOutside = await director.post('/api/v1/calendars/assignments', { calendarId: office.id, userId: t.fixture.users.repD });
    expect(personOutside.statusCode).toBe(404);
    const rep = await t.as('repA');
    const byRep = await rep.post('/api/v1/calendars/assignments', { calendarId: office.id, unitId: t.fixture.units.t1 });
    expect(byRep.statusCode).toBe(403);
    const both = await admin.post('/api/v1/calendars/assignments', { calendarId: office.id, unitId: t.fixture.units.t1, userId: t.fixture.users.repA });
    expect(both.statusCode).toBe(400);
    expect(await everything()).toEqual(before);

    const inside = await director.post('/api/v1/calendars/assignments', { calendarId: office.id, unitId: t.fixture.units.t2 });
    expect(inside.statusCode).toBe(201);
    const twice = await director.post('/api/v1/calendars/assignments', { calendarId: office.id, unitId: t.fixture.units.t2 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('calendar.already_assigned');
    expect((await director.delete(`/api/v1/calendars/assignments/${inside.json().id}?version=1`)).statusCode).toBe(200);
    const audit = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_id = ${inside.json().id} ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['create', 'delete']);
  });
});

describe('leave and capacity', () => {
  let alwaysId: string;

  it('capacity without any calendar is unknown with a warning, never zero', async () => {
    const res = await admin.get(`/api/v1/users/${t.fixture.users.repD}/capacity?from=2026-02-09&to=2026-02-15`);
    expect(res.statusCode).toBe(200);
    expect(res.json().calendar).toBeNull();
    expect(res.json().capacity).toEqual({ kind: 'unknown', reason: 'no_calendar' });
    expect(res.json().warnings[0].code).toBe('no_calendar');
  });

  it('resolves person override → home unit → nearest ancestor with an assignment', async () => {
    expect((await admin.post('/api/v1/calendars/assignments', { calendarId: office.id, unitId: t.fixture.units.bg1 })).statusCode).toBe(201);
    const always = await admin.post('/api/v1/calendars', { nameZh: '7×24', hours: { kind: 'always' }, validity: { fromYear: 2026, toYear: 2026 } });
    alwaysId = always.json().id;
    expect((await admin.post('/api/v1/calendars/assignments', { calendarId: alwaysId, userId: t.fixture.users.repB })).statusCode).toBe(201);

    // repA sits in t1 → sales1 → bg1: bg1's calendar applies. Mon 02-09 … Sun 02-15: five
    // weekdays × 7.5 h + the 调休 Saturday 02-14 (7.5 h) + Sunday 02-15 (holiday, 0) = 45 h.
    const repA = (await admin.get(`/api/v1/users/${t.fixture.users.repA}/capacity?from=2026-02-09&to=2026-02-15`)).json();
    expect(repA.calendar).toMatchObject({ id: office.id, source: 'unit', unitId: t.fixture.units.bg1 });
    expect(repA.capacity).toEqual({ kind: 'known', hours: 45, scheduledHours: 45, leaveHours: 0 });
    expect(repA.from).toBe('2026-02-08T16:00:00.000Z');
    expect(repA.to).toBe('2026-02-15T16:00:00.000Z');
    // repB has their own 24×7 calendar: 7 days × 24 h.
    const repB = (await admin.get(`/api/v1/users/${t.fixture.users.repB}/capacity?from=2026-02-09&to=2026-02-15`)).json();
    expect(repB.calendar).toMatchObject({ id: alwaysId, source: 'person', unitId: null });
    expect(repB.capacity.hours).toBe(168);
    // repD (bg2) still has none.
    expect((await admin.get(`/api/v1/users/${t.fixture.users.repD}/capacity?from=2026-02-09&to=2026-02-15`)).json().capacity.kind).toBe('unknown');
  });

  it('a department head records leave in their subtree; capacity subtracts it', async () => {
    const director = await t.as('director');
    const fullDay = await director.post('/api/v1/calendars/leave', {
      userId: t.fixture.users.repA,
      kind: 'annual',
      period: { span: 'dates', startDate: '2026-02-10', endDate: '2026-02-10' },
    });
    expect(fullDay.statusCode).toBe(201);
    const afternoon = await director.post('/api/v1/calendars/leave', {
      userId: t.fixture.users.repA,
      kind: 'personal',
      period: { span: 'dates', startDate: '2026-02-12', endDate: '2026-02-12', startPart: 'pm' },
      note: '看病',
    });
    expect(afternoon.statusCode).toBe(201);
    expect(afternoon.json().period).toEqual({ span: 'dates', startDate: '2026-02-12', endDate: '2026-02-12', startPart: 'pm', endPart: 'full' });
    // 45 h scheduled − Tue 02-10 (7.5 h) − Thu 02-12 from noon (13:30–18:00 = 4.5 h) = 33 h.
    const cap = (await director.get(`/api/v1/users/${t.fixture.users.repA}/capacity?from=2026-02-09&to=2026-02-15`)).json();
    expect(cap.capacity).toEqual({ kind: 'known', hours: 33, scheduledHours: 45, leaveHours: 12 });
    const audit = await t.rows<{ action: string; actor_id: string }>(sql`SELECT action, actor_id FROM audit_log WHERE entity_id = ${fullDay.json().id}`);
    expect(audit).toEqual([{ action: 'create', actor_id: t.fixture.users.director }]);
  });

  it('leave reads: own, subtree for managers, all for executives; outside scope 404', async () => {
    const list = async (who: FixtureUser, whose: FixtureUser) => (await t.as(who)).get(`/api/v1/calendars/leave?userId=${t.fixture.users[whose]}`);
    expect((await list('repA', 'repA')).json().items).toHaveLength(2);
    expect((await list('director', 'repA')).json().items).toHaveLength(2);
    expect((await list('managerT1', 'repA')).json().items).toHaveLength(2);
    expect((await list('exec', 'repA')).json().items).toHaveLength(2);
    for (const [who, whose] of [
      ['repB', 'repA'],
      ['finance', 'repA'],
      ['engineer', 'repA'],
      ['director', 'repD'],
    ] as [FixtureUser, FixtureUser][]) {
      const res = await list(who, whose);
      expect(res.statusCode, `${who} reading ${whose}'s leave`).toBe(404);
      expect(res.json().code).toBe('platform.not_found');
    }
    // Capacity follows the same scopes.
    expect((await (await t.as('repB')).get(`/api/v1/users/${t.fixture.users.repA}/capacity?from=2026-02-09&to=2026-02-15`)).statusCode).toBe(404);
    expect((await (await t.as('repA')).get(`/api/v1/users/${t.fixture.users.repA}/capacity?from=2026-02-09&to=2026-02-15`)).statusCode).toBe(200);
    // And so does a leave record's history.
    const [leave] = await t.rows<{ id: string }>(sql`SELECT id FROM person_leave WHERE user_id = ${t.fixture.users.repA} LIMIT 1`);
    expect((await (await t.as('repB')).get(`/api/v1/audit/leave/${leave!.id}`)).statusCode).toBe(404);
    expect((await (await t.as('repA')).get(`/api/v1/audit/leave/${leave!.id}`)).statusCode).toBe(200);
  });

  it('leave writes: a rep (even their own) and a manager without the role get 403; outside the subtree 404; nothing stored', async () => {
    const before = await everything();
    const body = (whose: FixtureUser) => ({
      userId: t.fixture.users[whose],
      kind: 'sick',
      period: { span: 'instants', startsAt: '2026-03-02T09:00:00+08:00', endsAt: '2026-03-02T12:00:00+08:00' },
    });
    expect((await (await t.as('repA')).post('/api/v1/calendars/leave', body('repA'))).statusCode).toBe(403);
    expect((await (await t.as('managerT1')).post('/api/v1/calendars/leave', body('repA'))).statusCode).toBe(403);
    expect((await (await t.as('director')).post('/api/v1/calendars/leave', body('repD'))).statusCode).toBe(404);
    const [leave] = await t.rows<{ id: string; version: number }>(sql`SELECT id, version FROM person_leave WHERE user_id = ${t.fixture.users.repA} LIMIT 1`);
    expect((await (await t.as('repA')).patch(`/api/v1/calendars/leave/${leave!.id}`, { version: leave!.version, note: 'x' })).statusCode).toBe(403);
    expect((await (await t.as('repD')).patch(`/api/v1/calendars/leave/${leave!.id}`, { version: leave!.version, note: 'x' })).statusCode).toBe(404);
    expect((await (await t.as('repD')).delete(`/api/v1/calendars/leave/${leave!.id}?version=${leave!.version}`)).statusCode).toBe(404);
    // An empty half-day leave and one ending before it starts: 422 on the field, nothing stored.
    const empty = await (await t.as('director')).post('/api/v1/calendars/leave', {
      userId: t.fixture.users.repA,
      kind: 'personal',
      period: { span: 'dates', startDate: '2026-03-03', endDate: '2026-03-03', startPart: 'pm', endPart: 'am' },
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.json()).toMatchObject({ code: 'calendar.invalid_leave', errors: [{ path: 'period.endPart' }] });
    const backwards = await admin.post('/api/v1/calendars/leave', {
      ...body('repA'),
      period: { span: 'instants', startsAt: '2026-03-02T12:00:00+08:00', endsAt: '2026-03-02T09:00:00+08:00' },
    });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors).toEqual([expect.objectContaining({ path: 'period.endsAt' })]);
    expect(await everything()).toEqual(before);
  });

  it('a stale leave version is 409; the current one edits', async () => {
    const director = await t.as('director');
    const [leave] = await t.rows<{ id: string; version: number }>(sql`SELECT id, version FROM person_leave WHERE user_id = ${t.fixture.users.repA} ORDER BY id LIMIT 1`);
    const edited = await director.patch(`/api/v1/calendars/leave/${leave!.id}`, { version: leave!.version, note: '年假' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().version).toBe(leave!.version + 1);
    const before = await everything();
    const stale = await director.patch(`/api/v1/calendars/leave/${leave!.id}`, { version: leave!.version, note: '旧' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().currentVersion).toBe(leave!.version + 1);
    expect(await everything()).toEqual(before);
  });

  it('a capacity period that ends before it starts is refused', async () => {
    const res = await admin.get(`/api/v1/users/${t.fixture.users.repA}/capacity?from=2026-02-15&to=2026-02-09`);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('query.to');
  });
});
