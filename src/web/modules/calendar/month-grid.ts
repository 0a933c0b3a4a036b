import type { YearDay } from '../../../server/modules/calendar/contract.ts';

/**
 * The weeks of one month as rows Monday → Sunday, with null for the cells before the 1st and after
 * the last day, for the year view's month grids. `days` is a year view's list (any order).
 */
export function buildMonthGrid(days: readonly YearDay[], month: number): (YearDay | null)[][] {
  const inMonth = days.filter((d) => Number(d.date.slice(5, 7)) === month).sort((a, b) => (a.date < b.date ? -1 : 1));
  if (inMonth.length === 0) return [];
  const weeks: (YearDay | null)[][] = [];
  let week: (YearDay | null)[] = Array.from({ length: inMonth[0]!.weekday - 1 }, () => null);
  for (const day of inMonth) {
    week.push(day);
    if (week.length === 7) {
      weeks.push(week);
      week = [];
    }
  }
  if (week.length > 0) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)]);
  return weeks;
}

/** Minutes as hours for display: 450 → "7.5", 1380 → "23", 200 → "3.33". */
export function formatHours(minutes: number): string {
  return String(Math.round((minutes / 60) * 100) / 100);
}
