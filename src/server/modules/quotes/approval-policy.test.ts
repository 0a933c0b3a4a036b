import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import {
  APPROVAL_LEVELS,
  ApprovalError,
  ApprovalPolicy,
  approve,
  captureApprovalView,
  carryOverApprovals,
  checkReapproval,
  formatMetric,
  levelRank,
  quoteMetrics,
  recall,
  reject,
  requiredApprovals,
  resolveApprovers,
  ruleFires,
  submitApproval,
  type ApprovalLevel,
  type ApprovalRule,
  type ApprovalState,
  type ApprovalStep,
  type Delegation,
  type ManagementChain,
  type QuoteLineSummary,
  type QuoteSummary,
  type RoleHolders,
} from './approval-policy.ts';

// ── Fixtures ───────────────────────────────────────────────────────────────────────────────────

function line(lineId: string, listAmount: string | null, netAmount: string, costAmount: string | null = null, belowFloor = false): QuoteLineSummary {
  return { lineId, listAmount, netAmount, costAmount, belowFloor };
}

function quote(...lines: QuoteLineSummary[]): QuoteSummary {
  return { currency: 'CNY', lines };
}

const rule = (id: string, metric: ApprovalRule['metric'], op: ApprovalRule['op'], threshold: string, level: ApprovalLevel, currency?: 'CNY' | 'USD' | 'EUR'): ApprovalRule => ({
  id,
  metric,
  op,
  threshold,
  level,
  ...(currency ? { currency } : {}),
});

const POLICY: ApprovalPolicy = ApprovalPolicy.parse({
  rules: [
    rule('disc-15', 'quote_discount', 'gt', '15', 'manager'),
    rule('disc-25', 'quote_discount', 'gt', '25', 'director'),
    rule('line-40', 'max_line_discount', 'gt', '40', 'bg_head'),
    rule('floor', 'below_floor_lines', 'gt', '0', 'deal_desk'),
    rule('margin-20', 'margin_pct', 'lt', '20', 'finance'),
    rule('big-deal', 'total_amount', 'gt', '1000000', 'director', 'CNY'),
  ],
});

const levels = (steps: readonly { level: ApprovalLevel }[]) => steps.map((s) => s.level);

function conditionOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof ApprovalError) return e.condition;
    throw e;
  }
}

const CHAIN: ManagementChain = { manager: 'mgr', director: 'dir', bgHead: 'bgh' };
const ROLES: RoleHolders = { deal_desk: ['dd1', 'dd2'], finance: ['fin'] };
const TODAY = '2026-11-25';
const AT = '2026-11-25T08:00:00.000Z';

function resolve(summary: QuoteSummary, opts: { chain?: ManagementChain; delegations?: Delegation[]; today?: string; policy?: ApprovalPolicy } = {}) {
  const steps = requiredApprovals(opts.policy ?? POLICY, quoteMetrics(summary));
  return resolveApprovers({
    steps,
    chain: opts.chain ?? CHAIN,
    roleHolders: ROLES,
    delegations: opts.delegations ?? [],
    today: opts.today ?? TODAY,
    submitterId: 'rep',
  });
}

// ── Policy validation ──────────────────────────────────────────────────────────────────────────

describe('ApprovalPolicy schema', () => {
  const issues = (rules: unknown[]) => {
    const r = ApprovalPolicy.safeParse({ rules });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`);
  };

  it('accepts the reference policy', () => {
    expect(issues(POLICY.rules)).toEqual([]);
  });

  it('refuses thresholds that are not plain decimal strings', () => {
    for (const threshold of ['1e3', '15.', '.5', ' 15', '15%', '']) {
      expect(issues([{ ...rule('a', 'quote_discount', 'gt', '0', 'manager'), threshold }])).toContain('rules.0.threshold:v:decimal_string');
    }
  });

  it('requires a currency for total_amount, with no more places than it allows, and only there', () => {
    expect(issues([rule('a', 'total_amount', 'gt', '100', 'director')])).toEqual(['rules.0.currency:v:required']);
    expect(issues([rule('a', 'total_amount', 'gt', '100.001', 'director', 'CNY')])).toEqual(['rules.0.threshold:v:currency_places']);
    expect(issues([{ ...rule('a', 'total_amount', 'gt', '100', 'director'), currency: 'XXX' }])).toEqual(['rules.0.currency:v:unknown_currency']);
    expect(issues([rule('a', 'quote_discount', 'gt', '15', 'manager', 'CNY')])).toEqual(['rules.0.currency:v:unknown_field']);
  });

  it('counts below-floor lines in whole numbers', () => {
    expect(issues([rule('a', 'below_floor_lines', 'gt', '0.5', 'deal_desk')])).toEqual(['rules.0.threshold:v:integer']);
    expect(issues([rule('a', 'below_floor_lines', 'gt', '2', 'deal_desk')])).toEqual([]);
  });

  it('refuses unknown levels, unknown metrics and duplicate rule ids', () => {
    expect(issues([{ ...rule('a', 'quote_discount', 'gt', '1', 'manager'), level: 'ceo' }])).toHaveLength(1);
    expect(issues([{ ...rule('a', 'quote_discount', 'gt', '1', 'manager'), metric: 'discount' }])).toHaveLength(1);
    expect(issues([rule('a', 'quote_discount', 'gt', '1', 'manager'), rule('a', 'margin_pct', 'lt', '1', 'finance')])).toEqual(['rules.1.id:v:code_taken']);
  });
});

// ── Metrics and thresholds ─────────────────────────────────────────────────────────────────────

describe('quoteMetrics and requiredApprovals', () => {
  it('15% is not greater than 15%, 15.00% is not greater than 15, 15.01% is', () => {
    // 1 − 850/1000 = 0.15 → 15 %, exactly on the threshold: strict "greater than" does not fire.
    expect(levels(requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '850', '0')))))).toEqual([]);
    // Same value written with trailing zeros, against a "15.00" threshold.
    const policy1500 = ApprovalPolicy.parse({ rules: [rule('d', 'quote_discount', 'gt', '15.00', 'manager')] });
    expect(requiredApprovals(policy1500, quoteMetrics(quote(line('a', '1000.00', '850.00', '0'))))).toEqual([]);
    // 1 − 849.90/1000 = 0.1501 → 15.01 % > 15 %.
    const steps = requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '849.90', '0'))));
    expect(levels(steps)).toEqual(['manager']);
    expect(steps[0]!.triggers).toEqual([
      {
        ruleId: 'disc-15',
        metric: 'quote_discount',
        op: 'gt',
        threshold: '15',
        currency: null,
        actual: '15.01',
        text: 'quote_discount 15.01% > 15%',
      },
    ]);
  });

  it('margin exactly on its floor is not below it', () => {
    // (1000 − 800)/1000 = 20 %: not < 20 %. (1000 − 800.01)/1000 = 19.999 % is.
    expect(requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '1000', '800'))))).toEqual([]);
    expect(levels(requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '1000', '800.01')))))).toEqual(['finance']);
  });

  it('explains the compared values: discount 18.5% > 15%', () => {
    // 1 − 1630/2000 = 370/2000 = 18.5 %
    const [step] = requiredApprovals(POLICY, quoteMetrics(quote(line('a', '2000', '1630', '0'))));
    expect(step!.triggers.map((t) => t.text)).toEqual(['quote_discount 18.5% > 15%']);
  });

  it('weights the quote discount by amount, not by line', () => {
    // Lines at 50 % and 0 %: 1 − (500 + 9000)/(1000 + 9000) = 1 − 9500/10000 = 5 %, not 25 %.
    const m = quoteMetrics(quote(line('a', '1000', '500', '100'), line('b', '9000', '9000', '100')));
    expect(formatMetric(m.quote_discount)).toBe('5');
    expect(formatMetric(m.max_line_discount)).toBe('50');
    // (9500 − 200)/9500 = 97.894736… %
    expect(formatMetric(m.margin_pct)).toBe('97.894737');
    expect(formatMetric(m.total_amount)).toBe('9500');
    // The 50 % line alone crosses the 40 % line rule → BG head, with manager and director first.
    const steps = requiredApprovals(POLICY, m);
    expect(levels(steps)).toEqual(['manager', 'director', 'bg_head']);
    expect(steps.map((s) => s.implied)).toEqual([true, true, false]);
  });

  it('lines without a list price count in the total but not in the discount', () => {
    // Discount over listed lines only: 1 − 800/1000 = 20 %; total 800 + 300 = 1100.
    const m = quoteMetrics(quote(line('a', '1000', '800', '0'), line('svc', null, '300', '0')));
    expect(formatMetric(m.quote_discount)).toBe('20');
    expect(formatMetric(m.total_amount)).toBe('1100');
  });

  it('keeps exactness on non-terminating ratios', () => {
    // 1 − 2/3 = 33.333… %: above 33.333333, below 33.33333333333333333333333334.
    const m = quoteMetrics(quote(line('a', '3', '2', '0')));
    expect(ruleFires(rule('x', 'quote_discount', 'gt', '33.333333', 'manager'), m)).toBe(true);
    expect(ruleFires(rule('x', 'quote_discount', 'gt', '33.33333333333333333333333334', 'manager'), m)).toBe(false);
    expect(ruleFires(rule('x', 'quote_discount', 'lt', '33.33333333333333333333333334', 'manager'), m)).toBe(true);
  });

  it('orders steps: chain lowest first, then deal desk, then finance', () => {
    // 30 % discount → director; a below-floor line → deal desk; margin (700 − 600)/700 = 14.28 % < 20 % → finance.
    const steps = requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '700', '600', true))));
    expect(levels(steps)).toEqual(['manager', 'director', 'deal_desk', 'finance']);
    expect(steps[0]!.triggers.map((t) => t.ruleId)).toEqual(['disc-15']);
    expect(steps[1]!.triggers.map((t) => t.ruleId)).toEqual(['disc-25']);
    expect(steps[3]!.triggers[0]!.text).toBe('margin_pct 14.285714% < 20%');
  });

  it('a role level alone does not pull in the chain', () => {
    expect(levels(requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '1000', '0', true)))))).toEqual(['deal_desk']);
  });

  it('an unknown margin crosses the margin rule', () => {
    const steps = requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000', '1000', null))));
    expect(levels(steps)).toEqual(['finance']);
    expect(steps[0]!.triggers[0]!.actual).toBe('unknown');
  });

  it('the total is compared in the rule currency; another currency through both rates, exactly; without a rate it is refused', () => {
    // 1 000 000.01 > 1 000 000 → director (and manager before).
    expect(levels(requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000000.01', '1000000.01', '0')))))).toEqual(['manager', 'director']);
    expect(levels(requiredApprovals(POLICY, quoteMetrics(quote(line('a', '1000000.00', '1000000.00', '0')))))).toEqual([]);
    const usd = (net: string, rates?: QuoteSummary['rates']): QuoteSummary => ({ currency: 'USD', lines: [line('a', net, net, '0')], ...(rates ? { rates } : {}) });
    expect(conditionOf(() => requiredApprovals(POLICY, quoteMetrics(usd('10'))))).toBe('no_exchange_rate');
    expect(conditionOf(() => requiredApprovals(POLICY, quoteMetrics(usd('10', { USD: '7.1' }))))).toBe('no_exchange_rate'); // no CNY rate given
    // 125 000 USD × 8 = 1 000 000 CNY exactly: not above (strict); one cent more is.
    expect(levels(requiredApprovals(POLICY, quoteMetrics(usd('125000.00', { USD: '8', CNY: '1' }))))).toEqual([]);
    expect(levels(requiredApprovals(POLICY, quoteMetrics(usd('125000.01', { USD: '8', CNY: '1' }))))).toEqual(['manager', 'director']);
    // 140 845.07 × 7.1 = 999 999.997 (not above), .08 → 1 000 000.068 (above): no rounding before comparing.
    expect(levels(requiredApprovals(POLICY, quoteMetrics(usd('140845.07', { USD: '7.1', CNY: '1' }))))).toEqual([]);
    const steps = requiredApprovals(POLICY, quoteMetrics(usd('140845.08', { USD: '7.1', CNY: '1' })));
    const trigger = steps.find((st) => st.level === 'director')!.triggers[0]!;
    expect(trigger).toMatchObject({ ruleId: 'big-deal', currency: 'CNY', actual: '1000000.07' });
    expect(trigger.text).toContain('140845.08 USD');
    expect(trigger.text).toContain('USD 7.1');
    // Two foreign currencies: a EUR rule against a USD quote goes through the company currency.
    const eurRule: ApprovalPolicy = { rules: [rule('eur', 'total_amount', 'gt', '1000', 'finance', 'EUR')] };
    expect(levels(requiredApprovals(eurRule, quoteMetrics(usd('1100', { USD: '7', EUR: '7.7' }))))).toEqual([]); // 7 700 = 1 000 EUR
    expect(levels(requiredApprovals(eurRule, quoteMetrics(usd('1100.01', { USD: '7', EUR: '7.7' }))))).toEqual(['finance']);
  });

  it('refuses float-looking amounts in lines', () => {
    expect(() => quoteMetrics(quote(line('a', '1e3', '10')))).toThrow(RangeError);
  });
});

// ── Approvers ──────────────────────────────────────────────────────────────────────────────────

const DIRECTOR_QUOTE = quote(line('a', '1000', '700', '100')); // 30 % → manager, director

describe('resolveApprovers', () => {
  it('maps chain levels to the seller’s chain and roles to their holders', () => {
    const { steps, skipped } = resolve(quote(line('a', '1000', '700', '600', true)));
    expect(steps.map((s) => [s.level, s.eligible])).toEqual([
      ['manager', ['mgr']],
      ['director', ['dir']],
      ['deal_desk', ['dd1', 'dd2']],
      ['finance', ['fin']],
    ]);
    expect(skipped).toEqual([]);
  });

  it('skips a missing lower level: the higher approver signs anyway', () => {
    const { steps, skipped } = resolve(DIRECTOR_QUOTE, { chain: { director: 'dir', bgHead: 'bgh' } });
    expect(steps.map((s) => [s.level, s.actingLevel, s.eligible, s.covers])).toEqual([['director', 'director', ['dir'], ['manager', 'director']]]);
    expect(skipped).toEqual([{ level: 'manager', reason: 'missing_in_chain', coveredBy: 'director' }]);
    // The manager rule's trigger is not lost: the director step shows it too.
    expect(steps[0]!.triggers.map((t) => t.ruleId)).toEqual(['disc-15', 'disc-25']);
  });

  it('escalates a missing top level to the next level that has someone', () => {
    const { steps, skipped } = resolve(DIRECTOR_QUOTE, { chain: { manager: 'mgr', bgHead: 'bgh' } });
    expect(steps.map((s) => [s.level, s.actingLevel, s.eligible])).toEqual([
      ['manager', 'manager', ['mgr']],
      ['director', 'bg_head', ['bgh']],
    ]);
    expect(skipped).toEqual([]);
  });

  it('with nobody above, the step has no approver and submit is refused', () => {
    const { steps } = resolve(DIRECTOR_QUOTE, { chain: { manager: 'mgr' } });
    expect(steps.map((s) => s.eligible)).toEqual([['mgr'], []]);
    expect(conditionOf(() => submitApproval({ versionId: 'v1', submittedBy: 'rep', at: AT, steps }))).toBe('no_approver');
  });

  it('folds consecutive levels held by the same person into one step', () => {
    const { steps, skipped } = resolve(DIRECTOR_QUOTE, { chain: { manager: 'dir', director: 'dir', bgHead: 'bgh' } });
    expect(steps.map((s) => [s.level, s.eligible, s.covers])).toEqual([['director', ['dir'], ['manager', 'director']]]);
    expect(skipped).toEqual([{ level: 'manager', reason: 'same_approver', coveredBy: 'director' }]);
  });

  it('adds a delegate while the approver is away, both window dates included', () => {
    const away: Delegation = { from: 'dir', to: 'deputy', fromDate: '2026-11-20', toDate: '2026-11-25' };
    const eligibleOn = (today: string) => resolve(DIRECTOR_QUOTE, { delegations: [away], today }).steps[1]!.eligible;
    expect(eligibleOn('2026-11-19')).toEqual(['dir']);
    expect(eligibleOn('2026-11-20')).toEqual(['dir', 'deputy']);
    expect(eligibleOn('2026-11-25')).toEqual(['dir', 'deputy']);
    expect(eligibleOn('2026-11-26')).toEqual(['dir']);
    // Only the away approver's step gets the delegate.
    expect(resolve(DIRECTOR_QUOTE, { delegations: [away] }).steps[0]!.eligible).toEqual(['mgr']);
  });

  it('never makes the submitter an approver, even as a delegate', () => {
    const away: Delegation = { from: 'mgr', to: 'rep', fromDate: TODAY, toDate: TODAY };
    expect(resolve(DIRECTOR_QUOTE, { delegations: [away] }).steps[0]!.eligible).toEqual(['mgr']);
  });
});

// ── State machine ──────────────────────────────────────────────────────────────────────────────

function submitted(summary = DIRECTOR_QUOTE, opts: Parameters<typeof resolve>[1] = {}): ApprovalState {
  return submitApproval({ versionId: 'v1', submittedBy: 'rep', at: AT, steps: resolve(summary, opts).steps });
}

describe('approval state machine', () => {
  it('walks the steps in order and records who, when and against which version', () => {
    let s = submitted();
    expect(s.status).toBe('pending');
    expect(s.steps.map((x) => x.status)).toEqual(['pending', 'waiting']);
    // The director may not act before the manager.
    expect(conditionOf(() => approve(s, { userId: 'dir', at: AT, versionId: 'v1' }))).toBe('not_an_approver');
    s = approve(s, { userId: 'mgr', at: '2026-11-25T09:00:00.000Z', versionId: 'v1', comment: '  ok  ' });
    expect(s.current).toBe(1);
    s = approve(s, { userId: 'dir', at: '2026-11-25T10:00:00.000Z', versionId: 'v1', level: 'director' });
    expect(s.status).toBe('approved');
    expect(s.current).toBeNull();
    expect(s.decisions).toEqual([
      { userId: 'rep', at: AT, versionId: 'v1', decision: 'submitted', level: null, comment: null },
      { userId: 'mgr', at: '2026-11-25T09:00:00.000Z', versionId: 'v1', decision: 'approved', level: 'manager', comment: 'ok' },
      { userId: 'dir', at: '2026-11-25T10:00:00.000Z', versionId: 'v1', decision: 'approved', level: 'director', comment: null },
    ]);
    expect(conditionOf(() => approve(s, { userId: 'dir', at: AT, versionId: 'v1' }))).toBe('not_pending');
  });

  it('refuses outsiders, stale versions and a stale step', () => {
    const s = submitted();
    expect(conditionOf(() => approve(s, { userId: 'someone', at: AT, versionId: 'v1' }))).toBe('not_an_approver');
    expect(conditionOf(() => approve(s, { userId: 'rep', at: AT, versionId: 'v1' }))).toBe('not_an_approver');
    expect(conditionOf(() => approve(s, { userId: 'mgr', at: AT, versionId: 'v0' }))).toBe('version_mismatch');
    expect(conditionOf(() => approve(s, { userId: 'mgr', at: AT, versionId: 'v1', level: 'director' }))).toBe('step_not_current');
    expect(new ApprovalError('not_an_approver').code).toBe('quotes.not_an_approver');
  });

  it('lets a delegate approve in the approver’s place, recorded under the delegate', () => {
    const away: Delegation = { from: 'mgr', to: 'deputy', fromDate: '2026-11-01', toDate: '2026-11-30' };
    const s = approve(submitted(DIRECTOR_QUOTE, { delegations: [away] }), { userId: 'deputy', at: AT, versionId: 'v1' });
    expect(s.decisions.at(-1)).toMatchObject({ userId: 'deputy', decision: 'approved', level: 'manager' });
  });

  it('rejects only with a comment, and a rejection ends the request', () => {
    const s = submitted();
    expect(conditionOf(() => reject(s, { userId: 'mgr', at: AT, versionId: 'v1', comment: '' }))).toBe('comment_required');
    expect(conditionOf(() => reject(s, { userId: 'mgr', at: AT, versionId: 'v1', comment: '   ' }))).toBe('comment_required');
    expect(conditionOf(() => reject(s, { userId: 'mgr', at: AT, versionId: 'v1', comment: undefined }))).toBe('comment_required');
    expect(conditionOf(() => reject(s, { userId: 'dir', at: AT, versionId: 'v1', comment: 'no' }))).toBe('not_an_approver');
    const r = reject(s, { userId: 'mgr', at: AT, versionId: 'v1', comment: ' Too deep ' });
    expect(r.status).toBe('rejected');
    expect(r.steps.map((x) => x.status)).toEqual(['rejected', 'waiting']);
    expect(r.decisions.at(-1)).toEqual({ userId: 'mgr', at: AT, versionId: 'v1', decision: 'rejected', level: 'manager', comment: 'Too deep' });
    expect(conditionOf(() => approve(r, { userId: 'mgr', at: AT, versionId: 'v1' }))).toBe('not_pending');
  });

  it('lets only the submitter recall, and only while pending', () => {
    const s = approve(submitted(), { userId: 'mgr', at: AT, versionId: 'v1' });
    expect(conditionOf(() => recall(s, { userId: 'mgr', at: AT }))).toBe('not_submitter');
    const r = recall(s, { userId: 'rep', at: AT });
    expect(r.status).toBe('recalled');
    expect(r.decisions.at(-1)).toMatchObject({ userId: 'rep', decision: 'recalled', versionId: 'v1' });
    expect(conditionOf(() => recall(r, { userId: 'rep', at: AT }))).toBe('not_pending');
    expect(conditionOf(() => approve(r, { userId: 'dir', at: AT, versionId: 'v1' }))).toBe('not_pending');
  });

  it('approves at once when no step is needed', () => {
    const s = submitted(quote(line('a', '1000', '1000', '100')));
    expect(s.status).toBe('approved');
    expect(s.steps).toEqual([]);
  });
});

// ── Smart re-approval ──────────────────────────────────────────────────────────────────────────

// Quote discount 1 − (800 + 900)/2000 = 15 %: no step; lines are 20 % and 10 %.
const BASE = quote(line('a', '1000', '800', '500'), line('b', '1000', '900', '600'));

function viewOf(summary: QuoteSummary, level: ApprovalLevel = 'manager', userId = 'mgr') {
  return captureApprovalView({ userId, versionId: 'v1', step: { level, covers: [level] }, policy: POLICY, summary });
}

describe('smart re-approval', () => {
  it('stands when the discount shrinks, and shows what changed', () => {
    // b: 900 → 950; quote discount 15 % → 1 − 1750/2000 = 12.5 %; total 1700 → 1750.
    const out = checkReapproval(viewOf(BASE), quote(line('a', '1000', '800', '500'), line('b', '1000', '950', '600')));
    expect(out.stands).toBe(true);
    expect(out.reasons).toEqual([]);
    expect(out.diff.metrics).toEqual([
      { metric: 'quote_discount', before: '15', after: '12.5', worse: false },
      { metric: 'margin_pct', before: '35.294118', after: '37.142857', worse: false },
      { metric: 'total_amount', before: '1700', after: '1750', worse: false },
    ]);
    expect(out.diff.lines).toEqual([
      {
        lineId: 'b',
        kind: 'changed',
        worse: false,
        fields: [
          { field: 'discount', before: '10', after: '5', worse: false },
          { field: 'netAmount', before: '900', after: '950', worse: false },
        ],
      },
    ]);
  });

  it('falls when any line is discounted deeper', () => {
    // a: 800 → 780 (20 % → 22 %); quote discount 15 % → 16 %.
    const out = checkReapproval(viewOf(BASE), quote(line('a', '1000', '780', '500'), line('b', '1000', '900', '600')));
    expect(out.stands).toBe(false);
    expect(out.reasons).toEqual(
      expect.arrayContaining(['quote_discount 15 → 16', 'line a discount 20 → 22', 'line a netAmount 800 → 780']),
    );
  });

  it('falls when the deal shrinks at the same discount', () => {
    // Half of every line: discounts unchanged, total 1700 → 850.
    const out = checkReapproval(viewOf(BASE), quote(line('a', '500', '400', '250'), line('b', '500', '450', '300')));
    expect(out.stands).toBe(false);
    expect(out.reasons).toContain('total_amount 1700 → 850');
    expect(out.diff.metrics.map((m) => m.metric)).toEqual(['total_amount']);
  });

  it('falls when margin drops through a higher cost, or a line goes below its floor', () => {
    const costlier = checkReapproval(viewOf(BASE), quote(line('a', '1000', '800', '550'), line('b', '1000', '900', '600')));
    expect(costlier.stands).toBe(false);
    expect(costlier.reasons).toEqual(['margin_pct 35.294118 → 32.352941']);
    const belowFloor = checkReapproval(viewOf(BASE), quote(line('a', '1000', '800', '500', true), line('b', '1000', '900', '600')));
    expect(belowFloor.stands).toBe(false);
    expect(belowFloor.reasons).toEqual(['below_floor_lines 0 → 1', 'line a belowFloor false → true']);
  });

  it('judges an added line against the deepest line the approver saw', () => {
    const shallow = checkReapproval(viewOf(BASE), quote(...BASE.lines, line('c', '100', '95', '10')));
    expect(shallow.stands).toBe(true);
    expect(shallow.diff.lines.map((l) => [l.lineId, l.kind])).toEqual([['c', 'added']]);
    // 30 % is deeper than the 20 % line the approver saw.
    const deep = checkReapproval(viewOf(BASE), quote(...BASE.lines, line('c', '100', '70', '10')));
    expect(deep.stands).toBe(false);
    expect(deep.reasons).toContain('line c discount — → 30');
  });

  it('under a total_amount rule a larger deal is also worse', () => {
    const bigDeal = quote(line('a', '1500000', '1500000', '100'));
    const grown = quote(line('a', '1600000', '1600000', '100'));
    // The director answers for the big-deal rule: 1.5M → 1.6M was not approved.
    expect(checkReapproval(viewOf(bigDeal, 'director', 'dir'), grown).stands).toBe(false);
    // The deal desk has no total rule: a larger deal at the same discount stands.
    expect(checkReapproval(viewOf(bigDeal, 'deal_desk', 'dd1'), grown).stands).toBe(true);
  });

  it('a larger deal stands below the total rule, and falls once it newly crosses it', () => {
    // The director approved a 30 % discount on 700; the big-deal rule (> 1 000 000) was not crossed.
    const view = viewOf(quote(line('a', '1000', '700', '100')), 'director', 'dir');
    // 1000 → 1040 list at 30 %: total 728, still far below the rule → stands.
    expect(checkReapproval(view, quote(line('a', '1040', '728', '104'))).stands).toBe(true);
    // Same 30 %, total 1 400 000: the director never saw the big-deal threshold crossed.
    const crossed = checkReapproval(view, quote(line('a', '2000000', '1400000', '200000')));
    expect(crossed.stands).toBe(false);
    expect(crossed.reasons).toEqual(['total_amount 700 → 1400000']);
  });

  it('a copy never inherits; a new version carries only approvals that stand for approvers still eligible', () => {
    const prev = quote(line('a', '1000', '700', '100')); // 30 %
    const next = quote(line('a', '1000', '720', '100')); // 28 %: still manager + director, no worse
    const views = [viewOf(prev, 'manager', 'mgr'), viewOf(prev, 'director', 'dir')];
    const steps = resolve(next).steps;
    expect(carryOverApprovals({ isCopy: true, views, steps, summary: next }).carried).toEqual([]);

    const { carried } = carryOverApprovals({ isCopy: false, views, steps, summary: next });
    expect(carried).toEqual([
      { level: 'manager', userId: 'mgr', fromVersionId: 'v1' },
      { level: 'director', userId: 'dir', fromVersionId: 'v1' },
    ]);
    const s = submitApproval({ versionId: 'v2', submittedBy: 'rep', at: AT, steps, carried });
    expect(s.status).toBe('approved');
    expect(s.decisions.filter((d) => d.decision === 'carried')).toHaveLength(2);
    expect(s.decisions.every((d) => d.versionId === 'v2')).toBe(true);

    // A new director in the chain: the old director's approval no longer carries.
    const newChain = resolve(next, { chain: { ...CHAIN, director: 'dir2' } }).steps;
    const moved = carryOverApprovals({ isCopy: false, views, steps: newChain, summary: next });
    expect(moved.carried.map((c) => c.level)).toEqual(['manager']);
    const s2 = submitApproval({ versionId: 'v2', submittedBy: 'rep', at: AT, steps: newChain, carried: moved.carried });
    expect(s2.steps.map((x) => x.status)).toEqual(['approved', 'pending']);

    // Deeper (32 %): nothing carries.
    const deeper = quote(line('a', '1000', '680', '100'));
    expect(carryOverApprovals({ isCopy: false, views, steps: resolve(deeper).steps, summary: deeper }).carried).toEqual([]);
  });
});

// ── Properties ─────────────────────────────────────────────────────────────────────────────────

const cents = (n: bigint) => {
  const neg = n < 0n;
  const a = neg ? -n : n;
  return `${neg ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
};

/** basis points of a percent as a decimal string: 1501 → "15.01". */
const pct = (basis: number) => new Dec(basis).dividedBy(100).toFixed();

const lineArb = fc
  .record({
    list: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    discountPermille: fc.integer({ min: 0, max: 1000 }),
    costPermille: fc.integer({ min: 0, max: 1500 }),
    belowFloor: fc.boolean(),
  })
  .map(({ list, discountPermille, costPermille, belowFloor }) => {
    const net = (list * BigInt(1000 - discountPermille)) / 1000n;
    const cost = (list * BigInt(costPermille)) / 1000n;
    return { list, net, cost, belowFloor };
  });

const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 12 });

function summaryOf(lines: { list: bigint; net: bigint; cost: bigint; belowFloor: boolean }[]): QuoteSummary {
  return quote(...lines.map((l, i) => line(`l${i}`, cents(l.list), cents(l.net), cents(l.cost), l.belowFloor)));
}

const ruleArb: fc.Arbitrary<ApprovalRule> = fc
  .record({
    metric: fc.constantFrom('quote_discount', 'max_line_discount', 'below_floor_lines', 'margin_pct', 'total_amount' as const),
    op: fc.constantFrom('gt' as const, 'lt' as const),
    basis: fc.integer({ min: 0, max: 10_000 }),
    level: fc.constantFrom(...APPROVAL_LEVELS),
  })
  .map(({ metric, op, basis, level }) => ({
    id: `r-${metric}-${op}-${basis}-${level}`,
    metric,
    op,
    threshold: metric === 'below_floor_lines' ? String(basis % 13) : metric === 'total_amount' ? `${basis * 100}.00` : pct(basis),
    level,
    ...(metric === 'total_amount' ? { currency: 'CNY' as const } : {}),
  }));

const policyArb = fc.uniqueArray(ruleArb, { maxLength: 8, selector: (r) => r.id }).map((rules) => ApprovalPolicy.parse({ rules }));

const stepSet = (steps: ApprovalStep[]) => new Set(levels(steps));

describe('properties', () => {
  it('metrics are exact: discount and margin decisions match rational arithmetic on cents', () => {
    fc.assert(
      fc.property(linesArb, fc.integer({ min: 0, max: 10_000 }), (lines, basis) => {
        const m = quoteMetrics(summaryOf(lines));
        const L = lines.reduce((s, l) => s + l.list, 0n);
        const N = lines.reduce((s, l) => s + l.net, 0n);
        const C = lines.reduce((s, l) => s + l.cost, 0n);
        // threshold = basis/100 percent: (L − N)/L × 100 > basis/100  ⇔  (L − N) × 10 000 > basis × L
        const discountAbove = (L - N) * 10_000n > BigInt(basis) * L;
        expect(ruleFires(rule('d', 'quote_discount', 'gt', pct(basis), 'manager'), m)).toBe(discountAbove);
        // margin = (N − C)/N; unknown (fires) when N = 0.
        const marginBelow = N === 0n ? true : (N - C) * 10_000n < BigInt(basis) * N;
        expect(ruleFires(rule('m', 'margin_pct', 'lt', pct(basis), 'finance'), m)).toBe(marginBelow);
        expect(formatMetric(m.total_amount)).toBe(new Dec(cents(N)).toFixed());
        expect(formatMetric(m.below_floor_lines)).toBe(String(lines.filter((l) => l.belowFloor).length));
      }),
    );
  });

  it('adding a rule never removes a required step', () => {
    fc.assert(
      fc.property(policyArb, ruleArb, linesArb, (policy, extra, lines) => {
        const m = quoteMetrics(summaryOf(lines));
        const before = stepSet(requiredApprovals(policy, m));
        const after = stepSet(requiredApprovals({ rules: [...policy.rules.filter((r) => r.id !== extra.id), extra] }, m));
        for (const l of before) expect(after.has(l)).toBe(true);
      }),
    );
  });

  it('a stricter-or-equal threshold never reduces the required steps', () => {
    fc.assert(
      fc.property(policyArb, fc.nat({ max: 7 }), fc.integer({ min: 0, max: 500 }), linesArb, (policy, pick, delta, lines) => {
        fc.pre(policy.rules.length > 0);
        const i = pick % policy.rules.length;
        const r = policy.rules[i]!;
        const t = new Dec(r.threshold);
        const d = r.metric === 'quote_discount' || r.metric === 'max_line_discount' || r.metric === 'margin_pct' ? new Dec(delta).dividedBy(100) : new Dec(delta);
        const moved = r.op === 'gt' ? Dec.max(0, t.minus(d)) : t.plus(d);
        const threshold = r.metric === 'total_amount' ? moved.toFixed(2) : moved.toFixed();
        const m = quoteMetrics(summaryOf(lines));
        const strict = ApprovalPolicy.parse({ rules: policy.rules.map((x, j) => (j === i ? { ...x, threshold } : x)) });
        const before = stepSet(requiredApprovals(policy, m));
        const after = stepSet(requiredApprovals(strict, m));
        for (const l of before) expect(after.has(l)).toBe(true);
      }),
    );
  });

  it('steps come in level order, and a chain level brings every lower one', () => {
    fc.assert(
      fc.property(policyArb, linesArb, (policy, lines) => {
        const steps = requiredApprovals(policy, quoteMetrics(summaryOf(lines)));
        const ranks = steps.map((s) => levelRank(s.level));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(new Set(ranks).size).toBe(ranks.length);
        const chain = ranks.filter((r) => r < 3);
        expect(chain).toEqual(chain.map((_, i) => i));
        for (const s of steps) expect(s.implied).toBe(s.triggers.length === 0);
      }),
    );
  });

  it('an unchanged version always keeps its approvals; a deeper line discount never does', () => {
    fc.assert(
      fc.property(linesArb, fc.nat(), fc.constantFrom(...APPROVAL_LEVELS), (lines, pick, level) => {
        const summary = summaryOf(lines);
        const view = viewOf(summary, level);
        const same = checkReapproval(view, summaryOf(lines));
        expect(same.stands).toBe(true);
        expect(same.diff).toEqual({ metrics: [], lines: [] });
        const i = pick % lines.length;
        fc.pre(lines[i]!.net > 0n);
        const deeper = lines.map((l, j) => (j === i ? { ...l, net: l.net - 1n } : l));
        expect(checkReapproval(view, summaryOf(deeper)).stands).toBe(false);
      }),
    );
  });
});
