import type { Tx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import { assertValidCalendar, createWeekdayHours, type Calendar, type WeeklyWindows } from './calendar.ts';
import { STANDARD_CHINA_WEEKDAY_WINDOWS, listPublishedChinaSchedules } from './china-holidays.ts';
import { businessCalendars, calendarAssignments, calendarHolidays, calendarMakeupDays } from './schema.ts';

export interface CalendarSeedOptions {
  /** The company unit: gets the mainland China office calendar (and so does everyone below it). */
  companyUnitId: string;
  /** The customer service center, if any: gets the 24×7 calendar. */
  serviceUnitId?: string | undefined;
}

export interface CalendarSeedResult {
  officeCalendarId: string;
  serviceCalendarId: string;
  rows: { business_calendars: number; calendar_holidays: number; calendar_makeup_days: number; calendar_assignments: number };
}

/**
 * Demo calendars, in the caller's transaction: "中国大陆标准工作日历" (Asia/Shanghai, 09:00–12:00 and
 * 13:30–18:00 Monday to Friday, every published official year with its holidays and 调休) assigned
 * to the company, and a 24×7 service calendar assigned to the service center.
 */
export async function seedCalendars(tx: Tx, opts: CalendarSeedOptions): Promise<CalendarSeedResult> {
  const schedules = listPublishedChinaSchedules();
  const officeId = newId();
  const holidays: { date: string; nameZh: string; nameEn: string }[] = [];
  const makeUps: { date: string; nameZh: string; nameEn: string }[] = [];
  for (const schedule of schedules) {
    if (schedule.status !== 'published') continue;
    for (const block of schedule.holidays) {
      for (const date of block.dates) holidays.push({ date, nameZh: block.nameZh, nameEn: block.name });
      for (const date of block.makeUpWorkdays) makeUps.push({ date, nameZh: `${block.nameZh}调休上班`, nameEn: `${block.name} make-up workday` });
    }
  }
  const years = schedules.map((s) => s.year);
  const validity = { fromYear: Math.min(...years), toYear: Math.max(...years) };
  const hours = createWeekdayHours(STANDARD_CHINA_WEEKDAY_WINDOWS);
  const office: Calendar = {
    id: officeId,
    name: '中国大陆标准工作日历',
    timeZone: 'Asia/Shanghai',
    version: 1,
    hours,
    validity,
    holidays: holidays.map((h) => ({ date: h.date })),
    makeUpDays: makeUps.map((m) => ({ date: m.date })),
  };
  assertValidCalendar(office);

  const serviceId = newId();
  await tx.insert(businessCalendars).values([
    {
      id: officeId,
      nameZh: '中国大陆标准工作日历',
      nameEn: 'Mainland China standard calendar',
      timeZone: 'Asia/Shanghai',
      hoursKind: 'weekly',
      weeklyWindows: (hours as { kind: 'weekly'; days: WeeklyWindows }).days,
      validFromYear: validity.fromYear,
      validToYear: validity.toYear,
    },
    {
      id: serviceId,
      nameZh: '7×24 小时服务日历',
      nameEn: '24×7 service calendar',
      timeZone: 'Asia/Shanghai',
      hoursKind: 'always',
      weeklyWindows: null,
      validFromYear: validity.fromYear,
      validToYear: validity.toYear,
    },
  ]);
  await tx.insert(calendarHolidays).values(
    holidays.map((h) => ({ id: newId(), calendarId: officeId, date: h.date, nameZh: h.nameZh, nameEn: h.nameEn, source: 'official_cn' as const })),
  );
  await tx.insert(calendarMakeupDays).values(
    makeUps.map((m) => ({ id: newId(), calendarId: officeId, date: m.date, nameZh: m.nameZh, nameEn: m.nameEn, source: 'official_cn' as const })),
  );
  const assignments = [{ id: newId(), calendarId: officeId, unitId: opts.companyUnitId }];
  if (opts.serviceUnitId) assignments.push({ id: newId(), calendarId: serviceId, unitId: opts.serviceUnitId });
  await tx.insert(calendarAssignments).values(assignments);
  return {
    officeCalendarId: officeId,
    serviceCalendarId: serviceId,
    rows: { business_calendars: 2, calendar_holidays: holidays.length, calendar_makeup_days: makeUps.length, calendar_assignments: assignments.length },
  };
}
