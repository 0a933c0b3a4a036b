/**
 * Working calendars: the data the business-time engine (clock.ts) computes with.
 *
 * A calendar says when work happens, in local wall time of one IANA zone: weekly windows (several
 * per day, so a lunch break is simply the gap between two windows) or 24×7, holidays (whole or
 * part days), and make-up working days (China's 调休: a Saturday or Sunday that is worked around a
 * long holiday). Calendars are immutable values identified by id + version: an edit is a new
 * version, which is what lets frozen SLA results name the exact calendar they were computed with.
 *
 * Pure and browser-safe: no node: imports, no I/O, no clock.
 */
import { CalendarValidationError, BusinessTimeError, type CalendarIssue } from './business-time-error.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A local calendar date, `YYYY-MM-DD`, in the calendar's zone. */
export type IsoDate = string;

/** Local wall time `HH:MM`, 00:00–23:59; an end may also be `24:00` (midnight ending the day). */
export type WallTime = string;

/** A half-open local interval [start, end) within one day. Night shifts are two windows on two days. */
export interface TimeWindow {
  start: WallTime;
  end: WallTime;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** ISO order: index 0 is Monday. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type WeeklyWindows = Readonly<Record<Weekday, readonly TimeWindow[]>>;

export type WorkingHours = { kind: 'weekly'; days: WeeklyWindows } | { kind: 'always' };

/** A day (or part of one) that is not worked. Without `offWindows` the whole day is off. */
export interface Holiday {
  date: IsoDate;
  name?: string;
  /** Only these local windows are off, e.g. the afternoon before a festival. */
  offWindows?: readonly TimeWindow[];
}

/**
 * A date worked although its weekday normally is not (调休). Its windows replace the date's
 * normal windows; without `windows` it gets the normal weekday windows (see getDefaultMakeUpWindows).
 */
export interface MakeUpDay {
  date: IsoDate;
  name?: string;
  windows?: readonly TimeWindow[];
}

/** Years whose holidays and make-up days the calendar claims to list completely. */
export interface CalendarValidity {
  fromYear: number;
  toYear: number;
}

export interface Calendar {
  readonly id: string;
  readonly name: string;
  /** IANA zone the windows are wall times in. */
  readonly timeZone: string;
  /** Bumped on every edit; compiled forms and frozen results are keyed by id + version. */
  readonly version: number;
  readonly hours: WorkingHours;
  readonly holidays: readonly Holiday[];
  readonly makeUpDays: readonly MakeUpDay[];
  readonly validity: CalendarValidity;
}

export interface CalendarInput {
  id: string;
  name: string;
  timeZone?: string;
  version?: number;
  hours: WorkingHours;
  holidays?: readonly Holiday[];
  makeUpDays?: readonly MakeUpDay[];
  validity: CalendarValidity;
}

/** Same windows Monday–Friday, none at the weekend: the usual office week. */
export function createWeekdayHours(windows: readonly TimeWindow[]): WorkingHours {
  return {
    kind: 'weekly',
    days: { mon: windows, tue: windows, wed: windows, thu: windows, fri: windows, sat: [], sun: [] },
  };
}

/** Builds a calendar with defaults filled in, and refuses an invalid one (CalendarValidationError). */
export function createCalendar(input: CalendarInput): Calendar {
  const calendar: Calendar = {
    id: input.id,
    name: input.name,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    version: input.version ?? 1,
    hours: input.hours,
    holidays: input.holidays ?? [],
    makeUpDays: input.makeUpDays ?? [],
    validity: input.validity,
  };
  assertValidCalendar(calendar);
  return calendar;
}

export function assertValidCalendar(calendar: Calendar): void {
  const issues = validateCalendar(calendar);
  if (issues.length > 0) throw new CalendarValidationError(issues);
}

// ---------------------------------------------------------------------------------------------
// Dates and wall times. Local dates are handled as "epoch days" (days since 1970-01-01 in the
// proleptic Gregorian calendar) so weekday and date arithmetic never touch a time zone.
// ---------------------------------------------------------------------------------------------

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL_TIME = /^(\d{2}):(\d{2})$/;

/** Epoch day of a `YYYY-MM-DD` string, or null when it is not a real date (2026-02-30). */
export function parseIsoDate(date: string): number | null {
  const m = ISO_DATE.exec(date);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  // Date.UTC rolls 02-30 over into March; a round trip catches it.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms / MS_PER_DAY;
}

export function formatEpochDay(epochDay: number): IsoDate {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

export function getEpochDayParts(epochDay: number): { year: number; month: number; day: number } {
  const d = new Date(epochDay * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function getEpochDayOfYearStart(year: number): number {
  return Date.UTC(year, 0, 1) / MS_PER_DAY;
}

/** ISO weekday index, 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday (index 3). */
export function getWeekdayIndex(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}

/** Minutes after local midnight of `HH:MM`, or null. `24:00` only when `isEnd`. */
export function parseWallTime(time: string, isEnd = false): number | null {
  const m = WALL_TIME.exec(time);
  if (m === null) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (minutes > 59) return null;
  if (hours === 24 && minutes === 0) return isEnd ? 1440 : null;
  if (hours > 23) return null;
  return hours * 60 + minutes;
}

/** A window as [startMinute, endMinute) after local midnight. */
export type MinuteRange = readonly [number, number];

function toMinuteRanges(windows: readonly TimeWindow[]): MinuteRange[] {
  const ranges: MinuteRange[] = [];
  for (const w of windows) {
    const start = parseWallTime(w.start);
    const end = parseWallTime(w.end, true);
    if (start === null || end === null || end <= start) continue; // validation reports these
    ranges.push([start, end]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

const ALL_DAY: readonly MinuteRange[] = [[0, 1440]];

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The windows a make-up day gets when it names none: those of the first weekday Monday–Friday that
 * has any (in China every weekday has the same windows, so "the normal weekday windows").
 */
export function getDefaultMakeUpWindows(hours: WorkingHours): readonly TimeWindow[] {
  if (hours.kind === 'always') return [{ start: '00:00', end: '24:00' }];
  for (const day of WEEKDAYS.slice(0, 5)) {
    const windows = hours.days[day];
    if (windows.length > 0) return windows;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function validateWindows(windows: readonly TimeWindow[] | undefined, path: string, issues: CalendarIssue[]): void {
  if (!Array.isArray(windows)) {
    issues.push({ code: 'calendar.invalid_time', path, message: 'windows must be a list' });
    return;
  }
  const parsed: { range: MinuteRange; index: number }[] = [];
  windows.forEach((w, index) => {
    const at = `${path}[${index}]`;
    const start = typeof w?.start === 'string' ? parseWallTime(w.start) : null;
    const end = typeof w?.end === 'string' ? parseWallTime(w.end, true) : null;
    if (start === null) issues.push({ code: 'calendar.invalid_time', path: `${at}.start`, message: `not a wall time HH:MM: ${JSON.stringify(w?.start)}` });
    if (end === null) issues.push({ code: 'calendar.invalid_time', path: `${at}.end`, message: `not a wall time HH:MM (or 24:00): ${JSON.stringify(w?.end)}` });
    if (start === null || end === null) return;
    if (end <= start) {
      issues.push({ code: 'calendar.window_inverted', path: at, message: `window ${w.start}–${w.end} ends before it starts (split a night shift over two days)` });
      return;
    }
    parsed.push({ range: [start, end], index });
  });
  parsed.sort((a, b) => a.range[0] - b.range[0]);
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1]!;
    const cur = parsed[i]!;
    // Touching windows (12:00 end, 12:00 start) are fine; sharing a minute is not.
    if (cur.range[0] < prev.range[1]) {
      issues.push({ code: 'calendar.window_overlap', path: `${path}[${cur.index}]`, message: `window overlaps ${path}[${prev.index}]` });
    }
  }
}

function validateDateList(
  entries: readonly { date: IsoDate }[],
  path: string,
  validity: CalendarValidity | null,
  issues: CalendarIssue[],
): Map<number, number> {
  const seen = new Map<number, number>();
  entries.forEach((entry, index) => {
    const at = `${path}[${index}].date`;
    const day = typeof entry?.date === 'string' ? parseIsoDate(entry.date) : null;
    if (day === null) {
      issues.push({ code: 'calendar.invalid_date', path: at, message: `not a date YYYY-MM-DD: ${JSON.stringify(entry?.date)}` });
      return;
    }
    const earlier = seen.get(day);
    if (earlier !== undefined) {
      issues.push({ code: 'calendar.duplicate_date', path: at, message: `${entry.date} is listed twice (also ${path}[${earlier}])` });
      return;
    }
    seen.set(day, index);
    if (validity !== null) {
      const year = getEpochDayParts(day).year;
      if (year < validity.fromYear || year > validity.toYear) {
        issues.push({ code: 'calendar.date_outside_validity', path: at, message: `${entry.date} is outside the validity years ${validity.fromYear}–${validity.toYear}` });
      }
    }
  });
  return seen;
}

/** Largest span of validity years accepted; a longer claim of completeness is not credible. */
export const MAX_VALIDITY_YEARS = 50;

/** Every problem with a calendar definition, each with a field path; empty when valid. */
export function validateCalendar(calendar: Calendar): CalendarIssue[] {
  const issues: CalendarIssue[] = [];
  if (typeof calendar.id !== 'string' || calendar.id.length === 0) {
    issues.push({ code: 'calendar.invalid_id', path: 'id', message: 'id must be a non-empty string' });
  }
  if (!Number.isInteger(calendar.version) || calendar.version < 1) {
    issues.push({ code: 'calendar.invalid_version', path: 'version', message: 'version must be a positive integer' });
  }
  if (!isValidTimeZone(calendar.timeZone)) {
    issues.push({ code: 'calendar.unknown_time_zone', path: 'timeZone', message: `unknown IANA time zone: ${JSON.stringify(calendar.timeZone)}` });
  }

  let validity: CalendarValidity | null = null;
  const v = calendar.validity;
  if (
    v === undefined ||
    !Number.isInteger(v.fromYear) ||
    !Number.isInteger(v.toYear) ||
    v.fromYear > v.toYear ||
    v.fromYear < 1900 ||
    v.toYear > 2400 ||
    v.toYear - v.fromYear + 1 > MAX_VALIDITY_YEARS
  ) {
    issues.push({ code: 'calendar.invalid_validity', path: 'validity', message: `validity must be years fromYear ≤ toYear within 1900–2400, at most ${MAX_VALIDITY_YEARS} years` });
  } else {
    validity = v;
  }

  const hours = calendar.hours;
  if (hours?.kind === 'weekly') {
    for (const day of WEEKDAYS) validateWindows(hours.days?.[day], `hours.days.${day}`, issues);
  } else if (hours?.kind !== 'always') {
    issues.push({ code: 'calendar.invalid_time', path: 'hours.kind', message: 'hours.kind must be "weekly" or "always"' });
  }

  const holidays = Array.isArray(calendar.holidays) ? calendar.holidays : [];
  const makeUpDays = Array.isArray(calendar.makeUpDays) ? calendar.makeUpDays : [];
  if (holidays !== calendar.holidays) issues.push({ code: 'calendar.invalid_date', path: 'holidays', message: 'holidays must be a list' });
  if (makeUpDays !== calendar.makeUpDays) issues.push({ code: 'calendar.invalid_date', path: 'makeUpDays', message: 'makeUpDays must be a list' });
  const holidayDays = validateDateList(holidays, 'holidays', validity, issues);
  const makeUpDaysSeen = validateDateList(makeUpDays, 'makeUpDays', validity, issues);
  holidays.forEach((h, index) => {
    if (h?.offWindows !== undefined) validateWindows(h.offWindows, `holidays[${index}].offWindows`, issues);
  });
  const defaultWindows = hours?.kind === 'weekly' || hours?.kind === 'always' ? getDefaultMakeUpWindows(hours) : [];
  makeUpDays.forEach((m, index) => {
    if (m?.windows !== undefined) {
      validateWindows(m.windows, `makeUpDays[${index}].windows`, issues);
      if (Array.isArray(m.windows) && m.windows.length === 0) {
        issues.push({ code: 'calendar.make_up_without_windows', path: `makeUpDays[${index}].windows`, message: 'a make-up day needs at least one window' });
      }
    } else if (defaultWindows.length === 0) {
      issues.push({ code: 'calendar.make_up_without_windows', path: `makeUpDays[${index}]`, message: 'no weekday has windows to copy; give the make-up day its own windows' });
    }
  });
  for (const [day, index] of makeUpDaysSeen) {
    const holidayIndex = holidayDays.get(day);
    if (holidayIndex !== undefined) {
      issues.push({ code: 'calendar.holiday_make_up_conflict', path: `makeUpDays[${index}].date`, message: `${formatEpochDay(day)} is both a holiday (holidays[${holidayIndex}]) and a make-up day` });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Resolved days: what the engine compiles from.
// ---------------------------------------------------------------------------------------------

/** Lookup tables of a valid calendar: per weekday ranges, plus per-date overrides. */
export interface ResolvedCalendar {
  weekly: readonly (readonly MinuteRange[])[]; // index 0 = Monday
  holidays: ReadonlyMap<number, readonly MinuteRange[] | 'all'>;
  makeUps: ReadonlyMap<number, readonly MinuteRange[]>;
}

export function resolveCalendar(calendar: Calendar): ResolvedCalendar {
  const hours = calendar.hours;
  const weekly = hours.kind === 'always' ? WEEKDAYS.map(() => ALL_DAY) : WEEKDAYS.map((d) => toMinuteRanges(hours.days[d]));
  const holidays = new Map<number, readonly MinuteRange[] | 'all'>();
  for (const h of calendar.holidays) {
    const day = parseIsoDate(h.date);
    if (day !== null) holidays.set(day, h.offWindows === undefined ? 'all' : toMinuteRanges(h.offWindows));
  }
  const defaults = toMinuteRanges(getDefaultMakeUpWindows(calendar.hours));
  const makeUps = new Map<number, readonly MinuteRange[]>();
  for (const m of calendar.makeUpDays) {
    const day = parseIsoDate(m.date);
    if (day !== null) makeUps.set(day, m.windows === undefined ? defaults : toMinuteRanges(m.windows));
  }
  return { weekly, holidays, makeUps };
}

/** Working minute ranges of one local date, sorted, holidays subtracted. */
export function getDayRanges(resolved: ResolvedCalendar, epochDay: number): readonly MinuteRange[] {
  const makeUp = resolved.makeUps.get(epochDay);
  if (makeUp !== undefined) return makeUp;
  const base = resolved.weekly[getWeekdayIndex(epochDay)]!;
  const holiday = resolved.holidays.get(epochDay);
  if (holiday === undefined) return base;
  if (holiday === 'all') return [];
  return subtractRanges(base, holiday);
}

function subtractRanges(base: readonly MinuteRange[], off: readonly MinuteRange[]): MinuteRange[] {
  let result: MinuteRange[] = [...base];
  for (const [offStart, offEnd] of off) {
    const next: MinuteRange[] = [];
    for (const [s, e] of result) {
      if (offEnd <= s || offStart >= e) {
        next.push([s, e]);
        continue;
      }
      if (offStart > s) next.push([s, offStart]);
      if (offEnd < e) next.push([offEnd, e]);
    }
    result = next;
  }
  return result;
}

/** Years in [fromYear, toYear] the calendar does not claim to know holidays for: warn, don't trust. */
export function listUncoveredYears(calendar: Calendar, fromYear: number, toYear: number): number[] {
  const years: number[] = [];
  for (let y = fromYear; y <= toYear; y++) {
    if (y < calendar.validity.fromYear || y > calendar.validity.toYear) years.push(y);
  }
  return years;
}

// ---------------------------------------------------------------------------------------------
// Official year schedules (China's State Council notice, see china-holidays.ts)
// ---------------------------------------------------------------------------------------------

export interface ScheduleSource {
  issuer: string;
  title: string;
  url: string | null;
  /** When the notice was published, if we know it; never guessed. */
  publishedOn: IsoDate | null;
  note?: string;
}

export interface OfficialHoliday {
  name: string;
  nameZh: string;
  /** Every day off of the block, weekend days included, as the notice lists them. */
  dates: readonly IsoDate[];
  /** Weekend days worked to make the block longer (调休上班). */
  makeUpWorkdays: readonly IsoDate[];
}

export type OfficialYearSchedule =
  | {
      country: 'CN';
      year: number;
      status: 'published';
      source: ScheduleSource;
      holidays: readonly OfficialHoliday[];
    }
  | {
      country: 'CN';
      year: number;
      status: 'not_yet_published';
      source: ScheduleSource;
    };

export interface CalendarFromSchedulesInput {
  id: string;
  name: string;
  version?: number;
  timeZone?: string;
  /** Windows of every normal Monday–Friday; make-up days get them too. */
  weekdayWindows: readonly TimeWindow[];
  schedules: readonly OfficialYearSchedule[];
}

/**
 * A calendar from official year schedules plus standard weekday windows. The validity years are
 * exactly the schedules' years, which must be consecutive and published: a year whose notice is not
 * out yet must not be claimed as covered.
 */
export function createCalendarFromYearSchedules(input: CalendarFromSchedulesInput): Calendar {
  if (input.schedules.length === 0) {
    throw new BusinessTimeError('calendar.invalid_validity', 'at least one year schedule is needed', 'schedules');
  }
  const holidays: Holiday[] = [];
  const makeUpDays: MakeUpDay[] = [];
  const years: number[] = [];
  input.schedules.forEach((schedule, index) => {
    if (schedule.status !== 'published') {
      throw new BusinessTimeError(
        'calendar.schedule_not_published',
        `the official schedule for ${schedule.year} is not published; it cannot be part of a calendar's validity`,
        `schedules[${index}]`,
      );
    }
    years.push(schedule.year);
    for (const block of schedule.holidays) {
      for (const date of block.dates) holidays.push({ date, name: block.name });
      for (const date of block.makeUpWorkdays) makeUpDays.push({ date, name: `${block.name} make-up workday` });
    }
  });
  years.sort((a, b) => a - b);
  for (let i = 1; i < years.length; i++) {
    if (years[i] !== years[i - 1]! + 1) {
      throw new BusinessTimeError('calendar.invalid_validity', `year schedules must be consecutive years, got ${years.join(', ')}`, 'schedules');
    }
  }
  return createCalendar({
    id: input.id,
    name: input.name,
    version: input.version ?? 1,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    hours: createWeekdayHours(input.weekdayWindows),
    holidays,
    makeUpDays,
    validity: { fromYear: years[0]!, toYear: years[years.length - 1]! },
  });
}
