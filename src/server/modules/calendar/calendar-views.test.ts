import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildYearView, checkLeavePeriod, nextIsoDate, toEngineCalendar, toEngineLeave } from './calendar-views.ts';
import { createCalendar, createWeekdayHours, type Calendar } from './calendar.ts';
import { createChinaCalendar } from './china-holidays.ts';
import { MS_PER_HOUR, businessTimeBetween, toZonedInstant, workingCapacity } from './clock.ts';
import {
  CheckedCalendarDraft,
  DAY_SOURCES as CONTRACT_DAY_SOURCES,
  LEAVE_KINDS as CONTRACT_LEAVE_KINDS,
  checkCalendarDraft,
  engineCondition,
  toFieldPath,
} from './contract.ts';
import { DAY_SOURCES, LEAVE_KINDS } from './schema.ts';

const OFFICE = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];
const china = createChinaCalendar({ id: 'cn', name: 'China office' });

describe('toZonedInstant', () => {
  it('turns a local wall time into an instant in the zone', () => {
    expect(toZonedInstant('2026-02-12', '12:00', 'Asia/Shanghai').toISOString()).toBe('2026-02-12T04:00:00.000Z');
    expect(toZonedInstant('2026-02-12', '24:00', 'Asia/Shanghai').toISOString()).toBe('2026-02-12T16:00:00.000Z');
    expect(toZonedInstant('2026-07-01', '09:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T07:00:00.000Z'); // CEST, +02:00
  });

  it('resolves a daylight-saving gap like Temporal "compatible" (after the gap)', () => {
    // Berlin springs forward on 2026-03-29 at 02:00 → 03:00; 02:30 does not exist and lands at 03:30 CEST.
    expect(toZonedInstant('2026-03-29', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // Local noon on that day is 10:00Z (CEST), not midnight + 12 h (11:00Z).
    expect(toZonedInstant('2026-03-29', '12:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T10:00:00.000Z');
  });

  it('refuses bad input with the engine error codes', () => {
    expect(() => toZonedInstant('2026-02-30', '09:00', 'Asia/Shanghai')).toThrow(expect.objectContaining({ code: 'calendar.invalid_date' }));
    expect(() => toZonedInstant('2026-02-12', '25:00', 'Asia/Shanghai')).toThrow(expect.objectContaining({ code: 'calendar.invalid_time' }));
    expect(() => toZonedInstant('2026-02-12', '09:00', 'Nowhere/City')).toThrow(expect.objectContaining({ code: 'calendar.unknown_time_zone' }));
  });
});

describe('buildYearView', () => {
  it('classifies the days of 2026 in the China office calendar', () => {
    const { days, totals } = buildYearView(china, 2026);
    expect(days).toHaveLength(365);
    const day = (date: string) => days.find((d) => d.date === date)!;
    expect(day('2026-01-01')).toMatchObject({ kind: 'holiday', minutes: 0, weekday: 4 });
    expect(day('2026-01-04')).toMatchObject({ kind: 'makeup_workday', minutes: 450, weekday: 7 });
    expect(day('2026-01-05')).toMatchObject({ kind: 'workday', minutes: 450, weekday: 1 });
    expect(day('2026-01-10')).toMatchObject({ kind: 'weekend', minutes: 0, weekday: 6 });
    // 261 Monday–Fridays − 19 weekday holidays + 6 make-up days = 248 working days; × 7.5 h = 1,860 h.
    expect(totals).toEqual({ workdays: 248, restDays: 117, holidays: 33, makeupWorkdays: 6, workingHours: 1860 });
  });

  it('marks a part-day holiday as partial and counts its remaining minutes', () => {
    const calendar = createCalendar({
      id: 'half',
      name: 'half',
      hours: createWeekdayHours(OFFICE),
      holidays: [{ date: '2026-12-31', offWindows: [{ start: '13:30', end: '18:00' }] }],
      validity: { fromYear: 2026, toYear: 2026 },
    });
    const names = new Map([['2026-12-31', { nameZh: '跨年', nameEn: "New Year's Eve" }]]);
    const d = buildYearView(calendar, 2026, names).days.at(-1)!;
    expect(d).toEqual({ date: '2026-12-31', weekday: 4, kind: 'holiday', minutes: 180, partial: true, nameZh: '跨年', nameEn: "New Year's Eve" });
  });

  it('counts a daylight-saving day of a 24×7 calendar at its real length', () => {
    const always = createCalendar({ id: 'always', name: '24×7', timeZone: 'Europe/Berlin', hours: { kind: 'always' }, validity: { fromYear: 2026, toYear: 2026 } });
    const { days, totals } = buildYearView(always, 2026);
    expect(days.find((d) => d.date === '2026-03-29')!.minutes).toBe(23 * 60);
    expect(days.find((d) => d.date === '2026-10-25')!.minutes).toBe(25 * 60);
    expect(totals.workingHours).toBe(365 * 24);
  });

  it('property: the year total equals the sum of its days and the engine between the year ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2024, max: 2028 }), (year) => {
        const { days, totals } = buildYearView(china, year);
        const sum = days.reduce((s, d) => s + d.minutes, 0) / 60;
        expect(sum).toBeCloseTo(totals.workingHours, 9);
        expect(totals.workdays + totals.restDays).toBe(days.length);
        expect(days.filter((d) => d.minutes > 0).length).toBe(totals.workdays);
        const yearMs = businessTimeBetween(toZonedInstant(`${year}-01-01`, '00:00', 'Asia/Shanghai'), toZonedInstant(`${year + 1}-01-01`, '00:00', 'Asia/Shanghai'), china);
        expect(yearMs / MS_PER_HOUR).toBe(totals.workingHours);
      }),
      { numRuns: 5 },
    );
  });
});

describe('leave periods', () => {
  it('whole dates stay dates; half days split at local noon', () => {
    expect(toEngineLeave({ span: 'dates', startDate: '2026-02-10', endDate: '2026-02-11', startPart: 'full', endPart: 'full' }, 'Asia/Shanghai')).toEqual({
      startDate: '2026-02-10',
      endDate: '2026-02-11',
    });
    expect(toEngineLeave({ span: 'dates', startDate: '2026-02-10', endDate: '2026-02-11', startPart: 'pm', endPart: 'am' }, 'Asia/Shanghai')).toEqual({
      start: new Date('2026-02-10T04:00:00Z'),
      end: new Date('2026-02-11T04:00:00Z'),
    });
    expect(toEngineLeave({ span: 'instants', startsAt: '2026-02-10T09:00:00+08:00', endsAt: '2026-02-10T10:30:00+08:00' }, 'Asia/Shanghai')).toEqual({
      start: new Date('2026-02-10T01:00:00Z'),
      end: new Date('2026-02-10T02:30:00Z'),
    });
  });

  it('an afternoon off removes the afternoon window: 4.5 h; a morning off 3 h (09:00–12:00 + 13:30–18:00)', () => {
    const from = new Date('2026-02-09T00:00:00+08:00');
    const to = new Date('2026-02-16T00:00:00+08:00');
    const pm = toEngineLeave({ span: 'dates', startDate: '2026-02-12', endDate: '2026-02-12', startPart: 'pm', endPart: 'full' }, 'Asia/Shanghai');
    const am = toEngineLeave({ span: 'dates', startDate: '2026-02-13', endDate: '2026-02-13', startPart: 'full', endPart: 'am' }, 'Asia/Shanghai');
    const result = workingCapacity({ calendar: china, leave: [pm, am] }, from, to);
    expect(result).toMatchObject({ kind: 'known', leaveMs: 7.5 * MS_PER_HOUR, scheduledMs: 45 * MS_PER_HOUR });
  });

  it('checks: end after start; no empty afternoon-to-morning day', () => {
    expect(checkLeavePeriod({ span: 'dates', startDate: '2026-02-10', endDate: '2026-02-10', startPart: 'pm', endPart: 'full' })).toEqual([]);
    expect(checkLeavePeriod({ span: 'dates', startDate: '2026-02-10', endDate: '2026-02-10', startPart: 'pm', endPart: 'am' })[0]).toMatchObject({ path: 'endPart' });
    expect(checkLeavePeriod({ span: 'dates', startDate: '2026-02-10', endDate: '2026-02-09', startPart: 'full', endPart: 'full' })[0]).toMatchObject({ path: 'endDate' });
    expect(checkLeavePeriod({ span: 'instants', startsAt: '2026-02-10T10:00:00Z', endsAt: '2026-02-10T10:00:00Z' })[0]).toMatchObject({
      code: 'calendar.invalid_leave',
      path: 'endsAt',
    });
  });

  it('nextIsoDate crosses months and leap days', () => {
    expect(nextIsoDate('2026-02-28')).toBe('2026-03-01');
    expect(nextIsoDate('2028-02-28')).toBe('2028-02-29');
    expect(nextIsoDate('2026-12-31')).toBe('2027-01-01');
  });
});

describe('stored calendar → engine calendar', () => {
  it('keeps windows only where a day has its own', () => {
    const engine: Calendar = toEngineCalendar({
      id: 'c1',
      nameZh: '日历',
      timeZone: 'Asia/Shanghai',
      version: 7,
      hours: createWeekdayHours(OFFICE),
      validity: { fromYear: 2026, toYear: 2026 },
      holidays: [
        { date: '2026-03-02', offWindows: null },
        { date: '2026-03-03', offWindows: [{ start: '13:30', end: '18:00' }] },
      ],
      makeUpDays: [{ date: '2026-03-07', windows: null }],
    });
    expect(engine).toMatchObject({ id: 'c1', name: '日历', version: 7 });
    expect(engine.holidays).toEqual([{ date: '2026-03-02' }, { date: '2026-03-03', offWindows: [{ start: '13:30', end: '18:00' }] }]);
    expect(engine.makeUpDays).toEqual([{ date: '2026-03-07' }]);
  });
});

describe('the contract', () => {
  it('maps engine paths to dotted field paths', () => {
    expect(toFieldPath('hours.days.mon[1].start')).toBe('hours.days.mon.1.start');
    expect(toFieldPath('makeUpDays[0].date')).toBe('makeUpDays.0.date');
    expect(toFieldPath('[2].at')).toBe('2.at');
  });

  it('names engine codes as API conditions, with a fallback', () => {
    expect(engineCondition('calendar.holiday_make_up_conflict')).toBe('holiday_makeup_clash');
    expect(engineCondition('calendar.window_overlap')).toBe('window_overlap');
    expect(engineCondition('calendar.invalid_id')).toBe('invalid');
  });

  it('checks a draft with the engine: the same paths and messages the server answers with', () => {
    const draft = {
      timeZone: 'Asia/Shanghai',
      hours: { kind: 'weekly' as const, days: { mon: [{ start: '09:00', end: '12:30' }, { start: '12:00', end: '18:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
      validity: { fromYear: 2026, toYear: 2026 },
      holidays: [{ date: '2026-03-07', nameZh: '假' }],
      makeUpDays: [{ date: '2026-03-07', nameZh: '班' }],
    };
    expect(checkCalendarDraft(draft)).toEqual([
      { condition: 'window_overlap', path: 'hours.days.mon.1', message: 'v:calendar_window_overlap' },
      { condition: 'holiday_makeup_clash', path: 'makeUpDays.0.date', message: 'v:calendar_holiday_makeup_clash' },
    ]);
    const parsed = CheckedCalendarDraft.safeParse({ nameZh: '草稿', ...draft });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['hours.days.mon.1', 'v:calendar_window_overlap'],
      ['makeUpDays.0.date', 'v:calendar_holiday_makeup_clash'],
    ]);
    expect(CheckedCalendarDraft.safeParse({ nameZh: '草稿', ...draft, makeUpDays: [], hours: createWeekdayHours(OFFICE) }).success).toBe(true);
  });

  it('the schema and the contract list the same enumerations', () => {
    expect([...LEAVE_KINDS]).toEqual([...CONTRACT_LEAVE_KINDS]);
    expect([...DAY_SOURCES]).toEqual([...CONTRACT_DAY_SOURCES]);
  });
});
