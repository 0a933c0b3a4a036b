import { describe, expect, it } from 'vitest';
import type { ForecastLine, ForecastSubmission } from '../../../../server/modules/crm/opportunity-contract.ts';
import { childLines, listPeriodOptions, previewAdjustedCommit, submissionRows } from './forecast-figures.ts';

const cny = (amount: string) => ({ amount, currency: 'CNY' as const });

function submission(id: string, adjustedCommit: string, changes: [string, string][] = []): ForecastSubmission {
  return {
    id,
    unitId: 'u1',
    period: 'FY2026-Q4',
    submittedBy: 'm1',
    submittedAt: '2026-11-20T08:00:00.000Z',
    figures: {},
    adjustment: cny('0.00'),
    adjustedCommit: cny(adjustedCommit),
    comment: null,
    weekOverWeek:
      changes.length === 0
        ? null
        : {
            comparedWith: 'older',
            changes: changes.map(([category, change]) => ({
              category: category as 'commit',
              previous: cny('0.00'),
              current: cny('0.00'),
              change: cny(change),
              changePercent: null,
            })),
          },
  };
}

describe('listPeriodOptions', () => {
  it('offers the current quarter with the ones around it, crossing fiscal years', () => {
    expect(listPeriodOptions('2026-11-25', 'quarter', 2, 2).map((p) => p.key)).toEqual(['FY2026-Q2', 'FY2026-Q3', 'FY2026-Q4', 'FY2027-Q1', 'FY2027-Q2']);
  });

  it('gives months their first and last day', () => {
    const [prev, current] = listPeriodOptions('2028-03-01', 'month', 1, 0);
    // 2028 is a leap year: February has 29 days.
    expect(prev).toEqual({ key: 'FY2028-M02', start: '2028-02-01', end: '2028-02-29' });
    expect(current).toEqual({ key: 'FY2028-M03', start: '2028-03-01', end: '2028-03-31' });
  });
});

describe('submissionRows', () => {
  it('gives each submission its change against the older one, exactly, and keeps only non-zero week-over-week moves', () => {
    const rows = submissionRows([
      submission('s3', '1000.10', [
        ['commit', '100.10'],
        ['best_case', '0.00'],
      ]),
      submission('s2', '900.00'),
      submission('s1', '950.30'),
    ]);
    // 1000.10 − 900.00 = 100.10; 900.00 − 950.30 = −50.30; the oldest has nothing to compare with.
    expect(rows.map((r) => r.commitChange)).toEqual(['100.10', '-50.30', null]);
    expect(rows[0]!.weekOverWeek).toEqual([{ category: 'commit', change: '100.10', changePercent: null }]);
    expect(rows[1]!.weekOverWeek).toEqual([]);
  });
});

describe('childLines and previewAdjustedCommit', () => {
  const totals = (amount: string) => ({ count: 1, amount: cny(amount), weighted: cny(amount) });
  const line = (id: string, parentId: string | null, closed = '0', commit = '0'): ForecastLine => ({
    id,
    level: 'team',
    nameZh: id,
    nameEn: null,
    parentId,
    byCategory: { pipeline: totals('0'), best_case: totals('0'), commit: totals(commit), closed: totals(closed), omitted: totals('0') },
    cumulative: { closed: { amount: cny('0'), weighted: cny('0') }, commit: { amount: cny('0'), weighted: cny('0') }, bestCase: { amount: cny('0'), weighted: cny('0') }, openPipeline: { amount: cny('0'), weighted: cny('0') } },
  });

  it('lists only the lines directly under the unit', () => {
    const lines = [line('u1', null), line('t1', 'u1'), line('t2', 'u1'), line('r1', 't1')];
    expect(childLines({ unitId: 'u1', lines }).map((l) => l.id)).toEqual(['t1', 't2']);
  });

  it('previews closed + commit + adjustment and refuses what is not a decimal', () => {
    // 1200.50 + 300.25 − 100.75 = 1400.00
    expect(previewAdjustedCommit(line('u1', null, '1200.50', '300.25'), '-100.75')).toBe('1400.00');
    expect(previewAdjustedCommit(line('u1', null), '1e3')).toBeNull();
  });
});
