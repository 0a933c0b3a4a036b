import { describe, expect, it } from 'vitest';
import { BillingPlanInput } from '../../../../server/modules/contracts/contract.ts';
import { sumPercents, toBillingPlan } from './billing-plan.ts';

describe('toBillingPlan', () => {
  it('one-time: the due date is optional and left out when blank', () => {
    expect(toBillingPlan({ type: 'one_time' })).toEqual({ ok: true, plan: { type: 'one_time' } });
    expect(toBillingPlan({ type: 'one_time', dueDate: '2026-12-31' })).toEqual({ ok: true, plan: { type: 'one_time', dueDate: '2026-12-31' } });
  });

  it('milestones must sum to exactly 100, compared as decimals', () => {
    // 33.33 + 33.33 + 33.34 = 100.00 exactly; in floats 33.33 + 33.33 + 33.34 is 100.00000000000001.
    const ok = toBillingPlan({
      type: 'milestone',
      milestones: [
        { name: ' 签约 ', percent: '33.33', dueDate: '2026-12-01' },
        { name: '上线', percent: '33.33' },
        { name: '验收', percent: '33.34' },
      ],
    });
    expect(ok).toEqual({
      ok: true,
      plan: {
        type: 'milestone',
        milestones: [
          { name: '签约', percent: '33.33', dueDate: '2026-12-01' },
          { name: '上线', percent: '33.33' },
          { name: '验收', percent: '33.34' },
        ],
      },
    });
    if (ok.ok) expect(BillingPlanInput.safeParse(ok.plan).success).toBe(true);

    // 33.3 × 3 = 99.9: refused, with the sum shown.
    expect(toBillingPlan({ type: 'milestone', milestones: [{ name: 'a', percent: '33.3' }, { name: 'b', percent: '33.3' }, { name: 'c', percent: '33.3' }] })).toEqual({
      ok: false,
      issues: [{ path: ['milestones'], key: 'percentSum', sum: '99.9' }],
    });
  });

  it('points at each bad milestone field before checking the sum', () => {
    const result = toBillingPlan({ type: 'milestone', milestones: [{ name: '', percent: '50' }, { name: 'b', percent: '5O' }, { name: 'c', percent: '0' }] });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: ['milestones', 0, 'name'], key: 'nameRequired' },
        { path: ['milestones', 1, 'percent'], key: 'percentFormat' },
        { path: ['milestones', 2, 'percent'], key: 'percentPositive' },
      ],
    });
    expect(toBillingPlan({ type: 'milestone', milestones: [] })).toEqual({ ok: false, issues: [{ path: ['milestones'], key: 'milestonesRequired' }] });
  });

  it('subscription: only the periods the contract allows', () => {
    expect(toBillingPlan({ type: 'subscription', periodMonths: 3 })).toEqual({ ok: true, plan: { type: 'subscription', periodMonths: 3 } });
    expect(toBillingPlan({ type: 'subscription', periodMonths: 2 })).toEqual({ ok: false, issues: [{ path: ['periodMonths'], key: 'periodRequired' }] });
    expect(toBillingPlan({ type: 'subscription' })).toEqual({ ok: false, issues: [{ path: ['periodMonths'], key: 'periodRequired' }] });
  });
});

describe('sumPercents', () => {
  it('adds the well-formed entries only', () => {
    expect(sumPercents([{ percent: '40' }, { percent: '12.5' }, { percent: 'x' }, {}])).toBe('52.5');
    expect(sumPercents([])).toBe('0');
  });
});
