/**
 * The one error family of the business-time engine (calendars, the clock engine, event-log clocks).
 *
 * Callers branch on `code`, never on the message: the message is for logs and may change. `path`
 * points at the offending field (`holidays[3].date`, `events[7].at`) so an API can map the error
 * onto a form field or a log line without parsing text.
 */

export type BusinessTimeErrorCode =
  // calendar definition
  | 'calendar.invalid'
  | 'calendar.invalid_id'
  | 'calendar.invalid_version'
  | 'calendar.unknown_time_zone'
  | 'calendar.invalid_time'
  | 'calendar.window_inverted'
  | 'calendar.window_overlap'
  | 'calendar.invalid_date'
  | 'calendar.duplicate_date'
  | 'calendar.holiday_make_up_conflict'
  | 'calendar.make_up_without_windows'
  | 'calendar.invalid_validity'
  | 'calendar.date_outside_validity'
  | 'calendar.schedule_not_published'
  // arithmetic
  | 'calendar.invalid_instant'
  | 'calendar.invalid_duration'
  | 'calendar.negative_duration'
  | 'calendar.invalid_leave'
  | 'calendar.no_working_time'
  | 'calendar.out_of_range'
  // event-log clocks
  | 'calendar.invalid_policy'
  | 'calendar.event_order'
  | 'calendar.unknown_target'
  | 'calendar.start_while_running'
  | 'calendar.pause_without_start'
  | 'calendar.pause_while_paused'
  | 'calendar.resume_without_pause'
  | 'calendar.stop_without_start'
  | 'calendar.frozen_cycle_mismatch';

export class BusinessTimeError extends Error {
  readonly code: BusinessTimeErrorCode;
  readonly path: string | undefined;

  constructor(code: BusinessTimeErrorCode, message: string, path?: string) {
    super(path === undefined ? message : `${message} (at ${path})`);
    this.name = 'BusinessTimeError';
    this.code = code;
    this.path = path;
  }
}

/** One problem found by calendar validation; validation reports all of them, not just the first. */
export interface CalendarIssue {
  code: BusinessTimeErrorCode;
  path: string;
  message: string;
}

/** A calendar definition that failed validation; `issues` lists every problem found. */
export class CalendarValidationError extends BusinessTimeError {
  readonly issues: readonly CalendarIssue[];

  constructor(issues: readonly CalendarIssue[]) {
    const first = issues[0];
    super(
      'calendar.invalid',
      first === undefined
        ? 'invalid calendar'
        : `invalid calendar: ${first.message}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`,
      first?.path,
    );
    this.name = 'CalendarValidationError';
    this.issues = issues;
  }
}

/**
 * The calendar has no working time within the search horizon, so a due instant cannot exist.
 * Raised instead of searching forever (an empty calendar, or one whose every day is a holiday).
 */
export class NoWorkingTimeError extends BusinessTimeError {
  readonly calendarId: string;

  constructor(calendarId: string, horizonDays: number) {
    super('calendar.no_working_time', `calendar ${calendarId} has no working time within ${horizonDays} days`);
    this.name = 'NoWorkingTimeError';
    this.calendarId = calendarId;
  }
}

/** An event log a clock cannot be computed from: out of order, or an action invalid in the target's state. */
export class ClockEventError extends BusinessTimeError {
  constructor(code: BusinessTimeErrorCode, message: string, path?: string) {
    super(code, message, path);
    this.name = 'ClockEventError';
  }
}

export function isBusinessTimeError(error: unknown): error is BusinessTimeError {
  return error instanceof BusinessTimeError;
}
