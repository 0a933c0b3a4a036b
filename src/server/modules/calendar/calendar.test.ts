import { describe, expect, it } from 'vitest';
import {
  createCalendar,
  createCalendarFromYearSchedules,
  createWeekdayHours,
  formatEpochDay,
  getDayRanges,
  getWeekdayIndex,
  listUncoveredYears,
  parseIsoDate,
  parseWallTime,
  resolveCalendar,
  validateCalendar,
  type Calendar,
  type CalendarInput,
} from './calendar.ts';
import { BusinessTimeError, CalendarValidationError } from './business-time-error.ts';
import { CHINA_SCHEDULE_2026, CHINA_SCHEDULE_2027, STANDARD_CHINA_WEEKDAY_WINDOWS } from './china-holidays.ts';

const officeWindows = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];
const office = createWeekdayHours(officeWindows);

function draft(overrides: Partial<Calendar> = {}): Calendar {
  return {
    id: 'office',
    name: 'Office',
    timeZone: 'Asia/Shanghai',
    version: 1,
    hours: office,
    holidays: [],
    makeUpDays: [],
    validity: { fromYear: 2026, toYear: 2026 },
    ...overrides,
  };
}

function getIssueCodes(calendar: Calendar): { code: string; path: string }[] {
  return validateCalendar(calendar).map(({ code, path }) => ({ code, path }));
}

describe('dates and wall times', () => {
  it('parses real dates only', () => {
    expect(parseIsoDate('2026-02-28')).not.toBeNull();
    expect(parseIsoDate('2026-02-29')).toBeNull(); // 2026 is not a leap year
    expect(parseIsoDate('2028-02-29')).not.toBeNull();
    expect(parseIsoDate('2026-2-1')).toBeNull();
    expect(formatEpochDay(parseIsoDate('2026-10-01')!)).toBe('2026-10-01');
  });

  it('knows weekdays (0 = Monday)', () => {
    expect(getWeekdayIndex(parseIsoDate('2026-02-14')!)).toBe(5); // a Saturday, worked in 2026 (调休)
    expect(getWeekdayIndex(parseIsoDate('2026-09-20')!)).toBe(6); // a Sunday, worked in 2026
    expect(getWeekdayIndex(parseIsoDate('1970-01-01')!)).toBe(3); // Thursday
    expect(getWeekdayIndex(parseIsoDate('1969-12-29')!)).toBe(0); // a Monday before the epoch
  });

  it('accepts 24:00 only as an end', () => {
    expect(parseWallTime('24:00', true)).toBe(1440);
    expect(parseWallTime('24:00')).toBeNull();
    expect(parseWallTime('23:60')).toBeNull();
    expect(parseWallTime('9:00')).toBeNull();
    expect(parseWallTime('13:30')).toBe(810);
  });
});

describe('validateCalendar', () => {
  it('accepts a normal office calendar', () => {
    expect(validateCalendar(draft())).toEqual([]);
  });

  it('reports inverted and overlapping windows with their paths', () => {
    const calendar = draft({
      hours: {
        kind: 'weekly',
        days: {
          thu: officeWindows,
          fri: officeWindows,
          sat: [],
          sun: [],
          mon: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '14:00' },
          ],
          tue: [{ start: '18:00', end: '09:00' }],
          wed: [{ start: '9am', end: '12:00' }],
        },
      },
    });
    expect(getIssueCodes(calendar)).toEqual([
      { code: 'calendar.window_overlap', path: 'hours.days.mon[1]' },
      { code: 'calendar.window_inverted', path: 'hours.days.tue[0]' },
      { code: 'calendar.invalid_time', path: 'hours.days.wed[0].start' },
    ]);
  });

  it('lets windows touch (12:00 end, 12:00 start)', () => {
    const calendar = draft({ hours: createWeekdayHours([{ start: '09:00', end: '12:00' }, { start: '12:00', end: '13:00' }]) });
    expect(validateCalendar(calendar)).toEqual([]);
  });

  it('refuses a holiday and a make-up day on the same date, and duplicates', () => {
    const calendar = draft({
      holidays: [{ date: '2026-10-01' }, { date: '2026-10-02' }, { date: '2026-10-01' }],
      makeUpDays: [{ date: '2026-10-02' }, { date: '2026-10-10' }, { date: '2026-10-10' }],
    });
    expect(getIssueCodes(calendar)).toEqual([
      { code: 'calendar.duplicate_date', path: 'holidays[2].date' },
      { code: 'calendar.duplicate_date', path: 'makeUpDays[2].date' },
      { code: 'calendar.holiday_make_up_conflict', path: 'makeUpDays[0].date' },
    ]);
  });

  it('refuses an unknown time zone (checked by Intl)', () => {
    expect(getIssueCodes(draft({ timeZone: 'Asia/Beijing' }))).toEqual([{ code: 'calendar.unknown_time_zone', path: 'timeZone' }]);
    expect(validateCalendar(draft({ timeZone: 'America/New_York' }))).toEqual([]);
  });

  it('refuses impossible dates, dates outside the validity years, bad validity and version', () => {
    expect(getIssueCodes(draft({ holidays: [{ date: '2026-02-30' }, { date: '2027-01-01' }] }))).toEqual([
      { code: 'calendar.invalid_date', path: 'holidays[0].date' },
      { code: 'calendar.date_outside_validity', path: 'holidays[1].date' },
    ]);
    expect(getIssueCodes(draft({ validity: { fromYear: 2027, toYear: 2026 } }))).toEqual([{ code: 'calendar.invalid_validity', path: 'validity' }]);
    expect(getIssueCodes(draft({ version: 0 }))).toEqual([{ code: 'calendar.invalid_version', path: 'version' }]);
  });

  it('checks part-day holiday windows and make-up windows', () => {
    const calendar = draft({
      holidays: [{ date: '2026-12-24', offWindows: [{ start: '14:00', end: '13:00' }] }],
      makeUpDays: [{ date: '2026-12-26', windows: [] }],
    });
    expect(getIssueCodes(calendar)).toEqual([
      { code: 'calendar.window_inverted', path: 'holidays[0].offWindows[0]' },
      { code: 'calendar.make_up_without_windows', path: 'makeUpDays[0].windows' },
    ]);
  });

  it('needs windows to copy for a make-up day without its own', () => {
    const weekendOnly = draft({
      hours: { kind: 'weekly', days: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [{ start: '10:00', end: '16:00' }], sun: [] } },
      makeUpDays: [{ date: '2026-03-04' }],
    });
    expect(getIssueCodes(weekendOnly)).toEqual([{ code: 'calendar.make_up_without_windows', path: 'makeUpDays[0]' }]);
  });

  it('createCalendar fills defaults and throws a CalendarValidationError listing every issue', () => {
    const input: CalendarInput = { id: 'x', name: 'X', hours: office, validity: { fromYear: 2026, toYear: 2026 } };
    const calendar = createCalendar(input);
    expect(calendar.timeZone).toBe('Asia/Shanghai');
    expect(calendar.version).toBe(1);
    expect(calendar.holidays).toEqual([]);

    let caught: unknown;
    try {
      createCalendar({ ...input, timeZone: 'Mars/Olympus', holidays: [{ date: 'soon' }] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CalendarValidationError);
    expect(caught).toBeInstanceOf(BusinessTimeError);
    const error = caught as CalendarValidationError;
    expect(error.code).toBe('calendar.invalid');
    expect(error.path).toBe('timeZone');
    expect(error.issues.map((i) => i.code)).toEqual(['calendar.unknown_time_zone', 'calendar.invalid_date']);
  });
});

describe('resolving days', () => {
  const resolved = resolveCalendar(
    draft({
      holidays: [{ date: '2026-12-24', offWindows: [{ start: '15:00', end: '18:00' }] }, { date: '2026-12-25' }],
      makeUpDays: [{ date: '2026-12-26' }, { date: '2026-12-27', windows: [{ start: '10:00', end: '12:00' }] }],
    }),
  );
  const rangesOf = (date: string) => getDayRanges(resolved, parseIsoDate(date)!);

  it('subtracts part-day holidays from the normal windows', () => {
    // 09:00–12:00 stays; 13:30–18:00 loses 15:00–18:00.
    expect(rangesOf('2026-12-24')).toEqual([
      [540, 720],
      [810, 900],
    ]);
    expect(rangesOf('2026-12-25')).toEqual([]);
  });

  it('gives make-up days the weekday windows unless they name their own', () => {
    expect(rangesOf('2026-12-26')).toEqual([
      [540, 720],
      [810, 1080],
    ]);
    expect(rangesOf('2026-12-27')).toEqual([[600, 720]]);
    expect(rangesOf('2026-12-28')).toEqual([
      [540, 720],
      [810, 1080],
    ]);
  });
});

describe('createCalendarFromYearSchedules', () => {
  it('builds the 2026 China calendar: 7 holiday blocks, 6 make-up workdays, validity 2026', () => {
    const calendar = createCalendarFromYearSchedules({
      id: 'cn',
      name: 'China office',
      weekdayWindows: STANDARD_CHINA_WEEKDAY_WINDOWS,
      schedules: [CHINA_SCHEDULE_2026],
    });
    expect(calendar.validity).toEqual({ fromYear: 2026, toYear: 2026 });
    expect(calendar.timeZone).toBe('Asia/Shanghai');
    // 3 + 9 + 3 + 5 + 3 + 3 + 7 days off as listed by the notice.
    expect(calendar.holidays).toHaveLength(33);
    expect(calendar.makeUpDays.map((d) => d.date)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(listUncoveredYears(calendar, 2025, 2027)).toEqual([2025, 2027]);
  });

  it('refuses a year whose schedule is not published', () => {
    expect(() =>
      createCalendarFromYearSchedules({
        id: 'cn',
        name: 'China',
        weekdayWindows: STANDARD_CHINA_WEEKDAY_WINDOWS,
        schedules: [CHINA_SCHEDULE_2026, CHINA_SCHEDULE_2027],
      }),
    ).toThrow(expect.objectContaining({ code: 'calendar.schedule_not_published', path: 'schedules[1]' }));
  });
});
