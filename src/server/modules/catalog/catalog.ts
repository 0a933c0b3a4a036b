import { Dec, DECIMAL_PATTERN, CURRENCIES, type Currency } from '../../../shared/money.ts';
import type { CatalogInput, ProductInput } from '../pricing/catalog.ts';
import type { PricingRule } from '../pricing/pricing-rule.ts';
import type { ContractPriceList } from '../pricing/pricing-types.ts';
import { wouldCreateCycle } from '../../../shared/tree.ts';

/**
 * Pure catalog rules: the product-group tree (no cycles), bundle definitions (components, options,
 * features with min/max option counts), list-price tier tables, and the translation of stored
 * catalog rows into what the pricing engine reads. No SQL, no clock.
 */

export interface FieldIssue {
  /** Dotted path into the request body, e.g. `bundle.features.0.maxOptions`. */
  path: string;
  /** `v:<key>` from the validation catalogue. */
  message: string;
}

// ── Product-group tree ──────────────────────────────────────────────────────────────────────────

/** Would moving a product group under `parentId` close a loop? The line's one tree rule. */
export const wouldCreateGroupCycle = wouldCreateCycle;

/** A group and its ancestors, nearest first; a loop in the data is cut where it closes. */
export function listGroupAncestors(groupId: string, getParent: (id: string) => string | null | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let at: string | null | undefined = groupId;
  while (at && !seen.has(at)) {
    seen.add(at);
    out.push(at);
    at = getParent(at);
  }
  return out;
}

// ── Bundles ─────────────────────────────────────────────────────────────────────────────────────

export interface BundleComponent {
  productId: string;
  /** Per bundle unit, integer ≥ 1. */
  quantity: number;
}

export interface BundleOption {
  productId: string;
  quantity: number;
  /** Bundled: included at price 0 with this fixed quantity; otherwise priced on its own when chosen. */
  isBundled: boolean;
  /** The feature this option belongs to (its min/max count the options chosen in it). */
  featureKey: string | null;
}

export interface BundleFeature {
  key: string;
  nameZh: string;
  nameEn: string | null;
  minOptions: number;
  maxOptions: number;
}

export interface BundleSpec {
  /** fixed: the bundle's own price, allocated to its components; components: the sum of its priced components. */
  pricing: 'fixed' | 'components';
  components: BundleComponent[];
  options: BundleOption[];
  features: BundleFeature[];
}

export interface BundleProductFacts {
  exists: boolean;
  isBundle: boolean;
}

/**
 * Everything wrong with a bundle definition, with paths under `bundle.`: components and options
 * must name existing products other than the bundle itself and not other bundles (nested bundles
 * are not priced), appear once, have whole quantities ≥ 1; features need unique keys and
 * 0 ≤ min ≤ max ≤ the number of their options; an option's feature must exist.
 */
export function listBundleIssues(bundleId: string, spec: BundleSpec, lookup: (productId: string) => BundleProductFacts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const checkItem = (item: { productId: string; quantity: number }, path: string) => {
    const facts = lookup(item.productId);
    if (item.productId === bundleId) issues.push({ path: `${path}.productId`, message: 'v:bundle_self' });
    else if (!facts.exists) issues.push({ path: `${path}.productId`, message: 'v:unknown_product' });
    else if (facts.isBundle) issues.push({ path: `${path}.productId`, message: 'v:bundle_nested' });
    if (seen.has(item.productId)) issues.push({ path: `${path}.productId`, message: 'v:bundle_duplicate_item' });
    seen.add(item.productId);
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) issues.push({ path: `${path}.quantity`, message: 'v:positive_integer' });
  };
  spec.components.forEach((c, i) => checkItem(c, `bundle.components.${i}`));
  spec.options.forEach((o, i) => checkItem(o, `bundle.options.${i}`));
  if (spec.components.length === 0 && spec.options.length === 0) issues.push({ path: 'bundle.components', message: 'v:bundle_empty' });
  const keys = new Set<string>();
  spec.features.forEach((f, i) => {
    const path = `bundle.features.${i}`;
    if (keys.has(f.key)) issues.push({ path: `${path}.key`, message: 'v:bundle_duplicate_feature' });
    keys.add(f.key);
    const optionCount = spec.options.filter((o) => o.featureKey === f.key).length;
    if (f.minOptions > f.maxOptions) issues.push({ path: `${path}.minOptions`, message: 'v:min_above_max' });
    else if (f.minOptions > optionCount) issues.push({ path: `${path}.minOptions`, message: 'v:bundle_min_unreachable' });
  });
  spec.options.forEach((o, i) => {
    if (o.featureKey !== null && !keys.has(o.featureKey)) issues.push({ path: `bundle.options.${i}.featureKey`, message: 'v:bundle_unknown_feature' });
  });
  return issues;
}

/**
 * Does a choice of options satisfy the bundle's features? Bundled options are always included and
 * count towards their feature. Returns the features whose count is outside [min, max].
 */
export function listFeatureViolations(spec: BundleSpec, chosenOptionProductIds: readonly string[]): { featureKey: string; count: number; min: number; max: number }[] {
  const chosen = new Set(chosenOptionProductIds);
  const out: { featureKey: string; count: number; min: number; max: number }[] = [];
  for (const f of spec.features) {
    const count = spec.options.filter((o) => o.featureKey === f.key && (o.isBundled || chosen.has(o.productId))).length;
    if (count < f.minOptions || count > f.maxOptions) out.push({ featureKey: f.key, count, min: f.minOptions, max: f.maxOptions });
  }
  return out;
}

// ── Tier tables on list prices ──────────────────────────────────────────────────────────────────

export const LIST_TIER_MODES = ['range', 'slab', 'block'] as const;
export type ListTierMode = (typeof LIST_TIER_MODES)[number];

export interface TierTable {
  /** range: every unit at the band reached; slab: each unit at its own band; block: a flat line price per band. */
  mode: ListTierMode;
  bands: { fromQty: number; unitPrice: string }[];
}

/** Bands: at least one, `fromQty` whole numbers ≥ 1 strictly ascending (so bands never overlap), prices ≥ 0 within the currency's precision. */
export function listTierIssues(table: TierTable, currency: Currency, basePath = 'tiers'): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!LIST_TIER_MODES.includes(table.mode)) issues.push({ path: `${basePath}.mode`, message: 'v:tier_mode' });
  if (table.bands.length === 0) issues.push({ path: `${basePath}.bands`, message: 'v:tiers_empty' });
  let previous = 0;
  table.bands.forEach((band, i) => {
    const path = `${basePath}.bands.${i}`;
    if (!Number.isSafeInteger(band.fromQty) || band.fromQty < 1) issues.push({ path: `${path}.fromQty`, message: 'v:positive_integer' });
    else if (band.fromQty <= previous) issues.push({ path: `${path}.fromQty`, message: 'v:tiers_not_ascending' });
    else previous = band.fromQty;
    const priceIssue = getUnitPriceIssue(band.unitPrice, currency);
    if (priceIssue) issues.push({ path: `${path}.unitPrice`, message: priceIssue });
  });
  return issues;
}

/** Unit prices may carry up to four places more than the currency's minor unit (per-unit prices of cheap items). */
export function getUnitPriceIssue(value: string, currency: Currency): string | null {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) return 'v:decimal_string';
  if (value.startsWith('-')) return 'v:not_negative';
  const places = value.split('.')[1]?.length ?? 0;
  if (places > CURRENCIES[currency] + 4) return 'v:currency_places';
  return null;
}

// ── Towards the pricing engine ──────────────────────────────────────────────────────────────────

export interface CatalogGroupRow {
  id: string;
  parentId: string | null;
}

export interface CatalogProductRow {
  id: string;
  sku: string;
  groupId: string | null;
  kind: string;
  taxPercent: string;
  costAmount: string | null;
  costCurrency: string | null;
  bundle: BundleSpec | null;
}

/** The engine's view of the catalog: bundled options become components at price 0; priced options are chosen per quote. */
export function toEngineCatalog(groups: readonly CatalogGroupRow[], rows: readonly CatalogProductRow[]): CatalogInput {
  return {
    groups: groups.map((g) => ({ id: g.id, parentId: g.parentId })),
    products: rows.map((p): ProductInput => {
      const product: ProductInput = { id: p.id, sku: p.sku, groupId: p.groupId, kind: p.kind, taxPercent: new Dec(p.taxPercent).toFixed() };
      if (p.costAmount !== null && p.costCurrency !== null) product.cost = { [p.costCurrency]: new Dec(p.costAmount).toFixed() };
      if (p.bundle) {
        product.bundle = {
          pricing: p.bundle.pricing,
          components: [
            ...p.bundle.components.map((c) => ({ productId: c.productId, quantity: c.quantity })),
            ...p.bundle.options.filter((o) => o.isBundled).map((o) => ({ productId: o.productId, quantity: o.quantity, isBundled: true })),
          ],
        };
      }
      return product;
    }),
  };
}

/** Rule ids of list-price tier tables are derived, so an explanation names the book and product. */
export function getListTierRuleId(priceBookId: string, productId: string): string {
  return `pricebook:${priceBookId}:${productId}`;
}

/**
 * A list-price tier table as a BASE rule on its product, ranked below every authored BASE rule
 * (priority −1000): an authored set-price or tier rule overrides the book, a contracted price
 * skips BASE altogether, and quantities below the first band keep the entry's unit price.
 */
export function toListTierRule(entry: { priceBookId: string; productId: string; tiers: TierTable }, currency: Currency, bookVersion: number): PricingRule {
  return {
    id: getListTierRuleId(entry.priceBookId, entry.productId),
    version: bookVersion,
    name: 'list price tiers',
    scope: { product: { kind: 'product', productId: entry.productId } },
    action: {
      type: 'tiers',
      basis: 'quantity',
      mode: entry.tiers.mode,
      valueKind: 'price',
      bands: entry.tiers.bands.map((b) => ({ fromQty: b.fromQty, amounts: { [currency]: b.unitPrice } })),
    },
    phase: 'BASE',
    priority: -1000,
    combine: 'exclusive',
  };
}

export interface ContractPriceRow {
  accountId: string;
  productId: string;
  currency: string;
  unitPrice: string;
  validFrom: string;
  validTo: string | null;
}

/**
 * Contracted prices for an account chain (the account first, then its parents nearest first), in
 * the quote currency and valid on the date, as the engine's lists nearest first: a child account
 * inherits its parents' prices for every product it has no price of its own for. Within one account
 * the latest validFrom wins.
 */
export function resolveContractPriceLists(
  chain: readonly string[],
  rows: readonly ContractPriceRow[],
  currency: Currency,
  onDate: string,
): ContractPriceList[] {
  const lists: ContractPriceList[] = [];
  for (const accountId of chain) {
    const prices: Record<string, string> = {};
    const from: Record<string, string> = {};
    for (const r of rows) {
      if (r.accountId !== accountId || r.currency !== currency) continue;
      if (r.validFrom > onDate || (r.validTo !== null && r.validTo < onDate)) continue;
      if (from[r.productId] !== undefined && from[r.productId]! >= r.validFrom) continue;
      from[r.productId] = r.validFrom;
      prices[r.productId] = new Dec(r.unitPrice).toFixed();
    }
    if (Object.keys(prices).length > 0) lists.push({ accountId, currency, prices });
  }
  return lists;
}

/** Is a price book valid on a local date (inclusive bounds)? */
export function isValidOn(window: { validFrom: string; validTo: string | null }, onDate: string): boolean {
  return window.validFrom <= onDate && (window.validTo === null || window.validTo >= onDate);
}
