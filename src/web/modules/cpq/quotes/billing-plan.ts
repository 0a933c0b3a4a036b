import type { BillingPlanInput } from '../../../../server/modules/contracts/contract.ts';
import { DECIMAL_PATTERN, Dec } from '../../../../shared/money.ts';

/**
 * The accept dialog's billing plan: form values → the API's BillingPlanInput, with the checks the
 * user should see before sending (the server checks again). Percentages are summed as decimals, so
 * 33.33 + 33.33 + 33.34 is exactly 100 and 33.3 × 3 is not.
 */
export type BillingType = BillingPlanInput['type'];
export const BILLING_TYPES: readonly BillingType[] = ['one_time', 'milestone', 'subscription'];
export const SUBSCRIPTION_PERIODS = [1, 3, 6, 12] as const;
type Period = (typeof SUBSCRIPTION_PERIODS)[number];

export interface MilestoneValues {
  name?: string | undefined;
  percent?: string | undefined;
  /** YYYY-MM-DD */
  dueDate?: string | undefined;
}

export interface BillingPlanValues {
  type: BillingType;
  /** One-time: YYYY-MM-DD, optional. */
  dueDate?: string | undefined;
  milestones?: MilestoneValues[] | undefined;
  periodMonths?: number | undefined;
}

/** A message key of the cpq-quotes catalogue (`billing.errors.*`) at a form path. */
export interface BillingPlanIssue {
  path: (string | number)[];
  key: 'nameRequired' | 'percentFormat' | 'percentPositive' | 'percentSum' | 'milestonesRequired' | 'periodRequired';
  /** For percentSum: the current sum, as typed. */
  sum?: string;
}

export type BillingPlanResult = { ok: true; plan: BillingPlanInput } | { ok: false; issues: BillingPlanIssue[] };

/** Σ of the well-formed percentages typed so far (for the live "= 90 %" hint). */
export function sumPercents(milestones: readonly MilestoneValues[]): string {
  return milestones
    .map((m) => (m.percent ?? '').trim())
    .filter((p) => DECIMAL_PATTERN.test(p))
    .reduce((sum, p) => sum.plus(p), new Dec(0))
    .toFixed();
}

export function toBillingPlan(values: BillingPlanValues): BillingPlanResult {
  if (values.type === 'one_time') {
    return { ok: true, plan: { type: 'one_time', ...(values.dueDate ? { dueDate: values.dueDate } : {}) } };
  }
  if (values.type === 'subscription') {
    const period = SUBSCRIPTION_PERIODS.find((p) => p === values.periodMonths);
    if (period === undefined) return { ok: false, issues: [{ path: ['periodMonths'], key: 'periodRequired' }] };
    return { ok: true, plan: { type: 'subscription', periodMonths: period as Period } };
  }
  const milestones = values.milestones ?? [];
  const issues: BillingPlanIssue[] = [];
  if (milestones.length === 0) issues.push({ path: ['milestones'], key: 'milestonesRequired' });
  milestones.forEach((m, i) => {
    if (!m.name?.trim()) issues.push({ path: ['milestones', i, 'name'], key: 'nameRequired' });
    const percent = (m.percent ?? '').trim();
    if (!DECIMAL_PATTERN.test(percent)) issues.push({ path: ['milestones', i, 'percent'], key: 'percentFormat' });
    else if (!new Dec(percent).greaterThan(0)) issues.push({ path: ['milestones', i, 'percent'], key: 'percentPositive' });
  });
  if (issues.length === 0) {
    const sum = sumPercents(milestones);
    if (!new Dec(sum).equals(100)) issues.push({ path: ['milestones'], key: 'percentSum', sum });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    plan: {
      type: 'milestone',
      milestones: milestones.map((m) => ({ name: m.name!.trim(), percent: m.percent!.trim(), ...(m.dueDate ? { dueDate: m.dueDate } : {}) })),
    },
  };
}
