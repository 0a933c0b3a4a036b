import { date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Contracts: what a customer signed, frozen from an accepted quote version (lines, prices, totals)
 * with its billing schedule. A signed contract is never edited in place; a change is an amendment
 * with its own row, number and before/after, and the contract row carries the terms now in force.
 */

export const CONTRACT_STATUSES = ['active', 'completed', 'terminated'] as const;
export const BILLING_TYPES = ['one_time', 'milestone', 'subscription'] as const;

export const contracts = pgTable(
  'contracts',
  {
    id: uuid('id').primaryKey(),
    /** C-2026-000123 (platform number sequence). */
    number: text('number').notNull(),
    quoteId: uuid('quote_id').notNull(),
    quoteVersionId: uuid('quote_version_id').notNull(),
    opportunityId: uuid('opportunity_id').notNull(),
    accountId: uuid('account_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: CONTRACT_STATUSES }).notNull().default('active'),
    /** Local date (company time zone) the customer signed. */
    signedDate: date('signed_date').notNull(),
    signedBy: uuid('signed_by').notNull(),
    startDate: date('start_date').notNull(),
    endDate: date('end_date'),
    billingType: text('billing_type', { enum: BILLING_TYPES }).notNull(),
    /** Frozen lines and totals as accepted (or as the last amendment left them). */
    lines: jsonb('lines').$type<unknown[]>().notNull(),
    totals: jsonb('totals').$type<Record<string, unknown>>().notNull(),
    /** The billing schedule: installments with due date or milestone, amount (sums exactly to the total). */
    billing: jsonb('billing').$type<unknown[]>().notNull(),
    customerReference: text('customer_reference').notNull().default(''),
    amendmentCount: integer('amendment_count').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contracts_number_key').on(t.number),
    uniqueIndex('contracts_quote_version_key').on(t.quoteVersionId),
    index('contracts_opportunity_idx').on(t.opportunityId),
    index('contracts_account_idx').on(t.accountId, t.signedDate),
    index('contracts_owner_idx').on(t.ownerId, t.createdAt, t.id),
    index('contracts_created_idx').on(t.createdAt, t.id),
  ],
);

/** A change to a signed contract: numbered 1, 2… per contract, with what it changed. */
export const contractAmendments = pgTable(
  'contract_amendments',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contracts.id),
    number: integer('number').notNull(),
    effectiveDate: date('effective_date').notNull(),
    reason: text('reason').notNull(),
    /** The contract's terms before and after (lines, totals, billing, end date, status). */
    before: jsonb('before').$type<Record<string, unknown>>().notNull(),
    after: jsonb('after').$type<Record<string, unknown>>().notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contract_amendments_number_key').on(t.contractId, t.number)],
);
