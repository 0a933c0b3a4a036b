import { AppError, type FieldError, defineErrors } from '../../platform/errors.ts';
import { type BusinessTimeError, CalendarValidationError } from './business-time-error.ts';
import { engineCondition, toFieldPath } from './contract.ts';

/**
 * The calendar module's problems. Most are the business-time engine's own error codes
 * (business-time-error.ts) surfaced as 422s with the offending field paths; see ENGINE_CONDITIONS
 * in contract.ts for the mapping.
 */
export const CalendarErrors = defineErrors('calendar', {
  invalid: { status: 422 },
  unknown_time_zone: { status: 422 },
  invalid_time: { status: 422 },
  window_inverted: { status: 422 },
  window_overlap: { status: 422 },
  invalid_date: { status: 422 },
  duplicate_date: { status: 422 },
  holiday_makeup_clash: { status: 422 },
  makeup_without_windows: { status: 422 },
  invalid_validity: { status: 422 },
  date_outside_validity: { status: 422 },
  schedule_not_published: { status: 422 },
  invalid_instant: { status: 422 },
  invalid_duration: { status: 422 },
  negative_duration: { status: 422 },
  invalid_leave: { status: 422 },
  no_working_time: { status: 422 },
  out_of_range: { status: 422 },
  event_order: { status: 422 },
  start_while_running: { status: 422 },
  pause_without_start: { status: 422 },
  pause_while_paused: { status: 422 },
  resume_without_pause: { status: 422 },
  stop_without_start: { status: 422 },
  // the module's own
  in_use: { status: 409 },
  already_assigned: { status: 409 },
  no_official_schedule: { status: 422 },
});

/** Field-path rewriting for an engine issue: where in the request body the problem is. */
export type PathMapper = (enginePath: string, code: string) => string;

const identity: PathMapper = (p) => toFieldPath(p);

/**
 * An engine failure as a problem: the first issue's code is the problem's code, every issue is a
 * field error (`v:calendar_<condition>`, localized by the error handler). Call it with a
 * BusinessTimeError (isBusinessTimeError) only.
 */
export function toCalendarProblem(err: unknown, mapPath: PathMapper = identity, params: Record<string, string | number> = {}): AppError {
  const e = err as BusinessTimeError;
  const issues =
    err instanceof CalendarValidationError ? err.issues.map((i) => ({ code: i.code, path: i.path })) : [{ code: e.code, path: e.path ?? '' }];
  const errors: FieldError[] = issues.map((i) => {
    const condition = engineCondition(i.code);
    return { path: i.path === '' ? '' : mapPath(i.path, i.code), message: `v:calendar_${condition}` };
  });
  const condition = engineCondition(issues[0]!.code);
  return new AppError(`calendar.${condition}`, { errors, params: { count: errors.length, ...params }, cause: err });
}
