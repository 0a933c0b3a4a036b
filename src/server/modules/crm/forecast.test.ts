import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, Money } from '../../../shared/money.ts';
import {
  ForecastError,
  applySubmission,
  diffForecastFigures,
  getFiscalPeriod,
  getFiscalPeriodByKey,
  listPeriods,
  pickComparisonSubmission,
  ScaledDecimal,
  rollupForecast,
  rollupForecastSums,
  toForecastFigures,
  type FiscalPeriodOptions,
  type ForecastDeal,
} from './forecast.ts';
import { FORECAST_CATEGORIES } from './pipeline.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof ForecastError) return e.code;
    throw e;
  }
}

const cny = (a: string) => Money.of(a, 'CNY');
const Q = (fiscalYearStartMonth: number, extra: Partial<FiscalPeriodOptions> = {}): FiscalPeriodOptions => ({
  fiscalYearStartMonth,
  kind: 'quarter',
  ...extra,
});

describe('fiscal periods', () => {
  it('calendar-year quarters', () => {
    expect(getFiscalPeriod('2026-08-15', Q(1))).toEqual({
      key: 'FY2026-Q3',
      kind: 'quarter',
      fiscalYear: 2026,
      index: 3,
      start: '2026-07-01',
      end: '2026-09-30',
    });
  });

  it('a year starting in April, named by the year it ends (default) or starts', () => {
    // August is the 5th month from April → Q2; the year Apr 2026 – Mar 2027 ends in 2027.
    expect(getFiscalPeriod('2026-08-15', Q(4))).toMatchObject({ key: 'FY2027-Q2', start: '2026-07-01', end: '2026-09-30' });
    expect(getFiscalPeriod('2026-08-15', Q(4, { fiscalYearNaming: 'start' }))).toMatchObject({ key: 'FY2026-Q2' });
    // March is the last month of the April year: M12 of the year that ends then.
    expect(getFiscalPeriod('2027-03-31', Q(4, { kind: 'month' }))).toMatchObject({ key: 'FY2027-M12', start: '2027-03-01', end: '2027-03-31' });
  });

  it('a quarter that spans the new year belongs to one fiscal year', () => {
    // October start: Oct–Dec 2025 is Q1 of the year ending Sep 2026.
    expect(getFiscalPeriod('2025-12-31', Q(10))).toMatchObject({ key: 'FY2026-Q1', start: '2025-10-01', end: '2025-12-31' });
    expect(getFiscalPeriod('2026-02-28', Q(7))).toMatchObject({ key: 'FY2026-Q3', start: '2026-01-01', end: '2026-03-31' });
  });

  it('months, leap Februaries and whole years', () => {
    expect(getFiscalPeriod('2028-02-10', { fiscalYearStartMonth: 1, kind: 'month' })).toMatchObject({
      key: 'FY2028-M02',
      start: '2028-02-01',
      end: '2028-02-29',
    });
    expect(getFiscalPeriod('2100-02-10', { fiscalYearStartMonth: 1, kind: 'month' }).end).toBe('2100-02-28'); // not a leap year
    expect(getFiscalPeriod('2026-06-30', { fiscalYearStartMonth: 7, kind: 'year' })).toMatchObject({
      key: 'FY2026',
      start: '2025-07-01',
      end: '2026-06-30',
    });
  });

  it('refuses impossible dates and calendars', () => {
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-01', '', '2026-01-01T00:00:00Z']) {
      expect(codeOf(() => getFiscalPeriod(bad, Q(1)))).toBe('crm.invalid_date');
    }
    for (const m of [0, 13, 1.5, Number.NaN]) expect(codeOf(() => getFiscalPeriod('2026-01-01', Q(m)))).toBe('crm.invalid_fiscal_calendar');
  });

  it('keys map back to their periods', () => {
    expect(getFiscalPeriodByKey('FY2027-Q2', { fiscalYearStartMonth: 4 })).toMatchObject({ start: '2026-07-01', end: '2026-09-30' });
    expect(getFiscalPeriodByKey('FY2026-M01', { fiscalYearStartMonth: 7 })).toMatchObject({ start: '2025-07-01', end: '2025-07-31' });
    expect(getFiscalPeriodByKey('FY2026', { fiscalYearStartMonth: 1 })).toMatchObject({ start: '2026-01-01', end: '2026-12-31' });
    for (const bad of ['FY2026-Q5', 'FY2026-M13', 'FY2026-M1', '2026-Q1', 'FY26-Q1']) {
      expect(codeOf(() => getFiscalPeriodByKey(bad, { fiscalYearStartMonth: 1 }))).toBe('crm.invalid_period_key');
    }
  });

  it('lists the periods overlapping a range', () => {
    expect(listPeriods('2026-02-15', '2026-08-01', Q(1)).map((p) => p.key)).toEqual(['FY2026-Q1', 'FY2026-Q2', 'FY2026-Q3']);
    expect(listPeriods('2026-03-31', '2026-03-31', Q(1)).map((p) => p.key)).toEqual(['FY2026-Q1']);
    expect(codeOf(() => listPeriods('2026-08-01', '2026-02-15', Q(1)))).toBe('crm.period_range');
    expect(codeOf(() => listPeriods('1900-01-01', '2100-01-01', { fiscalYearStartMonth: 1, kind: 'month' }))).toBe('crm.period_range');
  });

  const dateArb = fc
    .date({ min: new Date(Date.UTC(1950, 0, 1)), max: new Date(Date.UTC(2150, 11, 31)), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const optsArb = fc.record({
    fiscalYearStartMonth: fc.integer({ min: 1, max: 12 }),
    kind: fc.constantFrom('month' as const, 'quarter' as const, 'year' as const),
    fiscalYearNaming: fc.constantFrom('end' as const, 'start' as const),
  });

  it('property: a period contains its date, starts on the 1st, spans its months, and its key maps back', () => {
    fc.assert(
      fc.property(dateArb, optsArb, (date, opts) => {
        const p = getFiscalPeriod(date, opts);
        expect(p.start <= date && date <= p.end).toBe(true);
        expect(p.start.endsWith('-01')).toBe(true);
        const months = (Number(p.end.slice(0, 4)) - Number(p.start.slice(0, 4))) * 12 + Number(p.end.slice(5, 7)) - Number(p.start.slice(5, 7)) + 1;
        expect(months).toBe({ month: 1, quarter: 3, year: 12 }[opts.kind]);
        expect(getFiscalPeriodByKey(p.key, opts)).toEqual(p);
        // The fiscal year's first period starts in the configured month.
        expect(Number(getFiscalPeriodByKey(`FY${p.fiscalYear}`, opts).start.slice(5, 7))).toBe(opts.fiscalYearStartMonth);
      }),
    );
  });

  it('property: listed periods tile the range without gaps or overlaps', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 800 }), optsArb, (from, days, opts) => {
        const to = new Date(Date.parse(from) + days * 86_400_000).toISOString().slice(0, 10);
        const periods = listPeriods(from, to, opts);
        expect(periods[0]!.start <= from).toBe(true);
        expect(periods.at(-1)!.end >= to).toBe(true);
        for (let i = 1; i < periods.length; i++) {
          const prevEnd = Date.parse(periods[i - 1]!.end);
          expect(Date.parse(periods[i]!.start) - prevEnd).toBe(86_400_000);
        }
      }),
    );
  });
});

describe('rollupForecast', () => {
  //            C (company)
  //          /            \
  //        D1              D2 ── deal 5 owned at department level
  //      /    \              \
  //    T1      T2             T3
  const T1 = ['T1', 'D1', 'C'];
  const T2 = ['T2', 'D1', 'C'];
  const T3 = ['T3', 'D2', 'C'];
  const DEALS: ForecastDeal[] = [
    { amount: cny('100000.00'), probability: 60, category: 'commit', ownerUnitPath: T1 },
    { amount: cny('50000.00'), probability: 30, category: 'best_case', ownerUnitPath: T1 },
    { amount: cny('200000.00'), probability: 100, category: 'closed', ownerUnitPath: T2 },
    { amount: cny('80000.00'), probability: 10, category: 'pipeline', ownerUnitPath: T3 },
    { amount: cny('33333.33'), probability: 33, category: 'pipeline', ownerUnitPath: ['D2', 'C'] },
    { amount: cny('10000.00'), probability: 0, category: 'omitted', ownerUnitPath: T3 },
  ];
  const str = (t: { count: number; amount: Money; weighted: Money }) => [t.count, t.amount.toFixedString(), t.weighted.toFixedString()];

  it('worked example: sums and weighted sums per unit and category, exactly', () => {
    const { units, currency } = rollupForecast(DEALS, { currency: 'CNY' });
    expect(currency).toBe('CNY');
    expect([...units.keys()]).toEqual(['T1', 'D1', 'C', 'T2', 'T3', 'D2']);
    // T1: commit 100000 × 60% = 60000; best case 50000 × 30% = 15000
    expect(str(units.get('T1')!.byCategory.commit)).toEqual([1, '100000.00', '60000.00']);
    expect(str(units.get('T1')!.byCategory.best_case)).toEqual([1, '50000.00', '15000.00']);
    expect(str(units.get('T1')!.byCategory.closed)).toEqual([0, '0.00', '0.00']);
    // D2: pipeline 80000 + 33333.33 = 113333.33; weighted 8000 + 33333.33 × 0.33 = 8000 + 10999.9989 = 18999.9989 (not rounded)
    expect(str(units.get('D2')!.byCategory.pipeline)).toEqual([2, '113333.33', '18999.9989']);
    expect(str(units.get('D2')!.byCategory.omitted)).toEqual([1, '10000.00', '0.00']);
    // C sees every deal once.
    const c = units.get('C')!;
    expect(str(c.byCategory.closed)).toEqual([1, '200000.00', '200000.00']);
    // cumulative: commit = closed + commit = 300000 (w 260000); best case adds 50000 (w 15000);
    // open pipeline = 113333.33 + 50000 + 100000 = 263333.33 (w 18999.9989 + 15000 + 60000 = 93999.9989)
    expect(str(c.cumulative.commit)).toEqual([2, '300000.00', '260000.00']);
    expect(str(c.cumulative.bestCase)).toEqual([3, '350000.00', '275000.00']);
    expect(str(c.cumulative.openPipeline)).toEqual([4, '263333.33', '93999.9989']);
    expect(c.byCategory.pipeline.weighted.round().toFixedString()).toBe('19000.00');
  });

  it('refuses another currency, an empty unit path and impossible probabilities', () => {
    expect(codeOf(() => rollupForecast([{ ...DEALS[0]!, amount: Money.of('1.00', 'USD') }], { currency: 'CNY' }))).toBe(
      'crm.forecast_mixed_currency',
    );
    expect(codeOf(() => rollupForecast([{ ...DEALS[0]!, ownerUnitPath: [] }], { currency: 'CNY' }))).toBe('crm.invalid_forecast_deal');
    for (const probability of [101, -1, Number.NaN, Number.POSITIVE_INFINITY, 'abc', '']) {
      expect(codeOf(() => rollupForecast([{ ...DEALS[0]!, probability }], { currency: 'CNY' }))).toBe('crm.invalid_forecast_deal');
    }
  });

  it('fractional probabilities are exact; a unit repeated in a path counts the deal once', () => {
    const { units } = rollupForecast([{ amount: cny('1000.00'), probability: '12.5', category: 'commit', ownerUnitPath: ['T', 'T', 'C'] }], {
      currency: 'CNY',
    });
    expect(str(units.get('T')!.byCategory.commit)).toEqual([1, '1000.00', '125.00']);
    expect(rollupForecast([], { currency: 'JPY' }).units.size).toBe(0);
  });

  const dealArb = fc.record({
    amount: fc.bigInt({ min: 0n, max: 10n ** 13n }).map((n) => Money.of((n / 100n).toString() + '.' + (n % 100n).toString().padStart(2, '0'), 'CNY')),
    probability: fc.integer({ min: 0, max: 100 }),
    category: fc.constantFrom(...FORECAST_CATEGORIES),
    ownerUnitPath: fc.constantFrom(T1, T2, T3, ['D2', 'C'], ['C']),
  });

  it('property: the company equals the sum of all deals; every unit counts exactly the deals on its path', () => {
    fc.assert(
      fc.property(fc.array(dealArb, { maxLength: 40 }), (deals) => {
        const { units } = rollupForecast(deals, { currency: 'CNY' });
        for (const [unitId, unit] of units) {
          for (const cat of FORECAST_CATEGORIES) {
            const mine = deals.filter((d) => d.category === cat && d.ownerUnitPath.includes(unitId));
            expect(unit.byCategory[cat].count).toBe(mine.length);
            expect(unit.byCategory[cat].amount.equals(Money.sum(mine.map((d) => d.amount), 'CNY'))).toBe(true);
            // weighted never exceeds the amount for non-negative deals
            expect(unit.byCategory[cat].weighted.compare(unit.byCategory[cat].amount)).toBeLessThanOrEqual(0);
          }
        }
        if (deals.length > 0) {
          const total = FORECAST_CATEGORIES.reduce((s, c) => s.plus(units.get('C')!.byCategory[c].amount), Money.zero('CNY'));
          expect(total.equals(Money.sum(deals.map((d) => d.amount), 'CNY'))).toBe(true);
        }
      }),
    );
  });

  it('property: order of deals does not matter', () => {
    fc.assert(
      fc.property(fc.array(dealArb, { maxLength: 20 }).chain((d) => fc.tuple(fc.constant(d), fc.shuffledSubarray(d, { minLength: d.length }))), ([a, b]) => {
        const ra = rollupForecast(a, { currency: 'CNY' }).units;
        const rb = rollupForecast(b, { currency: 'CNY' }).units;
        for (const [id, u] of ra) {
          for (const c of FORECAST_CATEGORIES) expect(u.byCategory[c].weighted.equals(rb.get(id)!.byCategory[c].weighted)).toBe(true);
        }
      }),
    );
  });
});

describe('rollupForecastSums', () => {
  const T1 = ['T1', 'D1', 'C'];
  const T2 = ['T2', 'D1', 'C'];
  const str = (t: { count: number; amount: Money; weighted: Money }) => [t.count, t.amount.toFixedString(), t.weighted.toFixedString()];

  it('worked example: sums made in SQL roll up like their deals, counts included', () => {
    const { units } = rollupForecastSums(
      [
        // two commit deals of T1: 100000.00 at 60 % and 33333.33 at 33 % → Σ amount × p = 6000000 + 1099999.89
        { count: 2, amount: '133333.33', weightedX100: '7099999.89', category: 'commit', ownerUnitPath: T1 },
        { count: 1, amount: '200000.00', weightedX100: '20000000.00', category: 'closed', ownerUnitPath: T2 },
        { count: 3, amount: '0.10', weightedX100: '0.50', category: 'pipeline', ownerUnitPath: ['D1', 'D1', 'C'] },
      ],
      { currency: 'CNY' },
    );
    expect(str(units.get('T1')!.byCategory.commit)).toEqual([2, '133333.33', '70999.9989']);
    expect(str(units.get('D1')!.byCategory.pipeline)).toEqual([3, '0.10', '0.005']);
    const c = units.get('C')!;
    expect(str(c.cumulative.commit)).toEqual([3, '333333.33', '270999.9989']);
    expect(str(c.cumulative.openPipeline)).toEqual([5, '133333.43', '71000.0039']);
  });

  it('refuses malformed sums', () => {
    const ok = { count: 1, amount: '1.00', weightedX100: '50.00', category: 'commit' as const, ownerUnitPath: ['T'] };
    expect(codeOf(() => rollupForecastSums([ok], { currency: 'CNY' }))).toBeUndefined();
    for (const bad of [{ amount: '1e3' }, { weightedX100: ' 1' }, { count: -1 }, { count: 1.5 }, { ownerUnitPath: [] }, { category: 'maybe' }]) {
      expect(codeOf(() => rollupForecastSums([{ ...ok, ...bad } as never], { currency: 'CNY' }))).toBe('crm.invalid_forecast_deal');
    }
  });

  const dealArb = fc.record({
    amount: fc.bigInt({ min: 0n, max: 10n ** 13n }).map((n) => Money.of((n / 100n).toString() + '.' + (n % 100n).toString().padStart(2, '0'), 'CNY')),
    probability: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom('12.5', '0.25', '99.999')),
    category: fc.constantFrom(...FORECAST_CATEGORIES),
    ownerUnitPath: fc.constantFrom(T1, T2, ['D1', 'C'], ['C']),
  });

  it('property: summing deals per path and category first gives exactly what rolling up each deal gives', () => {
    fc.assert(
      fc.property(fc.array(dealArb, { maxLength: 40 }), (deals) => {
        const byKey = new Map<string, { count: number; amount: ScaledDecimal; weightedX100: ScaledDecimal; category: (typeof deals)[number]['category']; ownerUnitPath: string[] }>();
        for (const d of deals) {
          const key = `${d.ownerUnitPath.join('/')}|${d.category}`;
          let s = byKey.get(key);
          if (!s) byKey.set(key, (s = { count: 0, amount: new ScaledDecimal(), weightedX100: new ScaledDecimal(), category: d.category, ownerUnitPath: d.ownerUnitPath }));
          s.count += 1;
          s.amount.add(d.amount.amount.toFixed());
          s.weightedX100.add(d.amount.amount.times(d.probability).toFixed());
        }
        const fromDeals = rollupForecast(deals, { currency: 'CNY' }).units;
        const fromSums = rollupForecastSums([...byKey.values()], { currency: 'CNY' }).units;
        expect([...fromSums.keys()].sort()).toEqual([...fromDeals.keys()].sort());
        for (const [id, u] of fromDeals) {
          for (const c of FORECAST_CATEGORIES) expect(str(fromSums.get(id)!.byCategory[c])).toEqual(str(u.byCategory[c]));
          for (const k of ['closed', 'commit', 'bestCase', 'openPipeline'] as const) expect(str(fromSums.get(id)!.cumulative[k])).toEqual(str(u.cumulative[k]));
        }
      }),
    );
  });
});

describe('ScaledDecimal', () => {
  it('formats like Decimal: half-up away from zero, to any number of places, shifted', () => {
    const cases: [string, number, number, string][] = [
      ['1.005', 2, 0, '1.01'],
      ['-1.005', 2, 0, '-1.01'],
      ['-0.004', 2, 0, '0.00'],
      ['7099999.89', 2, 2, '71000.00'],
      ['50', 2, 2, '0.50'],
      ['0.5', 0, 0, '1'],
      ['12', 3, 0, '12.000'],
    ];
    for (const [value, places, shift, expected] of cases) expect(ScaledDecimal.of(value).toFixed(places, shift)).toBe(expected);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 }), (n, scale, places, shift) => {
        const value = new Dec(n.toString()).dividedBy(new Dec(10).pow(scale)).toFixed();
        const expected = new Dec(value).dividedBy(new Dec(10).pow(shift)).toFixed(places);
        // Dec prints a negative zero as "-0.00"; a sum rounded to nothing is plain zero.
        expect(ScaledDecimal.of(value).toFixed(places, shift)).toBe(expected.replace(/^-(0\.?0*)$/, '$1'));
      }),
    );
  });

  it('adds decimal strings of any scale and sign exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 6 })), { maxLength: 30 }),
        (parts) => {
          const values = parts.map(([n, scale]) => new Dec(n.toString()).dividedBy(new Dec(10).pow(scale)).toFixed());
          const sum = new ScaledDecimal();
          const half = new ScaledDecimal();
          values.forEach((v, i) => (i % 2 === 0 ? sum : half).add(v));
          sum.add(half);
          const expected = values.reduce((acc, v) => acc.plus(v), new Dec(0));
          expect(sum.toDec().equals(expected)).toBe(true);
          expect(sum.toDec(2).equals(expected.dividedBy(100))).toBe(true);
        },
      ),
    );
  });
});

describe('submissions', () => {
  it('week-over-week change per category; a missing side counts as zero', () => {
    const rows = diffForecastFigures({ commit: cny('100.00'), best_case: cny('200.00') }, { commit: cny('150.00'), pipeline: cny('50.00') });
    expect(rows.map((r) => [r.category, r.previous.toFixedString(), r.current.toFixedString(), r.change.toFixedString(), r.changePercent])).toEqual([
      ['pipeline', '0.00', '50.00', '50.00', null],
      ['best_case', '200.00', '0.00', '-200.00', '-100.00'],
      ['commit', '100.00', '150.00', '50.00', '50.00'], // 50 ÷ 100 = 50.00 %
    ]);
    // From a negative base the percentage follows the direction of the change: −100 → −50 is +50 %.
    expect(diffForecastFigures({ commit: cny('-100.00') }, { commit: cny('-50.00') })[0]!.changePercent).toBe('50.00');
    expect(diffForecastFigures(null, { commit: cny('1.00') })[0]).toMatchObject({ changePercent: null });
    expect(diffForecastFigures(null, {})).toEqual([]);
  });

  it('refuses to compare figures in different currencies', () => {
    expect(codeOf(() => diffForecastFigures({ commit: cny('1.00') }, { commit: Money.of('1.00', 'USD') }))).toBe('crm.forecast_mixed_currency');
    expect(codeOf(() => applySubmission({ commit: cny('1.00') }, { best_case: Money.of('1', 'JPY') }))).toBe('crm.forecast_mixed_currency');
  });

  it('a submission overrides computed figures per category and shows the adjustment', () => {
    const rows = applySubmission({ commit: cny('100.00'), best_case: cny('200.00') }, { commit: cny('120.00') });
    expect(rows.map((r) => [r.category, r.effective.toFixedString(), r.adjustment.toFixedString(), r.submitted?.toFixedString() ?? null])).toEqual([
      ['best_case', '200.00', '0.00', null],
      ['commit', '120.00', '20.00', '120.00'],
    ]);
    expect(applySubmission({ commit: cny('5.00') }, null)[0]).toMatchObject({ submitted: null });
  });

  it('rollup units convert to figures for submission', () => {
    const { units } = rollupForecast([{ amount: cny('10.00'), probability: 50, category: 'commit', ownerUnitPath: ['T'] }], { currency: 'CNY' });
    const figures = toForecastFigures(units.get('T')!, 'weighted');
    expect(figures.commit?.toFixedString()).toBe('5.00');
    expect(Object.keys(figures)).toEqual([...FORECAST_CATEGORIES]);
  });

  it('picks the latest submission at least a week old', () => {
    const subs = [
      { id: 'a', submittedAt: '2026-03-01T09:00:00Z' },
      { id: 'b', submittedAt: new Date('2026-03-08T00:00:00Z') }, // exactly 7 days before: counts
      { id: 'c', submittedAt: '2026-03-14T09:00:00Z' },
      { id: 'bad', submittedAt: 'not a date' },
    ];
    expect(pickComparisonSubmission(subs, new Date('2026-03-15T00:00:00Z'))?.id).toBe('b');
    expect(pickComparisonSubmission(subs, new Date('2026-03-15T00:00:00Z'), 1)?.id).toBe('b'); // c is only 15 h old
    expect(pickComparisonSubmission(subs, new Date('2026-03-15T00:00:00Z'), 0)?.id).toBe('c');
    expect(pickComparisonSubmission(subs, new Date('2026-03-05T00:00:00Z'))).toBeUndefined();
  });
});
