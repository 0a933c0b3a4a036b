import { sql } from 'drizzle-orm';
import { date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { QuoteLineInput, QuotePricedLine, QuoteTotals } from './contract.ts';

/**
 * Quotes: one row per quote (its number, the deal and account it belongs to, owner and unit for
 * access, currency and price book), and one row per version v1, v2… holding that version's lines
 * as entered and the priced snapshot as the engine returned it. The lines are JSON on the version
 * (see docs/decisions/0203-quotes-and-versions.md): a version is read and written as a whole, is
 * frozen once sent, and nothing queries single lines across quotes.
 */

export const QUOTE_STATUSES = ['open', 'accepted', 'closed'] as const;
export const QUOTE_VERSION_STATUSES = ['draft', 'sent', 'approved', 'rejected', 'accepted', 'superseded'] as const;

export const quotes = pgTable(
  'quotes',
  {
    id: uuid('id').primaryKey(),
    /** Q-2026-000123 (platform number sequence). */
    number: text('number').notNull(),
    opportunityId: uuid('opportunity_id').notNull(),
    accountId: uuid('account_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    currency: text('currency').notNull(),
    priceBookId: uuid('price_book_id').notNull(),
    status: text('status', { enum: QUOTE_STATUSES }).notNull().default('open'),
    acceptedVersionId: uuid('accepted_version_id'),
    latestVersionNo: integer('latest_version_no').notNull().default(1),
    createdBy: uuid('created_by').notNull(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('quotes_number_key').on(t.number),
    index('quotes_opportunity_idx').on(t.opportunityId),
    index('quotes_owner_idx').on(t.ownerId, t.createdAt, t.id),
    index('quotes_created_idx').on(t.createdAt, t.id),
    // One accepted version per deal: at most one quote of an opportunity carries an accepted version.
    uniqueIndex('quotes_one_accepted_per_opportunity').on(t.opportunityId).where(sql`${t.acceptedVersionId} IS NOT NULL`),
  ],
);

export const quoteVersions = pgTable(
  'quote_versions',
  {
    id: uuid('id').primaryKey(),
    quoteId: uuid('quote_id')
      .notNull()
      .references(() => quotes.id),
    /** 1, 2, … shown as v1, v2. */
    number: integer('number').notNull(),
    status: text('status', { enum: QUOTE_VERSION_STATUSES }).notNull().default('draft'),
    /** Local date (company time zone) prices are taken at. */
    pricingDate: date('pricing_date').notNull(),
    validUntil: date('valid_until').notNull(),
    termMonths: integer('term_months'),
    terms: text('terms').notNull().default(''),
    lines: jsonb('lines').$type<QuoteLineInput[]>().notNull(),
    priced: jsonb('priced').$type<QuotePricedLine[]>().notNull(),
    totals: jsonb('totals').$type<QuoteTotals>().notNull(),
    createdBy: uuid('created_by').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    sentBy: uuid('sent_by'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quote_versions_number_key').on(t.quoteId, t.number)],
);
