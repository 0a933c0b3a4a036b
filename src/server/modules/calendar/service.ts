import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { localDate } from '../../../shared/dates.ts';
import type { Scope } from '../../../shared/roles.ts';
import { assertCan, isInScope, scopeFor, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { decodeCursor, encodeCursor, toPage } from '../../platform/pagination.ts';
import type { User } from '../org/contract.ts';
import { COMPANY_TIME_ZONE, getManagementChainAsOf, getUnitAncestorsAsOf, getUser } from '../org/service.ts';
import { CalendarValidationError, isBusinessTimeError } from './business-time-error.ts';
import { buildYearView, checkLeavePeriod, nextIsoDate, toEngineCalendar, toEngineLeave } from './calendar-views.ts';
import { WEEKDAYS, listUncoveredYears, validateCalendar, type Calendar, type WorkingHours } from './calendar.ts';
import { CHINA_SCHEDULES } from './china-holidays.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, addBusinessTime, businessTimeBetween, listWorkingIntervals, toZonedInstant, workingCapacity } from './clock.ts';
import {
  MAX_LISTED_WINDOWS,
  draftToCalendar,
  toFieldPath,
  type Assignment,
  type AssignmentPage,
  type CalendarDetail,
  type CalendarPage,
  type CalendarSummary,
  type Capacity,
  type CapacityQuery,
  type ClockPreview,
  type ClockPreviewBody,
  type CreateAssignmentBody,
  type CreateCalendarBody,
  type CreateLeaveBody,
  type DueBody,
  type DueResult,
  type Holiday,
  type HolidayChange,
  type HolidayInput,
  type ImportOfficialBody,
  type ImportOfficialResult,
  type Leave,
  type LeavePage,
  type LeavePeriod,
  type ListAssignmentsQuery,
  type ListCalendarsQuery,
  type ListLeaveQuery,
  type MakeUpDay,
  type MakeUpDayChange,
  type MakeUpDayInput,
  type UpdateAssignmentBody,
  type UpdateCalendarBody,
  type UpdateHolidayBody,
  type UpdateLeaveBody,
  type UpdateMakeUpDayBody,
  type YearView,
} from './contract.ts';
import { CalendarErrors, type PathMapper, toCalendarProblem } from './errors.ts';
import { CalendarPermissions } from './permissions.ts';
import { computeClock, computeClockReport } from './sla-clock.ts';
import { businessCalendars, calendarAssignments, calendarHolidays, calendarMakeupDays, personLeave } from './schema.ts';

/**
 * Working calendars, their days, who they apply to, people's leave; and the business-time
 * questions asked of them (year view, "when is it due?", capacity). Every write runs in one
 * transaction with its audit row; a calendar is re-validated by the engine as a whole before any
 * change to it is written, so the stored rows always make a valid engine Calendar.
 */

type CalendarRow = typeof businessCalendars.$inferSelect;
type AssignmentRow = typeof calendarAssignments.$inferSelect;
type LeaveRow = typeof personLeave.$inferSelect;

function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function today(ctx: Pick<ServiceContext, 'now'>): string {
  return localDate(ctx.now, COMPANY_TIME_ZONE);
}

/** Engine failures become 422 problems; everything else passes through untouched. */
function rethrow(err: unknown, mapPath?: PathMapper, params?: Record<string, string | number>): never {
  if (isBusinessTimeError(err)) throw toCalendarProblem(err, mapPath, params);
  throw err;
}

function assertValid(calendar: Calendar, mapPath?: PathMapper): void {
  const issues = validateCalendar(calendar);
  if (issues.length > 0) rethrow(new CalendarValidationError(issues), mapPath);
}

// ---------------------------------------------------------------------------------------------
// Reading calendars: one query per calendar, its days aggregated as JSON. The outer column is
// spelled out: Drizzle renders a column in a select list unqualified, which inside these
// subqueries would bind to the inner table's own `id`.

const holidaysJson = sql<Holiday[]>`COALESCE((
  SELECT json_agg(json_build_object('id', h.id, 'calendarId', h.calendar_id, 'date', h.date, 'nameZh', h.name_zh,
    'nameEn', h.name_en, 'offWindows', h.off_windows, 'source', h.source, 'version', h.version) ORDER BY h.date)
  FROM calendar_holidays h WHERE h.calendar_id = business_calendars.id), '[]'::json)`;
const makeUpDaysJson = sql<MakeUpDay[]>`COALESCE((
  SELECT json_agg(json_build_object('id', m.id, 'calendarId', m.calendar_id, 'date', m.date, 'nameZh', m.name_zh,
    'nameEn', m.name_en, 'windows', m.windows, 'source', m.source, 'version', m.version) ORDER BY m.date)
  FROM calendar_makeup_days m WHERE m.calendar_id = business_calendars.id), '[]'::json)`;
const holidayCount = sql<number>`(SELECT count(*)::int FROM calendar_holidays h WHERE h.calendar_id = business_calendars.id)`;
const makeUpDayCount = sql<number>`(SELECT count(*)::int FROM calendar_makeup_days m WHERE m.calendar_id = business_calendars.id)`;
const assignmentCount = sql<number>`(SELECT count(*)::int FROM calendar_assignments a WHERE a.calendar_id = business_calendars.id)`;

function hoursOf(row: CalendarRow): WorkingHours {
  return row.hoursKind === 'always' || !row.weeklyWindows ? { kind: 'always' } : { kind: 'weekly', days: row.weeklyWindows };
}

function toSummary(row: CalendarRow, counts: { holidays: number; makeUpDays: number; assignments: number }): CalendarSummary {
  return {
    id: row.id,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    timeZone: row.timeZone,
    hours: hoursOf(row) as CalendarSummary['hours'],
    validity: { fromYear: row.validFromYear, toYear: row.validToYear },
    ownerUnitId: row.ownerUnitId,
    active: row.active,
    holidayCount: counts.holidays,
    makeUpDayCount: counts.makeUpDays,
    assignmentCount: counts.assignments,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function loadDetail(db: DbOrTx, id: string): Promise<CalendarDetail | null> {
  const [r] = await db
    .select({ c: businessCalendars, holidays: holidaysJson, makeUpDays: makeUpDaysJson, assignments: assignmentCount })
    .from(businessCalendars)
    .where(eq(businessCalendars.id, id));
  if (!r) return null;
  return {
    ...toSummary(r.c, { holidays: r.holidays.length, makeUpDays: r.makeUpDays.length, assignments: r.assignments }),
    holidays: r.holidays,
    makeUpDays: r.makeUpDays,
  };
}

async function mustLoad(db: DbOrTx, id: string): Promise<CalendarDetail> {
  const detail = await loadDetail(db, id);
  if (!detail) throw notFound('calendar');
  return detail;
}

/** Lock the calendar row, then load it: edits of one calendar are validated and written one at a time. */
async function lockAndLoad(tx: Tx, id: string): Promise<CalendarDetail> {
  await tx.execute(sql`SELECT 1 FROM business_calendars WHERE id = ${id} FOR UPDATE`);
  return mustLoad(tx, id);
}

export function engineCalendarOf(detail: CalendarDetail): Calendar {
  return toEngineCalendar({ ...detail, hours: detail.hours as WorkingHours });
}

/** The engine's Calendar of a stored calendar, for other modules (SLAs, delivery targets); null when missing. */
export async function getEngineCalendar(db: DbOrTx, id: string): Promise<Calendar | null> {
  const detail = await loadDetail(db, id);
  return detail ? engineCalendarOf(detail) : null;
}

export async function listCalendars(ctx: ServiceContext, q: ListCalendarsQuery): Promise<CalendarPage> {
  assertCan(ctx.actor, CalendarPermissions['calendar.read']);
  let after: SQL | undefined;
  if (q.cursor) {
    const [id] = decodeCursor('calendars', q.cursor, 1);
    after = gt(businessCalendars.id, String(id));
  }
  const rows = await ctx.db
    .select({ c: businessCalendars, holidays: holidayCount, makeUpDays: makeUpDayCount, assignments: assignmentCount })
    .from(businessCalendars)
    .where(whereAll(q.active !== undefined ? eq(businessCalendars.active, q.active) : undefined, after))
    .orderBy(asc(businessCalendars.id))
    .limit(q.limit + 1);
  return toPage(
    rows,
    q.limit,
    (r) => toSummary(r.c, { holidays: r.holidays, makeUpDays: r.makeUpDays, assignments: r.assignments }),
    (r) => encodeCursor('calendars', [r.c.id]),
  );
}

export async function getCalendar(ctx: ServiceContext, id: string): Promise<CalendarDetail> {
  assertCan(ctx.actor, CalendarPermissions['calendar.read']);
  return mustLoad(ctx.db, id);
}

/** Can the actor read this calendar's history? (Everyone reads calendars; it must exist.) */
export async function canReadCalendar(ctx: ServiceContext, id: string): Promise<boolean> {
  if (!scopeFor(ctx.actor, CalendarPermissions['calendar.read'])) return false;
  const [row] = await ctx.db.select({ id: businessCalendars.id }).from(businessCalendars).where(eq(businessCalendars.id, id));
  return !!row;
}

// ---------------------------------------------------------------------------------------------
// Writing calendars

async function assertUnitExists(db: DbOrTx, unitId: string, date: string, path: string): Promise<void> {
  const chain = await getUnitAncestorsAsOf(db, unitId, date);
  if (chain.length === 0) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path, message: 'v:uuid' }] });
}

/** Calendars are visible to everyone, so a write outside one's scope is 403, never 404. */
function assertCalendarWrite(ctx: ServiceContext, ownerUnitId: string | null): void {
  const scope = assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  if (!isInScope(ctx.actor, scope, { unitId: ownerUnitId })) throw forbidden(CalendarPermissions['calendar.write']);
}

function pickDay(day: { date: string; nameZh: string; nameEn: string | null; offWindows?: unknown; windows?: unknown }) {
  return {
    date: day.date,
    nameZh: day.nameZh,
    nameEn: day.nameEn,
    ...('offWindows' in day ? { offWindows: day.offWindows ?? null } : {}),
    ...('windows' in day ? { windows: day.windows ?? null } : {}),
  };
}

/** Hours for the audit log: one readable field per weekday, so a change shows the day that changed. */
function hoursAudit(hours: WorkingHours): Record<string, string> {
  if (hours.kind === 'always') return { hours: '24×7' };
  return Object.fromEntries(WEEKDAYS.map((d) => [`hours.${d}`, hours.days[d].map((w) => `${w.start}–${w.end}`).join(', ') || '—']));
}

function calendarAuditFields(row: CalendarRow) {
  return {
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    timeZone: row.timeZone,
    ...hoursAudit(hoursOf(row)),
    validity: { fromYear: row.validFromYear, toYear: row.validToYear },
    ownerUnitId: row.ownerUnitId,
    active: row.active,
  };
}

function weeklyWindowsOf(hours: CreateCalendarBody['hours']) {
  return hours.kind === 'weekly' ? hours.days : null;
}

export async function createCalendar(ctx: ServiceContext, body: CreateCalendarBody): Promise<CalendarDetail> {
  const scope = assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  // A resource manager's calendar belongs to their own unit unless they name one of their subtree.
  const ownerUnitId = body.ownerUnitId ?? (scope === 'all' ? null : ctx.actor.unitId);
  assertCalendarWrite(ctx, ownerUnitId);
  assertValid(draftToCalendar(body));
  return withTx(ctx.db, async (tx) => {
    if (ownerUnitId) await assertUnitExists(tx, ownerUnitId, today(ctx), 'ownerUnitId');
    const id = newId();
    const [row] = await tx
      .insert(businessCalendars)
      .values({
        id,
        nameZh: body.nameZh,
        nameEn: body.nameEn ?? null,
        timeZone: body.timeZone,
        hoursKind: body.hours.kind,
        weeklyWindows: weeklyWindowsOf(body.hours),
        validFromYear: body.validity.fromYear,
        validToYear: body.validity.toYear,
        ownerUnitId,
        active: body.active,
      })
      .returning();
    if (body.holidays.length > 0) {
      await tx.insert(calendarHolidays).values(body.holidays.map((h) => holidayValues(id, h, 'manual')));
    }
    if (body.makeUpDays.length > 0) {
      await tx.insert(calendarMakeupDays).values(body.makeUpDays.map((m) => makeUpValues(id, m, 'manual')));
    }
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar',
      entityId: id,
      action: 'create',
      changes: {
        ...diffRecords(null, calendarAuditFields(row!)),
        holidays: [null, body.holidays.length],
        makeUpDays: [null, body.makeUpDays.length],
      },
    });
    return mustLoad(tx, id);
  });
}

function holidayValues(calendarId: string, h: HolidayInput, from: 'manual' | 'official_cn') {
  return {
    id: newId(),
    calendarId,
    date: h.date,
    nameZh: h.nameZh,
    nameEn: h.nameEn ?? null,
    offWindows: h.offWindows ? [...h.offWindows] : null,
    source: from,
  };
}

function makeUpValues(calendarId: string, m: MakeUpDayInput, from: 'manual' | 'official_cn') {
  return {
    id: newId(),
    calendarId,
    date: m.date,
    nameZh: m.nameZh,
    nameEn: m.nameEn ?? null,
    windows: m.windows ? [...m.windows] : null,
    source: from,
  };
}

export async function updateCalendar(ctx: ServiceContext, id: string, body: UpdateCalendarBody): Promise<CalendarDetail> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, id);
    assertCalendarWrite(ctx, before.ownerUnitId);
    if (body.ownerUnitId !== undefined && body.ownerUnitId !== before.ownerUnitId) {
      assertCalendarWrite(ctx, body.ownerUnitId);
      if (body.ownerUnitId) await assertUnitExists(tx, body.ownerUnitId, today(ctx), 'ownerUnitId');
    }
    if (before.version !== body.version) throw versionConflict(before.version);
    const candidate: CalendarDetail = {
      ...before,
      ...(body.timeZone !== undefined ? { timeZone: body.timeZone } : {}),
      ...(body.hours !== undefined ? { hours: body.hours } : {}),
      ...(body.validity !== undefined ? { validity: body.validity } : {}),
    };
    // A change can invalidate the days already stored (a narrower validity, a week without windows
    // for make-up days to copy): those issues belong to the field that was changed.
    assertValid(engineCalendarOf(candidate), (path, code) => {
      const top = path.split(/[.[]/)[0]!;
      if (top in body) return toFieldPath(path);
      return code === 'calendar.date_outside_validity' ? 'validity' : 'hours';
    });
    const [rowBefore] = await tx.select().from(businessCalendars).where(eq(businessCalendars.id, id));
    const [after] = await tx
      .update(businessCalendars)
      .set({
        ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
        ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
        ...(body.timeZone !== undefined ? { timeZone: body.timeZone } : {}),
        ...(body.hours !== undefined ? { hoursKind: body.hours.kind, weeklyWindows: weeklyWindowsOf(body.hours) } : {}),
        ...(body.validity !== undefined ? { validFromYear: body.validity.fromYear, validToYear: body.validity.toYear } : {}),
        ...(body.ownerUnitId !== undefined ? { ownerUnitId: body.ownerUnitId } : {}),
        ...(body.active !== undefined ? { active: body.active } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(businessCalendars.id, id), eq(businessCalendars.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar',
      entityId: id,
      action: 'update',
      changes: { ...diffRecords(calendarAuditFields(rowBefore!), calendarAuditFields(after)), version: [before.version, after.version] },
    });
    return mustLoad(tx, id);
  });
}

export async function deleteCalendar(ctx: ServiceContext, id: string, version: number): Promise<void> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  await withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, id);
    assertCalendarWrite(ctx, before.ownerUnitId);
    if (before.version !== version) throw versionConflict(before.version);
    if (before.assignmentCount > 0) throw new AppError(CalendarErrors.in_use, { params: { count: before.assignmentCount } });
    const [row] = await tx.select().from(businessCalendars).where(eq(businessCalendars.id, id));
    await tx.delete(businessCalendars).where(eq(businessCalendars.id, id));
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar',
      entityId: id,
      action: 'delete',
      changes: { ...diffRecords(calendarAuditFields(row!), null), holidays: [before.holidayCount, null], makeUpDays: [before.makeUpDayCount, null] },
    });
  });
}

async function bumpCalendar(tx: Tx, ctx: ServiceContext, id: string): Promise<number> {
  const [row] = await tx
    .update(businessCalendars)
    .set({ version: sql`${businessCalendars.version} + 1`, updatedAt: ctx.now })
    .where(eq(businessCalendars.id, id))
    .returning({ version: businessCalendars.version });
  return row!.version;
}

// ---------------------------------------------------------------------------------------------
// Holidays and make-up days. The changed day is validated as the last entry of its list, so the
// engine reports its problems at that index, which maps to the request's own fields.

type DayKindName = 'holiday' | 'makeUpDay';

function dayPathMapper(list: 'holidays' | 'makeUpDays', index: number): PathMapper {
  const prefix = `${list}[${index}]`;
  return (path) => (path.startsWith(prefix) ? toFieldPath(path.slice(prefix.length)) || 'date' : 'date');
}

async function auditDay(
  tx: Tx,
  ctx: ServiceContext,
  calendarId: string,
  kind: DayKindName,
  action: 'create' | 'update' | 'delete',
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  versions: [number, number],
): Promise<void> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [field, change] of Object.entries(diffRecords(before, after))) changes[`${kind}.${field}`] = change;
  changes['version'] = versions;
  await writeAudit(tx, source(ctx), { entityType: 'calendar', entityId: calendarId, action: `${kind}.${action}`, changes });
}

export async function createHoliday(ctx: ServiceContext, calendarId: string, body: HolidayInput): Promise<HolidayChange> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, calendarId);
    assertCalendarWrite(ctx, before.ownerUnitId);
    const candidate = { ...before, holidays: [...before.holidays, { ...body, offWindows: body.offWindows ?? null }] } as CalendarDetail;
    assertValid(engineCalendarOf(candidate), dayPathMapper('holidays', before.holidays.length));
    const values = holidayValues(calendarId, body, 'manual');
    const [row] = await tx.insert(calendarHolidays).values(values).returning();
    const version = await bumpCalendar(tx, ctx, calendarId);
    await auditDay(tx, ctx, calendarId, 'holiday', 'create', null, pickDay(row!), [before.version, version]);
    return { holiday: toHoliday(row!), calendarVersion: version };
  });
}

function toHoliday(row: typeof calendarHolidays.$inferSelect): Holiday {
  return {
    id: row.id,
    calendarId: row.calendarId,
    date: row.date,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    offWindows: row.offWindows,
    source: row.source,
    version: row.version,
  };
}

function toMakeUpDay(row: typeof calendarMakeupDays.$inferSelect): MakeUpDay {
  return {
    id: row.id,
    calendarId: row.calendarId,
    date: row.date,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    windows: row.windows,
    source: row.source,
    version: row.version,
  };
}

export async function updateHoliday(ctx: ServiceContext, calendarId: string, holidayId: string, body: UpdateHolidayBody): Promise<HolidayChange> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, calendarId);
    const current = before.holidays.find((h) => h.id === holidayId);
    if (!current) throw notFound('holiday');
    assertCalendarWrite(ctx, before.ownerUnitId);
    if (current.version !== body.version) throw versionConflict(current.version);
    const next: Holiday = {
      ...current,
      ...(body.date !== undefined ? { date: body.date } : {}),
      ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
      ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
      ...(body.offWindows !== undefined ? { offWindows: body.offWindows } : {}),
    };
    const others = before.holidays.filter((h) => h.id !== holidayId);
    assertValid(engineCalendarOf({ ...before, holidays: [...others, next] }), dayPathMapper('holidays', others.length));
    const [row] = await tx
      .update(calendarHolidays)
      .set({
        date: next.date,
        nameZh: next.nameZh,
        nameEn: next.nameEn,
        offWindows: next.offWindows,
        source: 'manual',
        version: current.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(calendarHolidays.id, holidayId), eq(calendarHolidays.version, body.version)))
      .returning();
    if (!row) throw versionConflict(current.version + 1);
    const version = await bumpCalendar(tx, ctx, calendarId);
    await auditDay(tx, ctx, calendarId, 'holiday', 'update', pickDay(current), pickDay(row), [before.version, version]);
    return { holiday: toHoliday(row), calendarVersion: version };
  });
}

/** Remove one dated day (a holiday or a make-up day): checks, delete, calendar version, audit. */
async function deleteDay(
  ctx: ServiceContext,
  calendarId: string,
  dayId: string,
  version: number,
  kind: 'holiday' | 'makeUpDay',
): Promise<number> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, calendarId);
    const days = kind === 'holiday' ? before.holidays : before.makeUpDays;
    const current = days.find((d) => d.id === dayId);
    if (!current) throw notFound(kind === 'holiday' ? 'holiday' : 'make-up day');
    assertCalendarWrite(ctx, before.ownerUnitId);
    if (current.version !== version) throw versionConflict(current.version);
    if (kind === 'holiday') await tx.delete(calendarHolidays).where(eq(calendarHolidays.id, dayId));
    else await tx.delete(calendarMakeupDays).where(eq(calendarMakeupDays.id, dayId));
    const calendarVersion = await bumpCalendar(tx, ctx, calendarId);
    await auditDay(tx, ctx, calendarId, kind, 'delete', pickDay(current), null, [before.version, calendarVersion]);
    return calendarVersion;
  });
}

export async function deleteHoliday(ctx: ServiceContext, calendarId: string, holidayId: string, version: number): Promise<HolidayChange> {
  return { holiday: null, calendarVersion: await deleteDay(ctx, calendarId, holidayId, version, 'holiday') };
}

export async function createMakeUpDay(ctx: ServiceContext, calendarId: string, body: MakeUpDayInput): Promise<MakeUpDayChange> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, calendarId);
    assertCalendarWrite(ctx, before.ownerUnitId);
    const candidate = { ...before, makeUpDays: [...before.makeUpDays, { ...body, windows: body.windows ?? null }] } as CalendarDetail;
    assertValid(engineCalendarOf(candidate), dayPathMapper('makeUpDays', before.makeUpDays.length));
    const [row] = await tx.insert(calendarMakeupDays).values(makeUpValues(calendarId, body, 'manual')).returning();
    const version = await bumpCalendar(tx, ctx, calendarId);
    await auditDay(tx, ctx, calendarId, 'makeUpDay', 'create', null, pickDay(row!), [before.version, version]);
    return { makeUpDay: toMakeUpDay(row!), calendarVersion: version };
  });
}

export async function updateMakeUpDay(ctx: ServiceContext, calendarId: string, dayId: string, body: UpdateMakeUpDayBody): Promise<MakeUpDayChange> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, calendarId);
    const current = before.makeUpDays.find((m) => m.id === dayId);
    if (!current) throw notFound('make-up day');
    assertCalendarWrite(ctx, before.ownerUnitId);
    if (current.version !== body.version) throw versionConflict(current.version);
    const next: MakeUpDay = {
      ...current,
      ...(body.date !== undefined ? { date: body.date } : {}),
      ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
      ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
      ...(body.windows !== undefined ? { windows: body.windows } : {}),
    };
    const others = before.makeUpDays.filter((m) => m.id !== dayId);
    assertValid(engineCalendarOf({ ...before, makeUpDays: [...others, next] }), dayPathMapper('makeUpDays', others.length));
    const [row] = await tx
      .update(calendarMakeupDays)
      .set({
        date: next.date,
        nameZh: next.nameZh,
        nameEn: next.nameEn,
        windows: next.windows,
        source: 'manual',
        version: current.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(calendarMakeupDays.id, dayId), eq(calendarMakeupDays.version, body.version)))
      .returning();
    if (!row) throw versionConflict(current.version + 1);
    const version = await bumpCalendar(tx, ctx, calendarId);
    await auditDay(tx, ctx, calendarId, 'makeUpDay', 'update', pickDay(current), pickDay(row), [before.version, version]);
    return { makeUpDay: toMakeUpDay(row), calendarVersion: version };
  });
}

export async function deleteMakeUpDay(ctx: ServiceContext, calendarId: string, dayId: string, version: number): Promise<MakeUpDayChange> {
  return { makeUpDay: null, calendarVersion: await deleteDay(ctx, calendarId, dayId, version, 'makeUpDay') };
}

// ---------------------------------------------------------------------------------------------
// China's official year schedule

export async function importOfficialSchedule(ctx: ServiceContext, calendarId: string, body: ImportOfficialBody): Promise<ImportOfficialResult> {
  assertCan(ctx.actor, CalendarPermissions['calendar.write']);
  const schedule = CHINA_SCHEDULES.find((s) => s.country === body.country && s.year === body.year);
  if (!schedule) {
    throw new AppError(CalendarErrors.no_official_schedule, { params: { year: body.year }, errors: [{ path: 'year', message: 'v:calendar_no_official_schedule' }] });
  }
  if (schedule.status !== 'published') {
    throw new AppError(CalendarErrors.schedule_not_published, {
      params: { year: body.year },
      errors: [{ path: 'year', message: 'v:calendar_schedule_not_published' }],
    });
  }
  return withTx(ctx.db, async (tx) => {
    const before = await lockAndLoad(tx, calendarId);
    assertCalendarWrite(ctx, before.ownerUnitId);
    const { fromYear, toYear } = before.validity;
    // The year joins the validity only next to it: claiming the years in between would be false.
    if (body.year < fromYear - 1 || body.year > toYear + 1) {
      throw new AppError(CalendarErrors.invalid_validity, { errors: [{ path: 'year', message: 'v:calendar_import_not_adjacent' }] });
    }
    const validity = { fromYear: Math.min(fromYear, body.year), toYear: Math.max(toYear, body.year) };
    const holidays: HolidayInput[] = [];
    const makeUps: MakeUpDayInput[] = [];
    for (const block of schedule.holidays) {
      for (const date of block.dates) holidays.push({ date, nameZh: block.nameZh, nameEn: block.name });
      for (const date of block.makeUpWorkdays) makeUps.push({ date, nameZh: `${block.nameZh}调休上班`, nameEn: `${block.name} make-up workday` });
    }
    const official = new Set([...holidays.map((h) => h.date), ...makeUps.map((m) => m.date)]);
    const prefix = `${body.year}-`;
    const replaces = (d: { date: string; source: string }) => official.has(d.date) || (d.source === 'official_cn' && d.date.startsWith(prefix));
    const keptHolidays = before.holidays.filter((h) => !replaces(h));
    const keptMakeUps = before.makeUpDays.filter((m) => !replaces(m));
    const replaced = before.holidays.length - keptHolidays.length + (before.makeUpDays.length - keptMakeUps.length);
    const candidate: CalendarDetail = {
      ...before,
      validity,
      holidays: [...keptHolidays, ...holidays.map((h) => ({ ...h, offWindows: null }) as unknown as Holiday)],
      makeUpDays: [...keptMakeUps, ...makeUps.map((m) => ({ ...m, windows: null }) as unknown as MakeUpDay)],
    };
    assertValid(engineCalendarOf(candidate), () => 'year');
    const removedHolidays = before.holidays.filter(replaces).map((h) => h.id);
    const removedMakeUps = before.makeUpDays.filter(replaces).map((m) => m.id);
    if (removedHolidays.length > 0) {
      await tx.execute(sql`DELETE FROM calendar_holidays WHERE id = ANY(${`{${removedHolidays.join(',')}}`}::uuid[])`);
    }
    if (removedMakeUps.length > 0) {
      await tx.execute(sql`DELETE FROM calendar_makeup_days WHERE id = ANY(${`{${removedMakeUps.join(',')}}`}::uuid[])`);
    }
    await tx.insert(calendarHolidays).values(holidays.map((h) => holidayValues(calendarId, h, 'official_cn')));
    if (makeUps.length > 0) await tx.insert(calendarMakeupDays).values(makeUps.map((m) => makeUpValues(calendarId, m, 'official_cn')));
    const [after] = await tx
      .update(businessCalendars)
      .set({ validFromYear: validity.fromYear, validToYear: validity.toYear, version: before.version + 1, updatedAt: ctx.now })
      .where(eq(businessCalendars.id, calendarId))
      .returning({ version: businessCalendars.version });
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar',
      entityId: calendarId,
      action: 'import_official',
      changes: {
        officialSchedule: [null, `${body.country} ${body.year}`],
        ...(validity.fromYear !== fromYear || validity.toYear !== toYear ? { validity: [before.validity, validity] } : {}),
        holidaysAdded: [null, holidays.length],
        makeUpDaysAdded: [null, makeUps.length],
        replaced: [null, replaced],
        version: [before.version, after!.version],
      },
    });
    return {
      calendar: await mustLoad(tx, calendarId),
      year: body.year,
      holidaysAdded: holidays.length,
      makeUpDaysAdded: makeUps.length,
      replaced,
      source: { title: schedule.source.title, url: schedule.source.url },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Questions asked of a calendar

export async function getYearView(ctx: ServiceContext, calendarId: string, year: number): Promise<YearView> {
  const detail = await getCalendar(ctx, calendarId);
  const names = new Map<string, { nameZh: string; nameEn: string | null }>();
  for (const d of [...detail.holidays, ...detail.makeUpDays]) names.set(d.date, { nameZh: d.nameZh, nameEn: d.nameEn });
  let view;
  try {
    view = buildYearView(engineCalendarOf(detail), year, names);
  } catch (err) {
    rethrow(err, () => 'params.year');
  }
  return {
    calendarId: detail.id,
    version: detail.version,
    year,
    timeZone: detail.timeZone,
    covered: year >= detail.validity.fromYear && year <= detail.validity.toYear,
    ...view,
  };
}

function yearIn(instant: Date, timeZone: string): number {
  return Number(localDate(instant, timeZone).slice(0, 4));
}

/** "When is it due?": start + a business duration → the due instant and the working windows counted. */
export async function computeDue(ctx: ServiceContext, calendarId: string, body: DueBody): Promise<DueResult> {
  const detail = await getCalendar(ctx, calendarId);
  const calendar = engineCalendarOf(detail);
  const start = new Date(body.start);
  try {
    const due = addBusinessTime(start, body.duration, calendar);
    const windows = listWorkingIntervals(start, due, calendar);
    return {
      calendar: { id: detail.id, version: detail.version },
      start: start.toISOString(),
      due: due.toISOString(),
      duration: body.duration,
      workingMinutes: businessTimeBetween(start, due, calendar) / MS_PER_MINUTE,
      windows: windows.slice(0, MAX_LISTED_WINDOWS).map((w) => ({
        start: w.start.toISOString(),
        end: w.end.toISOString(),
        minutes: (w.end.getTime() - w.start.getTime()) / MS_PER_MINUTE,
      })),
      windowsTruncated: windows.length > MAX_LISTED_WINDOWS,
      uncoveredYears: listUncoveredYears(calendar, yearIn(start, calendar.timeZone), yearIn(due, calendar.timeZone)),
    };
  } catch (err) {
    rethrow(err, (path) => (path.startsWith('duration') ? 'duration.value' : toFieldPath(path)));
  }
}

/** An event-log clock (start, pause, resume, stop) against one target, as the SLA engine computes it. */
export async function previewClock(ctx: ServiceContext, calendarId: string, body: ClockPreviewBody): Promise<ClockPreview> {
  const detail = await getCalendar(ctx, calendarId);
  const calendar = engineCalendarOf(detail);
  const events = body.events.map((e, seq) => ({ type: e.type, at: new Date(e.at), seq }));
  const lastAt = Math.max(...events.map((e) => e.at.getTime()));
  const asOf = body.asOf ? new Date(body.asOf) : new Date(Math.max(ctx.now.getTime(), lastAt));
  try {
    const state = computeClock(events, { id: 'preview', version: 1, calendar, targets: [{ name: 'target', duration: body.target }] });
    const report = computeClockReport(state, asOf);
    const target = report.targets['target']!;
    const latest = target.latest;
    return {
      calendar: { id: detail.id, version: detail.version },
      asOf: asOf.toISOString(),
      status: target.status,
      startedAt: latest?.startedAt.toISOString() ?? null,
      stoppedAt: latest?.stoppedAt?.toISOString() ?? null,
      due: latest?.dueAt?.toISOString() ?? null,
      elapsedMinutes: (latest?.elapsedMs ?? 0) / MS_PER_MINUTE,
      remainingMinutes: (latest?.remainingMs ?? 0) / MS_PER_MINUTE,
      pausedMinutes: (latest?.pausedMs ?? 0) / MS_PER_MINUTE,
      breached: latest?.isBreached ?? false,
      breachedAt: latest?.breachedAt?.toISOString() ?? null,
    };
  } catch (err) {
    rethrow(err, (path) => (path.startsWith('targets[0]') ? 'target.value' : toFieldPath(path)));
  }
}

// ---------------------------------------------------------------------------------------------
// Assignments: which calendar applies to a unit (and below), or to one person.

function toAssignment(row: AssignmentRow): Assignment {
  return {
    id: row.id,
    calendarId: row.calendarId,
    unitId: row.unitId,
    userId: row.userId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listAssignments(ctx: ServiceContext, q: ListAssignmentsQuery): Promise<AssignmentPage> {
  assertCan(ctx.actor, CalendarPermissions['calendar.read']);
  let after: SQL | undefined;
  if (q.cursor) {
    const [id] = decodeCursor('assignments', q.cursor, 1);
    after = gt(calendarAssignments.id, String(id));
  }
  const rows = await ctx.db
    .select()
    .from(calendarAssignments)
    .where(
      whereAll(
        q.calendarId ? eq(calendarAssignments.calendarId, q.calendarId) : undefined,
        q.unitId ? eq(calendarAssignments.unitId, q.unitId) : undefined,
        q.userId ? eq(calendarAssignments.userId, q.userId) : undefined,
        after,
      ),
    )
    .orderBy(asc(calendarAssignments.id))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, toAssignment, (r) => encodeCursor('assignments', [r.id]));
}

export async function canReadAssignment(ctx: ServiceContext, id: string): Promise<boolean> {
  if (!scopeFor(ctx.actor, CalendarPermissions['calendar.read'])) return false;
  const [row] = await ctx.db.select({ id: calendarAssignments.id }).from(calendarAssignments).where(eq(calendarAssignments.id, id));
  return !!row;
}

/**
 * May the actor assign calendars to this target? Units are public (the org chart), so a unit
 * outside one's subtree is 403; a person one cannot see is 404 (getUser), one outside the subtree 403.
 */
async function assertAssignTarget(ctx: ServiceContext, db: DbOrTx, target: { unitId: string | null; userId: string | null }): Promise<void> {
  const scope = assertCan(ctx.actor, CalendarPermissions['calendar.assign']);
  let unitId: string | null;
  if (target.userId) {
    unitId = (await getUser(ctx, target.userId)).unitId;
  } else {
    unitId = target.unitId;
    await assertUnitExists(db, unitId!, today(ctx), 'unitId');
  }
  if (!isInScope(ctx.actor, scope, { unitId })) throw forbidden(CalendarPermissions['calendar.assign']);
}

async function assertCalendarExists(db: DbOrTx, calendarId: string): Promise<void> {
  const [row] = await db.select({ id: businessCalendars.id }).from(businessCalendars).where(eq(businessCalendars.id, calendarId));
  if (!row) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'calendarId', message: 'v:uuid' }] });
}

export async function createAssignment(ctx: ServiceContext, body: CreateAssignmentBody): Promise<Assignment> {
  const target = { unitId: body.unitId ?? null, userId: body.userId ?? null };
  await assertAssignTarget(ctx, ctx.db, target);
  return withTx(ctx.db, async (tx) => {
    await assertCalendarExists(tx, body.calendarId);
    const [existing] = await tx
      .select({ id: calendarAssignments.id })
      .from(calendarAssignments)
      .where(target.userId ? eq(calendarAssignments.userId, target.userId) : eq(calendarAssignments.unitId, target.unitId!));
    if (existing) {
      throw new AppError(CalendarErrors.already_assigned, {
        extra: { assignmentId: existing.id },
        errors: [{ path: target.userId ? 'userId' : 'unitId', message: 'v:calendar_already_assigned' }],
      });
    }
    const [row] = await tx
      .insert(calendarAssignments)
      .values({ id: newId(), calendarId: body.calendarId, unitId: target.unitId, userId: target.userId })
      .returning();
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar_assignment',
      entityId: row!.id,
      action: 'create',
      changes: diffRecords(null, { calendarId: row!.calendarId, unitId: row!.unitId, userId: row!.userId }),
    });
    return toAssignment(row!);
  });
}

async function loadAssignment(db: DbOrTx, id: string): Promise<AssignmentRow> {
  const [row] = await db.select().from(calendarAssignments).where(eq(calendarAssignments.id, id));
  if (!row) throw notFound('calendar assignment');
  return row;
}

export async function updateAssignment(ctx: ServiceContext, id: string, body: UpdateAssignmentBody): Promise<Assignment> {
  const current = await loadAssignment(ctx.db, id);
  await assertAssignTarget(ctx, ctx.db, current);
  return withTx(ctx.db, async (tx) => {
    const before = await loadAssignment(tx, id);
    if (before.version !== body.version) throw versionConflict(before.version);
    await assertCalendarExists(tx, body.calendarId);
    const [after] = await tx
      .update(calendarAssignments)
      .set({ calendarId: body.calendarId, version: before.version + 1, updatedAt: ctx.now })
      .where(and(eq(calendarAssignments.id, id), eq(calendarAssignments.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar_assignment',
      entityId: id,
      action: 'update',
      changes: diffRecords({ calendarId: before.calendarId }, { calendarId: after.calendarId }),
    });
    return toAssignment(after);
  });
}

export async function deleteAssignment(ctx: ServiceContext, id: string, version: number): Promise<void> {
  const current = await loadAssignment(ctx.db, id);
  await assertAssignTarget(ctx, ctx.db, current);
  await withTx(ctx.db, async (tx) => {
    const before = await loadAssignment(tx, id);
    if (before.version !== version) throw versionConflict(before.version);
    await tx.delete(calendarAssignments).where(eq(calendarAssignments.id, id));
    await writeAudit(tx, source(ctx), {
      entityType: 'calendar_assignment',
      entityId: id,
      action: 'delete',
      changes: diffRecords({ calendarId: before.calendarId, unitId: before.unitId, userId: before.userId }, null),
    });
  });
}

export interface ResolvedCalendar {
  calendar: CalendarDetail;
  source: 'person' | 'unit';
  unitId: string | null;
}

/**
 * The calendar that applies to a person on a date: their own assignment, else the assignment of
 * their home unit on that date, else of its nearest ancestor. A person not placed on that date
 * (not yet hired) is resolved through today's placement. Null when nothing applies.
 */
export async function resolvePersonCalendar(db: DbOrTx, userId: string, date: string, todayDate: string): Promise<ResolvedCalendar | null> {
  const [own] = await db.select().from(calendarAssignments).where(eq(calendarAssignments.userId, userId));
  if (own) return { calendar: await mustLoad(db, own.calendarId), source: 'person', unitId: null };
  let chain = await getManagementChainAsOf(db, userId, date);
  if (chain.unitId === null && date !== todayDate) chain = await getManagementChainAsOf(db, userId, todayDate);
  const unitIds = chain.units.map((u) => u.unitId);
  if (unitIds.length === 0) return null;
  const rows = await db
    .select()
    .from(calendarAssignments)
    .where(sql`${calendarAssignments.unitId} = ANY(${`{${unitIds.join(',')}}`}::uuid[])`);
  const byUnit = new Map(rows.map((r) => [r.unitId, r]));
  for (const unitId of unitIds) {
    const hit = byUnit.get(unitId);
    if (hit) return { calendar: await mustLoad(db, hit.calendarId), source: 'unit', unitId };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Leave: read person by person, by scope; kept by resource managers for their subtree.

/**
 * The person, if the actor may use `action` on them: 404 when the actor cannot see the person at
 * all or they are outside the action's scope (their leave is not revealed to exist).
 */
async function personInScope(ctx: ServiceContext, userId: string, action: string): Promise<User> {
  const user = await getUser(ctx, userId);
  const scope = scopeFor(ctx.actor, action);
  if (!scope || !isInScope(ctx.actor, scope, { ownerId: user.id, unitId: user.unitId })) throw notFound('user');
  return user;
}

/** Write access on a visible person's leave: 403 when the roles or the scope do not reach them. */
function assertLeaveWrite(ctx: ServiceContext, user: User): void {
  const scope: Scope = assertCan(ctx.actor, CalendarPermissions['calendar.leave.write']);
  if (!isInScope(ctx.actor, scope, { unitId: user.unitId })) throw forbidden(CalendarPermissions['calendar.leave.write']);
}

function periodOf(row: LeaveRow): LeavePeriod {
  return row.span === 'instants'
    ? { span: 'instants', startsAt: row.startsAt!.toISOString(), endsAt: row.endsAt!.toISOString() }
    : { span: 'dates', startDate: row.startDate!, endDate: row.endDate!, startPart: row.startPart, endPart: row.endPart };
}

function toLeave(row: LeaveRow): Leave {
  return {
    id: row.id,
    userId: row.userId,
    kind: row.kind,
    period: periodOf(row),
    note: row.note,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function leaveColumns(period: LeavePeriod) {
  return period.span === 'instants'
    ? { span: 'instants' as const, startsAt: new Date(period.startsAt), endsAt: new Date(period.endsAt), startDate: null, endDate: null, startPart: 'full' as const, endPart: 'full' as const }
    : { span: 'dates' as const, startsAt: null, endsAt: null, startDate: period.startDate, endDate: period.endDate, startPart: period.startPart, endPart: period.endPart };
}

function assertLeavePeriod(period: LeavePeriod): void {
  const issues = checkLeavePeriod(period);
  if (issues.length > 0) {
    throw new AppError(CalendarErrors.invalid_leave, {
      errors: issues.map((i) => ({ path: `period.${i.path}`, message: 'v:calendar_invalid_leave' })),
      params: { count: issues.length },
    });
  }
}

function leaveAudit(row: LeaveRow) {
  return { userId: row.userId, kind: row.kind, period: periodOf(row), note: row.note };
}

export async function listLeave(ctx: ServiceContext, q: ListLeaveQuery): Promise<LeavePage> {
  await personInScope(ctx, q.userId, CalendarPermissions['calendar.leave.read']);
  let after: SQL | undefined;
  if (q.cursor) {
    const [id] = decodeCursor('leave', q.cursor, 1);
    after = gt(personLeave.id, String(id));
  }
  const rows = await ctx.db
    .select()
    .from(personLeave)
    .where(whereAll(eq(personLeave.userId, q.userId), after))
    .orderBy(asc(personLeave.id))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, toLeave, (r) => encodeCursor('leave', [r.id]));
}

export async function canReadLeave(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db.select({ userId: personLeave.userId }).from(personLeave).where(eq(personLeave.id, id));
  if (!row) return false;
  try {
    await personInScope(ctx, row.userId, CalendarPermissions['calendar.leave.read']);
    return true;
  } catch {
    return false;
  }
}

export async function createLeave(ctx: ServiceContext, body: CreateLeaveBody): Promise<Leave> {
  const user = await personInScope(ctx, body.userId, CalendarPermissions['calendar.leave.read']);
  assertLeaveWrite(ctx, user);
  assertLeavePeriod(body.period);
  return withTx(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(personLeave)
      .values({ id: newId(), userId: user.id, kind: body.kind, note: body.note ?? null, ...leaveColumns(body.period) })
      .returning();
    await writeAudit(tx, source(ctx), { entityType: 'leave', entityId: row!.id, action: 'create', changes: diffRecords(null, leaveAudit(row!)) });
    return toLeave(row!);
  });
}

async function loadLeaveForWrite(ctx: ServiceContext, id: string): Promise<LeaveRow> {
  const [row] = await ctx.db.select().from(personLeave).where(eq(personLeave.id, id));
  if (!row) throw notFound('leave');
  let user: User;
  try {
    user = await personInScope(ctx, row.userId, CalendarPermissions['calendar.leave.read']);
  } catch {
    throw notFound('leave');
  }
  assertLeaveWrite(ctx, user);
  return row;
}

export async function updateLeave(ctx: ServiceContext, id: string, body: UpdateLeaveBody): Promise<Leave> {
  await loadLeaveForWrite(ctx, id);
  if (body.period) assertLeavePeriod(body.period);
  return withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(personLeave).where(eq(personLeave.id, id));
    if (!before) throw notFound('leave');
    if (before.version !== body.version) throw versionConflict(before.version);
    const [after] = await tx
      .update(personLeave)
      .set({
        ...(body.kind !== undefined ? { kind: body.kind } : {}),
        ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.period !== undefined ? leaveColumns(body.period) : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(personLeave.id, id), eq(personLeave.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, source(ctx), { entityType: 'leave', entityId: id, action: 'update', changes: diffRecords(leaveAudit(before), leaveAudit(after)) });
    return toLeave(after);
  });
}

export async function deleteLeave(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await loadLeaveForWrite(ctx, id);
  await withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(personLeave).where(eq(personLeave.id, id));
    if (!before) throw notFound('leave');
    if (before.version !== version) throw versionConflict(before.version);
    await tx.delete(personLeave).where(eq(personLeave.id, id));
    await writeAudit(tx, source(ctx), { entityType: 'leave', entityId: id, action: 'delete', changes: diffRecords(leaveAudit(before), null) });
  });
}

// ---------------------------------------------------------------------------------------------
// Capacity

/** Longest period a capacity question may cover. */
const MAX_CAPACITY_MS = 3 * 366 * 86_400_000;

function isDate(value: string): boolean {
  return value.length === 10;
}

export async function getCapacity(ctx: ServiceContext, userId: string, q: CapacityQuery): Promise<Capacity> {
  const user = await personInScope(ctx, userId, CalendarPermissions['calendar.capacity.read']);
  const fromDate = isDate(q.from) ? q.from : localDate(new Date(q.from), COMPANY_TIME_ZONE);
  const resolved = await resolvePersonCalendar(ctx.db, user.id, fromDate, today(ctx));
  const calendar = resolved ? engineCalendarOf(resolved.calendar) : null;
  const zone = calendar?.timeZone ?? COMPANY_TIME_ZONE;
  const from = isDate(q.from) ? toZonedInstant(q.from, '00:00', zone) : new Date(q.from);
  const to = isDate(q.to) ? toZonedInstant(nextIsoDate(q.to), '00:00', zone) : new Date(q.to);
  if (to.getTime() < from.getTime()) {
    throw new AppError(CalendarErrors.invalid_instant, { errors: [{ path: 'query.to', message: 'v:calendar_range_order' }] });
  }
  if (to.getTime() - from.getTime() > MAX_CAPACITY_MS) {
    throw new AppError(CalendarErrors.out_of_range, { errors: [{ path: 'query.to', message: 'v:calendar_range_too_long' }] });
  }
  const base = { userId: user.id, from: from.toISOString(), to: to.toISOString() };
  if (!resolved || !calendar) {
    const result = workingCapacity({ calendar: null }, from, to);
    return {
      ...base,
      calendar: null,
      capacity: { kind: 'unknown', reason: 'no_calendar' },
      warnings: [{ code: 'no_calendar', message: result.kind === 'unknown' ? result.warning : '' }],
    };
  }
  const rows = await ctx.db.select().from(personLeave).where(eq(personLeave.userId, user.id));
  try {
    const leave = rows.map((r) => toEngineLeave(periodOf(r), calendar.timeZone));
    const result = workingCapacity({ calendar, leave }, from, to);
    if (result.kind !== 'known') throw new Error('a resolved calendar gave unknown capacity');
    const uncovered = listUncoveredYears(calendar, yearIn(from, zone), yearIn(new Date(Math.max(from.getTime(), to.getTime() - 1)), zone));
    return {
      ...base,
      calendar: {
        id: resolved.calendar.id,
        version: resolved.calendar.version,
        nameZh: resolved.calendar.nameZh,
        nameEn: resolved.calendar.nameEn,
        source: resolved.source,
        unitId: resolved.unitId,
      },
      capacity: { kind: 'known', hours: result.hours, scheduledHours: result.scheduledMs / MS_PER_HOUR, leaveHours: result.leaveMs / MS_PER_HOUR },
      warnings:
        uncovered.length > 0
          ? [{ code: 'years_not_covered', message: `holidays of ${uncovered.join(', ')} are not in the calendar; counted with the weekly pattern only`, years: uncovered }]
          : [],
    };
  } catch (err) {
    rethrow(err, (path) => `query.${toFieldPath(path)}`);
  }
}
