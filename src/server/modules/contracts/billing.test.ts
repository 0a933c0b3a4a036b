import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Currency, Dec, Money } from '../../../shared/money.ts';
import {
  BelowBilledError,
  BillingPlanError,
  addMonths,
  buildBillingSchedule,
  getTermEndDate,
  getTermMonths,
  listBillingPlanIssues,
  listSubscriptionPeriods,
  rebuildBillingSchedule,
  sumSchedule,
} from './billing.ts';
import type { BillingPlanInput } from './contract.ts';

const cny = (s: string) => Money.of(s, 'CNY');
const amounts = (b: readonly { amount: { amount: string } }[]) => b.map((i) => i.amount.amount);

describe('dates', () => {
  it('adds months from the start, clamping to the month’s last day', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    // Counted from the start, not chained: 01-31 + 2 months is 03-31, not 02-28 + 1 month = 03-28.
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
  });

  it('ends a term the day before start + term', () => {
    expect(getTermEndDate('2026-01-01', 12)).toBe('2026-12-31');
    expect(getTermEndDate('2026-03-15', 1)).toBe('2026-04-14');
    expect(getTermMonths('2026-01-01', '2026-12-31')).toBe(12);
    expect(getTermMonths('2026-03-15', '2026-04-14')).toBe(1);
    expect(getTermMonths('2026-01-01', '2026-12-30')).toBeNull();
  });

  it('the term round-trips through its end date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 120 }), (d, t) => {
        const start = d.toISOString().slice(0, 10);
        expect(getTermMonths(start, getTermEndDate(start, t))).toBe(t);
      }),
    );
  });
});

describe('plan checks', () => {
  it('milestone percents must each be above 0 and sum to exactly 100', () => {
    const plan = (...p: string[]): BillingPlanInput => ({ type: 'milestone', milestones: p.map((percent, i) => ({ name: `M${i}`, percent })) });
    expect(listBillingPlanIssues(plan('30', '30', '40'), null)).toEqual([]);
    expect(listBillingPlanIssues(plan('33.33', '33.33', '33.34'), null)).toEqual([]);
    expect(listBillingPlanIssues(plan('30', '30', '0'), null)).toEqual([{ path: 'milestones.2.percent', message: 'v:billing_percent_positive' }]);
    expect(listBillingPlanIssues(plan('50', '-10', '60'), null)).toEqual([{ path: 'milestones.1.percent', message: 'v:billing_percent_positive' }]);
    // 33.33 × 3 = 99.99: not 100.
    expect(listBillingPlanIssues(plan('33.33', '33.33', '33.33'), null)).toEqual([{ path: 'milestones', message: 'v:billing_percents_total' }]);
    expect(listBillingPlanIssues(plan('60', '50'), null)).toEqual([{ path: 'milestones', message: 'v:billing_percents_total' }]);
    expect(() => buildBillingSchedule({ plan: plan('30', '30', '0'), total: cny('100.00'), startDate: '2026-01-01', termMonths: null })).toThrow(BillingPlanError);
  });

  it('a subscription needs a term', () => {
    expect(listBillingPlanIssues({ type: 'subscription', periodMonths: 3 }, null)).toEqual([{ path: 'type', message: 'v:billing_term_required' }]);
    expect(listBillingPlanIssues({ type: 'subscription', periodMonths: 3 }, 12)).toEqual([]);
  });
});

describe('building a schedule', () => {
  it('one-time: one installment of the whole total, due on its date or the start date', () => {
    const b = buildBillingSchedule({ plan: { type: 'one_time' }, total: cny('4721.20'), startDate: '2026-05-01', termMonths: null });
    expect(b).toEqual([
      {
        seq: 1,
        kind: 'one_time',
        label: { zh: '一次性付款', en: 'One-time payment' },
        dueDate: '2026-05-01',
        periodStart: null,
        periodEnd: null,
        percent: '100.00',
        amount: { amount: '4721.20', currency: 'CNY' },
      },
    ]);
    const dated = buildBillingSchedule({ plan: { type: 'one_time', dueDate: '2026-06-30' }, total: cny('1.00'), startDate: '2026-05-01', termMonths: null });
    expect(dated[0]!.dueDate).toBe('2026-06-30');
  });

  it('milestones: 100,000.00 CNY as 30/30/40', () => {
    const b = buildBillingSchedule({
      plan: {
        type: 'milestone',
        milestones: [
          { name: '签约', percent: '30', dueDate: '2026-02-01' },
          { name: '上线', percent: '30' },
          { name: '终验', percent: '40' },
        ],
      },
      total: cny('100000.00'),
      startDate: '2026-01-15',
      termMonths: null,
    });
    // 100 000.00 × 30 % = 30 000.00; × 30 % = 30 000.00; × 40 % = 40 000.00
    expect(amounts(b)).toEqual(['30000.00', '30000.00', '40000.00']);
    expect(b.map((i) => i.percent)).toEqual(['30.00', '30.00', '40.00']);
    expect(b.map((i) => i.dueDate)).toEqual(['2026-02-01', null, null]);
    expect(b[1]!.label).toEqual({ zh: '上线', en: '上线' });
  });

  it('milestones: a remainder cent goes to the largest fraction', () => {
    const b = buildBillingSchedule({
      plan: { type: 'milestone', milestones: ['33.33', '33.33', '33.34'].map((percent, i) => ({ name: `M${i}`, percent })) },
      total: cny('1000.01'),
      startDate: '2026-01-01',
      termMonths: null,
    });
    // exact: 333.303333…, 333.303333…, 333.403334 → floors 333.30 + 333.30 + 333.40 = 1000.00;
    // the missing 0.01 goes to the largest fraction (0.003334 of the third).
    expect(amounts(b)).toEqual(['333.30', '333.30', '333.41']);
  });

  it('subscription: 12 months billed quarterly → 4 periods of 3 months, due at each period start', () => {
    const b = buildBillingSchedule({ plan: { type: 'subscription', periodMonths: 3 }, total: cny('12000.00'), startDate: '2026-01-01', termMonths: 12 });
    expect(b.map((i) => [i.periodStart, i.periodEnd, i.dueDate, i.amount.amount])).toEqual([
      ['2026-01-01', '2026-03-31', '2026-01-01', '3000.00'],
      ['2026-04-01', '2026-06-30', '2026-04-01', '3000.00'],
      ['2026-07-01', '2026-09-30', '2026-07-01', '3000.00'],
      ['2026-10-01', '2026-12-31', '2026-10-01', '3000.00'],
    ]);
    expect(b[3]!.label).toEqual({ zh: '第 4 期', en: 'Period 4' });
  });

  it('subscription: a 10-month term billed quarterly → periods of 3, 3, 3 and 1 months, billed by months', () => {
    const periods = listSubscriptionPeriods('2026-03-15', 10, 3);
    expect(periods.map((p) => p.months)).toEqual([3, 3, 3, 1]);
    expect(periods.at(-1)).toEqual({ start: '2026-12-15', end: '2027-01-14', months: 1 });
    const b = buildBillingSchedule({ plan: { type: 'subscription', periodMonths: 3 }, total: cny('10000.01'), startDate: '2026-03-15', termMonths: 10 });
    // 10 000.01 × 3/10 = 3 000.003 (×3), × 1/10 = 1 000.001 → floors 3 000.00 × 3 + 1 000.00 = 10 000.00;
    // 0.01 left: the first three tie on the largest fraction (0.003), ties go to the earlier → the first.
    expect(amounts(b)).toEqual(['3000.01', '3000.00', '3000.00', '1000.00']);
    expect(b.map((i) => i.percent)).toEqual(['30.00', '30.00', '30.00', '10.00']);
  });

  it('0.01 split in three: one installment carries the cent, the others are zero', () => {
    const b = buildBillingSchedule({
      plan: { type: 'milestone', milestones: ['30', '30', '40'].map((percent, i) => ({ name: `M${i}`, percent })) },
      total: cny('0.01'),
      startDate: '2026-01-01',
      termMonths: null,
    });
    // exact 0.003, 0.003, 0.004 → floors 0 + 0 + 0; the cent goes to the largest fraction (0.004).
    expect(amounts(b)).toEqual(['0.00', '0.00', '0.01']);
  });

  it('JPY splits to whole yen', () => {
    const b = buildBillingSchedule({ plan: { type: 'subscription', periodMonths: 12 }, total: Money.of('100000', 'JPY'), startDate: '2026-01-01', termMonths: 36 });
    // 100 000 / 3 = 33 333.33… → 33 334, 33 333, 33 333
    expect(amounts(b)).toEqual(['33334', '33333', '33333']);
  });
});

const currencyArb = fc.constantFrom<Currency>('CNY', 'USD', 'JPY');
const totalArb = (c: Currency) =>
  fc.bigInt({ min: 0n, max: 10n ** 13n }).map((minor) => Money.of(new Dec(minor.toString()).dividedBy(new Dec(10).pow(c === 'JPY' ? 0 : 2)), c));

/** Percents with 2 places summing to exactly 100: random cut points of 10 000 hundredths. */
const percentsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 9_999 }), { minLength: 0, maxLength: 12 })
  .map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), 10_000];
    return points.slice(1).map((p, i) => new Dec(p - points[i]!).dividedBy(100).toFixed());
  });

const planArb: fc.Arbitrary<BillingPlanInput> = fc.oneof(
  fc.constant<BillingPlanInput>({ type: 'one_time' }),
  percentsArb.map<BillingPlanInput>((ps) => ({ type: 'milestone', milestones: ps.map((percent, i) => ({ name: `M${i}`, percent })) })),
  fc.constantFrom(1, 3, 6, 12).map<BillingPlanInput>((periodMonths) => ({ type: 'subscription', periodMonths: periodMonths as 1 | 3 | 6 | 12 })),
);

describe('properties', () => {
  it('installments sum exactly to the total, each in minor units, each ≥ 0, numbered 1…n', () => {
    fc.assert(
      fc.property(
        currencyArb.chain((c) => fc.tuple(totalArb(c), planArb, fc.integer({ min: 1, max: 120 }))),
        ([total, plan, term]) => {
          const b = buildBillingSchedule({ plan, total, startDate: '2026-01-31', termMonths: term });
          expect(sumSchedule(b, total.currency).equals(total)).toBe(true);
          for (const i of b) {
            const m = Money.of(i.amount.amount, total.currency);
            expect(m.isRounded()).toBe(true);
            expect(m.isNegative()).toBe(false);
          }
          expect(b.map((i) => i.seq)).toEqual(b.map((_, k) => k + 1));
          if (plan.type === 'subscription') {
            expect(b).toHaveLength(Math.ceil(term / plan.periodMonths));
            expect(b.at(-1)!.periodEnd).toBe(getTermEndDate('2026-01-31', term));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('no installment is off its exact share by a minor unit or more', () => {
    fc.assert(
      fc.property(totalArb('CNY'), percentsArb, (total, ps) => {
        const b = buildBillingSchedule({ plan: { type: 'milestone', milestones: ps.map((percent, i) => ({ name: `M${i}`, percent })) }, total, startDate: '2026-01-01', termMonths: null });
        b.forEach((inst, i) => {
          const exact = total.amount.times(ps[i]!).dividedBy(100);
          expect(new Dec(inst.amount.amount).minus(exact).abs().lt('0.01')).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('an amendment keeps what fell due and still sums exactly to the new total', () => {
    fc.assert(
      fc.property(
        totalArb('CNY'),
        totalArb('CNY'),
        fc.constantFrom(1, 3, 6, 12),
        fc.integer({ min: 0, max: 13 }),
        fc.option(planArb, { nil: undefined }),
        (total, newTotal, period, monthsIn, plan) => {
          const current = buildBillingSchedule({ plan: { type: 'subscription', periodMonths: period as 1 | 3 | 6 | 12 }, total, startDate: '2026-01-01', termMonths: 12 });
          const effectiveDate = addMonths('2026-01-01', monthsIn);
          try {
            const after = rebuildBillingSchedule({ current, plan, total: newTotal, effectiveDate, startDate: '2026-01-01', termMonths: 12, amendmentNumber: 1 });
            expect(sumSchedule(after, 'CNY').equals(newTotal)).toBe(true);
            const kept = current.filter((i) => i.dueDate! < effectiveDate);
            expect(after.slice(0, kept.length).map((i) => [i.dueDate, i.amount, i.label])).toEqual(kept.map((i) => [i.dueDate, i.amount, i.label]));
          } catch (e) {
            expect(e).toBeInstanceOf(BelowBilledError);
            const billed = Money.sum(current.filter((i) => i.dueDate! < effectiveDate).map((i) => cny(i.amount.amount)));
            expect(billed.compare(newTotal)).toBe(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('rebuilding after an amendment', () => {
  const quarterly = () => buildBillingSchedule({ plan: { type: 'subscription', periodMonths: 3 }, total: cny('12000.00'), startDate: '2026-01-01', termMonths: 12 });

  it('keeps the periods already due and re-splits the rest of a higher total over the open ones', () => {
    // Effective 2026-05-01: Q1 (01-01) and Q2 (04-01) fell due → kept at 3 000.00 each.
    // New total 15 000.00 − 6 000.00 billed = 9 000.00 over Q3 and Q4 by their current amounts (1:1).
    const b = rebuildBillingSchedule({ current: quarterly(), plan: undefined, total: cny('15000.00'), effectiveDate: '2026-05-01', startDate: '2026-01-01', termMonths: 12, amendmentNumber: 1 });
    expect(amounts(b)).toEqual(['3000.00', '3000.00', '4500.00', '4500.00']);
    expect(b.map((i) => i.percent)).toEqual(['20.00', '20.00', '30.00', '30.00']);
  });

  it('an installment due on the effective date is not kept: it is re-split', () => {
    const b = rebuildBillingSchedule({ current: quarterly(), plan: undefined, total: cny('9000.00'), effectiveDate: '2026-04-01', startDate: '2026-01-01', termMonths: 12, amendmentNumber: 1 });
    // Q1 kept at 3 000.00; 6 000.00 over Q2, Q3, Q4 → 2 000.00 each.
    expect(amounts(b)).toEqual(['3000.00', '2000.00', '2000.00', '2000.00']);
  });

  it('refuses a total below what already fell due', () => {
    expect(() =>
      rebuildBillingSchedule({ current: quarterly(), plan: undefined, total: cny('5999.99'), effectiveDate: '2026-05-01', startDate: '2026-01-01', termMonths: 12, amendmentNumber: 1 }),
    ).toThrow(BelowBilledError);
  });

  it('adds an adjustment installment when everything already fell due', () => {
    const b = rebuildBillingSchedule({ current: quarterly(), plan: undefined, total: cny('12500.00'), effectiveDate: '2027-01-15', startDate: '2026-01-01', termMonths: 12, amendmentNumber: 2 });
    expect(b).toHaveLength(5);
    expect(b[4]).toMatchObject({ seq: 5, kind: 'adjustment', dueDate: '2027-01-15', amount: { amount: '500.00' }, label: { zh: '变更 #2 调整', en: 'Amendment #2 adjustment' } });
  });

  it('a new milestone plan splits only the rest; undated milestones are never "already due"', () => {
    const milestones = buildBillingSchedule({
      plan: { type: 'milestone', milestones: [{ name: 'A', percent: '50', dueDate: '2026-02-01' }, { name: 'B', percent: '50' }] },
      total: cny('1000.00'),
      startDate: '2026-01-01',
      termMonths: null,
    });
    const b = rebuildBillingSchedule({
      current: milestones,
      plan: { type: 'milestone', milestones: [{ name: 'C', percent: '25' }, { name: 'D', percent: '75' }] },
      total: cny('1400.00'),
      effectiveDate: '2026-03-01',
      startDate: '2026-01-01',
      termMonths: null,
      amendmentNumber: 1,
    });
    // A (500.00, due 02-01) kept; 1 400.00 − 500.00 = 900.00 → C 225.00, D 675.00.
    expect(b.map((i) => [i.label.zh, i.amount.amount])).toEqual([
      ['A', '500.00'],
      ['C', '225.00'],
      ['D', '675.00'],
    ]);
  });

  it('a new subscription plan bills the periods from the effective date on', () => {
    const oneTime = buildBillingSchedule({ plan: { type: 'one_time' }, total: cny('1200.00'), startDate: '2026-01-01', termMonths: 12 });
    const b = rebuildBillingSchedule({ current: oneTime, plan: { type: 'subscription', periodMonths: 6 }, total: cny('2400.00'), effectiveDate: '2026-03-01', startDate: '2026-01-01', termMonths: 12, amendmentNumber: 1 });
    // One-time 1 200.00 (due 01-01) kept; H1 began before 03-01 → dropped; H2 (07-01) carries 1 200.00.
    expect(b.map((i) => [i.kind, i.dueDate, i.amount.amount])).toEqual([
      ['one_time', '2026-01-01', '1200.00'],
      ['period', '2026-07-01', '1200.00'],
    ]);
  });
});
