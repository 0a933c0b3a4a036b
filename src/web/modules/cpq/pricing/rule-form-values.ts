import type { RuleDefinition, RuleVersion } from '../../../../server/modules/pricing/contract.ts';
import type { CombinePolicy, PricingPhase, RuleActionType, TierMode, TierValueKind } from '../../../../server/modules/pricing/pricing-rule.ts';
import { type FieldName, pathIndex } from '../catalog/problem-fields.ts';

/**
 * The rule editor's values and the definition sent from them. Each action type has its own
 * inputs; amounts per currency are edited as rows (currency, amount) and tier bands as rows with
 * a start, and a percent or an amount per chosen currency. Inputs of other action types stay in
 * the form while the user switches types but are never sent.
 */
export interface AmountRow {
  currency?: string | undefined;
  amount?: string | undefined;
}

export interface BandRow {
  fromQty?: number | null | undefined;
  percent?: string | undefined;
  amounts?: Record<string, string | undefined> | undefined;
}

export interface RuleFormValues {
  code: string;
  name: string;
  productScope: 'all' | 'product' | 'group';
  productId?: string | null | undefined;
  productGroupId?: string | null | undefined;
  customerScope: 'all' | 'account' | 'customerGroup';
  accountId?: string | null | undefined;
  customerGroupId?: string | null | undefined;
  condition?: string | undefined;
  actionType: RuleActionType;
  percent?: string | undefined;
  amounts?: AmountRow[] | undefined;
  minMarginPercent?: string | undefined;
  tierBasis?: 'quantity' | 'termMonths' | undefined;
  tierMode?: TierMode | undefined;
  tierValueKind?: TierValueKind | undefined;
  tierCurrencies?: string[] | undefined;
  bands?: BandRow[] | undefined;
  freeProductId?: string | null | undefined;
  freeQuantity?: number | null | undefined;
  freePerQuantity?: number | null | undefined;
  phase: PricingPhase;
  priority: number;
  combine: CombinePolicy;
  validFrom?: string | null | undefined;
  validTo?: string | null | undefined;
}

export function newRuleDefaults(): RuleFormValues {
  return {
    code: '',
    name: '',
    productScope: 'all',
    customerScope: 'all',
    condition: '',
    actionType: 'percentDiscount',
    percent: '',
    amounts: [{ currency: 'CNY', amount: '' }],
    tierBasis: 'quantity',
    tierMode: 'range',
    tierValueKind: 'percent',
    tierCurrencies: ['CNY'],
    bands: [{ fromQty: 10 }],
    freeQuantity: 1,
    phase: 'SYSTEM',
    priority: 0,
    combine: 'exclusive',
  };
}

const toRows = (amounts: Record<string, string> | undefined): AmountRow[] =>
  Object.entries(amounts ?? {}).map(([currency, amount]) => ({ currency, amount }));

/** A stored version → the editor (the code is the rule's, not the version's). */
export function toRuleFormValues(code: string, version: Pick<RuleVersion, 'name' | 'definition'>): RuleFormValues {
  const d = version.definition;
  const v: RuleFormValues = {
    ...newRuleDefaults(),
    code,
    name: version.name,
    productScope: d.scope.product.kind,
    productId: d.scope.product.kind === 'product' ? d.scope.product.productId : null,
    productGroupId: d.scope.product.kind === 'group' ? d.scope.product.groupId : null,
    customerScope: d.scope.customer?.kind ?? 'all',
    accountId: d.scope.customer?.kind === 'account' ? d.scope.customer.accountId : null,
    customerGroupId: d.scope.customer?.kind === 'customerGroup' ? d.scope.customer.groupId : null,
    condition: d.condition ?? '',
    actionType: d.action.type,
    phase: d.phase,
    priority: d.priority,
    combine: d.combine,
    validFrom: d.validFrom ?? null,
    validTo: d.validTo ?? null,
  };
  const a = d.action;
  switch (a.type) {
    case 'percentDiscount':
      v.percent = a.percent;
      break;
    case 'setPrice':
    case 'amountDiscount':
    case 'ceiling':
    case 'bundlePrice':
      v.amounts = toRows(a.amounts);
      break;
    case 'floor':
      v.amounts = toRows(a.amounts);
      v.minMarginPercent = a.minMarginPercent;
      break;
    case 'freeItem':
      v.freeProductId = a.productId;
      v.freeQuantity = a.quantity;
      v.freePerQuantity = a.perQuantity ?? null;
      break;
    case 'tiers': {
      v.tierBasis = a.basis;
      v.tierMode = a.mode;
      v.tierValueKind = a.valueKind;
      const currencies = [...new Set(a.bands.flatMap((b) => Object.keys(b.amounts ?? {})))];
      v.tierCurrencies = currencies.length > 0 ? currencies : ['CNY'];
      v.bands = a.bands.map((b) => ({ fromQty: b.fromQty, ...(b.percent !== undefined ? { percent: b.percent } : {}), ...(b.amounts ? { amounts: { ...b.amounts } } : {}) }));
      break;
    }
  }
  return v;
}

const trim = (s: string | null | undefined) => (s ?? '').trim();

/** Rows with a currency; an empty amount is sent as typed ("") so the server names the row. */
function toAmounts(rows: readonly AmountRow[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows ?? []) if (r.currency) out[r.currency] = trim(r.amount);
  return out;
}

function toAction(v: RuleFormValues): RuleDefinition['action'] {
  switch (v.actionType) {
    case 'percentDiscount':
      return { type: 'percentDiscount', percent: trim(v.percent) };
    case 'setPrice':
    case 'amountDiscount':
    case 'ceiling':
    case 'bundlePrice':
      return { type: v.actionType, amounts: toAmounts(v.amounts) };
    case 'floor': {
      const amounts = toAmounts(v.amounts);
      const margin = trim(v.minMarginPercent);
      return {
        type: 'floor',
        ...(Object.keys(amounts).length > 0 ? { amounts } : {}),
        ...(margin ? { minMarginPercent: margin } : {}),
      };
    }
    case 'freeItem':
      return {
        type: 'freeItem',
        productId: v.freeProductId ?? '',
        quantity: v.freeQuantity ?? 0,
        ...(v.freePerQuantity ? { perQuantity: v.freePerQuantity } : {}),
      };
    case 'tiers': {
      const kind = v.tierValueKind ?? 'percent';
      const currencies = v.tierCurrencies ?? [];
      return {
        type: 'tiers',
        basis: v.tierBasis ?? 'quantity',
        mode: v.tierMode ?? 'range',
        valueKind: kind,
        bands: (v.bands ?? []).map((b) => ({
          fromQty: typeof b.fromQty === 'number' ? b.fromQty : 0,
          ...(kind === 'percent'
            ? { percent: trim(b.percent) }
            : { amounts: Object.fromEntries(currencies.map((c) => [c, trim(b.amounts?.[c])])) }),
        })),
      };
    }
  }
}

export function toRuleDefinition(v: RuleFormValues): RuleDefinition {
  const product: RuleDefinition['scope']['product'] =
    v.productScope === 'product'
      ? { kind: 'product', productId: v.productId ?? '' }
      : v.productScope === 'group'
        ? { kind: 'group', groupId: v.productGroupId ?? '' }
        : { kind: 'all' };
  const customer: RuleDefinition['scope']['customer'] =
    v.customerScope === 'account'
      ? { kind: 'account', accountId: v.accountId ?? '' }
      : v.customerScope === 'customerGroup'
        ? { kind: 'customerGroup', groupId: v.customerGroupId ?? '' }
        : undefined;
  const condition = trim(v.condition);
  return {
    scope: customer ? { product, customer } : { product },
    // Sent as typed, so the server's line and column match what the editor shows.
    ...(condition ? { condition: v.condition! } : {}),
    action: toAction(v),
    phase: v.phase,
    priority: v.priority,
    combine: v.combine,
    ...(v.validFrom ? { validFrom: v.validFrom } : {}),
    ...(v.validTo ? { validTo: v.validTo } : {}),
  };
}

const SIMPLE = ['code', 'name', 'phase', 'priority', 'combine', 'validFrom', 'validTo', 'condition'] as const;

/** A problem's path (`definition.action.bands.2.fromQty`) → the editor's field, or null for the alert. */
export function ruleFieldOf(segments: readonly string[]): FieldName | null {
  const path = segments[0] === 'definition' ? segments.slice(1) : [...segments];
  const [head, second, third, fourth, fifth] = path;
  if (head === undefined) return null;
  if ((SIMPLE as readonly string[]).includes(head)) return head;
  if (head === 'scope') {
    if (second === 'product') return third === 'productId' ? 'productId' : third === 'groupId' ? 'productGroupId' : 'productScope';
    if (second === 'customer') return third === 'accountId' ? 'accountId' : third === 'groupId' ? 'customerGroupId' : 'customerScope';
    return 'productScope';
  }
  if (head !== 'action') return null;
  switch (second) {
    case 'percent':
      return 'percent';
    case 'amounts':
      return 'amounts';
    case 'minMarginPercent':
      return 'minMarginPercent';
    case 'productId':
      return 'freeProductId';
    case 'quantity':
      return 'freeQuantity';
    case 'perQuantity':
      return 'freePerQuantity';
    case 'basis':
      return 'tierBasis';
    case 'mode':
      return 'tierMode';
    case 'valueKind':
      return 'tierValueKind';
    case 'bands': {
      const index = pathIndex(third);
      if (index === null) return 'tierMode';
      if (fourth === 'amounts' && fifth) return ['bands', index, 'amounts', fifth];
      if (fourth === 'percent') return ['bands', index, 'percent'];
      return ['bands', index, 'fromQty'];
    }
    default:
      return 'actionType';
  }
}
