import type { BundleSpecSchema, CreateProductBody, Product, ProductKind, UpdateProductBody } from '../../../../server/modules/catalog/contract.ts';
import { type FieldName, pathIndex } from './problem-fields.ts';

/**
 * The product drawer's values and the bodies sent from them. The bundle is edited as three lists
 * (components, options, features) behind an "is a bundle" switch; cost as an amount and currency.
 * An edit sends only what changed, with the product's version.
 */
export interface ComponentRow {
  productId?: string | undefined;
  quantity?: number | null | undefined;
}

export interface OptionRow extends ComponentRow {
  isBundled?: boolean | undefined;
  featureKey?: string | null | undefined;
}

export interface FeatureRow {
  key?: string | undefined;
  nameZh?: string | undefined;
  nameEn?: string | null | undefined;
  minOptions?: number | null | undefined;
  maxOptions?: number | null | undefined;
}

export interface ProductFormValues {
  sku: string;
  nameZh: string;
  nameEn?: string | undefined;
  groupId?: string | null | undefined;
  kind: ProductKind;
  termMonths?: number | null | undefined;
  unit: string;
  taxPercent: string;
  costAmount?: string | undefined;
  costCurrency?: string | undefined;
  isActive: boolean;
  isBundle: boolean;
  bundlePricing?: 'fixed' | 'components' | undefined;
  components?: ComponentRow[] | undefined;
  options?: OptionRow[] | undefined;
  features?: FeatureRow[] | undefined;
}

export const PRODUCT_FORM_FIELDS = [
  'sku',
  'nameZh',
  'nameEn',
  'groupId',
  'kind',
  'termMonths',
  'unit',
  'taxPercent',
  'costAmount',
  'costCurrency',
  'isActive',
  'isBundle',
  'bundlePricing',
] as const;

const TAX_BY_KIND: Record<ProductKind, string> = { license: '13', subscription: '6', service: '6', hardware: '13' };

/** VAT most products of a kind carry in China (goods and licences 13 %, services and subscriptions 6 %). */
export function defaultTaxPercent(kind: ProductKind): string {
  return TAX_BY_KIND[kind];
}

export function newProductDefaults(groupId?: string | null): ProductFormValues {
  return {
    sku: '',
    nameZh: '',
    groupId: groupId ?? null,
    kind: 'license',
    unit: '',
    taxPercent: defaultTaxPercent('license'),
    costCurrency: 'CNY',
    isActive: true,
    isBundle: false,
    bundlePricing: 'fixed',
    components: [],
    options: [],
    features: [],
  };
}

export function toProductFormValues(p: Product): ProductFormValues {
  return {
    sku: p.sku,
    nameZh: p.nameZh,
    nameEn: p.nameEn ?? undefined,
    groupId: p.groupId,
    kind: p.kind,
    termMonths: p.termMonths,
    unit: p.unit,
    taxPercent: p.taxPercent,
    costAmount: p.cost?.amount,
    costCurrency: p.cost?.currency ?? 'CNY',
    isActive: p.isActive,
    isBundle: p.bundle !== null,
    bundlePricing: p.bundle?.pricing ?? 'fixed',
    components: p.bundle?.components.map((c) => ({ ...c })) ?? [],
    options: p.bundle?.options.map((o) => ({ ...o })) ?? [],
    features: p.bundle?.features.map((f) => ({ ...f })) ?? [],
  };
}

function clean(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** The bundle as sent; rows are passed as typed so the server names the exact row of a problem. */
export function toBundle(v: ProductFormValues): BundleSpecSchema | null {
  if (!v.isBundle) return null;
  return {
    pricing: v.bundlePricing ?? 'fixed',
    components: (v.components ?? []).map((c) => ({ productId: c.productId ?? '', quantity: c.quantity ?? 0 })),
    options: (v.options ?? []).map((o) => ({
      productId: o.productId ?? '',
      quantity: o.quantity ?? 0,
      isBundled: o.isBundled ?? false,
      featureKey: clean(o.featureKey) ?? null,
    })),
    features: (v.features ?? []).map((f) => ({
      key: clean(f.key) ?? '',
      nameZh: clean(f.nameZh) ?? '',
      nameEn: clean(f.nameEn) ?? null,
      minOptions: f.minOptions ?? 0,
      maxOptions: f.maxOptions ?? 0,
    })),
  };
}

function toCost(v: ProductFormValues): Product['cost'] {
  const amount = clean(v.costAmount);
  return amount ? ({ amount, currency: v.costCurrency ?? 'CNY' } as NonNullable<Product['cost']>) : null;
}

export function createProductBody(v: ProductFormValues): CreateProductBody {
  return {
    sku: v.sku.trim(),
    nameZh: v.nameZh.trim(),
    nameEn: clean(v.nameEn) ?? null,
    groupId: v.groupId ?? null,
    kind: v.kind,
    termMonths: v.termMonths ?? null,
    unit: v.unit.trim(),
    taxPercent: v.taxPercent.trim(),
    cost: toCost(v),
    isActive: v.isActive,
    bundle: toBundle(v),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what changed against the loaded product, with its version. */
export function updateProductBody(base: Product, v: ProductFormValues): UpdateProductBody {
  const next = createProductBody(v);
  const body: UpdateProductBody = { version: base.version };
  if (next.sku !== base.sku) body.sku = next.sku;
  if (next.nameZh !== base.nameZh) body.nameZh = next.nameZh;
  if (next.nameEn !== base.nameEn) body.nameEn = next.nameEn;
  if (next.groupId !== base.groupId) body.groupId = next.groupId;
  if (next.kind !== base.kind) body.kind = next.kind;
  if (next.termMonths !== base.termMonths) body.termMonths = next.termMonths;
  if (next.unit !== base.unit) body.unit = next.unit;
  if (next.taxPercent !== base.taxPercent) body.taxPercent = next.taxPercent;
  if (!same(next.cost, base.cost)) body.cost = next.cost;
  if (next.isActive !== base.isActive) body.isActive = next.isActive;
  if (!same(next.bundle, base.bundle)) body.bundle = next.bundle;
  return body;
}

export function hasProductChanges(body: UpdateProductBody): boolean {
  return Object.keys(body).some((k) => k !== 'version');
}

const BUNDLE_LISTS = ['components', 'options', 'features'] as const;

/** A problem's path (`cost.amount`, `bundle.options.2.productId`) → the drawer's field, or null. */
export function productFieldOf(segments: readonly string[]): FieldName | null {
  const [head, second, third] = segments;
  if (head === 'cost') return 'costAmount';
  if (head === 'bundle') {
    if (second === 'pricing') return 'bundlePricing';
    const list = BUNDLE_LISTS.find((l) => l === second);
    const index = pathIndex(third);
    if (list && index !== null && segments[3]) return [list, index, segments[3]];
    return list ? null : 'isBundle';
  }
  return head !== undefined && (PRODUCT_FORM_FIELDS as readonly string[]).includes(head) ? head : null;
}
