import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { BundleSpec, TierTable } from './catalog.ts';

/**
 * The catalog's tables: product groups (a tree rules are scoped to), products (bundles as a JSON
 * definition on the bundle product), price books per currency with their entries, and contracted
 * prices per account. Money is `numeric` with its currency beside it; never floats.
 */

export const PRODUCT_KINDS = ['license', 'subscription', 'service', 'hardware'] as const;

const timestamps = {
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const productGroups = pgTable(
  'catalog_product_groups',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    parentId: uuid('parent_id'),
    ...timestamps,
  },
  (t) => [uniqueIndex('catalog_product_groups_code_key').on(sql`lower(${t.code})`), index('catalog_product_groups_parent_idx').on(t.parentId)],
);

export const products = pgTable(
  'catalog_products',
  {
    id: uuid('id').primaryKey(),
    sku: text('sku').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    groupId: uuid('group_id').references(() => productGroups.id),
    kind: text('kind', { enum: PRODUCT_KINDS }).notNull(),
    /** Subscriptions: the standard term in months. */
    termMonths: integer('term_months'),
    /** 套, 用户, 人天, 台… */
    unit: text('unit').notNull(),
    /** VAT in percent, e.g. 13 goods, 6 services. */
    taxPercent: numeric('tax_percent').notNull(),
    costAmount: numeric('cost_amount'),
    costCurrency: text('cost_currency'),
    isActive: boolean('is_active').notNull().default(true),
    bundle: jsonb('bundle').$type<BundleSpec>(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('catalog_products_sku_key').on(sql`lower(${t.sku})`),
    index('catalog_products_group_idx').on(t.groupId),
    check('catalog_products_cost_pair', sql`(${t.costAmount} IS NULL) = (${t.costCurrency} IS NULL)`),
    check('catalog_products_tax_range', sql`${t.taxPercent} >= 0 AND ${t.taxPercent} < 100`),
  ],
);

export const priceBooks = pgTable(
  'catalog_price_books',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    currency: text('currency').notNull(),
    /** Inclusive local dates in the company time zone; validTo null = open-ended. */
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
    isActive: boolean('is_active').notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex('catalog_price_books_code_key').on(sql`lower(${t.code})`), index('catalog_price_books_currency_idx').on(t.currency, t.validFrom)],
);

/** One list price per product and book; entry changes bump the book's version (the book is the unit of concurrency). */
export const priceBookEntries = pgTable(
  'catalog_price_book_entries',
  {
    id: uuid('id').primaryKey(),
    priceBookId: uuid('price_book_id')
      .notNull()
      .references(() => priceBooks.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    unitPrice: numeric('unit_price').notNull(),
    tiers: jsonb('tiers').$type<TierTable>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('catalog_price_book_entries_key').on(t.priceBookId, t.productId), index('catalog_price_book_entries_product_idx').on(t.productId)],
);

/** A contracted unit price for an account; child accounts inherit it unless they have their own. */
export const contractPrices = pgTable(
  'catalog_contract_prices',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id').notNull(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    currency: text('currency').notNull(),
    unitPrice: numeric('unit_price').notNull(),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
    ...timestamps,
  },
  (t) => [
    index('catalog_contract_prices_account_idx').on(t.accountId, t.currency),
    uniqueIndex('catalog_contract_prices_key').on(t.accountId, t.productId, t.currency, t.validFrom),
  ],
);
