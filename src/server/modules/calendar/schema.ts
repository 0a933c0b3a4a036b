import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { TimeWindow, WeeklyWindows } from './calendar.ts';

/**
 * Working calendars as rows. One calendar row plus its holiday and make-up-day rows are exactly
 * the engine's `Calendar` (calendar.ts); service.ts loads them in one query (json_agg) and builds
 * it. Every change to a calendar or one of its days bumps the calendar's `version`, which keys the
 * engine's compiled tables and names the calendar in frozen SLA results.
 *
 * Assignments and leave refer to org units and people by id only: the org module's tables are its
 * own, so existence and scope are checked through its service functions, not foreign keys.
 */

export const HOURS_KINDS = ['weekly', 'always'] as const;
export const DAY_SOURCES = ['manual', 'official_cn'] as const;
export const LEAVE_KINDS = ['annual', 'sick', 'personal', 'parental', 'business_trip', 'other'] as const;
export const LEAVE_SPANS = ['dates', 'instants'] as const;
/** A leave by dates may start at the afternoon of its first day and end at the morning of its last. */
export const LEAVE_START_PARTS = ['full', 'pm'] as const;
export const LEAVE_END_PARTS = ['full', 'am'] as const;

export const businessCalendars = pgTable(
  'business_calendars',
  {
    id: uuid('id').primaryKey(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    /** IANA zone the windows are wall times in. */
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    hoursKind: text('hours_kind', { enum: HOURS_KINDS }).notNull(),
    /** The weekly windows when hours_kind = 'weekly'; null for 24×7. */
    weeklyWindows: jsonb('weekly_windows').$type<WeeklyWindows>(),
    /** Years whose holidays and make-up days are listed completely (inclusive). */
    validFromYear: integer('valid_from_year').notNull(),
    validToYear: integer('valid_to_year').notNull(),
    /** The unit that maintains the calendar (its resource managers may edit it); null: company-wide, admins only. */
    ownerUnitId: uuid('owner_unit_id'),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('business_calendars_hours_check', sql`(${t.hoursKind} = 'always') = (${t.weeklyWindows} IS NULL)`),
    check('business_calendars_validity_check', sql`${t.validFromYear} <= ${t.validToYear}`),
  ],
);

/** Days (or parts of days) off. Without off_windows the whole day is off. */
export const calendarHolidays = pgTable(
  'calendar_holidays',
  {
    id: uuid('id').primaryKey(),
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => businessCalendars.id, { onDelete: 'cascade' }),
    date: date('date').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    offWindows: jsonb('off_windows').$type<TimeWindow[]>(),
    /** Entered by hand, or imported from an official year schedule (re-import replaces those). */
    source: text('source', { enum: DAY_SOURCES }).notNull().default('manual'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('calendar_holidays_calendar_date_key').on(t.calendarId, t.date)],
);

/** Weekend days worked (调休). Without windows they get the calendar's normal weekday windows. */
export const calendarMakeupDays = pgTable(
  'calendar_makeup_days',
  {
    id: uuid('id').primaryKey(),
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => businessCalendars.id, { onDelete: 'cascade' }),
    date: date('date').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    windows: jsonb('windows').$type<TimeWindow[]>(),
    source: text('source', { enum: DAY_SOURCES }).notNull().default('manual'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('calendar_makeup_days_calendar_date_key').on(t.calendarId, t.date)],
);

/**
 * Which calendar applies: to an org unit (and, unless overridden lower down, everything below it),
 * or to one person (an override that wins over their units). Exactly one of unit_id / user_id.
 */
export const calendarAssignments = pgTable(
  'calendar_assignments',
  {
    id: uuid('id').primaryKey(),
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => businessCalendars.id),
    unitId: uuid('unit_id'),
    userId: uuid('user_id'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('calendar_assignments_target_check', sql`(${t.unitId} IS NULL) <> (${t.userId} IS NULL)`),
    uniqueIndex('calendar_assignments_unit_key').on(t.unitId).where(sql`${t.unitId} IS NOT NULL`),
    uniqueIndex('calendar_assignments_user_key').on(t.userId).where(sql`${t.userId} IS NOT NULL`),
    index('calendar_assignments_calendar_idx').on(t.calendarId),
  ],
);

/**
 * A person's leave: either instants (hours, half days at exact times) or inclusive local dates in
 * the person's calendar zone, optionally starting in the afternoon of the first day and ending at
 * the morning of the last (split at local noon).
 */
export const personLeave = pgTable(
  'person_leave',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    kind: text('kind', { enum: LEAVE_KINDS }).notNull(),
    span: text('span', { enum: LEAVE_SPANS }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    startDate: date('start_date'),
    endDate: date('end_date'),
    startPart: text('start_part', { enum: LEAVE_START_PARTS }).notNull().default('full'),
    endPart: text('end_part', { enum: LEAVE_END_PARTS }).notNull().default('full'),
    note: text('note'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'person_leave_span_check',
      sql`(${t.span} = 'instants' AND ${t.startsAt} IS NOT NULL AND ${t.endsAt} IS NOT NULL AND ${t.startsAt} < ${t.endsAt} AND ${t.startDate} IS NULL AND ${t.endDate} IS NULL)
       OR (${t.span} = 'dates' AND ${t.startDate} IS NOT NULL AND ${t.endDate} IS NOT NULL AND ${t.startDate} <= ${t.endDate} AND ${t.startsAt} IS NULL AND ${t.endsAt} IS NULL)`,
    ),
    index('person_leave_user_idx').on(t.userId, t.id),
  ],
);
