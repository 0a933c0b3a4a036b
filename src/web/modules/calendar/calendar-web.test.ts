import { describe, expect, it } from 'vitest';
import type { CalendarDetail, YearDay } from '../../../server/modules/calendar/contract.ts';
import { buildMonthGrid, formatHours } from './month-grid.ts';
import { checkHoursDraft, copyMondayToWeekdays, dayMinutes, draftFromCalendar, groupErrors, hoursBody, otherErrors, windowErrors } from './week-draft.ts';

const day = (date: string, weekday: number): YearDay => ({ date, weekday, kind: 'workday', minutes: 450, partial: false, nameZh: null, nameEn: null });

describe('buildMonthGrid', () => {
  it('lays a month out Monday → Sunday with blanks around it', () => {
    // February 2026 starts on a Sunday (weekday 7) and has 28 days: 5 rows.
    const feb = Array.from({ length: 28 }, (_, i) => day(`2026-02-${String(i + 1).padStart(2, '0')}`, ((6 + i) % 7) + 1));
    const jan = [day('2026-01-31', 6)];
    const grid = buildMonthGrid([...jan, ...feb], 2);
    expect(grid).toHaveLength(5);
    expect(grid[0]!.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(grid[0]![6]!.date).toBe('2026-02-01');
    expect(grid[4]!.map((d) => d?.date ?? null)).toEqual(['2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', null]);
    expect(grid.every((w) => w.length === 7)).toBe(true);
  });

  it('formats minutes as hours', () => {
    expect(formatHours(450)).toBe('7.5');
    expect(formatHours(1380)).toBe('23');
    expect(formatHours(200)).toBe('3.33');
  });
});

const OFFICE = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];
const calendar: CalendarDetail = {
  id: '01a210b5-7187-7000-9c7d-4354608ff4aa',
  nameZh: '办公',
  nameEn: null,
  timeZone: 'Asia/Shanghai',
  hours: { kind: 'weekly', days: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE, sat: [], sun: [] } },
  validity: { fromYear: 2026, toYear: 2026 },
  ownerUnitId: null,
  active: true,
  holidayCount: 1,
  makeUpDayCount: 0,
  assignmentCount: 0,
  version: 3,
  createdAt: '2026-11-25T00:00:00.000Z',
  updatedAt: '2026-11-25T00:00:00.000Z',
  holidays: [
    { id: '01a210b5-7187-7000-9c7d-4354608ff4ab', calendarId: '01a210b5-7187-7000-9c7d-4354608ff4aa', date: '2026-10-01', nameZh: '国庆节', nameEn: null, offWindows: null, source: 'official_cn', version: 1 },
  ],
  makeUpDays: [],
};

describe('the week editor draft', () => {
  it('round-trips a calendar into a PATCH body', () => {
    expect(hoursBody(draftFromCalendar(calendar))).toEqual({ hours: calendar.hours, timeZone: 'Asia/Shanghai', validity: calendar.validity });
    expect(hoursBody({ ...draftFromCalendar(calendar), always: true }).hours).toEqual({ kind: 'always' });
  });

  it('reports overlapping windows, a bad zone and orphaned holidays where the editor shows them', () => {
    const draft = draftFromCalendar(calendar);
    const errors = checkHoursDraft(calendar, {
      ...draft,
      days: { ...draft.days, mon: [{ start: '09:00', end: '12:30' }, { start: '12:00', end: '18:00' }], tue: [{ start: '9', end: '12:00' }] },
      timeZone: 'Nowhere/City',
      validity: { fromYear: 2027, toYear: 2027 },
    });
    // A shape error (the malformed time) is reported alone: the engine's checks wait for it, as on the server.
    expect(errors).toEqual([{ path: 'hours.days.tue.0.start', message: 'v:wall_time' }]);
    expect(windowErrors(groupErrors(errors), 'tue', 0)).toEqual(['v:wall_time']);
    const shaped = checkHoursDraft(calendar, {
      ...draft,
      days: { ...draft.days, mon: [{ start: '09:00', end: '12:30' }, { start: '12:00', end: '18:00' }] },
      timeZone: 'Nowhere/City',
      validity: { fromYear: 2027, toYear: 2027 },
    });
    const byPath = groupErrors(shaped);
    expect(windowErrors(byPath, 'mon', 1)).toEqual(['v:calendar_window_overlap']);
    expect(windowErrors(byPath, 'mon', 0)).toEqual([]);
    expect(byPath.get('timeZone')).toEqual(['v:calendar_unknown_time_zone']);
    expect(otherErrors(shaped)).toEqual([{ path: 'holidays.0.date', message: 'v:calendar_date_outside_validity' }]);
    expect(checkHoursDraft(calendar, draft)).toEqual([]);
  });

  it('sums a day and copies Monday', () => {
    expect(dayMinutes(OFFICE)).toBe(450);
    expect(dayMinutes([{ start: '18:00', end: '09:00' }, { start: '22:00', end: '24:00' }])).toBe(120);
    const copied = copyMondayToWeekdays({ mon: OFFICE, tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
    expect(copied.fri).toEqual(OFFICE);
    expect(copied.sat).toEqual([]);
  });
});
