import { CURRENCIES, DECIMAL_PATTERN, isCurrency, type Currency } from '../../../shared/money.ts';

/**
 * Pricing rules as data: what the rule admin edits and publishes, what compileRules() turns into
 * an indexed, pre-parsed rule set. Everything here is plain JSON so rules can live in a table,
 * travel over the wire and be diffed between versions.
 */

/** Phases run in this order; each phase starts from the unit price the previous one produced. */
export const PRICING_PHASES = ['BASE', 'SYSTEM', 'MANUAL', 'CHANNEL'] as const;
export type PricingPhase = (typeof PRICING_PHASES)[number];

export const COMBINE_POLICIES = ['exclusive', 'additive', 'compound'] as const;
export type CombinePolicy = (typeof COMBINE_POLICIES)[number];

/** Decimal strings keyed by ISO currency, e.g. `{ CNY: "99.00", USD: "14.00" }`. */
export type CurrencyAmounts = Partial<Record<Currency, string>>;

export type ProductScope =
  | { kind: 'all' }
  /** A product id; a rule on a product also covers its variants (a rule on the variant id is more specific). */
  | { kind: 'product'; productId: string }
  /** A product group and all its descendant groups. */
  | { kind: 'group'; groupId: string };

export type CustomerScope =
  | { kind: 'all' }
  /** An account and its child accounts (the caller passes the account chain). */
  | { kind: 'account'; accountId: string }
  /** A customer group and all its descendant groups. */
  | { kind: 'customerGroup'; groupId: string };

export interface RuleScope {
  product: ProductScope;
  /** Omitted means every customer. */
  customer?: CustomerScope;
}

export const TIER_MODES = ['range', 'slab', 'block'] as const;
/**
 * range: every unit at the band the quantity reaches; slab: each unit at the band it falls in;
 * block: one flat price for the whole line, chosen by the band the quantity reaches.
 */
export type TierMode = (typeof TIER_MODES)[number];

/** price: a unit price (block: the flat band price); percent: a discount off the incoming price; amount: an amount off per unit. */
export type TierValueKind = 'price' | 'percent' | 'amount';

export interface TierBand {
  /**
   * First quantity (or month count) of the band, inclusive; the next band's `fromQty` ends it.
   * Integers ≥ 1, strictly ascending. Quantities below the first band are "outside band".
   */
  fromQty: number;
  /** For valueKind `percent`: "10" = 10 % off; negative = surcharge. */
  percent?: string;
  /** For valueKind `price` or `amount`: per currency. Every band must name the same currencies. */
  amounts?: CurrencyAmounts;
}

export type RuleAction =
  | { type: 'setPrice'; amounts: CurrencyAmounts }
  /** "10" = 10 % off the incoming unit price; negative = surcharge; at most 100. */
  | { type: 'percentDiscount'; percent: string }
  /** Amount off per unit, per currency. */
  | { type: 'amountDiscount'; amounts: CurrencyAmounts }
  | {
      type: 'tiers';
      /** `termMonths` tables (term discounts) support mode `range` only. */
      basis: 'quantity' | 'termMonths';
      mode: TierMode;
      valueKind: TierValueKind;
      bands: TierBand[];
    }
  /** A unit price floor: a fixed amount and/or a minimum margin on price over the product cost. */
  | { type: 'floor'; amounts?: CurrencyAmounts; minMarginPercent?: string }
  | { type: 'ceiling'; amounts: CurrencyAmounts }
  /** The price of one bundle unit; only meaningful on a bundle product (skipped elsewhere). */
  | { type: 'bundlePrice'; amounts: CurrencyAmounts }
  /** Adds `quantity` free units of `productId` (per `perQuantity` units bought, if given). */
  | { type: 'freeItem'; productId: string; quantity: number; perQuantity?: number };

export type RuleActionType = RuleAction['type'];

export interface PricingRule {
  id: string;
  /** Higher is newer; among equally ranked rules the newest wins. */
  version: number;
  name: string;
  /** ISO timestamp, used after version to rank equally ranked rules. */
  createdAt?: string;
  scope: RuleScope;
  /** CEL over the documented context (see cel-context.ts); omitted or blank = always. */
  condition?: string;
  action: RuleAction;
  phase: PricingPhase;
  /** Higher first. Integer. */
  priority: number;
  /** Default exclusive. */
  combine?: CombinePolicy;
  /** Inclusive local dates (YYYY-MM-DD) in the company time zone. */
  validFrom?: string;
  validTo?: string;
}

export type RuleIssueField = 'id' | 'version' | 'name' | 'scope' | 'condition' | 'action' | 'phase' | 'priority' | 'combine' | 'validity';

/** A reason a rule cannot be compiled. Returned, never thrown. Line and column are 1-based, in the condition text. */
export interface RuleCompileError {
  ruleId: string;
  field: RuleIssueField;
  code: string;
  message: string;
  /** JSON-ish path inside the rule, e.g. "action.bands[2].fromQty". */
  path?: string;
  line?: number;
  column?: number;
}

const LOCAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function isLocalDate(value: string): boolean {
  if (!LOCAL_DATE.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
}

/** Which actions replace the unit price, which adjust it, which only constrain or grant. */
export type ActionRole = 'replace' | 'adjust' | 'constraint' | 'grant';

export function getActionRole(action: RuleAction): ActionRole {
  switch (action.type) {
    case 'setPrice':
    case 'bundlePrice':
      return 'replace';
    case 'tiers':
      return action.valueKind === 'price' ? 'replace' : 'adjust';
    case 'percentDiscount':
    case 'amountDiscount':
      return 'adjust';
    case 'floor':
    case 'ceiling':
      return 'constraint';
    case 'freeItem':
      return 'grant';
  }
}

/**
 * Structural validation of everything except the CEL condition (compile.ts checks that against
 * the context). Returns every problem found, not just the first.
 */
export function listRuleShapeErrors(rule: PricingRule): RuleCompileError[] {
  const errors: RuleCompileError[] = [];
  const ruleId = typeof rule?.id === 'string' ? rule.id : '';
  const push = (field: RuleIssueField, code: string, message: string, path?: string) => {
    errors.push(path === undefined ? { ruleId, field, code, message } : { ruleId, field, code, message, path });
  };
  if (typeof rule !== 'object' || rule === null) {
    push('id', 'not_an_object', 'a rule must be an object');
    return errors;
  }
  if (typeof rule.id !== 'string' || rule.id.length === 0) push('id', 'missing_id', 'a rule needs a non-empty id');
  if (!Number.isSafeInteger(rule.version) || rule.version < 0) push('version', 'invalid_version', 'version must be a non-negative integer');
  if (typeof rule.name !== 'string') push('name', 'invalid_name', 'name must be a string');
  if (rule.createdAt !== undefined && (typeof rule.createdAt !== 'string' || Number.isNaN(Date.parse(rule.createdAt)))) {
    push('version', 'invalid_created_at', 'createdAt must be an ISO timestamp');
  }
  if (!PRICING_PHASES.includes(rule.phase)) push('phase', 'invalid_phase', `phase must be one of ${PRICING_PHASES.join(', ')}`);
  if (!Number.isSafeInteger(rule.priority)) push('priority', 'invalid_priority', 'priority must be an integer');
  if (rule.combine !== undefined && !COMBINE_POLICIES.includes(rule.combine)) {
    push('combine', 'invalid_combine', `combine must be one of ${COMBINE_POLICIES.join(', ')}`);
  }
  if (rule.condition !== undefined && typeof rule.condition !== 'string') push('condition', 'invalid_condition', 'condition must be a string');
  validateScope(rule.scope, push);
  validateValidity(rule, push);
  validateAction(rule.action, push);
  return errors;
}

type Push = (field: RuleIssueField, code: string, message: string, path?: string) => void;

function validateScope(scope: RuleScope | undefined, push: Push): void {
  if (typeof scope !== 'object' || scope === null) {
    push('scope', 'missing_scope', 'scope is required');
    return;
  }
  const p = scope.product;
  if (typeof p !== 'object' || p === null) push('scope', 'missing_product_scope', 'scope.product is required', 'scope.product');
  else if (p.kind === 'product') {
    if (!isNonEmpty(p.productId)) push('scope', 'invalid_product_scope', 'scope.product.productId is required', 'scope.product.productId');
  } else if (p.kind === 'group') {
    if (!isNonEmpty(p.groupId)) push('scope', 'invalid_product_scope', 'scope.product.groupId is required', 'scope.product.groupId');
  } else if (p.kind !== 'all') push('scope', 'invalid_product_scope', 'scope.product.kind must be all, product or group', 'scope.product.kind');
  const c = scope.customer;
  if (c === undefined) return;
  if (typeof c !== 'object' || c === null) push('scope', 'invalid_customer_scope', 'scope.customer must be an object', 'scope.customer');
  else if (c.kind === 'account') {
    if (!isNonEmpty(c.accountId)) push('scope', 'invalid_customer_scope', 'scope.customer.accountId is required', 'scope.customer.accountId');
  } else if (c.kind === 'customerGroup') {
    if (!isNonEmpty(c.groupId)) push('scope', 'invalid_customer_scope', 'scope.customer.groupId is required', 'scope.customer.groupId');
  } else if (c.kind !== 'all') {
    push('scope', 'invalid_customer_scope', 'scope.customer.kind must be all, account or customerGroup', 'scope.customer.kind');
  }
}

function validateValidity(rule: PricingRule, push: Push): void {
  const { validFrom, validTo } = rule;
  if (validFrom !== undefined && (typeof validFrom !== 'string' || !isLocalDate(validFrom))) {
    push('validity', 'invalid_date', 'validFrom must be a date YYYY-MM-DD', 'validFrom');
  }
  if (validTo !== undefined && (typeof validTo !== 'string' || !isLocalDate(validTo))) {
    push('validity', 'invalid_date', 'validTo must be a date YYYY-MM-DD', 'validTo');
  }
  if (typeof validFrom === 'string' && typeof validTo === 'string' && isLocalDate(validFrom) && isLocalDate(validTo) && validFrom > validTo) {
    push('validity', 'empty_validity', `validFrom ${validFrom} is after validTo ${validTo}: the rule can never be valid`, 'validTo');
  }
}

function validateAction(action: RuleAction | undefined, push: Push): void {
  if (typeof action !== 'object' || action === null) {
    push('action', 'missing_action', 'action is required');
    return;
  }
  switch (action.type) {
    case 'setPrice':
    case 'bundlePrice':
    case 'ceiling':
      validateAmounts(action.amounts, 'action.amounts', push, { allowNegative: false, required: true });
      return;
    case 'amountDiscount':
      validateAmounts(action.amounts, 'action.amounts', push, { allowNegative: true, required: true });
      return;
    case 'percentDiscount':
      validatePercent(action.percent, 'action.percent', push);
      return;
    case 'floor':
      if (action.amounts === undefined && action.minMarginPercent === undefined) {
        push('action', 'empty_floor', 'a floor needs amounts or minMarginPercent', 'action');
      }
      if (action.amounts !== undefined) validateAmounts(action.amounts, 'action.amounts', push, { allowNegative: false, required: true });
      if (action.minMarginPercent !== undefined) {
        if (!isDecimalString(action.minMarginPercent) || Number(action.minMarginPercent) < 0 || Number(action.minMarginPercent) >= 100) {
          push('action', 'invalid_margin', 'minMarginPercent must be a decimal string in [0, 100)', 'action.minMarginPercent');
        }
      }
      return;
    case 'freeItem':
      if (!isNonEmpty(action.productId)) push('action', 'invalid_free_item', 'freeItem needs a productId', 'action.productId');
      if (!Number.isSafeInteger(action.quantity) || action.quantity < 1) {
        push('action', 'invalid_free_item', 'freeItem quantity must be an integer ≥ 1', 'action.quantity');
      }
      if (action.perQuantity !== undefined && (!Number.isSafeInteger(action.perQuantity) || action.perQuantity < 1)) {
        push('action', 'invalid_free_item', 'freeItem perQuantity must be an integer ≥ 1', 'action.perQuantity');
      }
      return;
    case 'tiers':
      validateTiers(action, push);
      return;
    default:
      push('action', 'unknown_action', `unknown action type ${JSON.stringify((action as { type?: unknown }).type)}`, 'action.type');
  }
}

function validateTiers(action: Extract<RuleAction, { type: 'tiers' }>, push: Push): void {
  if (action.basis !== 'quantity' && action.basis !== 'termMonths') push('action', 'invalid_tier_basis', 'basis must be quantity or termMonths', 'action.basis');
  if (!TIER_MODES.includes(action.mode)) push('action', 'invalid_tier_mode', 'mode must be range, slab or block', 'action.mode');
  if (action.valueKind !== 'price' && action.valueKind !== 'percent' && action.valueKind !== 'amount') {
    push('action', 'invalid_tier_kind', 'valueKind must be price, percent or amount', 'action.valueKind');
  }
  if (action.basis === 'termMonths' && action.mode !== 'range') {
    push('action', 'invalid_tier_mode', 'term tables (basis termMonths) support mode range only', 'action.mode');
  }
  if (action.mode === 'block' && action.valueKind !== 'price') {
    push('action', 'invalid_tier_mode', 'block tables carry a flat price per band (valueKind price)', 'action.valueKind');
  }
  if (!Array.isArray(action.bands) || action.bands.length === 0) {
    push('action', 'empty_tiers', 'a tier table needs at least one band', 'action.bands');
    return;
  }
  let previous = 0;
  let currencies: string | undefined;
  action.bands.forEach((band, i) => {
    const path = `action.bands[${i}]`;
    if (!Number.isSafeInteger(band.fromQty) || band.fromQty < 1) {
      // Quantities are counted from 1: a band "from 0" would price a line of nothing.
      push('action', 'invalid_band_start', 'fromQty must be an integer ≥ 1', `${path}.fromQty`);
    } else if (band.fromQty <= previous) {
      push('action', 'bands_not_ascending', `band thresholds must be strictly ascending (${band.fromQty} after ${previous})`, `${path}.fromQty`);
    } else previous = band.fromQty;
    if (action.valueKind === 'percent') {
      validatePercent(band.percent, `${path}.percent`, push);
      if (band.amounts !== undefined) push('action', 'mixed_band_value', 'a percent band carries percent only', `${path}.amounts`);
    } else {
      validateAmounts(band.amounts, `${path}.amounts`, push, { allowNegative: action.valueKind === 'amount', required: true });
      if (band.percent !== undefined) push('action', 'mixed_band_value', `a ${action.valueKind} band carries amounts only`, `${path}.percent`);
      const key = Object.keys(band.amounts ?? {}).sort().join(',');
      if (currencies === undefined) currencies = key;
      else if (key !== currencies) {
        // A band missing a currency would make the table jump in that currency.
        push('action', 'band_currencies_differ', `every band must name the same currencies (${currencies} vs ${key})`, `${path}.amounts`);
      }
    }
  });
}

function validatePercent(value: unknown, path: string, push: Push): void {
  if (!isDecimalString(value)) push('action', 'invalid_percent', 'percent must be a decimal string such as "12.5"', path);
  else if (Number(value) > 100) push('action', 'invalid_percent', 'a discount above 100 % would make the price negative', path);
}

function validateAmounts(
  amounts: CurrencyAmounts | undefined,
  path: string,
  push: Push,
  opts: { allowNegative: boolean; required: boolean },
): void {
  if (typeof amounts !== 'object' || amounts === null) {
    if (opts.required) push('action', 'missing_amounts', 'amounts per currency are required', path);
    return;
  }
  const codes = Object.keys(amounts);
  if (codes.length === 0) push('action', 'missing_amounts', 'name at least one currency', path);
  for (const code of codes) {
    const value = (amounts as Record<string, unknown>)[code];
    if (!isCurrency(code)) {
      push('action', 'invalid_currency', `unknown currency ${code}`, `${path}.${code}`);
      continue;
    }
    if (!isDecimalString(value)) {
      push('action', 'invalid_amount', `${code} amount must be a decimal string`, `${path}.${code}`);
      continue;
    }
    if (!opts.allowNegative && value.startsWith('-')) push('action', 'negative_amount', `${code} amount must not be negative`, `${path}.${code}`);
    const frac = value.split('.')[1]?.length ?? 0;
    if (frac > CURRENCIES[code] + 4) {
      // Unit prices may carry more precision than the minor unit, within reason.
      push('action', 'invalid_amount', `${code} amount has too many decimal places`, `${path}.${code}`);
    }
  }
}

function isNonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
