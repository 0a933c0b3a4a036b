import type { DbOrTx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import { localDate } from '../../../shared/dates.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import type { BundleSpec, TierTable } from './catalog.ts';
import { priceBookEntries, priceBooks, productGroups, products } from './schema.ts';

/**
 * The demo catalog of 云澜软件: ERP and HCM licences, cloud subscriptions per user and year,
 * implementation, training and project management per person-day, servers and switches, and an
 * ERP starter bundle; a CNY and a USD price book for the seed year. Services carry 6 % VAT, goods and
 * licences 13 %.
 */

interface GroupSpec {
  code: string;
  zh: string;
  en: string;
  parent: string | null;
}

const GROUPS: readonly GroupSpec[] = [
  { code: 'SW', zh: '软件许可', en: 'Software licences', parent: null },
  { code: 'SW-ERP', zh: 'ERP', en: 'ERP', parent: 'SW' },
  { code: 'SW-HCM', zh: '人力资源', en: 'HCM', parent: 'SW' },
  { code: 'CLOUD', zh: '云订阅', en: 'Cloud subscriptions', parent: null },
  { code: 'SVC', zh: '专业服务', en: 'Professional services', parent: null },
  { code: 'SVC-IMPL', zh: '实施', en: 'Implementation', parent: 'SVC' },
  { code: 'SVC-TRAIN', zh: '培训', en: 'Training', parent: 'SVC' },
  { code: 'HW', zh: '硬件', en: 'Hardware', parent: null },
];

interface ProductSpec {
  sku: string;
  zh: string;
  en: string;
  group: string;
  kind: 'license' | 'subscription' | 'service' | 'hardware';
  unit: string;
  term?: number;
  cost?: string;
  /** CNY, USD list prices. */
  cny: string;
  usd: string;
}

const PRODUCTS: readonly ProductSpec[] = [
  { sku: 'ERP-STD', zh: '云澜 ERP 标准版（永久许可）', en: 'Yunlan ERP Standard (perpetual)', group: 'SW-ERP', kind: 'license', unit: '套', cost: '18000', cny: '98000', usd: '14000' },
  { sku: 'ERP-ENT', zh: '云澜 ERP 企业版（永久许可）', en: 'Yunlan ERP Enterprise (perpetual)', group: 'SW-ERP', kind: 'license', unit: '套', cost: '42000', cny: '268000', usd: '38000' },
  { sku: 'ERP-USER', zh: 'ERP 用户许可', en: 'ERP named user', group: 'SW-ERP', kind: 'license', unit: '用户', cost: '300', cny: '2800', usd: '400' },
  { sku: 'HCM-STD', zh: '云澜 HCM 标准版（永久许可）', en: 'Yunlan HCM Standard (perpetual)', group: 'SW-HCM', kind: 'license', unit: '套', cost: '12000', cny: '68000', usd: '9800' },
  { sku: 'CLOUD-ERP', zh: '云 ERP 订阅（每用户每年）', en: 'Cloud ERP (per user per year)', group: 'CLOUD', kind: 'subscription', unit: '用户', term: 12, cost: '260', cny: '1200', usd: '170' },
  { sku: 'CLOUD-HCM', zh: '云 HCM 订阅（每用户每年）', en: 'Cloud HCM (per user per year)', group: 'CLOUD', kind: 'subscription', unit: '用户', term: 12, cost: '180', cny: '720', usd: '100' },
  { sku: 'CLOUD-STORAGE', zh: '云存储扩容（每 TB 每年）', en: 'Cloud storage (per TB per year)', group: 'CLOUD', kind: 'subscription', unit: 'TB', term: 12, cost: '900', cny: '3600', usd: '500' },
  { sku: 'SVC-IMPL', zh: '实施顾问服务', en: 'Implementation consultant', group: 'SVC-IMPL', kind: 'service', unit: '人天', cost: '1400', cny: '2800', usd: '420' },
  { sku: 'SVC-PM', zh: '项目经理服务', en: 'Project manager', group: 'SVC-IMPL', kind: 'service', unit: '人天', cost: '1800', cny: '3500', usd: '520' },
  { sku: 'SVC-DATA', zh: '数据迁移服务', en: 'Data migration', group: 'SVC-IMPL', kind: 'service', unit: '人天', cost: '1300', cny: '2600', usd: '390' },
  { sku: 'SVC-TRAIN', zh: '用户培训', en: 'End-user training', group: 'SVC-TRAIN', kind: 'service', unit: '人天', cost: '1000', cny: '2200', usd: '330' },
  { sku: 'HW-SRV-2U', zh: '2U 机架服务器', en: '2U rack server', group: 'HW', kind: 'hardware', unit: '台', cost: '38000', cny: '46000', usd: '6600' },
  { sku: 'HW-SW-48', zh: '48 口千兆交换机', en: '48-port gigabit switch', group: 'HW', kind: 'hardware', unit: '台', cost: '5200', cny: '6800', usd: '980' },
];

const TAX: Record<ProductSpec['kind'], string> = { license: '13', subscription: '6', service: '6', hardware: '13' };

/** Storage is sold in volume bands on the list price itself (range: every TB at the band reached). */
const STORAGE_TIERS: Record<'CNY' | 'USD', TierTable> = {
  CNY: { mode: 'range', bands: [{ fromQty: 10, unitPrice: '3200' }, { fromQty: 50, unitPrice: '2800' }] },
  USD: { mode: 'range', bands: [{ fromQty: 10, unitPrice: '450' }, { fromQty: 50, unitPrice: '390' }] },
};

export interface CatalogSeedResult {
  rows: Record<string, number>;
  /** By code / SKU, for the demo pricing rules. */
  groupIds: Map<string, string>;
  productIds: Map<string, string>;
  priceBookIds: { CNY: string; USD: string };
}

export async function seedCatalog(tx: DbOrTx, opts: { now?: Date } = {}): Promise<CatalogSeedResult> {
  const now = opts.now ?? new Date();
  // The price books are the seed year's (company time zone), so a demo started in any year can quote.
  const year = localDate(now, COMPANY_TIME_ZONE).slice(0, 4);
  const groupIds = new Map(GROUPS.map((g) => [g.code, newId()]));
  await tx.insert(productGroups).values(
    GROUPS.map((g) => ({ id: groupIds.get(g.code)!, code: g.code, nameZh: g.zh, nameEn: g.en, parentId: g.parent ? groupIds.get(g.parent)! : null, createdAt: now, updatedAt: now })),
  );
  const productIds = new Map(PRODUCTS.map((p) => [p.sku, newId()]));
  productIds.set('ERP-STARTER', newId());
  await tx.insert(products).values(
    PRODUCTS.map((p) => ({
      id: productIds.get(p.sku)!,
      sku: p.sku,
      nameZh: p.zh,
      nameEn: p.en,
      groupId: groupIds.get(p.group)!,
      kind: p.kind,
      termMonths: p.term ?? null,
      unit: p.unit,
      taxPercent: TAX[p.kind],
      costAmount: p.cost ?? null,
      costCurrency: p.cost ? 'CNY' : null,
      createdAt: now,
      updatedAt: now,
    })),
  );
  const starter: BundleSpec = {
    pricing: 'fixed',
    components: [
      { productId: productIds.get('ERP-STD')!, quantity: 1 },
      { productId: productIds.get('ERP-USER')!, quantity: 20 },
    ],
    options: [
      { productId: productIds.get('SVC-IMPL')!, quantity: 15, isBundled: true, featureKey: 'services' },
      { productId: productIds.get('SVC-TRAIN')!, quantity: 2, isBundled: false, featureKey: 'services' },
      { productId: productIds.get('HW-SRV-2U')!, quantity: 1, isBundled: false, featureKey: 'hardware' },
    ],
    features: [
      { key: 'services', nameZh: '实施与培训', nameEn: 'Implementation and training', minOptions: 1, maxOptions: 2 },
      { key: 'hardware', nameZh: '硬件', nameEn: 'Hardware', minOptions: 0, maxOptions: 1 },
    ],
  };
  await tx.insert(products).values({
    id: productIds.get('ERP-STARTER')!,
    sku: 'ERP-STARTER',
    nameZh: 'ERP 快速启动套装',
    nameEn: 'ERP starter bundle',
    groupId: groupIds.get('SW-ERP')!,
    kind: 'license',
    unit: '套',
    taxPercent: '13',
    bundle: starter,
    createdAt: now,
    updatedAt: now,
  });

  const priceBookIds = { CNY: newId(), USD: newId() };
  await tx.insert(priceBooks).values([
    { id: priceBookIds.CNY, code: `CN-${year}`, nameZh: `${year} 年标准价格表（人民币）`, nameEn: `${year} list prices (CNY)`, currency: 'CNY', validFrom: `${year}-01-01`, validTo: `${year}-12-31`, createdAt: now, updatedAt: now },
    { id: priceBookIds.USD, code: `US-${year}`, nameZh: `${year} 年标准价格表（美元）`, nameEn: `${year} list prices (USD)`, currency: 'USD', validFrom: `${year}-01-01`, validTo: `${year}-12-31`, createdAt: now, updatedAt: now },
  ]);
  const entries = (['CNY', 'USD'] as const).flatMap((currency) => [
    ...PRODUCTS.map((p) => ({
      id: newId(),
      priceBookId: priceBookIds[currency],
      productId: productIds.get(p.sku)!,
      unitPrice: currency === 'CNY' ? p.cny : p.usd,
      tiers: p.sku === 'CLOUD-STORAGE' ? STORAGE_TIERS[currency] : null,
      createdAt: now,
      updatedAt: now,
    })),
    { id: newId(), priceBookId: priceBookIds[currency], productId: productIds.get('ERP-STARTER')!, unitPrice: currency === 'CNY' ? '128000' : '18500', tiers: null, createdAt: now, updatedAt: now },
  ]);
  await tx.insert(priceBookEntries).values(entries);
  return {
    rows: { product_groups: GROUPS.length, products: PRODUCTS.length + 1, price_books: 2, price_book_entries: entries.length },
    groupIds,
    productIds,
    priceBookIds,
  };
}
