import { describe, expect, it } from 'vitest';
import { getWeekdayIndex, parseIsoDate } from './calendar.ts';
import { CHINA_SCHEDULES, CHINA_SCHEDULE_2026, createChinaCalendar, listPublishedChinaSchedules } from './china-holidays.ts';

// Shape checks that catch transcription slips; the dates themselves were checked by hand against
// the State Council notice and the chinese-days package (see the file header).
describe('China official schedules', () => {
  for (const schedule of CHINA_SCHEDULES) {
    if (schedule.status !== 'published') continue;
    describe(String(schedule.year), () => {
      it('records its source', () => {
        expect(schedule.source.title).toContain(String(schedule.year));
        expect(schedule.source.url).toMatch(/^https:\/\/www\.gov\.cn\//);
      });

      it('lists each holiday block as consecutive dates of its year, nothing twice', () => {
        const seen = new Set<string>();
        for (const block of schedule.holidays) {
          const days = block.dates.map((d) => parseIsoDate(d));
          expect(days.every((d) => d !== null)).toBe(true);
          days.forEach((d, i) => {
            if (i > 0) expect(d! - days[i - 1]!).toBe(1);
          });
          for (const date of [...block.dates, ...block.makeUpWorkdays]) {
            expect(seen.has(date)).toBe(false);
            seen.add(date);
          }
          for (const date of block.dates) expect(date.startsWith(String(schedule.year))).toBe(true);
        }
      });

      it('has make-up workdays only on Saturdays and Sundays', () => {
        for (const block of schedule.holidays) {
          for (const date of block.makeUpWorkdays) expect(getWeekdayIndex(parseIsoDate(date)!)).toBeGreaterThanOrEqual(5);
        }
      });
    });
  }

  it('2026: the blocks the notice announced', () => {
    const byName = Object.fromEntries(CHINA_SCHEDULE_2026.status === 'published' ? CHINA_SCHEDULE_2026.holidays.map((h) => [h.nameZh, h]) : []);
    expect(byName['春节']!.dates[0]).toBe('2026-02-15');
    expect(byName['春节']!.dates).toHaveLength(9); // 2月15日（周日）至23日（周一）
    expect(byName['春节']!.makeUpWorkdays).toEqual(['2026-02-14', '2026-02-28']);
    expect(byName['国庆节']!.dates).toHaveLength(7); // 10月1日至7日
    expect(byName['国庆节']!.makeUpWorkdays).toEqual(['2026-09-20', '2026-10-10']);
    expect(byName['劳动节']!.makeUpWorkdays).toEqual(['2026-05-09']);
    expect(byName['元旦']!.makeUpWorkdays).toEqual(['2026-01-04']);
  });

  it('2027 is marked not yet published, with no invented dates', () => {
    const y2027 = CHINA_SCHEDULES.find((s) => s.year === 2027)!;
    expect(y2027.status).toBe('not_yet_published');
    expect('holidays' in y2027).toBe(false);
    expect(listPublishedChinaSchedules().map((s) => s.year)).toEqual([2026]);
  });

  it('createChinaCalendar builds a valid calendar from the published years', () => {
    const calendar = createChinaCalendar({ id: 'cn', name: 'China office' });
    expect(calendar.validity).toEqual({ fromYear: 2026, toYear: 2026 });
    expect(calendar.makeUpDays).toHaveLength(6);
  });
});
