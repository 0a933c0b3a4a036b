/**
 * The business-time engine: working time between two instants, a due instant after N working
 * minutes/hours/days, and people's working capacity. Shared by service SLAs, delivery response
 * targets and resource capacity so the three never disagree about what "4 working hours" means.
 *
 * How: a calendar is compiled once (per id + version) into its working intervals as UTC epoch
 * milliseconds, merged and sorted, with running totals of working time. Working time up to an
 * instant is then a binary search plus one subtraction, so `businessTimeBetween` and
 * `addBusinessTime` are O(log n) and never walk minute by minute. Local wall times become
 * instants through Intl (the only zone database a browser is guaranteed to have), which is what
 * keeps a 09:00–17:00 window 8 real hours on a daylight-saving day.
 *
 * Units: instants are JS Dates (millisecond precision); every business duration the engine returns
 * is an integer number of MILLISECONDS. Milliseconds, not minutes, because instants carry ms and
 * rounding to minutes would break additivity (between(a,b) + between(b,c) = between(a,c)) and the
 * round trip between(t, add(t, d)) = d. Convert for display with toBusinessMinutes/toBusinessHours.
 *
 * Pure: no I/O, no Date.now(), no node: imports (the web client runs the same code).
 */
import {
  assertValidCalendar,
  getDayRanges,
  getEpochDayOfYearStart,
  isValidTimeZone,
  parseIsoDate,
  parseWallTime,
  resolveCalendar,
  type Calendar,
  type IsoDate,
  type ResolvedCalendar,
} from './calendar.ts';
import { BusinessTimeError, NoWorkingTimeError } from './business-time-error.ts';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/**
 * A business duration. Deliberately no plain "day": business minutes/hours are working time on the
 * clock; business days count whole working days (see addBusinessTime for the exact rule).
 */
export type BusinessDuration =
  | { unit: 'minutes'; value: number }
  | { unit: 'hours'; value: number }
  | { unit: 'business_days'; value: number };

export function businessMinutes(value: number): BusinessDuration {
  return { unit: 'minutes', value };
}

export function businessHours(value: number): BusinessDuration {
  return { unit: 'hours', value };
}

export function businessDays(value: number): BusinessDuration {
  return { unit: 'business_days', value };
}

export function toBusinessMinutes(ms: number): number {
  return ms / MS_PER_MINUTE;
}

export function toBusinessHours(ms: number): number {
  return ms / MS_PER_HOUR;
}

/** Refuses NaN, infinities, negatives and fractional business days, with a typed error. */
export function assertBusinessDuration(duration: BusinessDuration, path = 'duration'): void {
  const value: unknown = duration?.value;
  if (duration === null || typeof duration !== 'object' || typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BusinessTimeError('calendar.invalid_duration', `not a finite business duration: ${JSON.stringify(duration)}`, path);
  }
  if (value < 0) throw new BusinessTimeError('calendar.negative_duration', `negative business duration: ${value} ${duration.unit}`, path);
  if (duration.unit === 'business_days') {
    if (!Number.isInteger(value)) {
      throw new BusinessTimeError('calendar.invalid_duration', `business days must be a whole number, got ${value}`, path);
    }
  } else if (duration.unit !== 'minutes' && duration.unit !== 'hours') {
    throw new BusinessTimeError('calendar.invalid_duration', `unknown duration unit: ${JSON.stringify((duration as { unit: unknown }).unit)}`, path);
  }
}

/** Working milliseconds of a minutes/hours duration; business days have no fixed length (null). */
export function getFixedDurationMs(duration: BusinessDuration): number | null {
  switch (duration.unit) {
    case 'minutes':
      return Math.round(duration.value * MS_PER_MINUTE);
    case 'hours':
      return Math.round(duration.value * MS_PER_HOUR);
    case 'business_days':
      return null;
  }
}

export function assertInstant(at: Date, path = 'instant'): number {
  const ms = at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new BusinessTimeError('calendar.invalid_instant', `not a valid instant: ${String(at)}`, path);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Local wall time → instant, through Intl.
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
// Offsets sampled on a 24 h grid, shared by every compile of the same zone.
const offsetGrids = new Map<string, Map<number, number>>();

function getFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Zone offset (local − UTC) in ms at an instant. */
function getOffsetMs(timeZone: string, utcMs: number): number {
  const parts = getFormatter(timeZone).formatToParts(utcMs);
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value) % 24;
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
    }
  }
  const wholeSecond = utcMs - (((utcMs % 1000) + 1000) % 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecond;
}

function getGridOffsetMs(timeZone: string, gridMs: number): number {
  let grid = offsetGrids.get(timeZone);
  if (grid === undefined) {
    grid = new Map();
    offsetGrids.set(timeZone, grid);
  }
  let offset = grid.get(gridMs);
  if (offset === undefined) {
    offset = getOffsetMs(timeZone, gridMs);
    grid.set(gridMs, offset);
  }
  return offset;
}

/**
 * Converts the local times of one date. Offsets lie within −12 h…+14 h, so every instant of local
 * date d (00:00 to 24:00) falls in [U − 14 h, U + 36 h] with U = d at 00:00 UTC. When the offsets at
 * both ends of a slightly wider grid span agree there is no transition that day (no zone changes
 * twice within three days) and each conversion is one subtraction; otherwise each local time is
 * resolved like Temporal's 'compatible' disambiguation: in a gap (spring forward) the earlier
 * offset is used, which lands after the gap; in an overlap (fall back) the earlier instant wins.
 */
class DayConverter {
  private u = 0;
  private before = 0;
  private after = 0;
  private isConstant = true;

  constructor(private readonly timeZone: string) {}

  setDay(epochDay: number): void {
    this.u = epochDay * MS_PER_DAY;
    const gridStart = this.u - 16 * MS_PER_HOUR;
    this.before = getGridOffsetMs(this.timeZone, gridStart);
    this.after = getGridOffsetMs(this.timeZone, gridStart + 3 * MS_PER_DAY);
    this.isConstant = this.before === this.after;
  }

  toUtc(minuteOfDay: number): number {
    const local = this.u + minuteOfDay * MS_PER_MINUTE;
    if (this.isConstant) return local - this.before;
    const early = local - this.before;
    const late = local - this.after;
    const isEarlyValid = getOffsetMs(this.timeZone, early) === this.before;
    const isLateValid = getOffsetMs(this.timeZone, late) === this.after;
    if (isEarlyValid && isLateValid) return Math.min(early, late);
    if (isLateValid) return late;
    return early;
  }
}

/**
 * The instant of a local wall time on a local date in a zone (`24:00` is the next midnight), with
 * the same DST resolution as the engine's windows (Temporal 'compatible'). For inputs such as
 * "leave from the afternoon of 2026-03-02" that are stored as local dates and times.
 */
export function toZonedInstant(date: IsoDate, time: string, timeZone: string): Date {
  const day = parseIsoDate(date);
  if (day === null) throw new BusinessTimeError('calendar.invalid_date', `not a date YYYY-MM-DD: ${JSON.stringify(date)}`, 'date');
  const minute = parseWallTime(time, true);
  if (minute === null) throw new BusinessTimeError('calendar.invalid_time', `not a wall time HH:MM: ${JSON.stringify(time)}`, 'time');
  if (!isValidTimeZone(timeZone)) throw new BusinessTimeError('calendar.unknown_time_zone', `unknown IANA time zone: ${JSON.stringify(timeZone)}`, 'timeZone');
  const converter = new DayConverter(timeZone);
  converter.setDay(day);
  return new Date(converter.toUtc(minute));
}

// ---------------------------------------------------------------------------------------------
// The compiled calendar
// ---------------------------------------------------------------------------------------------

/** How far ahead a search for working time goes before concluding there is none. */
export const NO_WORKING_TIME_HORIZON_DAYS = 3 * 366;
const MIN_EPOCH_DAY = getEpochDayOfYearStart(1900);
const MAX_EPOCH_DAY = getEpochDayOfYearStart(2401) - 1;
const MIN_GROWTH_DAYS = 366;

function upperBound(values: Float64Array, length: number, x: number): number {
  // First index whose value is > x.
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(values: Float64Array, length: number, x: number): number {
  // First index whose value is >= x.
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface CompiledRange {
  fromDay: number;
  toDay: number;
  /** Local midnight of each day as an instant; one extra entry: the end of the last day. */
  dayStarts: Float64Array;
  /** End of the day's last working interval, NaN on a day without working time. */
  dayWorkEnds: Float64Array;
  /** Number of working days among fromDay..fromDay+k. */
  workDaysThrough: Float64Array;
  starts: Float64Array;
  ends: Float64Array;
  /** Working ms from the range start to ends[i]. */
  cumEnds: Float64Array;
  intervalCount: number;
}

function compileRange(timeZone: string, resolved: ResolvedCalendar, fromDay: number, toDay: number): CompiledRange {
  const dayCount = toDay - fromDay + 1;
  const dayStarts = new Float64Array(dayCount + 1);
  const dayWorkEnds = new Float64Array(dayCount);
  const workDaysThrough = new Float64Array(dayCount);
  // A day has at most a handful of windows; grow the interval arrays on demand.
  let capacity = Math.max(16, dayCount * 2);
  let starts = new Float64Array(capacity);
  let ends = new Float64Array(capacity);
  let n = 0;
  let workDays = 0;
  const converter = new DayConverter(timeZone);
  for (let k = 0; k < dayCount; k++) {
    const day = fromDay + k;
    converter.setDay(day);
    dayStarts[k] = converter.toUtc(0);
    let dayEnd = Number.NaN;
    for (const [startMinute, endMinute] of getDayRanges(resolved, day)) {
      const lastEnd = n > 0 ? ends[n - 1]! : Number.NEGATIVE_INFINITY;
      // Clamping keeps intervals disjoint and sorted even when a window touches a DST gap.
      const s = Math.max(converter.toUtc(startMinute), lastEnd);
      const e = converter.toUtc(endMinute);
      if (e <= s) continue;
      if (s === lastEnd) {
        ends[n - 1] = e; // touching windows (or 24×7 across midnight) merge
      } else {
        if (n === capacity) {
          capacity *= 2;
          const grownStarts = new Float64Array(capacity);
          grownStarts.set(starts);
          starts = grownStarts;
          const grownEnds = new Float64Array(capacity);
          grownEnds.set(ends);
          ends = grownEnds;
        }
        starts[n] = s;
        ends[n] = e;
        n++;
      }
      dayEnd = e;
    }
    dayWorkEnds[k] = dayEnd;
    if (!Number.isNaN(dayEnd)) workDays++;
    workDaysThrough[k] = workDays;
  }
  converter.setDay(toDay + 1);
  dayStarts[dayCount] = converter.toUtc(0);
  const cumEnds = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += ends[i]! - starts[i]!;
    cumEnds[i] = total;
  }
  return { fromDay, toDay, dayStarts, dayWorkEnds, workDaysThrough, starts, ends, cumEnds, intervalCount: n };
}

/** A working interval [start, end) as epoch ms. */
export type WorkingInterval = readonly [start: number, end: number];

/**
 * A calendar compiled for arithmetic on epoch milliseconds. Obtain one with getCompiledCalendar;
 * the Date-based functions below are thin wrappers over it. The covered range grows on demand
 * (by whole years, recompiling), so any instant from 1900 to 2400 works.
 */
export class CompiledCalendar {
  readonly calendarId: string;
  readonly version: number;
  private readonly timeZone: string;
  private readonly resolved: ResolvedCalendar;
  private r: CompiledRange;

  constructor(calendar: Calendar) {
    assertValidCalendar(calendar);
    this.calendarId = calendar.id;
    this.version = calendar.version;
    this.timeZone = calendar.timeZone;
    this.resolved = resolveCalendar(calendar);
    // Validity years plus the following one: SLAs opened in December run into January.
    this.r = compileRange(
      this.timeZone,
      this.resolved,
      getEpochDayOfYearStart(calendar.validity.fromYear),
      getEpochDayOfYearStart(calendar.validity.toYear + 2) - 1,
    );
  }

  /** Instants the compiled tables currently cover (grows on demand). */
  getCoveredRange(): { fromMs: number; toMs: number; intervalCount: number } {
    return { fromMs: this.r.dayStarts[0]!, toMs: this.r.dayStarts[this.r.toDay - this.r.fromDay + 1]!, intervalCount: this.r.intervalCount };
  }

  private grow(fromDay: number, toDay: number): void {
    if (fromDay < MIN_EPOCH_DAY || toDay > MAX_EPOCH_DAY) {
      throw new BusinessTimeError('calendar.out_of_range', 'business time is computed for years 1900–2400 only');
    }
    this.r = compileRange(this.timeZone, this.resolved, fromDay, toDay);
  }

  private growForward(): void {
    if (this.r.toDay >= MAX_EPOCH_DAY) {
      throw new BusinessTimeError('calendar.out_of_range', 'business time is computed for years 1900–2400 only');
    }
    const span = this.r.toDay - this.r.fromDay + 1;
    this.grow(this.r.fromDay, Math.min(MAX_EPOCH_DAY, this.r.toDay + Math.max(MIN_GROWTH_DAYS, span)));
  }

  private ensureCovers(ms: number): void {
    const r = this.r;
    if (ms >= r.dayStarts[0]! && ms < r.dayStarts[r.toDay - r.fromDay + 1]!) return;
    if (!Number.isFinite(ms)) throw new BusinessTimeError('calendar.invalid_instant', 'not a finite instant');
    const day = Math.floor(ms / MS_PER_DAY);
    const span = r.toDay - r.fromDay + 1;
    const growth = Math.max(MIN_GROWTH_DAYS, span);
    // Two days of margin absorb the zone offset between UTC and local dates.
    const fromDay = day - 2 < r.fromDay ? Math.max(MIN_EPOCH_DAY, Math.min(day - 2, r.fromDay - growth)) : r.fromDay;
    const toDay = day + 2 > r.toDay ? Math.min(MAX_EPOCH_DAY, Math.max(day + 2, r.toDay + growth)) : r.toDay;
    if (day - 2 < MIN_EPOCH_DAY || day + 2 > MAX_EPOCH_DAY) {
      throw new BusinessTimeError('calendar.out_of_range', 'business time is computed for years 1900–2400 only');
    }
    this.grow(fromDay, toDay);
  }

  /** Working ms from the range start up to ms (the range must cover ms). */
  private getWorkUpTo(ms: number): number {
    const r = this.r;
    const i = upperBound(r.starts, r.intervalCount, ms) - 1;
    if (i < 0) return 0;
    const end = r.ends[i]!;
    return ms >= end ? r.cumEnds[i]! : r.cumEnds[i]! - (end - ms);
  }

  /** Working ms in [aMs, bMs); negative when bMs < aMs. */
  getWorkingMsBetween(aMs: number, bMs: number): number {
    this.ensureCovers(aMs);
    this.ensureCovers(bMs);
    return this.getWorkUpTo(bMs) - this.getWorkUpTo(aMs);
  }

  private assertHorizon(anchorMs: number): void {
    const r = this.r;
    const lastEnd = r.intervalCount > 0 ? r.ends[r.intervalCount - 1]! : Number.NEGATIVE_INFINITY;
    const coveredUntil = r.dayStarts[r.toDay - r.fromDay + 1]!;
    if (coveredUntil - Math.max(anchorMs, lastEnd) >= NO_WORKING_TIME_HORIZON_DAYS * MS_PER_DAY) {
      throw new NoWorkingTimeError(this.calendarId, NO_WORKING_TIME_HORIZON_DAYS);
    }
  }

  /**
   * The earliest instant u ≥ startMs with exactly `ms` working ms in [startMs, u). For ms > 0
   * that is inside a window or exactly at a window's end (due 18:00, not next morning 09:00);
   * for ms = 0 it is startMs itself.
   */
  addWorkingMs(startMs: number, ms: number): number {
    if (ms === 0) return startMs;
    this.ensureCovers(startMs);
    const target = this.getWorkUpTo(startMs) + ms;
    for (;;) {
      const r = this.r;
      const n = r.intervalCount;
      if (n > 0 && r.cumEnds[n - 1]! >= target) {
        const i = lowerBound(r.cumEnds, n, target);
        return r.ends[i]! - (r.cumEnds[i]! - target);
      }
      this.assertHorizon(startMs);
      // Growing forward keeps the range start, so `target` (a total from that start) stays valid.
      this.growForward();
    }
  }

  private getDayIndex(ms: number): number {
    const r = this.r;
    return upperBound(r.dayStarts, r.toDay - r.fromDay + 2, ms) - 1;
  }

  /**
   * End of the Nth working day after the local date of startMs. The start's own date never
   * counts, whether the start is before, inside or after its working hours (as China's Civil Code
   * art. 201 counts periods: "开始的当日不计入"), and the period ends when work stops on the last
   * day (art. 203). Days = 0 returns startMs.
   */
  addBusinessDays(startMs: number, days: number): number {
    if (days === 0) return startMs;
    this.ensureCovers(startMs);
    for (;;) {
      const r = this.r;
      const k0 = this.getDayIndex(startMs);
      const target = r.workDaysThrough[k0]! + days;
      const dayCount = r.toDay - r.fromDay + 1;
      if (r.workDaysThrough[dayCount - 1]! >= target) {
        const k = lowerBound(r.workDaysThrough, dayCount, target);
        return r.dayWorkEnds[k]!;
      }
      this.assertHorizon(startMs);
      this.growForward();
    }
  }

  isWorkingAt(ms: number): boolean {
    this.ensureCovers(ms);
    const r = this.r;
    const i = upperBound(r.starts, r.intervalCount, ms) - 1;
    return i >= 0 && ms < r.ends[i]!;
  }

  /** ms itself when working, else the start of the next working interval. */
  getNextWorkingMs(ms: number): number {
    this.ensureCovers(ms);
    for (;;) {
      const r = this.r;
      const i = upperBound(r.starts, r.intervalCount, ms);
      if (i > 0 && ms < r.ends[i - 1]!) return ms;
      if (i < r.intervalCount) return r.starts[i]!;
      this.assertHorizon(ms);
      this.growForward();
    }
  }

  /** Working intervals clipped to [fromMs, toMs). */
  listWorkingIntervals(fromMs: number, toMs: number): WorkingInterval[] {
    this.ensureCovers(fromMs);
    this.ensureCovers(toMs);
    const r = this.r;
    const result: WorkingInterval[] = [];
    for (let i = Math.max(0, upperBound(r.starts, r.intervalCount, fromMs) - 1); i < r.intervalCount; i++) {
      const s = Math.max(r.starts[i]!, fromMs);
      const e = Math.min(r.ends[i]!, toMs);
      if (r.starts[i]! >= toMs) break;
      if (e > s) result.push([s, e]);
    }
    return result;
  }

  /** Local midnight starting an epoch day (the end of the day is getDayStartMs(day + 1)). */
  getDayStartMs(epochDay: number): number {
    const r = this.r;
    if (epochDay < r.fromDay || epochDay > r.toDay) {
      const fromDay = Math.min(r.fromDay, epochDay - 1);
      const toDay = Math.max(r.toDay, epochDay + 1);
      if (fromDay < MIN_EPOCH_DAY || toDay > MAX_EPOCH_DAY) {
        throw new BusinessTimeError('calendar.out_of_range', 'business time is computed for years 1900–2400 only');
      }
      this.grow(fromDay, toDay);
    }
    return this.r.dayStarts[epochDay - this.r.fromDay]!;
  }

  /** Working ms of a fixed duration, or of N business days counted from startMs. */
  getDurationMs(startMs: number, duration: BusinessDuration): number {
    const fixed = getFixedDurationMs(duration);
    if (fixed !== null) return fixed;
    return this.getWorkingMsBetween(startMs, this.addBusinessDays(startMs, duration.value));
  }

  /** Due instant of a duration from startMs (see addBusinessTime). */
  addDuration(startMs: number, duration: BusinessDuration): number {
    const fixed = getFixedDurationMs(duration);
    return fixed !== null ? this.addWorkingMs(startMs, fixed) : this.addBusinessDays(startMs, duration.value);
  }
}

// ---------------------------------------------------------------------------------------------
// Compile cache: by object identity first, then by id@version checked against the content, so a
// calendar re-read from the database per request is not recompiled, yet a changed calendar that
// forgot to bump its version is never served stale tables.
// ---------------------------------------------------------------------------------------------

const byObject = new WeakMap<Calendar, CompiledCalendar>();
const byVersion = new Map<string, { fingerprint: string; compiled: CompiledCalendar }>();
const MAX_CACHED_VERSIONS = 256;

export function getCompiledCalendar(calendar: Calendar): CompiledCalendar {
  const hit = byObject.get(calendar);
  if (hit !== undefined && hit.version === calendar.version && hit.calendarId === calendar.id) return hit;
  const key = `${calendar.id}@${calendar.version}`;
  const fingerprint = JSON.stringify(calendar);
  const cached = byVersion.get(key);
  let compiled: CompiledCalendar;
  if (cached !== undefined && cached.fingerprint === fingerprint) {
    compiled = cached.compiled;
  } else {
    compiled = new CompiledCalendar(calendar);
    byVersion.delete(key);
    byVersion.set(key, { fingerprint, compiled });
    if (byVersion.size > MAX_CACHED_VERSIONS) {
      const oldest = byVersion.keys().next().value;
      if (oldest !== undefined) byVersion.delete(oldest);
    }
  }
  byObject.set(calendar, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// The Date-based API
// ---------------------------------------------------------------------------------------------

/**
 * The due instant `duration` of working time after `start`.
 *
 * - minutes/hours: the earliest instant u ≥ start with exactly that much working time in
 *   [start, u). A start outside working time effectively begins at the next window; a due that
 *   lands on a window's end stays there (18:00, not 09:00 next morning); zero returns start.
 * - business_days: the end of the last window of the Nth working day after the start's local
 *   date. The start date itself never counts, wherever in the day the start falls (Civil Code
 *   art. 201 style); a working day is a date with any working time, make-up days included.
 */
export function addBusinessTime(start: Date, duration: BusinessDuration, calendar: Calendar): Date {
  const startMs = assertInstant(start, 'start');
  assertBusinessDuration(duration);
  return new Date(getCompiledCalendar(calendar).addDuration(startMs, duration));
}

/** Working milliseconds in [a, b), exact integer; negative when b is before a. */
export function businessTimeBetween(a: Date, b: Date, calendar: Calendar): number {
  const aMs = assertInstant(a, 'a');
  const bMs = assertInstant(b, 'b');
  return getCompiledCalendar(calendar).getWorkingMsBetween(aMs, bMs);
}

/** Whether `at` is inside a working window (a window's end instant is not). */
export function isWorkingTime(at: Date, calendar: Calendar): boolean {
  return getCompiledCalendar(calendar).isWorkingAt(assertInstant(at, 'at'));
}

/** `at` when it is working time, else the start of the next working window. */
export function getNextWorkingTime(at: Date, calendar: Calendar): Date {
  return new Date(getCompiledCalendar(calendar).getNextWorkingMs(assertInstant(at, 'at')));
}

export function listWorkingIntervals(from: Date, to: Date, calendar: Calendar): { start: Date; end: Date }[] {
  const fromMs = assertInstant(from, 'from');
  const toMs = assertInstant(to, 'to');
  return getCompiledCalendar(calendar)
    .listWorkingIntervals(fromMs, toMs)
    .map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

// ---------------------------------------------------------------------------------------------
// Capacity
// ---------------------------------------------------------------------------------------------

/** Leave as instants (half-day, hours) or as inclusive local dates in the person's calendar zone. */
export type LeavePeriod = { start: Date; end: Date } | { startDate: IsoDate; endDate: IsoDate };

export interface PersonSchedule {
  /** Null or undefined: we do not know when this person works. */
  calendar: Calendar | null | undefined;
  leave?: readonly LeavePeriod[];
}

export type WorkingCapacity =
  | {
      kind: 'known';
      /** Working hours after leave (workingMs / 3 600 000). */
      hours: number;
      workingMs: number;
      /** Working time the calendar offers in the period before leave. */
      scheduledMs: number;
      /** Working time removed by leave; overlapping leave periods are counted once. */
      leaveMs: number;
    }
  | {
      kind: 'unknown';
      reason: 'no_calendar';
      /** Shown to planners: unknown capacity must not read as "zero hours free". */
      warning: string;
    };

/**
 * Working hours a person has in [from, to) after leave. Without a calendar the capacity is
 * `unknown` (with a warning), never zero: zero would let planners believe the person is fully
 * booked, or worse, let a sum over a team silently drop them.
 */
export function workingCapacity(person: PersonSchedule, from: Date, to: Date): WorkingCapacity {
  const fromMs = assertInstant(from, 'from');
  const toMs = assertInstant(to, 'to');
  if (toMs < fromMs) throw new BusinessTimeError('calendar.invalid_instant', 'capacity period ends before it starts', 'to');
  if (person.calendar === null || person.calendar === undefined) {
    return { kind: 'unknown', reason: 'no_calendar', warning: 'no working calendar assigned: capacity unknown, not zero' };
  }
  const compiled = getCompiledCalendar(person.calendar);
  const leave: [number, number][] = [];
  (person.leave ?? []).forEach((period, index) => {
    const path = `leave[${index}]`;
    let s: number;
    let e: number;
    if ('startDate' in period) {
      const startDay = parseIsoDate(period.startDate);
      const endDay = parseIsoDate(period.endDate);
      if (startDay === null) throw new BusinessTimeError('calendar.invalid_leave', `not a date: ${JSON.stringify(period.startDate)}`, `${path}.startDate`);
      if (endDay === null) throw new BusinessTimeError('calendar.invalid_leave', `not a date: ${JSON.stringify(period.endDate)}`, `${path}.endDate`);
      s = compiled.getDayStartMs(startDay);
      e = compiled.getDayStartMs(endDay + 1); // inclusive end date: leave runs to the next midnight
    } else {
      s = assertInstant(period.start, `${path}.start`);
      e = assertInstant(period.end, `${path}.end`);
    }
    if (e < s) throw new BusinessTimeError('calendar.invalid_leave', 'leave ends before it starts', path);
    const clippedStart = Math.max(s, fromMs);
    const clippedEnd = Math.min(e, toMs);
    if (clippedEnd > clippedStart) leave.push([clippedStart, clippedEnd]);
  });
  leave.sort((x, y) => x[0] - y[0]);
  let leaveMs = 0;
  let curStart = Number.NaN;
  let curEnd = Number.NaN;
  for (const [s, e] of leave) {
    if (Number.isNaN(curStart) || s > curEnd) {
      if (!Number.isNaN(curStart)) leaveMs += compiled.getWorkingMsBetween(curStart, curEnd);
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) {
      curEnd = e;
    }
  }
  if (!Number.isNaN(curStart)) leaveMs += compiled.getWorkingMsBetween(curStart, curEnd);
  const scheduledMs = compiled.getWorkingMsBetween(fromMs, toMs);
  const workingMs = scheduledMs - leaveMs;
  return { kind: 'known', hours: workingMs / MS_PER_HOUR, workingMs, scheduledMs, leaveMs };
}
