import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCalendar,
  createWeekdayHours,
  getDayRanges,
  parseIsoDate,
  resolveCalendar,
  WEEKDAYS,
  type Calendar,
  type TimeWindow,
  type WorkingHours,
} from './calendar.ts';
import { createChinaCalendar } from './china-holidays.ts';
import {
  addBusinessTime,
  businessDays,
  businessHours,
  businessMinutes,
  businessTimeBetween,
  getCompiledCalendar,
  getNextWorkingTime,
  isWorkingTime,
  listWorkingIntervals,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  workingCapacity,
  type BusinessDuration,
} from './clock.ts';
import { BusinessTimeError, CalendarValidationError, NoWorkingTimeError } from './business-time-error.ts';

const at = (iso: string) => new Date(iso);
const H = MS_PER_HOUR;
const M = MS_PER_MINUTE;

// 09:00–12:00 and 13:30–18:00, Mon–Fri: 7.5 working hours a day, with 2026's holidays and 调休.
const china = createChinaCalendar({ id: 'cn-office', name: 'China office' });

function everyDay(windows: readonly TimeWindow[]): WorkingHours {
  return { kind: 'weekly', days: Object.fromEntries(WEEKDAYS.map((d) => [d, windows])) as Record<(typeof WEEKDAYS)[number], readonly TimeWindow[]> };
}

const nineToFive = [{ start: '09:00', end: '17:00' }];
const newYorkDaily = createCalendar({ id: 'ny-daily', name: 'NY desk, 7 days', timeZone: 'America/New_York', hours: everyDay(nineToFive), validity: { fromYear: 2026, toYear: 2026 } });
const newYorkOffice = createCalendar({ id: 'ny-office', name: 'NY office', timeZone: 'America/New_York', hours: createWeekdayHours(nineToFive), validity: { fromYear: 2026, toYear: 2026 } });
const berlinOffice = createCalendar({ id: 'berlin-office', name: 'Berlin office', timeZone: 'Europe/Berlin', hours: createWeekdayHours(nineToFive), validity: { fromYear: 2026, toYear: 2026 } });
const berlinDaily = createCalendar({ id: 'berlin-daily', name: 'Berlin desk, 7 days', timeZone: 'Europe/Berlin', hours: everyDay(nineToFive), validity: { fromYear: 2026, toYear: 2026 } });
const shanghaiAlways = createCalendar({ id: 'sh-24x7', name: '24×7', hours: { kind: 'always' }, validity: { fromYear: 2026, toYear: 2026 } });
const newYorkAlways = createCalendar({ id: 'ny-24x7', name: 'NY 24×7', timeZone: 'America/New_York', hours: { kind: 'always' }, validity: { fromYear: 2026, toYear: 2026 } });
const berlinAlways = createCalendar({ id: 'berlin-24x7', name: 'Berlin 24×7', timeZone: 'Europe/Berlin', hours: { kind: 'always' }, validity: { fromYear: 2026, toYear: 2026 } });

function expectAdd(start: string, duration: BusinessDuration, calendar: Calendar, expected: string): void {
  expect(addBusinessTime(at(start), duration, calendar).toISOString()).toBe(at(expected).toISOString());
}

function catchError(fn: () => unknown): BusinessTimeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BusinessTimeError) return error;
    throw error;
  }
  throw new Error('expected a BusinessTimeError');
}

describe('addBusinessTime in a China office calendar (2026)', () => {
  it('skips the lunch break', () => {
    // Mon 11:00 + 2h: 11:00–12:00 (1h), lunch, 13:30–14:30 (1h).
    expectAdd('2026-03-02T11:00+08:00', businessHours(2), china, '2026-03-02T14:30+08:00');
  });

  it('continues overnight', () => {
    // Mon 17:00 + 2h: 17:00–18:00 (1h), Tue 09:00–10:00 (1h).
    expectAdd('2026-03-02T17:00+08:00', businessHours(2), china, '2026-03-03T10:00+08:00');
  });

  it('skips the weekend', () => {
    // Fri 17:00 + 2h: 17:00–18:00 (1h), Sat/Sun off, Mon 09:00–10:00 (1h).
    expectAdd('2026-03-06T17:00+08:00', businessHours(2), china, '2026-03-09T10:00+08:00');
  });

  it('stops at a window end rather than jumping to the next window', () => {
    // Mon 09:00 + 3h = 12:00 exactly (not 13:30); + 7.5h = 18:00 (not Tue 09:00).
    expectAdd('2026-03-02T09:00+08:00', businessHours(3), china, '2026-03-02T12:00+08:00');
    expectAdd('2026-03-02T09:00+08:00', businessHours(7.5), china, '2026-03-02T18:00+08:00');
  });

  it('begins a start outside working time at the next window', () => {
    // 07:00 → work begins 09:00, + 1h = 10:00.
    expectAdd('2026-03-02T07:00+08:00', businessHours(1), china, '2026-03-02T10:00+08:00');
    // 12:30 (lunch) → 13:30, + 30 min = 14:00.
    expectAdd('2026-03-02T12:30+08:00', businessMinutes(30), china, '2026-03-02T14:00+08:00');
    // Sat 10:00 → Mon 09:00, + 1h = 10:00.
    expectAdd('2026-03-07T10:00+08:00', businessHours(1), china, '2026-03-09T10:00+08:00');
    // Mon 19:00 → Tue 09:00, + 1 min = 09:01.
    expectAdd('2026-03-02T19:00+08:00', businessMinutes(1), china, '2026-03-03T09:01+08:00');
  });

  it('returns the start itself for a zero duration, even outside working time', () => {
    expectAdd('2026-03-07T10:00+08:00', businessMinutes(0), china, '2026-03-07T10:00+08:00');
  });

  it('keeps millisecond precision', () => {
    // 09:00:00.250 + 1 min = 09:01:00.250.
    expectAdd('2026-03-02T09:00:00.250+08:00', businessMinutes(1), china, '2026-03-02T09:01:00.250+08:00');
    expect(businessTimeBetween(at('2026-03-02T09:00:00.000+08:00'), at('2026-03-02T09:00:00.750+08:00'), china)).toBe(750);
    // Fractional minutes are rounded to whole ms: 0.5 min = 30 000 ms.
    expectAdd('2026-03-02T09:00+08:00', businessMinutes(0.5), china, '2026-03-02T09:00:30+08:00');
  });

  it('works the Spring Festival 调休 Saturdays and skips the 9-day block', () => {
    // Fri 02-13 17:00 + 2h: 1h Friday, then Sat 02-14 is a make-up workday: 09:00–10:00.
    expectAdd('2026-02-13T17:00+08:00', businessHours(2), china, '2026-02-14T10:00+08:00');
    // Sat 02-14 17:00 + 2h: 1h on the make-up Saturday, 02-15…02-23 off, Tue 02-24 09:00–10:00.
    expectAdd('2026-02-14T17:00+08:00', businessHours(2), china, '2026-02-24T10:00+08:00');
    // Fri 02-27 17:00 + 2h: Sat 02-28 is worked too.
    expectAdd('2026-02-27T17:00+08:00', businessHours(2), china, '2026-02-28T10:00+08:00');
    // Fri 02-13 09:00 → Mon 03-02 09:00: 02-13 (7.5) + 02-14 make-up (7.5) + 02-24…02-27 (4 × 7.5 = 30)
    // + 02-28 make-up (7.5) = 52.5h.
    expect(businessTimeBetween(at('2026-02-13T09:00+08:00'), at('2026-03-02T09:00+08:00'), china)).toBe(52.5 * H);
  });

  it('skips National Day and works 09-20 (Sunday) and 10-10 (Saturday)', () => {
    // Fri 09-18 17:00 + 2h: 1h Friday, Sat 09-19 off, Sun 09-20 is worked: 09:00–10:00.
    expectAdd('2026-09-18T17:00+08:00', businessHours(2), china, '2026-09-20T10:00+08:00');
    // Wed 09-30 17:00 + 2h: 1h, 10-01…10-07 off, Thu 10-08 09:00–10:00.
    expectAdd('2026-09-30T17:00+08:00', businessHours(2), china, '2026-10-08T10:00+08:00');
    // Thu 09-24 17:00 + 2h: Mid-Autumn 09-25…09-27 (Fri–Sun) off, Mon 09-28 09:00–10:00.
    expectAdd('2026-09-24T17:00+08:00', businessHours(2), china, '2026-09-28T10:00+08:00');
    // 09-30 09:00 → 10-12 09:00: 09-30 (7.5) + 10-08, 10-09 (15) + 10-10 make-up (7.5) = 30h.
    expect(businessTimeBetween(at('2026-09-30T09:00+08:00'), at('2026-10-12T09:00+08:00'), china)).toBe(30 * H);
  });

  it('crosses the year end', () => {
    // Into 2026: Wed 2025-12-31 17:00 + 2h: 1h, 01-01…01-03 off, Sun 01-04 is a make-up day: 09:00–10:00.
    expectAdd('2025-12-31T17:00+08:00', businessHours(2), china, '2026-01-04T10:00+08:00');
    // Out of 2026: 2027's notice is not in the data, so 2027 follows the weekly pattern and
    // Fri 2027-01-01 counts as a workday; callers learn that from listUncoveredYears.
    expectAdd('2026-12-31T17:00+08:00', businessHours(2), china, '2027-01-01T10:00+08:00');
    // A calendar that does know 2027-01-01 is a holiday moves the due to Mon 01-04.
    const known = createCalendar({
      id: 'company',
      name: 'Company',
      hours: createWeekdayHours([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }]),
      holidays: [{ date: '2027-01-01', name: "New Year's Day" }],
      validity: { fromYear: 2026, toYear: 2027 },
    });
    expectAdd('2026-12-31T17:00+08:00', businessHours(2), known, '2027-01-04T10:00+08:00');
  });

  it('takes part-day holidays off', () => {
    const calendar = createCalendar({
      id: 'xmas',
      name: 'With Christmas Eve afternoon off',
      hours: createWeekdayHours([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }]),
      holidays: [{ date: '2026-12-24', offWindows: [{ start: '13:30', end: '18:00' }] }],
      validity: { fromYear: 2026, toYear: 2026 },
    });
    // Thu 12-24 11:00 + 2h: 11:00–12:00 (1h), afternoon off, Fri 12-25 09:00–10:00 (1h).
    expectAdd('2026-12-24T11:00+08:00', businessHours(2), calendar, '2026-12-25T10:00+08:00');
  });
});

describe('business days', () => {
  it('never counts the start date, and ends when work stops on the Nth working day', () => {
    // Mon 10:00 + 1 business day: Monday does not count, due Tue 18:00.
    expectAdd('2026-03-02T10:00+08:00', businessDays(1), china, '2026-03-03T18:00+08:00');
    // Also when the start is before opening.
    expectAdd('2026-03-02T08:00+08:00', businessDays(1), china, '2026-03-03T18:00+08:00');
    // Saturday: Sat does not count, Sun is off, Mon is day 1.
    expectAdd('2026-03-07T10:00+08:00', businessDays(1), china, '2026-03-09T18:00+08:00');
    // Mon + 5: Tue, Wed, Thu, Fri, Mon → Mon 03-09 18:00.
    expectAdd('2026-03-02T10:00+08:00', businessDays(5), china, '2026-03-09T18:00+08:00');
  });

  it('counts make-up days and skips holiday blocks', () => {
    // Fri 02-13 + 1: Sat 02-14 is a make-up workday.
    expectAdd('2026-02-13T10:00+08:00', businessDays(1), china, '2026-02-14T18:00+08:00');
    // Fri 02-13 + 2: 02-14, then the block 02-15…02-23, then Tue 02-24.
    expectAdd('2026-02-13T10:00+08:00', businessDays(2), china, '2026-02-24T18:00+08:00');
    // Wed 09-30 + 1 → Thu 10-08; + 3 → Sat 10-10 (make-up); + 4 → Mon 10-12.
    expectAdd('2026-09-30T10:00+08:00', businessDays(1), china, '2026-10-08T18:00+08:00');
    expectAdd('2026-09-30T10:00+08:00', businessDays(3), china, '2026-10-10T18:00+08:00');
    expectAdd('2026-09-30T10:00+08:00', businessDays(4), china, '2026-10-12T18:00+08:00');
  });

  it('ends a 24×7 business day at midnight', () => {
    // Mon 10:00 + 1: Tuesday is day 1, it ends at Wed 00:00.
    expectAdd('2026-03-02T10:00+08:00', businessDays(1), shanghaiAlways, '2026-03-04T00:00+08:00');
  });

  it('returns the start for zero days', () => {
    expectAdd('2026-03-02T10:00+08:00', businessDays(0), china, '2026-03-02T10:00+08:00');
  });
});

describe('24×7', () => {
  it('counts every real hour', () => {
    // Sat 10:00 + 48h = Mon 10:00: weekends are working time.
    expectAdd('2026-03-07T10:00+08:00', businessHours(48), shanghaiAlways, '2026-03-09T10:00+08:00');
    expect(businessTimeBetween(at('2026-09-30T00:00+08:00'), at('2026-10-08T00:00+08:00'), shanghaiAlways)).toBe(8 * 24 * H);
  });

  it('follows real time over daylight-saving changes', () => {
    // New York 2026-03-08 springs forward: the local day has 23 hours, 11-01 falls back: 25.
    expect(businessTimeBetween(at('2026-03-08T00:00-05:00'), at('2026-03-09T00:00-04:00'), newYorkAlways)).toBe(23 * H);
    expect(businessTimeBetween(at('2026-11-01T00:00-04:00'), at('2026-11-02T00:00-05:00'), newYorkAlways)).toBe(25 * H);
    // Berlin: 2026-03-29 (23h) and 2026-10-25 (25h).
    expect(businessTimeBetween(at('2026-03-29T00:00+01:00'), at('2026-03-30T00:00+02:00'), berlinAlways)).toBe(23 * H);
    expect(businessTimeBetween(at('2026-10-25T00:00+02:00'), at('2026-10-26T00:00+01:00'), berlinAlways)).toBe(25 * H);
  });
});

describe('daylight saving (America/New_York, Europe/Berlin)', () => {
  it('keeps a 09:00–17:00 window 8 hours on the change days', () => {
    // Local midnight to midnight of 2026-03-08 (23h long in NY): the window is 09:00–17:00 EDT = 8h.
    expect(businessTimeBetween(at('2026-03-08T00:00-05:00'), at('2026-03-09T00:00-04:00'), newYorkDaily)).toBe(8 * H);
    expect(businessTimeBetween(at('2026-11-01T00:00-04:00'), at('2026-11-02T00:00-05:00'), newYorkDaily)).toBe(8 * H);
    expect(businessTimeBetween(at('2026-03-29T00:00+01:00'), at('2026-03-30T00:00+02:00'), berlinDaily)).toBe(8 * H);
    expect(businessTimeBetween(at('2026-10-25T00:00+02:00'), at('2026-10-26T00:00+01:00'), berlinDaily)).toBe(8 * H);
  });

  it('opens at 09:00 local on both sides of the change', () => {
    const intervals = listWorkingIntervals(at('2026-03-07T00:00Z'), at('2026-03-10T00:00Z'), newYorkDaily).map((i) => i.start.toISOString());
    // 09:00 EST = 14:00Z on Saturday, 09:00 EDT = 13:00Z from Sunday on.
    expect(intervals).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z']);
  });

  it('adds across the weekend change in an office calendar', () => {
    // NY Fri 03-06 16:00 EST + 2h: 16:00–17:00 (1h), Mon 03-09 09:00–10:00 EDT (1h) = 14:00Z.
    expectAdd('2026-03-06T16:00-05:00', businessHours(2), newYorkOffice, '2026-03-09T14:00Z');
    // NY Fri 10-30 16:00 EDT + 2h → Mon 11-02 10:00 EST = 15:00Z.
    expectAdd('2026-10-30T16:00-04:00', businessHours(2), newYorkOffice, '2026-11-02T15:00Z');
    // Berlin Fri 03-27 16:00 CET + 2h → Mon 03-30 10:00 CEST = 08:00Z.
    expectAdd('2026-03-27T16:00+01:00', businessHours(2), berlinOffice, '2026-03-30T08:00Z');
    // Berlin Fri 03-27 09:00 CET → Mon 03-30 17:00 CEST: 8h + 8h = 16h although 78 real hours pass.
    expect(businessTimeBetween(at('2026-03-27T09:00+01:00'), at('2026-03-30T17:00+02:00'), berlinOffice)).toBe(16 * H);
    // NY Sat 03-07 16:00 EST + 2h in the 7-day desk: 1h Sat, Sun 09:00–10:00 EDT = 14:00Z.
    expectAdd('2026-03-07T16:00-05:00', businessHours(2), newYorkDaily, '2026-03-08T14:00Z');
  });

  it('counts a window that spans the change in real time', () => {
    const night = createCalendar({ id: 'ny-night', name: 'NY night', timeZone: 'America/New_York', hours: everyDay([{ start: '01:00', end: '04:00' }]), validity: { fromYear: 2026, toYear: 2026 } });
    // 01:00 EST (06:00Z) → 04:00 EDT (08:00Z): the 02:00 hour does not exist, 2 real hours.
    expect(businessTimeBetween(at('2026-03-08T00:00-05:00'), at('2026-03-09T00:00-04:00'), night)).toBe(2 * H);
    // 01:00 EDT (05:00Z) → 04:00 EST (09:00Z): the 01:00 hour happens twice, 4 real hours.
    expect(businessTimeBetween(at('2026-11-01T00:00-04:00'), at('2026-11-02T00:00-05:00'), night)).toBe(4 * H);
  });
});

describe('helpers', () => {
  it('isWorkingTime treats a window as half-open', () => {
    expect(isWorkingTime(at('2026-03-02T09:00+08:00'), china)).toBe(true);
    expect(isWorkingTime(at('2026-03-02T12:00+08:00'), china)).toBe(false);
    expect(isWorkingTime(at('2026-02-14T10:00+08:00'), china)).toBe(true); // make-up Saturday
    expect(isWorkingTime(at('2026-02-16T10:00+08:00'), china)).toBe(false); // Spring Festival Monday
  });

  it('getNextWorkingTime snaps forward', () => {
    expect(getNextWorkingTime(at('2026-03-02T12:30+08:00'), china).toISOString()).toBe(at('2026-03-02T13:30+08:00').toISOString());
    expect(getNextWorkingTime(at('2026-03-02T10:00+08:00'), china).toISOString()).toBe(at('2026-03-02T10:00+08:00').toISOString());
    expect(getNextWorkingTime(at('2026-02-14T19:00+08:00'), china).toISOString()).toBe(at('2026-02-24T09:00+08:00').toISOString());
  });

  it('returns a signed duration when the instants are reversed', () => {
    expect(businessTimeBetween(at('2026-03-02T11:00+08:00'), at('2026-03-02T10:00+08:00'), china)).toBe(-1 * H);
  });

  it('compiles once per calendar version, even for a copy re-read from storage', () => {
    const copy = structuredClone(china);
    expect(getCompiledCalendar(copy)).toBe(getCompiledCalendar(china));
    const edited = { ...copy, holidays: [...copy.holidays.slice(1)] }; // same version, different content
    expect(getCompiledCalendar(edited)).not.toBe(getCompiledCalendar(china));
    expectAdd('2025-12-31T17:00+08:00', businessHours(2), edited, '2026-01-01T10:00+08:00');
  });

  it('grows its tables for instants far from the validity years', () => {
    // 2030-01-07 is a Monday; the tables only covered 2026–2027 at first.
    expectAdd('2030-01-07T17:00+08:00', businessHours(2), china, '2030-01-08T10:00+08:00');
    expectAdd('1999-12-31T17:00+08:00', businessHours(2), china, '2000-01-03T10:00+08:00');
    expect(businessTimeBetween(at('2025-01-06T09:00+08:00'), at('2031-01-06T09:00+08:00'), china)).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  it('refuses negative, non-finite and fractional-day durations', () => {
    expect(catchError(() => addBusinessTime(at('2026-03-02T10:00Z'), businessHours(-1), china)).code).toBe('calendar.negative_duration');
    expect(catchError(() => addBusinessTime(at('2026-03-02T10:00Z'), businessMinutes(Number.NaN), china)).code).toBe('calendar.invalid_duration');
    expect(catchError(() => addBusinessTime(at('2026-03-02T10:00Z'), businessHours(Number.POSITIVE_INFINITY), china)).code).toBe('calendar.invalid_duration');
    expect(catchError(() => addBusinessTime(at('2026-03-02T10:00Z'), businessDays(1.5), china)).code).toBe('calendar.invalid_duration');
    expect(catchError(() => addBusinessTime(at('2026-03-02T10:00Z'), { unit: 'days', value: 1 } as unknown as BusinessDuration, china)).code).toBe('calendar.invalid_duration');
  });

  it('refuses invalid dates', () => {
    const error = catchError(() => businessTimeBetween(new Date(Number.NaN), at('2026-03-02T10:00Z'), china));
    expect(error.code).toBe('calendar.invalid_instant');
    expect(error.path).toBe('a');
  });

  it('refuses instants outside 1900–2400', () => {
    expect(catchError(() => addBusinessTime(at('2500-01-01T00:00Z'), businessHours(1), china)).code).toBe('calendar.out_of_range');
  });

  it('refuses an invalid calendar', () => {
    const broken = { ...china, timeZone: 'Nowhere/Land', version: 99 };
    expect(() => addBusinessTime(at('2026-03-02T10:00Z'), businessHours(1), broken)).toThrow(CalendarValidationError);
  });

  it('raises NoWorkingTimeError instead of searching forever', () => {
    const empty = createCalendar({ id: 'empty', name: 'Never', hours: createWeekdayHours([]), validity: { fromYear: 2026, toYear: 2026 } });
    const error = catchError(() => addBusinessTime(at('2026-03-02T10:00Z'), businessMinutes(1), empty));
    expect(error).toBeInstanceOf(NoWorkingTimeError);
    expect(error.code).toBe('calendar.no_working_time');
    expect(() => addBusinessTime(at('2026-03-02T10:00Z'), businessDays(1), empty)).toThrow(NoWorkingTimeError);
    expect(() => getNextWorkingTime(at('2026-03-02T10:00Z'), empty)).toThrow(NoWorkingTimeError);
    // Between two instants there simply is none.
    expect(businessTimeBetween(at('2026-01-01T00:00Z'), at('2026-12-31T00:00Z'), empty)).toBe(0);

    // One make-up Saturday is all the working time there is: 8h can be found, 9h cannot.
    const once = createCalendar({
      id: 'once',
      name: 'One day',
      hours: createWeekdayHours([]),
      makeUpDays: [{ date: '2026-03-07', windows: [{ start: '09:00', end: '17:00' }] }],
      validity: { fromYear: 2026, toYear: 2026 },
    });
    expectAdd('2026-03-01T00:00+08:00', businessHours(8), once, '2026-03-07T17:00+08:00');
    expect(() => addBusinessTime(at('2026-03-01T00:00+08:00'), businessHours(9), once)).toThrow(NoWorkingTimeError);
  });
});

describe('workingCapacity', () => {
  // Mon 03-02 00:00 → Sat 03-07 00:00: five days × 7.5h = 37.5h.
  const from = at('2026-03-02T00:00+08:00');
  const to = at('2026-03-07T00:00+08:00');

  it('counts the calendar’s working hours', () => {
    expect(workingCapacity({ calendar: china }, from, to)).toEqual({ kind: 'known', hours: 37.5, workingMs: 37.5 * H, scheduledMs: 37.5 * H, leaveMs: 0 });
  });

  it('subtracts leave, counting overlapping leave once', () => {
    // Tue 03-03 all day (7.5h) and Wed 03-04 afternoon 13:30–18:00 (4.5h): 37.5 − 12 = 25.5h.
    const capacity = workingCapacity(
      {
        calendar: china,
        leave: [
          { startDate: '2026-03-03', endDate: '2026-03-03' },
          { start: at('2026-03-03T13:30+08:00'), end: at('2026-03-03T18:00+08:00') }, // inside the day above
          { start: at('2026-03-04T13:30+08:00'), end: at('2026-03-04T18:00+08:00') },
        ],
      },
      from,
      to,
    );
    expect(capacity).toEqual({ kind: 'known', hours: 25.5, workingMs: 25.5 * H, scheduledMs: 37.5 * H, leaveMs: 12 * H });
  });

  it('clips leave to the period', () => {
    // Leave Fri 03-06 → Tue 03-10: only Friday (7.5h) falls in the period.
    const capacity = workingCapacity({ calendar: china, leave: [{ startDate: '2026-03-06', endDate: '2026-03-10' }] }, from, to);
    expect(capacity.kind === 'known' && capacity.hours).toBe(30);
  });

  it('is unknown, never zero, without a calendar', () => {
    const capacity = workingCapacity({ calendar: null, leave: [] }, from, to);
    expect(capacity.kind).toBe('unknown');
    expect(capacity.kind === 'unknown' && capacity.warning).toMatch(/unknown/);
  });

  it('refuses leave that ends before it starts', () => {
    const error = catchError(() => workingCapacity({ calendar: china, leave: [{ start: at('2026-03-04T18:00+08:00'), end: at('2026-03-04T09:00+08:00') }] }, from, to));
    expect(error.code).toBe('calendar.invalid_leave');
    expect(error.path).toBe('leave[0]');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const T0 = Date.parse('2025-12-01T00:00:00Z');
const T1 = Date.parse('2027-01-31T00:00:00Z');
const calendars = { china, newYorkOffice, berlinOffice, newYorkDaily, shanghaiAlways };
const calendarArb = fc.constantFrom(...Object.values(calendars));
const instantArb = fc.integer({ min: T0, max: T1 });
// Up to a working week and a bit, at ms resolution.
const durationMsArb = fc.integer({ min: 0, max: 50 * H });
const ms = (value: number) => businessMinutes(value / M);

describe('properties', () => {
  it('between(t, add(t, d)) = d, from any start (inside working time or not)', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationMsArb, fc.boolean(), (calendar, t, d, isSnapped) => {
        const start = isSnapped ? getNextWorkingTime(new Date(t), calendar) : new Date(t);
        const due = addBusinessTime(start, ms(d), calendar);
        expect(businessTimeBetween(start, due, calendar)).toBe(d);
      }),
    );
  });

  it('adding in two steps equals adding once', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationMsArb, durationMsArb, (calendar, t, d1, d2) => {
        const once = addBusinessTime(new Date(t), ms(d1 + d2), calendar);
        const twice = addBusinessTime(addBusinessTime(new Date(t), ms(d1), calendar), ms(d2), calendar);
        expect(twice.getTime()).toBe(once.getTime());
      }),
    );
  });

  it('never lands in non-working time, except exactly at a window end', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 1, max: 50 * H }), (calendar, t, d) => {
        const due = addBusinessTime(new Date(t), ms(d), calendar).getTime();
        // due ∈ (window start, window end], so the millisecond before it is always working time.
        expect(isWorkingTime(new Date(due - 1), calendar)).toBe(true);
        expect(due).toBeGreaterThan(t);
      }),
    );
  });

  it('is monotonic in the duration', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationMsArb, durationMsArb, (calendar, t, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect(addBusinessTime(new Date(t), ms(small), calendar).getTime()).toBeLessThanOrEqual(addBusinessTime(new Date(t), ms(large), calendar).getTime());
      }),
    );
  });

  it('business days are monotonic and end at the close of a working day', () => {
    fc.assert(
      fc.property(fc.constantFrom(china, newYorkOffice, berlinOffice), instantArb, fc.integer({ min: 1, max: 30 }), (calendar, t, n) => {
        const due = addBusinessTime(new Date(t), businessDays(n), calendar).getTime();
        const next = addBusinessTime(new Date(t), businessDays(n + 1), calendar).getTime();
        expect(next).toBeGreaterThan(due);
        expect(isWorkingTime(new Date(due - 1), calendar)).toBe(true);
        expect(isWorkingTime(new Date(due), calendar)).toBe(false);
        // Exactly one more working day lies between the two dues.
        expect(businessTimeBetween(new Date(due), new Date(next), calendar)).toBeGreaterThan(0);
      }),
    );
  });

  it('between is additive', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, instantArb, (calendar, a, b, c) => {
        const ab = businessTimeBetween(new Date(a), new Date(b), calendar);
        const bc = businessTimeBetween(new Date(b), new Date(c), calendar);
        expect(ab + bc).toBe(businessTimeBetween(new Date(a), new Date(c), calendar));
      }),
    );
  });
});

// An oracle that shares nothing with the compiler's time-zone handling: it walks 15-minute steps
// and asks Intl for each step's local wall time (UTC → local, the opposite direction of the engine).
describe('agrees with a brute-force oracle', () => {
  const STEP = 15 * M;
  function countWorkingSteps(calendar: Calendar, fromMs: number, toMs: number): number {
    const resolved = resolveCalendar(calendar);
    const format = new Intl.DateTimeFormat('en-US', { timeZone: calendar.timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    let total = 0;
    for (let t = fromMs; t < toMs; t += STEP) {
      const p = Object.fromEntries(format.formatToParts(t).map((x) => [x.type, x.value]));
      const day = parseIsoDate(`${p.year}-${p.month}-${p.day}`)!;
      const minute = Number(p.hour) * 60 + Number(p.minute);
      if (getDayRanges(resolved, day).some(([s, e]) => minute >= s && minute < e)) total += STEP;
    }
    return total;
  }

  it('for 15-minute aligned ranges of up to 10 days, DST changes and 调休 included', () => {
    const aligned = fc.integer({ min: Math.ceil(T0 / STEP), max: Math.floor(T1 / STEP) }).map((k) => k * STEP);
    // Bias some starts to the interesting weeks.
    const hotspots = ['2026-02-12T00:00Z', '2026-03-06T00:00Z', '2026-03-27T00:00Z', '2026-09-17T00:00Z', '2026-09-29T00:00Z', '2026-10-23T00:00Z', '2026-10-30T00:00Z', '2026-12-30T00:00Z'].map(Date.parse);
    const startArb = fc.oneof(aligned, fc.tuple(fc.constantFrom(...hotspots), fc.integer({ min: 0, max: 4 * 96 })).map(([h, k]) => h + k * STEP));
    fc.assert(
      fc.property(fc.constantFrom(china, newYorkDaily, berlinOffice, newYorkAlways, berlinDaily), startArb, fc.integer({ min: 0, max: 10 * 96 }), (calendar, start, steps) => {
        const end = start + steps * STEP;
        expect(businessTimeBetween(new Date(start), new Date(end), calendar)).toBe(countWorkingSteps(calendar, start, end));
      }),
      { numRuns: 150 },
    );
  });
});
