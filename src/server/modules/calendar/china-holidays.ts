/**
 * China's official public-holiday schedules (法定节假日 and 调休), as data.
 *
 * Source of truth: the State Council General Office's yearly notice
 * 《国务院办公厅关于<year>年部分节假日安排的通知》, published on www.gov.cn, usually in November of
 * the year before. Each year is transcribed by hand from the notice and recorded with its source;
 * nothing here is computed from the lunar calendar, because the arrangement (which weekend days
 * are worked) is a political decision, not astronomy.
 *
 * To add a year: copy the notice's list into a new schedule below, set status 'published', record
 * the URL, and add it to CHINA_SCHEDULES. china-holidays.test.ts checks the shape (make-up days
 * are weekend days, blocks are contiguous, nothing is listed twice).
 */
import { createCalendarFromYearSchedules, type Calendar, type OfficialYearSchedule, type TimeWindow } from './calendar.ts';

/** The usual Chinese office day: 09:00–12:00 and 13:30–18:00, 7.5 working hours. */
export const STANDARD_CHINA_WEEKDAY_WINDOWS: readonly TimeWindow[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

/**
 * 2026 — 国务院办公厅关于2026年部分节假日安排的通知.
 * 元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
 * 春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
 * 清明节：4月4日（周六）至6日（周一）放假，共3天。
 * 劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
 * 端午节：6月19日（周五）至21日（周日）放假，共3天。
 * 中秋节：9月25日（周五）至27日（周日）放假，共3天。
 * 国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
 */
export const CHINA_SCHEDULE_2026: OfficialYearSchedule = {
  country: 'CN',
  year: 2026,
  status: 'published',
  source: {
    issuer: '国务院办公厅 (General Office of the State Council)',
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    url: 'https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm',
    publishedOn: null,
    note:
      'Published November 2025 (exact day not recorded here). Transcribed from the notice; ' +
      'cross-checked day by day against the chinese-days npm package 1.5.7 (MIT) on 2026-11-25.',
  },
  holidays: [
    {
      name: "New Year's Day",
      nameZh: '元旦',
      dates: ['2026-01-01', '2026-01-02', '2026-01-03'],
      makeUpWorkdays: ['2026-01-04'],
    },
    {
      name: 'Spring Festival',
      nameZh: '春节',
      dates: ['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'],
      makeUpWorkdays: ['2026-02-14', '2026-02-28'],
    },
    {
      name: 'Qingming Festival',
      nameZh: '清明节',
      dates: ['2026-04-04', '2026-04-05', '2026-04-06'],
      makeUpWorkdays: [],
    },
    {
      name: 'Labour Day',
      nameZh: '劳动节',
      dates: ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'],
      makeUpWorkdays: ['2026-05-09'],
    },
    {
      name: 'Dragon Boat Festival',
      nameZh: '端午节',
      dates: ['2026-06-19', '2026-06-20', '2026-06-21'],
      makeUpWorkdays: [],
    },
    {
      name: 'Mid-Autumn Festival',
      nameZh: '中秋节',
      dates: ['2026-09-25', '2026-09-26', '2026-09-27'],
      makeUpWorkdays: [],
    },
    {
      name: 'National Day',
      nameZh: '国庆节',
      dates: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
      makeUpWorkdays: ['2026-09-20', '2026-10-10'],
    },
  ],
};

/**
 * 2027 — deliberately empty. The notice was not available to us when this file was written
 * (2026-11-25), and inventing dates would silently mis-time every SLA around them. Until it is
 * transcribed, a calendar built from these schedules does not claim 2027 (validity ends 2026) and
 * the engine counts 2027 with the plain weekly pattern; listUncoveredYears() lets callers warn.
 */
export const CHINA_SCHEDULE_2027: OfficialYearSchedule = {
  country: 'CN',
  year: 2027,
  status: 'not_yet_published',
  source: {
    issuer: '国务院办公厅 (General Office of the State Council)',
    title: '国务院办公厅关于2027年部分节假日安排的通知',
    url: null,
    publishedOn: null,
    note: 'Not yet transcribed: check www.gov.cn (usually published in November 2026) and fill in.',
  },
};

export const CHINA_SCHEDULES: readonly OfficialYearSchedule[] = [CHINA_SCHEDULE_2026, CHINA_SCHEDULE_2027];

/** The published schedules only, oldest first: what a China calendar can be built from today. */
export function listPublishedChinaSchedules(): OfficialYearSchedule[] {
  return CHINA_SCHEDULES.filter((s) => s.status === 'published').sort((a, b) => a.year - b.year);
}

/**
 * A calendar in Asia/Shanghai from every published official schedule, with the given weekday
 * windows (make-up days get them too). Validity covers exactly the published years.
 */
export function createChinaCalendar(input: {
  id: string;
  name: string;
  version?: number;
  weekdayWindows?: readonly TimeWindow[];
}): Calendar {
  return createCalendarFromYearSchedules({
    id: input.id,
    name: input.name,
    version: input.version ?? 1,
    timeZone: 'Asia/Shanghai',
    weekdayWindows: input.weekdayWindows ?? STANDARD_CHINA_WEEKDAY_WINDOWS,
    schedules: listPublishedChinaSchedules(),
  });
}
