import { Dec, isCurrency, type Currency } from '../../../shared/money.ts';
import { CelProduct } from './cel-context.ts';
import type { BucketEntry, CompiledRuleSet } from './compile.ts';
import { isDecimalString, type CurrencyAmounts } from './pricing-rule.ts';

/**
 * The catalog as the pricing engine sees it, and its index: group ancestry, the rule-index keys
 * each product is looked up under (with their specificity), pre-parsed amounts. Built once per
 * catalog version and shared by every quote; immutable afterwards.
 */

export interface ProductGroupInput {
  id: string;
  parentId?: string | null;
}

export interface BundleComponentInput {
  productId: string;
  /** Per bundle unit. */
  quantity: number;
  /** A bundled option: included at price 0 with this fixed quantity. */
  isBundled?: boolean;
}

export interface BundleDefinition {
  /** fixed: the bundle's own price, allocated to components; components: the sum of the priced components. */
  pricing: 'fixed' | 'components';
  components: BundleComponentInput[];
}

export interface ProductInput {
  id: string;
  sku: string;
  groupId?: string | null;
  /** goods, service, subscription… exposed to conditions as line.product.kind. */
  kind: string;
  /** Set on a variant: rules on the parent product apply to it too. */
  parentProductId?: string | null;
  /** Default VAT rate in percent, e.g. "13" for goods, "6" for services. */
  taxPercent?: string;
  cost?: CurrencyAmounts;
  floorPrice?: CurrencyAmounts;
  ceilingPrice?: CurrencyAmounts;
  /** Minimum margin on price over cost: floor = cost / (1 − m/100). */
  minMarginPercent?: string;
  bundle?: BundleDefinition;
}

export interface CatalogInput {
  groups: ProductGroupInput[];
  products: ProductInput[];
}

export interface CatalogIssue {
  code: 'group_cycle' | 'unknown_parent_group' | 'unknown_group' | 'duplicate_product' | 'invalid_amount' | 'unknown_parent_product';
  id: string;
  message: string;
}

/** A key in the rule index and how specific a rule filed under it is for this product. */
export interface IndexKey extends PricingMemo {
  key: string;
  specificity: number;
  /**
   * The engine's memo of this key's bucket in a rule set (engine.ts getKeyEntries): the set and
   * revision it was looked up in, and what was found. Saves a string-keyed lookup in a map of
   * thousands of keys per product per quote; any change to the set moves its revision.
   */
  resolvedBy: CompiledRuleSet | null;
  resolvedRevision: number;
  resolved: readonly BucketEntry[] | undefined;
}

/**
 * Where the engine keeps what it worked out for a catalog object during one pricing call (a key's
 * admitted rules, a chain's ranked rules, a product's plan): `memoOwner` is that call's state, so a
 * memo with another owner is stale. The engine is synchronous and never nests, so one slot per
 * object suffices; reading it touches an object the engine reads anyway, where a per-call map keyed
 * by thousands of ids cost a string lookup and the map's growth. It keeps the last call's result
 * reachable until the next call overwrites it.
 */
export interface PricingMemo {
  memoOwner: object | null;
  memoValue: unknown;
}

function indexKey(key: string, specificity: number): IndexKey {
  return { key, specificity, resolvedBy: null, resolvedRevision: -1, resolved: undefined, memoOwner: null, memoValue: undefined };
}

/**
 * A product's group chain (its groups, nearest first, then '*'), shared by its products. A chain is
 * its first key followed by the chain of the rest (`parent`; null after '*'), so chains through the
 * same groups share their tails, and the engine ranks a tail's rules once per quote for all of them.
 */
export interface ProductChain extends PricingMemo {
  /** The chain's keys joined; '*' alone for products without a group. */
  id: string;
  keys: IndexKey[];
  /** keys[0]. */
  key: IndexKey;
  /** The chain of keys[1..]; null for the chain that is '*' alone. */
  parent: ProductChain | null;
}

/** Product-axis specificity: all < group (deeper is more specific) < product < variant. */
export const PRODUCT_SPECIFICITY = { all: 0, groupBase: 1, product: 1000, variant: 1001 } as const;

export type AmountMap = Partial<Record<Currency, Dec>>;

export interface IndexedProduct extends PricingMemo {
  input: ProductInput;
  id: string;
  /** [id], one array per product, for summing quantities by product the way groups are summed. */
  idList: readonly string[];
  /** Own group and ancestors, nearest first. */
  groupAncestors: string[];
  /** Rule-index keys, most specific first: variant id, parent product id, groups…, '*'. */
  indexKeys: IndexKey[];
  /** The product's own keys (its id, its parent's id): rules filed there concern few products. */
  ownKeys: IndexKey[];
  /** ownKeys[0], the product's own id. */
  ownKey: IndexKey;
  /** ownKeys[1], a variant's parent product, or null. */
  parentKey: IndexKey | null;
  /**
   * Its group chain (groups…, '*'), shared by every product of the same group, so a quote can
   * rank the rules filed along a chain once for all products in that group.
   */
  chain: ProductChain;
  cel: CelProduct;
  taxFraction: Dec;
  cost: AmountMap;
  floor: AmountMap;
  ceiling: AmountMap;
  /** minMarginPercent as a fraction, or null. */
  minMargin: Dec | null;
  /** With minMargin: the price that keeps it, cost ÷ (1 − minMargin), for each currency of `cost`. */
  marginFloor: AmountMap;
  /**
   * The engine's last price-book lookup for this product: the price list object it read and what
   * it found there (see getBookPrice in engine.ts). Holds on to that list until the product is
   * priced from another one.
   */
  bookPrices: object | null;
  bookPrice: Dec | null | undefined;
  /** bookPrice as bookScaled × 10^−bookPlaces (NaN when it does not fit), for line amounts. */
  bookScaled: number;
  bookPlaces: number;
}

export interface IndexedGroup {
  id: string;
  parentId: string | null;
  /** Own id first, then ancestors. */
  ancestors: string[];
  /** Root is 0. */
  depth: number;
}

export interface CatalogIndex {
  products: ReadonlyMap<string, IndexedProduct>;
  groups: ReadonlyMap<string, IndexedGroup>;
  issues: readonly CatalogIssue[];
}

export function getProductIndexKey(productId: string): string {
  return `p:${productId}`;
}

export function getGroupIndexKey(groupId: string): string {
  return `g:${groupId}`;
}

export const ALL_INDEX_KEY = '*';

const ZERO = new Dec(0);
const ONE = new Dec(1);
const HUNDRED = new Dec(100);

function parseAmounts(amounts: CurrencyAmounts | undefined, id: string, issues: CatalogIssue[]): AmountMap {
  const out: AmountMap = {};
  if (!amounts) return out;
  for (const [code, value] of Object.entries(amounts)) {
    if (!isCurrency(code) || !isDecimalString(value)) {
      issues.push({ code: 'invalid_amount', id, message: `invalid amount ${code} ${String(value)} on product ${id}` });
      continue;
    }
    out[code] = new Dec(value);
  }
  return out;
}

export function createCatalogIndex(catalog: CatalogInput): CatalogIndex {
  const issues: CatalogIssue[] = [];
  const groupInputs = new Map<string, ProductGroupInput>();
  for (const g of catalog.groups) groupInputs.set(g.id, g);
  const groups = new Map<string, IndexedGroup>();
  const resolveGroup = (id: string, trail: Set<string>): IndexedGroup | undefined => {
    const done = groups.get(id);
    if (done) return done;
    const input = groupInputs.get(id);
    if (!input) return undefined;
    if (trail.has(id)) {
      issues.push({ code: 'group_cycle', id, message: `product group ${id} is its own ancestor; the cycle is cut here` });
      return undefined;
    }
    trail.add(id);
    let parent: IndexedGroup | undefined;
    if (input.parentId) {
      parent = resolveGroup(input.parentId, trail);
      if (!parent && !groupInputs.has(input.parentId)) {
        issues.push({ code: 'unknown_parent_group', id, message: `product group ${id} has an unknown parent ${input.parentId}` });
      }
    }
    const existing = groups.get(id);
    if (existing) return existing;
    const group: IndexedGroup = {
      id,
      parentId: parent ? parent.id : null,
      ancestors: parent ? [id, ...parent.ancestors] : [id],
      depth: parent ? parent.depth + 1 : 0,
    };
    groups.set(id, group);
    return group;
  };
  for (const g of catalog.groups) resolveGroup(g.id, new Set());

  // One IndexKey per group (and one for '*'), shared by every chain through it, so what the engine
  // memoises on a key is worked out once per quote.
  const allKey = indexKey(ALL_INDEX_KEY, PRODUCT_SPECIFICITY.all);
  const groupKeys = new Map<string, IndexKey>();
  const getGroupKey = (gid: string): IndexKey => {
    let key = groupKeys.get(gid);
    if (!key) groupKeys.set(gid, (key = indexKey(getGroupIndexKey(gid), PRODUCT_SPECIFICITY.groupBase + groups.get(gid)!.depth)));
    return key;
  };
  // Chains by their keys (a group's ancestor list decides its chain, also where a cycle was cut).
  const chains = new Map<string, ProductChain>();
  const getChainOf = (keys: IndexKey[]): ProductChain => {
    const id = keys.map((k) => k.key).join('\n');
    let chain = chains.get(id);
    if (!chain) {
      const parent = keys.length > 1 ? getChainOf(keys.slice(1)) : null;
      chains.set(id, (chain = { id, keys, key: keys[0]!, parent, memoOwner: null, memoValue: undefined }));
    }
    return chain;
  };
  const chainOfGroup = new Map<string, ProductChain>();
  const getChain = (groupId: string): ProductChain => {
    let chain = chainOfGroup.get(groupId);
    if (!chain) chainOfGroup.set(groupId, (chain = getChainOf([...(groups.get(groupId)?.ancestors ?? []).map(getGroupKey), allKey])));
    return chain;
  };
  const products = new Map<string, IndexedProduct>();
  const taxFractions = new Map<string, Dec>();
  const inputs = new Map<string, ProductInput>();
  for (const p of catalog.products) {
    if (inputs.has(p.id)) issues.push({ code: 'duplicate_product', id: p.id, message: `product ${p.id} appears twice; the first wins` });
    else inputs.set(p.id, p);
  }
  for (const p of inputs.values()) {
    const group = p.groupId ? groups.get(p.groupId) : undefined;
    if (p.groupId && !group) issues.push({ code: 'unknown_group', id: p.id, message: `product ${p.id} is in unknown group ${p.groupId}` });
    const groupAncestors = group ? group.ancestors : [];
    const ownKeys: IndexKey[] = [];
    const parentId = p.parentProductId ?? null;
    if (parentId && !inputs.has(parentId)) {
      issues.push({ code: 'unknown_parent_product', id: p.id, message: `variant ${p.id} has an unknown parent product ${parentId}` });
    }
    ownKeys.push(indexKey(getProductIndexKey(p.id), parentId ? PRODUCT_SPECIFICITY.variant : PRODUCT_SPECIFICITY.product));
    if (parentId) ownKeys.push(indexKey(getProductIndexKey(parentId), PRODUCT_SPECIFICITY.product));
    const chain = getChain(group?.id ?? '');
    const indexKeys = [...ownKeys, ...chain.keys];
    let minMargin: Dec | null = null;
    if (p.minMarginPercent !== undefined) {
      if (isDecimalString(p.minMarginPercent) && Number(p.minMarginPercent) >= 0 && Number(p.minMarginPercent) < 100) {
        minMargin = new Dec(p.minMarginPercent).dividedBy(HUNDRED);
      } else issues.push({ code: 'invalid_amount', id: p.id, message: `invalid minMarginPercent on product ${p.id}` });
    }
    let taxFraction = ZERO;
    if (p.taxPercent !== undefined) {
      // A catalog has a handful of distinct rates: divide once per rate, not once per product.
      const known = taxFractions.get(p.taxPercent);
      if (known) taxFraction = known;
      else if (isDecimalString(p.taxPercent)) taxFractions.set(p.taxPercent, (taxFraction = new Dec(p.taxPercent).dividedBy(HUNDRED)));
      else issues.push({ code: 'invalid_amount', id: p.id, message: `invalid taxPercent on product ${p.id}` });
    }
    const cost = parseAmounts(p.cost, p.id, issues);
    const marginFloor: AmountMap = {};
    if (minMargin !== null) for (const code of Object.keys(cost) as Currency[]) marginFloor[code] = cost[code]!.dividedBy(ONE.minus(minMargin));
    products.set(p.id, {
      input: p,
      id: p.id,
      idList: [p.id],
      groupAncestors,
      indexKeys,
      ownKeys,
      ownKey: ownKeys[0]!,
      parentKey: ownKeys[1] ?? null,
      chain,
      cel: new CelProduct(p.id, p.sku, group?.id ?? '', groupAncestors, p.kind),
      taxFraction,
      cost,
      floor: parseAmounts(p.floorPrice, p.id, issues),
      ceiling: parseAmounts(p.ceilingPrice, p.id, issues),
      minMargin,
      marginFloor,
      bookPrices: null,
      bookPrice: undefined,
      bookScaled: NaN,
      bookPlaces: NaN,
      memoOwner: null,
      memoValue: undefined,
    });
  }
  return { products, groups, issues };
}
