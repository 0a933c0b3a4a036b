import {
  CheckedCalendarDraft,
  WEEKDAYS,
  type CalendarDetail,
  type TimeWindow,
  type Validity,
  type WeeklyWindows,
} from '../../../server/modules/calendar/contract.ts';
import { parseWallTime } from '../../../server/modules/calendar/calendar.ts';

/** What the week editor edits: the calendar's hours, zone and validity years. */
export interface HoursDraft {
  always: boolean;
  days: WeeklyWindows;
  timeZone: string;
  validity: Validity;
}

export interface DraftError {
  path: string;
  message: string;
}

const NO_WINDOWS: WeeklyWindows = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

export function draftFromCalendar(calendar: CalendarDetail): HoursDraft {
  return {
    always: calendar.hours.kind === 'always',
    days: calendar.hours.kind === 'weekly' ? calendar.hours.days : NO_WINDOWS,
    timeZone: calendar.timeZone,
    validity: calendar.validity,
  };
}

/** The PATCH body of a draft (without the version). */
export function hoursBody(draft: HoursDraft) {
  return {
    hours: draft.always ? ({ kind: 'always' } as const) : ({ kind: 'weekly', days: draft.days } as const),
    timeZone: draft.timeZone,
    validity: draft.validity,
  };
}

/**
 * The draft checked with the same contract the server uses, the calendar's stored days included
 * (narrowing the validity years must not orphan a holiday). Messages are `v:` keys; paths are the
 * API's (`hours.days.mon.1`, `validity`, `holidays.3.date`…).
 */
export function checkHoursDraft(calendar: CalendarDetail, draft: HoursDraft): DraftError[] {
  const result = CheckedCalendarDraft.safeParse({
    nameZh: calendar.nameZh,
    ...hoursBody(draft),
    holidays: calendar.holidays.map((h) => ({ date: h.date, nameZh: h.nameZh, offWindows: h.offWindows })),
    makeUpDays: calendar.makeUpDays.map((m) => ({ date: m.date, nameZh: m.nameZh, windows: m.windows })),
  });
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Errors by path; a window's errors are also reachable from the window itself (`hours.days.mon.1`). */
export function groupErrors(errors: readonly DraftError[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const e of errors) map.set(e.path, [...(map.get(e.path) ?? []), e.message]);
  return map;
}

/** Messages for one window: its own, its start's and its end's. */
export function windowErrors(errors: ReadonlyMap<string, string[]>, day: string, index: number): string[] {
  const at = `hours.days.${day}.${index}`;
  return [...(errors.get(at) ?? []), ...(errors.get(`${at}.start`) ?? []), ...(errors.get(`${at}.end`) ?? [])];
}

/** Errors no field of the week editor shows (e.g. a stored holiday outside narrowed validity years). */
export function otherErrors(errors: readonly DraftError[]): DraftError[] {
  return errors.filter((e) => !/^hours\.days\.\w+\.\d+/.test(e.path) && e.path !== 'timeZone' && !e.path.startsWith('validity'));
}

/** Working minutes of a day's windows (0 for windows that are not yet valid). */
export function dayMinutes(windows: readonly TimeWindow[]): number {
  let total = 0;
  for (const w of windows) {
    const s = parseWallTime(w.start);
    const e = parseWallTime(w.end, true);
    if (s !== null && e !== null && e > s) total += e - s;
  }
  return total;
}

export function copyMondayToWeekdays(days: WeeklyWindows): WeeklyWindows {
  return { ...days, tue: days.mon, wed: days.mon, thu: days.mon, fri: days.mon };
}

export { WEEKDAYS };
