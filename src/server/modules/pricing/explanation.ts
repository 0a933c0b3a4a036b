import type { Dec } from '../../../shared/money.ts';
import type { ConditionFailure } from './cel-context.ts';
import type { CombinePolicy, PricingPhase, RuleActionType } from './pricing-rule.ts';

/**
 * Explanations are plain objects carrying codes, ids and Decimal references, built on the hot path
 * without formatting a single string. Text (zh or en) is produced only when someone reads it:
 * formatExplanationStep().
 */

export type SkipReason =
  | 'condition_false'
  | 'outside_validity'
  | 'outside_band'
  | 'out_of_scope'
  | 'currency_missing'
  | 'eval_error'
  /** BASE rules give way to the account's contracted price. */
  | 'contract_price'
  /** BASE rules of a components-priced bundle: its base is the sum of its components. */
  | 'bundle_sum'
  /** bundlePrice on a product that is not a bundle. */
  | 'not_a_bundle'
  /** minimum-margin floor on a product without a cost in a usable currency. */
  | 'cost_missing'
  /** freeItem naming a product that is not in the catalog. */
  | 'unknown_product';

/**
 * - set: the unit price becomes `operand`;
 * - percent: × (1 − operand), operand a fraction;
 * - amount: − operand;
 * - tier: as set/percent/amount, from band `bandIndex`;
 * - floor/ceiling: contributes a limit of `operand`;
 * - freeItem: grants `operand` free units.
 */
export type ApplyOp = 'set' | 'percent' | 'amount' | 'floor' | 'ceiling' | 'freeItem';

export interface RuleApplied {
  type: 'applied';
  ruleId: string;
  phase: PricingPhase;
  action: RuleActionType;
  combine: CombinePolicy;
  op: ApplyOp;
  operand: Dec | null;
  /** Tier band used, -1 when not a tier. */
  bandIndex: number;
  /** Running unit price before and after (for additive rules: of their whole group). Null for limits and grants. */
  before: Dec | null;
  after: Dec | null;
}

export interface RuleSkipped {
  type: 'skipped';
  ruleId: string;
  phase: PricingPhase;
  reason: SkipReason;
  error: ConditionFailure | null;
}

export interface RuleShadowed {
  type: 'shadowed';
  ruleId: string;
  phase: PricingPhase;
  by: string;
}

export type RuleOutcome = RuleApplied | RuleSkipped | RuleShadowed;

export interface BaseStep {
  type: 'base';
  source: 'priceBook' | 'contract' | 'bundleSum' | 'bundleIncluded' | 'bundledOption' | 'free' | 'none';
  /** List unit price in the quote currency (after conversion). */
  listUnit: Dec | null;
  /** The unit price the waterfall starts from. */
  unit: Dec;
  /** For contract prices: whose contract, and whether it was inherited from a parent account. */
  accountId: string | null;
  isInherited: boolean;
  /** Set when the price list was in another currency. */
  fromCurrency: string | null;
  exchangeRate: Dec | null;
}

/** Several additive rules of one phase summed into one step. */
export interface CombinedStep {
  type: 'combined';
  phase: PricingPhase;
  kind: 'percent' | 'amount';
  ruleIds: string[];
  total: Dec;
  before: Dec;
  after: Dec;
}

export interface ClampStep {
  type: 'clamp';
  phase: PricingPhase;
  bound: 'floor' | 'ceiling';
  limit: Dec;
  before: Dec;
  after: Dec;
}

export interface ManualStep {
  type: 'manual';
  kind: 'price' | 'percent';
  operand: Dec;
  before: Dec;
  after: Dec;
}

export interface LimitFlagStep {
  type: 'limitFlag';
  bound: 'floor' | 'ceiling';
  limit: Dec;
  unit: Dec;
}

export interface AllocatedStep {
  type: 'allocated';
  bundleLineId: string;
  weight: Dec;
  share: Dec;
}

export interface RoundStep {
  type: 'round';
  /** net unit × quantity, unrounded */
  unrounded: Dec;
  rounded: Dec;
  places: number;
}

export type ExplanationStep = RuleOutcome | BaseStep | CombinedStep | ClampStep | ManualStep | LimitFlagStep | AllocatedStep | RoundStep;

export interface LineExplanation {
  /** In order: base, rules by phase (applied, skipped, shadowed), clamps, manual, allocation, rounding. */
  steps: ExplanationStep[];
  /**
   * Rules in scope dismissed before the line was looked at (outside validity, or a condition on
   * customer/quote/product that is false). Shared between lines of a quote, hence arrays of arrays.
   */
  dismissed: readonly (readonly RuleOutcome[])[];
}

/** Every step of a line, dismissed rules last. */
/** Every rule an explanation names: applied, skipped, shadowed, the rules shadowing them, the members of a combined step, and the dismissed ones. */
export function collectRuleIds(explanation: LineExplanation, into: Set<string> = new Set()): Set<string> {
  const add = (s: ExplanationStep) => {
    if ('ruleId' in s) into.add(s.ruleId);
    if (s.type === 'shadowed') into.add(s.by);
    if (s.type === 'combined') for (const id of s.ruleIds) into.add(id);
  };
  for (const s of explanation.steps) add(s);
  for (const group of explanation.dismissed) for (const s of group) add(s);
  return into;
}

export function listExplanationSteps(explanation: LineExplanation): ExplanationStep[] {
  const out = [...explanation.steps];
  for (const group of explanation.dismissed) for (const step of group) out.push(step);
  return out;
}

export type ExplanationLocale = 'en' | 'zh';

const SKIP_TEXT: Record<SkipReason, { en: string; zh: string }> = {
  condition_false: { en: 'condition is false', zh: '条件不满足' },
  outside_validity: { en: 'outside its validity dates', zh: '不在有效期内' },
  outside_band: { en: 'quantity outside the tier bands', zh: '数量不在阶梯区间内' },
  out_of_scope: { en: 'out of scope', zh: '不在适用范围内' },
  currency_missing: { en: 'no amount in the quote currency', zh: '未设置报价币种的金额' },
  eval_error: { en: 'condition failed to evaluate', zh: '条件求值出错' },
  contract_price: { en: 'the contracted price applies', zh: '适用合同价' },
  bundle_sum: { en: 'the bundle is priced as the sum of its components', zh: '套装按组件合计定价' },
  not_a_bundle: { en: 'the product is not a bundle', zh: '该产品不是套装' },
  cost_missing: { en: 'the product has no cost', zh: '产品没有成本价' },
  unknown_product: { en: 'the free product is not in the catalog', zh: '赠品不在产品目录中' },
};

const PHASE_TEXT: Record<PricingPhase, { en: string; zh: string }> = {
  BASE: { en: 'base', zh: '基础价' },
  SYSTEM: { en: 'system', zh: '系统调整' },
  MANUAL: { en: 'manual', zh: '手工调整' },
  CHANNEL: { en: 'channel', zh: '渠道' },
};

function fixed(d: Dec | null, places = 4): string {
  if (d === null) return '—';
  // Trim trailing zeros of the display precision but keep at least 2 decimals.
  const s = d.toDecimalPlaces(places).toFixed();
  const [int, frac = ''] = s.split('.');
  return `${int}.${frac.padEnd(2, '0')}`;
}

function percentOf(fraction: Dec): string {
  return fraction.times(100).toDecimalPlaces(4).toFixed();
}

function describeOp(step: RuleApplied, zh: boolean): string {
  const band = step.bandIndex >= 0 ? (zh ? `（第 ${step.bandIndex + 1} 档）` : ` (band ${step.bandIndex + 1})`) : '';
  switch (step.op) {
    case 'set':
      return (zh ? `单价设为 ${fixed(step.operand)}` : `unit price set to ${fixed(step.operand)}`) + band;
    case 'percent':
      return (zh ? `折扣 ${percentOf(step.operand!)}%` : `${percentOf(step.operand!)} % off`) + band;
    case 'amount':
      return (zh ? `每件减 ${fixed(step.operand)}` : `${fixed(step.operand)} off per unit`) + band;
    case 'floor':
      return zh ? `底价 ${fixed(step.operand)}` : `floor ${fixed(step.operand)}`;
    case 'ceiling':
      return zh ? `最高价 ${fixed(step.operand)}` : `ceiling ${fixed(step.operand)}`;
    case 'freeItem':
      return zh ? `赠送 ${step.operand?.toFixed() ?? ''} 件` : `${step.operand?.toFixed() ?? ''} free`;
  }
}

/** Human text for one step; built only on demand. */
export function formatExplanationStep(step: ExplanationStep, locale: ExplanationLocale = 'en'): string {
  const zh = locale === 'zh';
  switch (step.type) {
    case 'applied': {
      const arrow = step.before !== null && step.after !== null ? ` ${fixed(step.before)} → ${fixed(step.after)}` : '';
      return zh
        ? `[${PHASE_TEXT[step.phase].zh}] 规则 ${step.ruleId} 生效：${describeOp(step, true)}${arrow}`
        : `[${PHASE_TEXT[step.phase].en}] rule ${step.ruleId} applied: ${describeOp(step, false)}${arrow}`;
    }
    case 'skipped': {
      const why = SKIP_TEXT[step.reason][locale];
      const err = step.error ? ` (${step.error.code}: ${step.error.message})` : '';
      return zh ? `[${PHASE_TEXT[step.phase].zh}] 规则 ${step.ruleId} 跳过：${why}${err}` : `[${PHASE_TEXT[step.phase].en}] rule ${step.ruleId} skipped: ${why}${err}`;
    }
    case 'shadowed':
      return zh
        ? `[${PHASE_TEXT[step.phase].zh}] 规则 ${step.ruleId} 被规则 ${step.by} 覆盖`
        : `[${PHASE_TEXT[step.phase].en}] rule ${step.ruleId} shadowed by rule ${step.by}`;
    case 'base': {
      const conv = step.exchangeRate ? (zh ? `（${step.fromCurrency} 汇率 ${step.exchangeRate.toFixed()}）` : ` (from ${step.fromCurrency} at ${step.exchangeRate.toFixed()})`) : '';
      const src = {
        priceBook: zh ? '价目表' : 'price book',
        contract: zh ? `合同价（客户 ${step.accountId}${step.isInherited ? '，继承' : ''}）` : `contract of ${step.accountId}${step.isInherited ? ' (inherited)' : ''}`,
        bundleSum: zh ? '组件合计' : 'sum of components',
        bundleIncluded: zh ? '含于套装' : 'included in bundle',
        bundledOption: zh ? '套装内含选项' : 'bundled option',
        free: zh ? '赠品' : 'free item',
        none: zh ? '无价格' : 'no price',
      }[step.source];
      return zh ? `起始单价 ${fixed(step.unit)}，来源：${src}${conv}` : `starting unit price ${fixed(step.unit)} from ${src}${conv}`;
    }
    case 'combined':
      return zh
        ? `[${PHASE_TEXT[step.phase].zh}] 叠加 ${step.ruleIds.join('、')}：${step.kind === 'percent' ? `合计折扣 ${percentOf(step.total)}%` : `合计每件减 ${fixed(step.total)}`} ${fixed(step.before)} → ${fixed(step.after)}`
        : `[${PHASE_TEXT[step.phase].en}] additive ${step.ruleIds.join(', ')}: ${step.kind === 'percent' ? `${percentOf(step.total)} % off in total` : `${fixed(step.total)} off per unit in total`} ${fixed(step.before)} → ${fixed(step.after)}`;
    case 'clamp':
      return zh
        ? `[${PHASE_TEXT[step.phase].zh}] ${step.bound === 'floor' ? '低于底价' : '高于最高价'} ${fixed(step.limit)}，单价 ${fixed(step.before)} 调整为 ${fixed(step.after)}`
        : `[${PHASE_TEXT[step.phase].en}] clamped to ${step.bound} ${fixed(step.limit)}: ${fixed(step.before)} → ${fixed(step.after)}`;
    case 'manual':
      return zh
        ? `手工${step.kind === 'price' ? `改价为 ${fixed(step.operand)}` : `折扣 ${step.operand.toFixed()}%`}：${fixed(step.before)} → ${fixed(step.after)}`
        : `manual ${step.kind === 'price' ? `price ${fixed(step.operand)}` : `discount ${step.operand.toFixed()} %`}: ${fixed(step.before)} → ${fixed(step.after)}`;
    case 'limitFlag':
      return zh
        ? `单价 ${fixed(step.unit)} ${step.bound === 'floor' ? `低于底价 ${fixed(step.limit)}` : `高于最高价 ${fixed(step.limit)}`}`
        : `unit price ${fixed(step.unit)} is ${step.bound === 'floor' ? `below the floor ${fixed(step.limit)}` : `above the ceiling ${fixed(step.limit)}`}`;
    case 'allocated':
      return zh
        ? `按权重 ${fixed(step.weight)} 分摊套装 ${step.bundleLineId} 金额：${fixed(step.share)}`
        : `allocated ${fixed(step.share)} of bundle ${step.bundleLineId} (weight ${fixed(step.weight)})`;
    case 'round':
      return zh
        ? `行金额 ${step.unrounded.toFixed()} 四舍五入到 ${step.places} 位小数：${step.rounded.toFixed(step.places)}`
        : `line amount ${step.unrounded.toFixed()} rounded half-up to ${step.places} places: ${step.rounded.toFixed(step.places)}`;
  }
}
