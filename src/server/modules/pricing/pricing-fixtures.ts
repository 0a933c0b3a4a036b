import type { Currency } from '../../../shared/money.ts';
import type { BundleDefinition, CatalogInput, ProductGroupInput, ProductInput } from './catalog.ts';
import type { CombinePolicy, CustomerScope, PricingPhase, PricingRule, ProductScope, RuleAction, TierMode } from './pricing-rule.ts';
import type { ContractPriceList, PricingCustomer, PricingLineInput, PricingRequest } from './pricing-types.ts';
import { createSeededRandom } from '../../../shared/seeded-random.ts';

/**
 * A deterministic, seeded generator of a realistic pricing world for tests and the benchmark:
 * a product group tree, products with variants, bundles, costs and floors, a customer group tree,
 * customers with contracts, and a mixed rule set (scopes, CEL conditions over customer group,
 * region and quantity, tiers of all three modes, validity windows, floors, free items).
 */

/** Seeded: the same seed always gives the same world. */
export const createRandom = createSeededRandom;

export interface FixtureSize {
  products: number;
  rules: number;
  customerGroups: number;
  customers: number;
  /** Product group tree: roots × children × grandchildren. */
  groupShape: [number, number, number];
}

export const FULL_SIZE: FixtureSize = { products: 5000, rules: 20_000, customerGroups: 1000, customers: 400, groupShape: [8, 5, 10] };
export const SMALL_SIZE: FixtureSize = { products: 500, rules: 2000, customerGroups: 100, customers: 40, groupShape: [4, 3, 4] };

export interface PricingFixture {
  catalog: CatalogInput;
  rules: PricingRule[];
  customers: PricingCustomer[];
  contracts: Map<string, ContractPriceList>;
  priceBook: { id: string; currency: Currency; prices: Record<string, string> };
  /** Sellable (non-bundle, non-variant-parent-only) product ids. */
  sellableProductIds: string[];
  bundleIds: string[];
  productGroupIds: string[];
  customerGroupIds: string[];
}

const REGIONS = ['east', 'north', 'south', 'west'] as const;
const CUSTOMER_KINDS = ['enterprise', 'smb', 'government'] as const;
const PRODUCT_KINDS = ['goods', 'service', 'subscription'] as const;

export function createPricingFixture(size: FixtureSize = FULL_SIZE, seed = 20_250_101): PricingFixture {
  const random = createRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const money = (lo: number, hi: number) => (int(lo * 100, hi * 100) / 100).toFixed(2);

  // Product group tree.
  const groups: ProductGroupInput[] = [];
  const leafGroups: string[] = [];
  const [roots, children, grandchildren] = size.groupShape;
  for (let r = 0; r < roots; r++) {
    const rootId = `pg${r}`;
    groups.push({ id: rootId, parentId: null });
    for (let c = 0; c < children; c++) {
      const childId = `${rootId}.${c}`;
      groups.push({ id: childId, parentId: rootId });
      for (let g = 0; g < grandchildren; g++) {
        const leafId = `${childId}.${g}`;
        groups.push({ id: leafId, parentId: childId });
        leafGroups.push(leafId);
      }
    }
  }
  const groupIds = groups.map((g) => g.id);

  // Products: ~10 % variants of an earlier product, ~1 % bundles.
  const products: ProductInput[] = [];
  const prices: Record<string, string> = {};
  const sellable: string[] = [];
  const bundleIds: string[] = [];
  for (let i = 0; i < size.products; i++) {
    const id = `P${i}`;
    const kind = pick(PRODUCT_KINDS);
    const list = money(10, 5000);
    const listNum = Number(list);
    const isVariant = i > 10 && chance(0.1);
    const parent = isVariant ? products[int(0, products.length - 1)]! : null;
    const product: ProductInput = {
      id,
      sku: `SKU-${i}`,
      groupId: parent ? parent.groupId! : pick(leafGroups),
      kind,
      parentProductId: parent && !parent.parentProductId ? parent.id : null,
      taxPercent: kind === 'goods' ? '13' : '6',
      cost: { CNY: (listNum * (0.4 + random() * 0.3)).toFixed(2) },
    };
    if (chance(0.3)) product.floorPrice = { CNY: (listNum * 0.55).toFixed(2) };
    if (chance(0.1)) product.minMarginPercent = '15';
    products.push(product);
    prices[id] = list;
    sellable.push(id);
  }
  const bundleCount = Math.max(2, Math.floor(size.products / 100));
  for (let b = 0; b < bundleCount; b++) {
    const id = `B${b}`;
    const components = Array.from({ length: int(2, 4) }, () => ({ productId: pick(sellable), quantity: int(1, 3) }));
    const bundle: BundleDefinition = {
      pricing: chance(0.5) ? 'fixed' : 'components',
      components: [...components, { productId: pick(sellable), quantity: 1, isBundled: true }],
    };
    products.push({ id, sku: `BND-${b}`, groupId: pick(leafGroups), kind: 'goods', taxPercent: '13', bundle });
    prices[id] = money(500, 20_000);
    bundleIds.push(id);
  }

  // Customer group tree: two levels.
  const customerGroupIds: string[] = [];
  const customerGroupParent = new Map<string, string | null>();
  const cgRoots = Math.max(2, Math.floor(size.customerGroups / 50));
  for (let r = 0; r < cgRoots; r++) {
    customerGroupIds.push(`cg${r}`);
    customerGroupParent.set(`cg${r}`, null);
  }
  for (let i = cgRoots; i < size.customerGroups; i++) {
    const id = `cg${i}`;
    const parent = `cg${i % cgRoots}`;
    customerGroupIds.push(id);
    customerGroupParent.set(id, parent);
  }
  const customerLeafGroups = customerGroupIds.slice(cgRoots);
  const getCustomerAncestors = (id: string) => {
    const out = [id];
    let p = customerGroupParent.get(id) ?? null;
    while (p) {
      out.push(p);
      p = customerGroupParent.get(p) ?? null;
    }
    return out;
  };

  const customers: PricingCustomer[] = [];
  const contracts = new Map<string, ContractPriceList>();
  for (let i = 0; i < size.customers; i++) {
    const id = `A${i}`;
    const parentAccountIds = i > 5 && chance(0.1) ? [`A${int(0, i - 1)}`] : [];
    customers.push({
      id,
      parentAccountIds,
      groupAncestors: getCustomerAncestors(pick(customerLeafGroups)),
      kind: pick(CUSTOMER_KINDS),
      region: pick(REGIONS),
      custom: { tier: pick(['gold', 'silver', 'bronze']), employees: int(10, 50_000) },
    });
    if (chance(0.1)) {
      const contractPrices: Record<string, string> = {};
      for (let k = 0; k < 50; k++) {
        const pid = pick(sellable);
        contractPrices[pid] = (Number(prices[pid]) * 0.85).toFixed(2);
      }
      contracts.set(id, { accountId: id, currency: 'CNY', prices: contractPrices });
    }
  }

  // Rules.
  const conditionTemplates: (() => string | undefined)[] = [
    () => undefined,
    () => undefined,
    () => `customer.region == "${pick(REGIONS)}"`,
    () => `"${pick(customerGroupIds)}" in customer.groupAncestors`,
    () => `line.quantity >= ${int(5, 50)}`,
    () => `customer.region == "${pick(REGIONS)}" && line.quantity >= ${int(5, 50)}`,
    () => `customer.kind == "${pick(CUSTOMER_KINDS)}" && line.quantity < ${int(50, 500)}`,
    () => `"${pick(customerGroupIds)}" in customer.groupAncestors && customer.region == "${pick(REGIONS)}" && line.quantity >= ${int(2, 20)}`,
    () => `quote.qtyByGroup["${pick(groupIds)}"] >= ${int(10, 200)}`,
    () => `line.product.kind == "${pick(PRODUCT_KINDS)}" && customer.region == "${pick(REGIONS)}"`,
    () => `has(customer.custom.tier) && customer.custom.tier == "gold"`,
  ];
  const tierModes: TierMode[] = ['range', 'slab', 'block'];
  const makeTiers = (basePrice: number): RuleAction => {
    const mode = pick(tierModes);
    const n = int(2, 4);
    const thresholds = [1];
    for (let k = 1; k < n; k++) thresholds.push(thresholds[k - 1]! + int(5, 60));
    if (mode === 'block') {
      return {
        type: 'tiers',
        basis: 'quantity',
        mode,
        valueKind: 'price',
        bands: thresholds.map((from, k) => ({ fromQty: from, amounts: { CNY: (basePrice * (thresholds[k + 1] ?? from + 50) * (1 - 0.05 * k)).toFixed(2) } })),
      };
    }
    const valueKind = pick(['price', 'percent', 'amount'] as const);
    return {
      type: 'tiers',
      basis: 'quantity',
      mode,
      valueKind,
      bands: thresholds.map((from, k) =>
        valueKind === 'percent'
          ? { fromQty: from, percent: String(k * 3) }
          : valueKind === 'price'
            ? { fromQty: from, amounts: { CNY: (basePrice * (1 - 0.04 * k)).toFixed(2) } }
            : { fromQty: from, amounts: { CNY: (basePrice * 0.02 * k).toFixed(2) } },
      ),
    };
  };
  const validity = (): { validFrom?: string; validTo?: string } => {
    if (!chance(0.3)) return {};
    const year = pick([2024, 2025, 2026]);
    const month = String(int(1, 12)).padStart(2, '0');
    return { validFrom: `${year}-${month}-01`, validTo: `${year}-${month}-28` };
  };
  const combine = (): CombinePolicy => {
    const r = random();
    return r < 0.6 ? 'exclusive' : r < 0.85 ? 'additive' : 'compound';
  };

  const rules: PricingRule[] = [];
  const addRule = (product: ProductScope, customer: CustomerScope, action: RuleAction, phase: PricingPhase) => {
    const i = rules.length;
    const condition = pick(conditionTemplates)();
    rules.push({
      id: `R${i}`,
      version: int(1, 5),
      name: `rule ${i}`,
      scope: { product, customer },
      ...(condition === undefined ? {} : { condition }),
      action,
      phase,
      priority: int(0, 5) * 10,
      combine: combine(),
      ...validity(),
    });
  };
  const priceAction = (basePrice: number): { action: RuleAction; phase: PricingPhase } => {
    const r = random();
    if (r < 0.35) {
      const action = makeTiers(basePrice);
      return { action, phase: action.type === 'tiers' && action.valueKind === 'price' ? 'BASE' : 'SYSTEM' };
    }
    if (r < 0.75) return { action: { type: 'percentDiscount', percent: String(int(1, 25)) }, phase: chance(0.85) ? 'SYSTEM' : 'CHANNEL' };
    if (r < 0.85) return { action: { type: 'setPrice', amounts: { CNY: (basePrice * 0.95).toFixed(2) } }, phase: 'BASE' };
    return { action: { type: 'amountDiscount', amounts: { CNY: (basePrice * 0.03).toFixed(2) } }, phase: 'SYSTEM' };
  };
  const customerScope = (pAll: number, pGroup: number): CustomerScope => {
    const r = random();
    if (r < pAll) return { kind: 'all' };
    if (r < pAll + pGroup) return { kind: 'customerGroup', groupId: pick(customerGroupIds) };
    return { kind: 'account', accountId: `A${int(0, size.customers - 1)}` };
  };
  const globalRules = Math.max(5, Math.floor(size.rules / 1000));
  const constraintRules = Math.floor(size.rules * 0.05);
  const productRules = Math.floor(size.rules * 0.4);
  const groupRules = Math.floor(size.rules * 0.35);
  const allProductRules = size.rules - productRules - groupRules - constraintRules;
  for (let i = 0; i < productRules; i++) {
    const pid = pick(sellable);
    const { action, phase } = priceAction(Number(prices[pid]));
    addRule({ kind: 'product', productId: pid }, customerScope(0.5, 0.4), action, phase);
  }
  for (let i = 0; i < groupRules; i++) {
    const { action, phase } = priceAction(int(50, 2000));
    // Group-wide price tables would reprice unrelated products; keep group rules to adjustments.
    const adjusted = phase === 'BASE' ? { action: { type: 'percentDiscount', percent: String(int(1, 15)) } as RuleAction, phase: 'SYSTEM' as const } : { action, phase };
    addRule({ kind: 'group', groupId: pick(groupIds) }, customerScope(0.25, 0.75), adjusted.action, adjusted.phase);
  }
  for (let i = 0; i < allProductRules; i++) {
    const isGlobal = i < globalRules;
    addRule(
      { kind: 'all' },
      isGlobal ? { kind: 'all' } : { kind: 'customerGroup', groupId: pick(customerGroupIds) },
      { type: 'percentDiscount', percent: String(int(1, 10)) },
      chance(0.8) ? 'SYSTEM' : 'CHANNEL',
    );
  }
  for (let i = 0; i < constraintRules; i++) {
    const pid = pick(sellable);
    const r = random();
    const action: RuleAction =
      r < 0.6
        ? { type: 'floor', amounts: { CNY: (Number(prices[pid]) * 0.6).toFixed(2) } }
        : r < 0.8
          ? { type: 'floor', minMarginPercent: '10' }
          : r < 0.9
            ? { type: 'ceiling', amounts: { CNY: (Number(prices[pid]) * 1.2).toFixed(2) } }
            : { type: 'freeItem', productId: pick(sellable), quantity: 1, perQuantity: int(5, 20) };
    addRule({ kind: 'product', productId: pid }, customerScope(0.7, 0.3), action, 'SYSTEM');
  }

  return {
    catalog: { groups, products },
    rules,
    customers,
    contracts,
    priceBook: { id: 'PB-CNY', currency: 'CNY', prices },
    sellableProductIds: sellable,
    bundleIds,
    productGroupIds: groupIds,
    customerGroupIds,
  };
}

/** A quote of `lineCount` lines for a random customer; ~1 % bundle lines with their components. */
export function createQuoteRequest(fixture: PricingFixture, random: () => number, lineCount: number): PricingRequest {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const customer = pick(fixture.customers);
  const lines: PricingLineInput[] = [];
  const products = new Map(fixture.catalog.products.map((p) => [p.id, p]));
  let n = 0;
  while (lines.length < lineCount) {
    const id = `L${n++}`;
    if (random() < 0.01 && lines.length + 6 <= lineCount) {
      const bundleId = pick(fixture.bundleIds);
      const qty = int(1, 3);
      lines.push({ id, productId: bundleId, quantity: qty });
      for (const [k, c] of products.get(bundleId)!.bundle!.components.entries()) {
        lines.push({ id: `${id}.${k}`, productId: c.productId, quantity: c.quantity * qty, parentLineId: id });
      }
      continue;
    }
    const r = random();
    const line: PricingLineInput = {
      id,
      productId: pick(fixture.sellableProductIds),
      quantity: r < 0.5 ? int(1, 10) : r < 0.9 ? int(10, 100) : int(100, 1000),
    };
    if (random() < 0.05) line.manualDiscountPercent = String(int(1, 30));
    lines.push(line);
  }
  const contract = fixture.contracts.get(customer.id);
  return {
    customer,
    opportunity: { id: 'O1', stage: 'proposal', kind: 'new', source: 'web', custom: {} },
    quote: { id: 'Q1', currency: 'CNY', pricingDate: `2025-${String(int(1, 12)).padStart(2, '0')}-15T02:00:00Z`, termMonths: pick([12, 24, 36]) },
    priceBook: fixture.priceBook,
    ...(contract ? { contractPrices: [contract] } : {}),
    lines,
  };
}
