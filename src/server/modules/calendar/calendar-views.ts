/**
 * Pure views over a stored calendar: the engine's Calendar from the API's record, the year view
 * (every day with its kind and working minutes), a leave record as the engine's LeavePeriod, and
 * the checks on a leave period. No I/O; the service feeds these the rows it loaded.
 */
import { BusinessTimeError, type CalendarIssue } from './business-time-error.ts';
import {
  formatEpochDay,
  getEpochDayOfYearStart,
  getWeekdayIndex,
  parseIsoDate,
  resolveCalendar,
  type Calendar,
  type IsoDate,
  type TimeWindow,
  type WorkingHours,
} from './calendar.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, getCompiledCalendar, toZonedInstant, type LeavePeriod as EngineLeavePeriod } from './clock.ts';
import type { DayKind, LeavePeriod, YearDay } from './contract.ts';

export interface StoredCalendar {
  id: string;
  nameZh: string;
  timeZone: string;
  version: number;
  hours: WorkingHours;
  validity: { fromYear: number; toYear: number };
  holidays: readonly { date: IsoDate; offWindows: readonly TimeWindow[] | null }[];
  makeUpDays: readonly { date: IsoDate; windows: readonly TimeWindow[] | null }[];
}

/** The engine's calendar of a stored one (rows are validated before they are written). */
export function toEngineCalendar(stored: StoredCalendar): Calendar {
  return {
    id: stored.id,
    name: stored.nameZh,
    timeZone: stored.timeZone,
    version: stored.version,
    hours: stored.hours,
    validity: stored.validity,
    holidays: stored.holidays.map((h) => ({ date: h.date, ...(h.offWindows ? { offWindows: h.offWindows } : {}) })),
    makeUpDays: stored.makeUpDays.map((m) => ({ date: m.date, ...(m.windows ? { windows: m.windows } : {}) })),
  };
}

export interface YearViewDays {
  days: YearDay[];
  totals: { workdays: number; restDays: number; holidays: number; makeupWorkdays: number; workingHours: number };
}

/**
 * Every local date of `year` with its kind and its working minutes (exact, from the compiled
 * calendar, so a daylight-saving day of a 24×7 calendar has 1,380 or 1,500). A make-up day is a
 * make-up workday; a holiday (whole or part day) is a holiday; otherwise a date without windows in
 * the weekly pattern is a rest day ('weekend'). A date with working minutes counts as a workday in
 * the totals, whatever its kind (a half-day holiday is still worked in part).
 */
export function buildYearView(
  calendar: Calendar,
  year: number,
  names: ReadonlyMap<IsoDate, { nameZh: string; nameEn: string | null }> = new Map(),
): YearViewDays {
  const resolved = resolveCalendar(calendar);
  const compiled = getCompiledCalendar(calendar);
  const first = getEpochDayOfYearStart(year);
  const last = getEpochDayOfYearStart(year + 1) - 1;
  const days: YearDay[] = [];
  const totals = { workdays: 0, restDays: 0, holidays: 0, makeupWorkdays: 0, workingHours: 0 };
  let workingMs = 0;
  for (let day = first; day <= last; day++) {
    const date = formatEpochDay(day);
    const weekdayIndex = getWeekdayIndex(day);
    const holiday = resolved.holidays.get(day);
    let kind: DayKind;
    if (resolved.makeUps.has(day)) kind = 'makeup_workday';
    else if (holiday !== undefined) kind = 'holiday';
    else if (resolved.weekly[weekdayIndex]!.length === 0) kind = 'weekend';
    else kind = 'workday';
    const ms = compiled.getWorkingMsBetween(compiled.getDayStartMs(day), compiled.getDayStartMs(day + 1));
    workingMs += ms;
    if (ms > 0) totals.workdays++;
    else totals.restDays++;
    if (kind === 'holiday') totals.holidays++;
    if (kind === 'makeup_workday') totals.makeupWorkdays++;
    const name = names.get(date);
    days.push({
      date,
      weekday: weekdayIndex + 1,
      kind,
      minutes: ms / MS_PER_MINUTE,
      partial: kind === 'holiday' && holiday !== 'all',
      nameZh: name?.nameZh ?? null,
      nameEn: name?.nameEn ?? null,
    });
  }
  totals.workingHours = workingMs / MS_PER_HOUR;
  return { days, totals };
}

/** The local date after `date`. */
export function nextIsoDate(date: IsoDate): IsoDate {
  const day = parseIsoDate(date);
  if (day === null) throw new BusinessTimeError('calendar.invalid_date', `not a date YYYY-MM-DD: ${JSON.stringify(date)}`, 'date');
  return formatEpochDay(day + 1);
}

/** Local noon splits a day into its morning and afternoon halves. */
export const HALF_DAY_SPLIT = '12:00';

/**
 * A stored leave period as the engine's: instants stay instants; whole dates stay dates (the
 * engine takes local midnights in the calendar's zone); a half day at either end becomes instants
 * in the calendar's zone, split at local noon.
 */
export function toEngineLeave(period: LeavePeriod, timeZone: string): EngineLeavePeriod {
  if (period.span === 'instants') return { start: new Date(period.startsAt), end: new Date(period.endsAt) };
  if (period.startPart === 'full' && period.endPart === 'full') return { startDate: period.startDate, endDate: period.endDate };
  const start = toZonedInstant(period.startDate, period.startPart === 'pm' ? HALF_DAY_SPLIT : '00:00', timeZone);
  const end =
    period.endPart === 'am' ? toZonedInstant(period.endDate, HALF_DAY_SPLIT, timeZone) : toZonedInstant(nextIsoDate(period.endDate), '00:00', timeZone);
  return { start, end };
}

/** Problems with a leave period (paths relative to the period); empty when it is fine. */
export function checkLeavePeriod(period: LeavePeriod): CalendarIssue[] {
  if (period.span === 'instants') {
    const start = Date.parse(period.startsAt);
    const end = Date.parse(period.endsAt);
    return end > start ? [] : [{ code: 'calendar.invalid_leave', path: 'endsAt', message: 'leave must end after it starts' }];
  }
  if (period.endDate < period.startDate) {
    return [{ code: 'calendar.invalid_leave', path: 'endDate', message: 'leave must end on or after its first day' }];
  }
  if (period.endDate === period.startDate && period.startPart === 'pm' && period.endPart === 'am') {
    return [{ code: 'calendar.invalid_leave', path: 'endPart', message: 'an afternoon-to-morning leave on one day is empty' }];
  }
  return [];
}
