import { z } from 'zod';
import { Id, IsoDate, PageQuery, QueryBool, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { DECIMAL_PATTERN, MoneySchema, isCurrency, type Currency } from '../../../shared/money.ts';

/**
 * The catalog API, shared by server and web: product groups, products and bundles, price books and
 * their entries (list prices with optional tier tables), contracted prices per account, and the
 * XLSX round trip of a price book. Shapes are checked here (400 with field paths); rules that need
 * the database (cycles, unknown products, a currency that differs from the book) are the
 * service's `catalog.*` problems. The enums repeat schema.ts so the web does not import Drizzle.
 */

export const PRODUCT_KINDS = ['license', 'subscription', 'service', 'hardware'] as const;
export const ProductKind = z.enum(PRODUCT_KINDS);
export type ProductKind = z.infer<typeof ProductKind>;
export const TIER_MODES = ['range', 'slab', 'block'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const Code = z.string().trim().regex(/^[A-Za-z0-9_.-]{1,60}$/, { message: 'v:code' });
export const CurrencyCode = z.string().refine(isCurrency, { message: 'v:unknown_currency' }).transform((c) => c as Currency);
/** A non-negative decimal string; the currency's precision is checked by the service, which knows the currency. */
export const UnitPrice = z
  .string()
  .regex(DECIMAL_PATTERN, { message: 'v:decimal_string' })
  .refine((s) => !s.startsWith('-'), { message: 'v:not_negative' })
  .refine((s) => s.replace('.', '').length <= 24, { message: 'v:too_many_digits' });
/** VAT in percent as a decimal string, 0 ≤ rate < 100 ("6", "13", "9.5"). */
export const TaxPercent = z
  .string()
  .regex(/^(0|[1-9]\d?)(\.\d{1,2})?$/, { message: 'v:tax_percent' });

export const IdParams = z.strictObject({ id: Id });
export const AccountParams = z.strictObject({ accountId: Id });

// ── Product groups ──────────────────────────────────────────────────────────────────────────────

export const ProductGroup = z.object({
  id: Id,
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  parentId: Id.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ProductGroup = z.infer<typeof ProductGroup>;
export const ProductGroupList = z.object({ items: z.array(ProductGroup) });
export type ProductGroupList = z.infer<typeof ProductGroupList>;

export const CreateProductGroupBody = z.strictObject({
  code: Code,
  nameZh: text(100),
  nameEn: text(100).optional(),
  parentId: Id.nullable().default(null),
});
export type CreateProductGroupBody = z.infer<typeof CreateProductGroupBody>;

export const UpdateProductGroupBody = z.strictObject({
  version: Version,
  code: Code.optional(),
  nameZh: text(100).optional(),
  nameEn: text(100).nullable().optional(),
  parentId: Id.nullable().optional(),
});
export type UpdateProductGroupBody = z.infer<typeof UpdateProductGroupBody>;

// ── Products and bundles ────────────────────────────────────────────────────────────────────────

const Quantity = z.number().int({ message: 'v:positive_integer' }).min(1, { message: 'v:positive_integer' }).max(1_000_000);

export const BundleSpecSchema = z.strictObject({
  pricing: z.enum(['fixed', 'components']),
  components: z.array(z.strictObject({ productId: Id, quantity: Quantity })).max(200),
  options: z
    .array(z.strictObject({ productId: Id, quantity: Quantity, isBundled: z.boolean(), featureKey: Code.nullable().default(null) }))
    .max(200)
    .default([]),
  features: z
    .array(
      z.strictObject({
        key: Code,
        nameZh: text(100),
        nameEn: text(100).nullable().default(null),
        minOptions: z.number().int().min(0).max(200),
        maxOptions: z.number().int().min(0).max(200),
      }),
    )
    .max(50)
    .default([]),
});
export type BundleSpecSchema = z.infer<typeof BundleSpecSchema>;

export const Product = z.object({
  id: Id,
  sku: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  groupId: Id.nullable(),
  kind: ProductKind,
  termMonths: z.number().int().nullable(),
  unit: z.string(),
  taxPercent: z.string(),
  /** Standard cost per unit; null when unknown or not visible to the reader. */
  cost: MoneySchema.nullable(),
  isActive: z.boolean(),
  bundle: BundleSpecSchema.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Product = z.infer<typeof Product>;
export const ProductPage = pageSchema(Product);

const productFields = {
  nameZh: text(200),
  nameEn: text(200).nullable(),
  groupId: Id.nullable(),
  kind: ProductKind,
  termMonths: z.number().int().min(1).max(120).nullable(),
  unit: text(20),
  taxPercent: TaxPercent,
  cost: MoneySchema.nullable(),
  isActive: z.boolean(),
  bundle: BundleSpecSchema.nullable(),
};

export const CreateProductBody = z.strictObject({
  sku: Code,
  ...productFields,
  nameEn: productFields.nameEn.default(null),
  groupId: productFields.groupId.default(null),
  termMonths: productFields.termMonths.default(null),
  cost: productFields.cost.default(null),
  isActive: productFields.isActive.default(true),
  bundle: productFields.bundle.default(null),
});
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = z.strictObject({
  version: Version,
  sku: Code.optional(),
  nameZh: productFields.nameZh.optional(),
  nameEn: productFields.nameEn.optional(),
  groupId: productFields.groupId.optional(),
  kind: productFields.kind.optional(),
  termMonths: productFields.termMonths.optional(),
  unit: productFields.unit.optional(),
  taxPercent: productFields.taxPercent.optional(),
  cost: productFields.cost.optional(),
  isActive: productFields.isActive.optional(),
  bundle: productFields.bundle.optional(),
});
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const ListProductsQuery = PageQuery.extend({
  /** A group and every group below it. */
  groupId: Id.optional(),
  kind: ProductKind.optional(),
  active: QueryBool.optional(),
  /** SKU or name contains. */
  q: z.string().trim().min(1).max(100).optional(),
}).strict();
export type ListProductsQuery = z.infer<typeof ListProductsQuery>;

// ── Price books ─────────────────────────────────────────────────────────────────────────────────

export const TierTableSchema = z.strictObject({
  mode: z.enum(TIER_MODES),
  bands: z.array(z.strictObject({ fromQty: z.number().int({ message: 'v:positive_integer' }), unitPrice: UnitPrice })).min(1).max(50),
});
export type TierTableSchema = z.infer<typeof TierTableSchema>;

export const PriceBook = z.object({
  id: Id,
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  currency: z.string(),
  validFrom: IsoDate,
  validTo: IsoDate.nullable(),
  isActive: z.boolean(),
  entryCount: z.number().int(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type PriceBook = z.infer<typeof PriceBook>;
export const PriceBookList = z.object({ items: z.array(PriceBook) });
export type PriceBookList = z.infer<typeof PriceBookList>;

export const CreatePriceBookBody = z.strictObject({
  code: Code,
  nameZh: text(100),
  nameEn: text(100).nullable().default(null),
  currency: CurrencyCode,
  validFrom: IsoDate,
  validTo: IsoDate.nullable().default(null),
  isActive: z.boolean().default(true),
});
export type CreatePriceBookBody = z.infer<typeof CreatePriceBookBody>;

export const UpdatePriceBookBody = z.strictObject({
  version: Version,
  nameZh: text(100).optional(),
  nameEn: text(100).nullable().optional(),
  validFrom: IsoDate.optional(),
  validTo: IsoDate.nullable().optional(),
  isActive: z.boolean().optional(),
});
export type UpdatePriceBookBody = z.infer<typeof UpdatePriceBookBody>;

export const PriceBookEntry = z.object({
  productId: Id,
  sku: z.string(),
  nameZh: z.string(),
  unitPrice: z.string(),
  tiers: TierTableSchema.nullable(),
  updatedAt: Timestamp,
});
export type PriceBookEntry = z.infer<typeof PriceBookEntry>;
export const PriceBookEntryList = z.object({ priceBookId: Id, currency: z.string(), version: Version, items: z.array(PriceBookEntry) });
export type PriceBookEntryList = z.infer<typeof PriceBookEntryList>;

/** Set (or, with `unitPrice: null`, remove) list prices; the book's version guards the whole table. */
export const PatchEntriesBody = z.strictObject({
  version: Version,
  /** Must equal the book's currency (422 catalog.currency_mismatch otherwise). */
  currency: CurrencyCode,
  entries: z
    .array(z.strictObject({ productId: Id, unitPrice: UnitPrice.nullable(), tiers: TierTableSchema.nullable().default(null) }))
    .min(1)
    .max(2000),
});
export type PatchEntriesBody = z.infer<typeof PatchEntriesBody>;

// ── XLSX round trip ─────────────────────────────────────────────────────────────────────────────

export const ImportBody = z.strictObject({
  /** The workbook, base64-encoded (the JSON body limit is 1 MiB, about 750 KB of XLSX). */
  fileBase64: z.string().min(1).max(1_400_000),
  /** true: validate every row and report, change nothing. */
  dryRun: z.boolean(),
  /** The book's version the sheet was exported from (409 when the book changed since). */
  version: Version,
});
export type ImportBody = z.infer<typeof ImportBody>;

export const ImportRowIssue = z.object({ sheet: z.string(), row: z.number().int(), column: z.string().nullable(), message: z.string() });
export type ImportRowIssue = z.infer<typeof ImportRowIssue>;

export const ImportReport = z.object({
  dryRun: z.boolean(),
  applied: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  unchanged: z.number().int(),
  issues: z.array(ImportRowIssue),
  /** The book's version after the import (unchanged on a dry run). */
  version: Version,
});
export type ImportReport = z.infer<typeof ImportReport>;

// ── Contracted prices ───────────────────────────────────────────────────────────────────────────

export const ContractPrice = z.object({
  id: Id,
  accountId: Id,
  productId: Id,
  currency: z.string(),
  unitPrice: z.string(),
  validFrom: IsoDate,
  validTo: IsoDate.nullable(),
  version: Version,
  updatedAt: Timestamp,
});
export type ContractPrice = z.infer<typeof ContractPrice>;

export const EffectiveContractPrice = z.object({
  productId: Id,
  currency: z.string(),
  unitPrice: z.string(),
  /** Whose contract the price comes from: the account itself or the nearest parent that has one. */
  fromAccountId: Id,
  isInherited: z.boolean(),
});

export const ContractPriceList = z.object({
  accountId: Id,
  onDate: IsoDate,
  /** The account's own prices (every currency and window). */
  items: z.array(ContractPrice),
  /** What a quote in each currency on `onDate` would use, inherited prices included. */
  effective: z.array(EffectiveContractPrice),
});
export type ContractPriceList = z.infer<typeof ContractPriceList>;

export const ContractPriceListQuery = z.strictObject({ onDate: IsoDate.optional() });

export const CreateContractPriceBody = z.strictObject({
  productId: Id,
  currency: CurrencyCode,
  unitPrice: UnitPrice,
  validFrom: IsoDate,
  validTo: IsoDate.nullable().default(null),
});
export type CreateContractPriceBody = z.infer<typeof CreateContractPriceBody>;

export const UpdateContractPriceBody = z.strictObject({
  version: Version,
  unitPrice: UnitPrice.optional(),
  validFrom: IsoDate.optional(),
  validTo: IsoDate.nullable().optional(),
});
export type UpdateContractPriceBody = z.infer<typeof UpdateContractPriceBody>;

export const ContractPriceParams = z.strictObject({ accountId: Id, id: Id });
