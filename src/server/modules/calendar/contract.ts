import { z } from 'zod';
import { Id, IsoDate, PageQuery, QueryBool, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import type { BusinessTimeErrorCode, CalendarIssue } from './business-time-error.ts';
import { DEFAULT_TIME_ZONE, WEEKDAYS, validateCalendar, type Calendar, type WorkingHours } from './calendar.ts';

/**
 * The calendar module's API, shared by server and web. Shapes are checked here (Zod: 400
 * platform.validation); what makes a calendar valid (no overlapping or inverted windows, no
 * holiday on a make-up day, a real time zone…) is the engine's validateCalendar, which the server
 * turns into 422 `calendar.*` problems and the web runs on a draft (`checkCalendarDraft`) before
 * sending it. Both report the same `v:calendar_<condition>` messages on the same field paths.
 */

export const DAY_SOURCES = ['manual', 'official_cn'] as const;
export const LEAVE_KINDS = ['annual', 'sick', 'personal', 'parental', 'business_trip', 'other'] as const;
export const DAY_KINDS = ['workday', 'weekend', 'holiday', 'makeup_workday'] as const;
export const DURATION_UNITS = ['minutes', 'hours', 'business_days'] as const;

/** Largest durations the "when is it due?" tester and clock preview accept (about four years). */
export const MAX_DURATION: Record<(typeof DURATION_UNITS)[number], number> = { minutes: 600_000, hours: 10_000, business_days: 1_000 };

const Name = z.string().trim().min(1).max(100);
const WallTime = z.string().regex(/^\d{2}:\d{2}$/, { message: 'v:wall_time' });

export const TimeWindow = z.strictObject({ start: WallTime, end: WallTime });
export type TimeWindow = z.infer<typeof TimeWindow>;
const Windows = z.array(TimeWindow).max(12);

export const WeeklyWindows = z.strictObject({
  mon: Windows,
  tue: Windows,
  wed: Windows,
  thu: Windows,
  fri: Windows,
  sat: Windows,
  sun: Windows,
});
export type WeeklyWindows = z.infer<typeof WeeklyWindows>;

export const WorkingHoursSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('weekly'), days: WeeklyWindows }),
  z.strictObject({ kind: z.literal('always') }),
]);
export type WorkingHoursBody = z.infer<typeof WorkingHoursSchema>;

/** Whole years only; the range rules (1900–2400, at most 50 years) are the engine's. */
export const Validity = z.strictObject({ fromYear: z.number().int(), toYear: z.number().int() });
export type Validity = z.infer<typeof Validity>;

/** Any string: whether it names an IANA zone is the engine's check (422 calendar.unknown_time_zone). */
export const TimeZoneName = z.string().trim().min(1).max(64);

export const HolidayInput = z.strictObject({
  date: IsoDate,
  nameZh: Name,
  nameEn: Name.nullish(),
  /** Only these local windows are off (a half day); absent or null: the whole day. */
  offWindows: Windows.nullish(),
});
export type HolidayInput = z.infer<typeof HolidayInput>;

export const MakeUpDayInput = z.strictObject({
  date: IsoDate,
  nameZh: Name,
  nameEn: Name.nullish(),
  /** The windows worked; absent or null: the calendar's normal weekday windows. */
  windows: Windows.nullish(),
});
export type MakeUpDayInput = z.infer<typeof MakeUpDayInput>;

export const CreateCalendarBody = z.strictObject({
  nameZh: Name,
  nameEn: Name.nullish(),
  timeZone: TimeZoneName.default(DEFAULT_TIME_ZONE),
  hours: WorkingHoursSchema,
  validity: Validity,
  /** The unit whose resource managers maintain it; absent: company-wide (admins only). */
  ownerUnitId: Id.nullish(),
  active: z.boolean().default(true),
  holidays: z.array(HolidayInput).max(400).default([]),
  makeUpDays: z.array(MakeUpDayInput).max(200).default([]),
});
export type CreateCalendarBody = z.infer<typeof CreateCalendarBody>;
export type CreateCalendarInput = z.input<typeof CreateCalendarBody>;

export const UpdateCalendarBody = z.strictObject({
  version: Version,
  nameZh: Name.optional(),
  nameEn: Name.nullable().optional(),
  timeZone: TimeZoneName.optional(),
  hours: WorkingHoursSchema.optional(),
  validity: Validity.optional(),
  ownerUnitId: Id.nullable().optional(),
  active: z.boolean().optional(),
});
export type UpdateCalendarBody = z.infer<typeof UpdateCalendarBody>;

export const UpdateHolidayBody = z.strictObject({
  version: Version,
  date: IsoDate.optional(),
  nameZh: Name.optional(),
  nameEn: Name.nullable().optional(),
  offWindows: Windows.nullable().optional(),
});
export type UpdateHolidayBody = z.infer<typeof UpdateHolidayBody>;

export const UpdateMakeUpDayBody = z.strictObject({
  version: Version,
  date: IsoDate.optional(),
  nameZh: Name.optional(),
  nameEn: Name.nullable().optional(),
  windows: Windows.nullable().optional(),
});
export type UpdateMakeUpDayBody = z.infer<typeof UpdateMakeUpDayBody>;

export const Holiday = z.object({
  id: Id,
  calendarId: Id,
  date: IsoDate,
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  offWindows: z.array(TimeWindow).nullable(),
  source: z.enum(DAY_SOURCES),
  version: Version,
});
export type Holiday = z.infer<typeof Holiday>;

export const MakeUpDay = z.object({
  id: Id,
  calendarId: Id,
  date: IsoDate,
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  windows: z.array(TimeWindow).nullable(),
  source: z.enum(DAY_SOURCES),
  version: Version,
});
export type MakeUpDay = z.infer<typeof MakeUpDay>;

export const CalendarSummary = z.object({
  id: Id,
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  timeZone: z.string(),
  hours: WorkingHoursSchema,
  validity: Validity,
  ownerUnitId: Id.nullable(),
  active: z.boolean(),
  holidayCount: z.number().int(),
  makeUpDayCount: z.number().int(),
  /** Org units and people this calendar is assigned to. */
  assignmentCount: z.number().int(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CalendarSummary = z.infer<typeof CalendarSummary>;

export const CalendarDetail = CalendarSummary.extend({
  holidays: z.array(Holiday),
  makeUpDays: z.array(MakeUpDay),
});
export type CalendarDetail = z.infer<typeof CalendarDetail>;

export const CalendarPage = pageSchema(CalendarSummary);
export type CalendarPage = z.infer<typeof CalendarPage>;
export const ListCalendarsQuery = PageQuery.extend({ active: QueryBool.optional() }).strict();
export type ListCalendarsQuery = z.infer<typeof ListCalendarsQuery>;

export const CalendarParams = z.strictObject({ id: Id });
export const HolidayParams = z.strictObject({ id: Id, holidayId: Id });
export const MakeUpDayParams = z.strictObject({ id: Id, dayId: Id });
export const YearParams = z.strictObject({ id: Id, year: z.coerce.number().int().min(1900).max(2400) });
/** Deletes name the version they saw, like edits (stale → 409). */
export const VersionQuery = z.strictObject({ version: z.coerce.number().int().min(1) });

/** After a change to one day: the day and the calendar's new version. */
export const HolidayChange = z.object({ holiday: Holiday.nullable(), calendarVersion: Version });
export const MakeUpDayChange = z.object({ makeUpDay: MakeUpDay.nullable(), calendarVersion: Version });
export type HolidayChange = z.infer<typeof HolidayChange>;
export type MakeUpDayChange = z.infer<typeof MakeUpDayChange>;

// ---------------------------------------------------------------------------------------------
// Year view, due tester, clock preview

export const YearDay = z.object({
  date: IsoDate,
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: z.number().int().min(1).max(7),
  kind: z.enum(DAY_KINDS),
  /** Working minutes that day (after part-day holidays). */
  minutes: z.number(),
  /** A holiday that takes only part of the day off. */
  partial: z.boolean(),
  nameZh: z.string().nullable(),
  nameEn: z.string().nullable(),
});
export type YearDay = z.infer<typeof YearDay>;
export type DayKind = (typeof DAY_KINDS)[number];

export const YearView = z.object({
  calendarId: Id,
  version: Version,
  year: z.number().int(),
  timeZone: z.string(),
  /** False when the year is outside the calendar's validity: holidays may be missing. */
  covered: z.boolean(),
  days: z.array(YearDay),
  totals: z.object({
    workdays: z.number().int(),
    restDays: z.number().int(),
    holidays: z.number().int(),
    makeupWorkdays: z.number().int(),
    workingHours: z.number(),
  }),
});
export type YearView = z.infer<typeof YearView>;

/** A business duration. Negative or fractional business days are the engine's 422s. */
export const Duration = z
  .strictObject({ unit: z.enum(DURATION_UNITS), value: z.number() })
  .refine((d) => d.value <= MAX_DURATION[d.unit], { message: 'v:calendar_duration_too_long', path: ['value'] });
export type Duration = z.infer<typeof Duration>;

export const DueBody = z.strictObject({ start: Timestamp, duration: Duration });
export type DueBody = z.infer<typeof DueBody>;

export const WorkingWindow = z.object({ start: Timestamp, end: Timestamp, minutes: z.number() });
export type WorkingWindow = z.infer<typeof WorkingWindow>;

export const CalendarRef = z.object({ id: Id, version: Version });

/** At most this many counted windows are listed (the due instant is exact either way). */
export const MAX_LISTED_WINDOWS = 400;

export const DueResult = z.object({
  calendar: CalendarRef,
  start: Timestamp,
  due: Timestamp,
  duration: z.object({ unit: z.enum(DURATION_UNITS), value: z.number() }),
  /** Working minutes between start and due (for business days: what those days amount to). */
  workingMinutes: z.number(),
  windows: z.array(WorkingWindow),
  windowsTruncated: z.boolean(),
  /** Years the computation touched whose holidays the calendar does not claim to know. */
  uncoveredYears: z.array(z.number().int()),
});
export type DueResult = z.infer<typeof DueResult>;

export const CLOCK_EVENT_TYPES = ['start', 'pause', 'resume', 'stop'] as const;
export const ClockPreviewBody = z.strictObject({
  target: Duration,
  events: z
    .array(z.strictObject({ type: z.enum(CLOCK_EVENT_TYPES), at: Timestamp }))
    .min(1)
    .max(200),
  /** Report as of this instant (default: now, or the last event if that is later). */
  asOf: Timestamp.optional(),
});
export type ClockPreviewBody = z.infer<typeof ClockPreviewBody>;

export const ClockPreview = z.object({
  calendar: CalendarRef,
  asOf: Timestamp,
  status: z.enum(['idle', 'running', 'paused', 'stopped']),
  startedAt: Timestamp.nullable(),
  stoppedAt: Timestamp.nullable(),
  due: Timestamp.nullable(),
  elapsedMinutes: z.number(),
  remainingMinutes: z.number(),
  pausedMinutes: z.number(),
  breached: z.boolean(),
  breachedAt: Timestamp.nullable(),
});
export type ClockPreview = z.infer<typeof ClockPreview>;

export const ImportOfficialBody = z.strictObject({ country: z.literal('CN'), year: z.number().int().min(1900).max(2400) });
export type ImportOfficialBody = z.infer<typeof ImportOfficialBody>;
export const ImportOfficialResult = z.object({
  calendar: CalendarDetail,
  year: z.number().int(),
  holidaysAdded: z.number().int(),
  makeUpDaysAdded: z.number().int(),
  /** Earlier rows of that year removed: a previous import, or hand-entered days on official dates. */
  replaced: z.number().int(),
  source: z.object({ title: z.string(), url: z.string().nullable() }),
});
export type ImportOfficialResult = z.infer<typeof ImportOfficialResult>;

// ---------------------------------------------------------------------------------------------
// Assignments

export const Assignment = z.object({
  id: Id,
  calendarId: Id,
  unitId: Id.nullable(),
  userId: Id.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Assignment = z.infer<typeof Assignment>;
export const AssignmentPage = pageSchema(Assignment);
export type AssignmentPage = z.infer<typeof AssignmentPage>;

export const CreateAssignmentBody = z
  .strictObject({ calendarId: Id, unitId: Id.optional(), userId: Id.optional() })
  .refine((b) => (b.unitId === undefined) !== (b.userId === undefined), { message: 'v:calendar_assignment_target', path: ['unitId'] });
export type CreateAssignmentBody = z.infer<typeof CreateAssignmentBody>;
export const UpdateAssignmentBody = z.strictObject({ version: Version, calendarId: Id });
export type UpdateAssignmentBody = z.infer<typeof UpdateAssignmentBody>;
export const ListAssignmentsQuery = PageQuery.extend({ calendarId: Id.optional(), unitId: Id.optional(), userId: Id.optional() }).strict();
export type ListAssignmentsQuery = z.infer<typeof ListAssignmentsQuery>;
export const AssignmentParams = z.strictObject({ assignmentId: Id });

// ---------------------------------------------------------------------------------------------
// Leave and capacity

export const LeavePeriod = z.discriminatedUnion('span', [
  z.strictObject({
    span: z.literal('dates'),
    /** Inclusive local dates in the person's calendar zone. */
    startDate: IsoDate,
    endDate: IsoDate,
    /** 'pm': the leave starts at local noon of startDate. */
    startPart: z.enum(['full', 'pm']).default('full'),
    /** 'am': the leave ends at local noon of endDate. */
    endPart: z.enum(['full', 'am']).default('full'),
  }),
  z.strictObject({ span: z.literal('instants'), startsAt: Timestamp, endsAt: Timestamp }),
]);
export type LeavePeriod = z.infer<typeof LeavePeriod>;

export const Leave = z.object({
  id: Id,
  userId: Id,
  kind: z.enum(LEAVE_KINDS),
  period: LeavePeriod,
  note: z.string().nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Leave = z.infer<typeof Leave>;
export const LeavePage = pageSchema(Leave);
export type LeavePage = z.infer<typeof LeavePage>;

export const CreateLeaveBody = z.strictObject({
  userId: Id,
  kind: z.enum(LEAVE_KINDS),
  period: LeavePeriod,
  note: z.string().trim().max(500).nullish(),
});
export type CreateLeaveBody = z.infer<typeof CreateLeaveBody>;
export const UpdateLeaveBody = z.strictObject({
  version: Version,
  kind: z.enum(LEAVE_KINDS).optional(),
  period: LeavePeriod.optional(),
  note: z.string().trim().max(500).nullable().optional(),
});
export type UpdateLeaveBody = z.infer<typeof UpdateLeaveBody>;
/** The leave of one person (required: leave is read person by person, by scope). */
export const ListLeaveQuery = PageQuery.extend({ userId: Id }).strict();
export type ListLeaveQuery = z.infer<typeof ListLeaveQuery>;
export const LeaveParams = z.strictObject({ leaveId: Id });

/** A day (whole days in the person's calendar zone, `to` inclusive) or an exact instant. */
const DateOrInstant = z.union([IsoDate, Timestamp]);
export const CapacityQuery = z
  .strictObject({ from: DateOrInstant, to: DateOrInstant })
  .refine((q) => !(q.from.length === 10 && q.to.length === 10) || q.from <= q.to, { message: 'v:calendar_range_order', path: ['to'] });
export type CapacityQuery = z.infer<typeof CapacityQuery>;
export const UserParams = z.strictObject({ id: Id });

export const CAPACITY_WARNINGS = ['no_calendar', 'years_not_covered'] as const;
export const Capacity = z.object({
  userId: Id,
  from: Timestamp,
  to: Timestamp,
  /** The calendar in force at `from`: the person's own, else their unit's or the nearest ancestor's. */
  calendar: z
    .object({ id: Id, version: Version, nameZh: z.string(), nameEn: z.string().nullable(), source: z.enum(['person', 'unit']), unitId: Id.nullable() })
    .nullable(),
  capacity: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('known'), hours: z.number(), scheduledHours: z.number(), leaveHours: z.number() }),
    z.object({ kind: z.literal('unknown'), reason: z.literal('no_calendar') }),
  ]),
  warnings: z.array(z.object({ code: z.enum(CAPACITY_WARNINGS), message: z.string(), years: z.array(z.number().int()).optional() })),
});
export type Capacity = z.infer<typeof Capacity>;

export const Ok = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------------------------------------
// The engine's codes as API conditions, and its issues as field errors.

/**
 * The API condition (`calendar.<condition>`) of each engine error code. Codes the API cannot
 * produce (an invalid id or version, which it never takes from the client) fall back to `invalid`.
 */
export const ENGINE_CONDITIONS: Partial<Record<BusinessTimeErrorCode, string>> = {
  'calendar.unknown_time_zone': 'unknown_time_zone',
  'calendar.invalid_time': 'invalid_time',
  'calendar.window_inverted': 'window_inverted',
  'calendar.window_overlap': 'window_overlap',
  'calendar.invalid_date': 'invalid_date',
  'calendar.duplicate_date': 'duplicate_date',
  'calendar.holiday_make_up_conflict': 'holiday_makeup_clash',
  'calendar.make_up_without_windows': 'makeup_without_windows',
  'calendar.invalid_validity': 'invalid_validity',
  'calendar.date_outside_validity': 'date_outside_validity',
  'calendar.schedule_not_published': 'schedule_not_published',
  'calendar.invalid_instant': 'invalid_instant',
  'calendar.invalid_duration': 'invalid_duration',
  'calendar.negative_duration': 'negative_duration',
  'calendar.invalid_leave': 'invalid_leave',
  'calendar.no_working_time': 'no_working_time',
  'calendar.out_of_range': 'out_of_range',
  'calendar.event_order': 'event_order',
  'calendar.start_while_running': 'start_while_running',
  'calendar.pause_without_start': 'pause_without_start',
  'calendar.pause_while_paused': 'pause_while_paused',
  'calendar.resume_without_pause': 'resume_without_pause',
  'calendar.stop_without_start': 'stop_without_start',
};

export function engineCondition(code: BusinessTimeErrorCode): string {
  return ENGINE_CONDITIONS[code] ?? 'invalid';
}

/** `hours.days.mon[1].start` → `hours.days.mon.1.start` (the API's dotted field paths). */
export function toFieldPath(enginePath: string): string {
  return enginePath.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/** A calendar draft as the engine's Calendar (for validation only: id and version are placeholders). */
export function draftToCalendar(draft: {
  timeZone?: string | undefined;
  hours: WorkingHoursBody;
  validity: Validity;
  holidays?: readonly HolidayInput[] | undefined;
  makeUpDays?: readonly MakeUpDayInput[] | undefined;
}): Calendar {
  const hours: WorkingHours = draft.hours.kind === 'always' ? { kind: 'always' } : { kind: 'weekly', days: draft.hours.days };
  return {
    id: 'draft',
    name: 'draft',
    version: 1,
    timeZone: draft.timeZone ?? DEFAULT_TIME_ZONE,
    hours,
    validity: draft.validity,
    holidays: (draft.holidays ?? []).map((h) => ({ date: h.date, ...(h.offWindows ? { offWindows: h.offWindows } : {}) })),
    makeUpDays: (draft.makeUpDays ?? []).map((m) => ({ date: m.date, ...(m.windows ? { windows: m.windows } : {}) })),
  };
}

export interface DraftIssue {
  condition: string;
  path: string;
  message: string;
}

/** The engine's issues with a draft, as API conditions, dotted paths and `v:` messages. */
export function checkCalendarDraft(draft: Parameters<typeof draftToCalendar>[0]): DraftIssue[] {
  return validateCalendar(draftToCalendar(draft)).map((issue: CalendarIssue) => {
    const condition = engineCondition(issue.code);
    return { condition, path: toFieldPath(issue.path), message: `v:calendar_${condition}` };
  });
}

/**
 * The create schema, then the engine's checks: what the web validates a calendar form with. As on
 * the server, the engine only sees a draft of the right shape (a malformed time is reported once).
 */
export const CheckedCalendarDraft = CreateCalendarBody.pipe(
  z.custom<CreateCalendarBody>().superRefine((draft, ctx) => {
    for (const issue of checkCalendarDraft(draft)) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) });
    }
  }),
);

export { WEEKDAYS };
