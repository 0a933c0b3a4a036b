import type { Forecast, ForecastLine, ForecastSubmission } from '../../../../server/modules/crm/opportunity-contract.ts';
import { type FiscalCalendar, type FiscalPeriodKind, getFiscalPeriod, getFiscalPeriodByKey } from '../../../../server/modules/crm/forecast.ts';
import { Dec } from '../../../../shared/money.ts';

/**
 * The forecast screen's arithmetic: which periods to offer, which lines are the children of the
 * unit on screen, and how a submission moved against the one before it. Money stays decimal.
 */

/** The company's fiscal calendar (the calendar year, as the server's forecast counts it). */
export const FISCAL_CALENDAR: FiscalCalendar = { fiscalYearStartMonth: 1 };

export interface PeriodOption {
  key: string;
  start: string;
  end: string;
}

/** The period containing `today`, `back` periods before it and `ahead` after, in order. */
export function listPeriodOptions(today: string, kind: Exclude<FiscalPeriodKind, 'year'>, back = 4, ahead = 4): PeriodOption[] {
  const current = getFiscalPeriod(today, { ...FISCAL_CALENDAR, kind });
  const out: PeriodOption[] = [{ key: current.key, start: current.start, end: current.end }];
  let cursor = current;
  for (let i = 0; i < back; i++) {
    cursor = getFiscalPeriod(dayBefore(cursor.start), { ...FISCAL_CALENDAR, kind });
    out.unshift({ key: cursor.key, start: cursor.start, end: cursor.end });
  }
  cursor = current;
  for (let i = 0; i < ahead; i++) {
    cursor = getFiscalPeriod(dayAfter(cursor.end), { ...FISCAL_CALENDAR, kind });
    out.push({ key: cursor.key, start: cursor.start, end: cursor.end });
  }
  return out;
}

export function periodOf(key: string): PeriodOption {
  const p = getFiscalPeriodByKey(key, FISCAL_CALENDAR);
  return { key: p.key, start: p.start, end: p.end };
}

function shiftDay(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
const dayBefore = (date: string) => shiftDay(date, -1);
const dayAfter = (date: string) => shiftDay(date, 1);

/** The lines directly under the unit on screen: its child units, then the reps whose deals sit in the unit itself. */
export function childLines(forecast: Pick<Forecast, 'unitId' | 'lines'>): ForecastLine[] {
  return forecast.lines.filter((l) => l.id !== forecast.unitId && l.parentId === forecast.unitId);
}

/** The line of the unit itself (the first one the API returns). */
export function ownLine(forecast: Pick<Forecast, 'unitId' | 'lines'>): ForecastLine | undefined {
  return forecast.lines.find((l) => l.id === forecast.unitId && l.level !== 'rep');
}

export interface SubmissionRow {
  submission: ForecastSubmission;
  /** Adjusted commit minus the previous (older) submission's, or null for the first one. */
  commitChange: string | null;
  /** Changes against the submission a week or more before, per category (from the API), non-zero ones only. */
  weekOverWeek: { category: string; change: string; changePercent: string | null }[];
}

/** Submissions newest first, each with its change against the one before it and its week-over-week movement. */
export function submissionRows(submissions: readonly ForecastSubmission[]): SubmissionRow[] {
  return submissions.map((s, i) => {
    const older = submissions[i + 1];
    const commitChange = older ? new Dec(s.adjustedCommit.amount).minus(older.adjustedCommit.amount).toFixed(2) : null;
    const weekOverWeek = (s.weekOverWeek?.changes ?? [])
      .filter((c) => !new Dec(c.change.amount).isZero())
      .map((c) => ({ category: c.category, change: new Dec(c.change.amount).toFixed(2), changePercent: c.changePercent }));
    return { submission: s, commitChange, weekOverWeek };
  });
}

/** closed + commit + adjustment, as the server computes a submission's adjusted commit (for the form's preview). */
export function previewAdjustedCommit(line: Pick<ForecastLine, 'byCategory'>, adjustment: string): string | null {
  if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(adjustment)) return null;
  return new Dec(line.byCategory.closed.amount.amount).plus(line.byCategory.commit.amount.amount).plus(adjustment).toFixed(2);
}
