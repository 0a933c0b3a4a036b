import { sql } from 'drizzle-orm';
import { check, customType, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
import type { ApprovalPolicy, ApprovalState, ApprovalView } from './approval-policy.ts';
import type { StoredExplanationStep } from '../pricing/stored-explanation.ts';
import type { ExplanationText, QuoteLineInput, QuotePricedLine, QuoteTotals } from './contract.ts';

/**
 * Quotes: one row per quote (its number, the deal and account it belongs to, owner and unit for
 * access, currency and price book), and one row per version v1, v2… holding that version's lines
 * as entered and the priced snapshot as the engine returned it. The lines are JSON on the version
 * (see docs/decisions/0203-quotes-and-versions.md): a version is read and written as a whole, is
 * frozen once sent, and nothing queries single lines across quotes.
 */

export const QUOTE_STATUSES = ['open', 'accepted', 'closed'] as const;
export const QUOTE_VERSION_STATUSES = ['draft', 'in_approval', 'sent', 'approved', 'rejected', 'accepted', 'superseded'] as const;

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

/**
 * A version's explanations: each distinct step once (a rule dismissed for the whole quote is the same
 * step on every line of its product groups: two thirds of a 200-line quote's steps against 20 000
 * rules), and each line's steps as indexes into that list, in order. A step is the engine's step as
 * data, rendered in the reader's language when read; versions saved before migration 0013 keep the
 * zh and en texts they were rendered with then.
 */
export interface VersionExplanations {
  steps: (StoredExplanationStep | ExplanationText)[];
  lines: Record<string, number[]>;
}

/**
 * Each version's price explanations, apart from its priced lines: read only when someone opens an
 * explanation, written with the version in the same transaction. A save writes `packed`: its
 * VersionExplanations as JSON, deflated (a 200-line version against 20 000 rules: 480 kB of JSON,
 * 58 kB packed; the JSON is only ever read whole, by the server). Versions saved before migration
 * 0013 have their texts in `steps` and `lines` instead.
 */
export const quoteVersionExplanations = pgTable(
  'quote_version_explanations',
  {
    versionId: uuid('version_id')
      .primaryKey()
      .references(() => quoteVersions.id),
    packed: bytea('packed'),
    steps: jsonb('steps').$type<ExplanationText[]>(),
    lines: jsonb('lines').$type<VersionExplanations['lines']>(),
  },
  (t) => [check('quote_version_explanations_stored', sql`${t.packed} IS NOT NULL OR (${t.steps} IS NOT NULL AND ${t.lines} IS NOT NULL)`)],
);

/**
 * The company's approval policy (docs/decisions/0204-quote-approvals.md): one row, its rules as
 * data, `version` bumped on every change. Each approval request keeps the policy it was judged by.
 */
export const approvalPolicies = pgTable(
  'quote_approval_policies',
  {
    id: uuid('id').primaryKey(),
    /** 'company' — one policy per company for now; the key leaves room for per-business-line policies. */
    key: text('key').notNull(),
    rules: jsonb('rules').$type<ApprovalPolicy['rules']>().notNull(),
    updatedBy: uuid('updated_by'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quote_approval_policies_key').on(t.key)],
);

/** An approver away from `fromDate` to `toDate` (inclusive, company dates): `toUserId` acts for them. */
export const approvalDelegations = pgTable(
  'quote_approval_delegations',
  {
    id: uuid('id').primaryKey(),
    fromUserId: uuid('from_user_id').notNull(),
    toUserId: uuid('to_user_id').notNull(),
    fromDate: date('from_date').notNull(),
    toDate: date('to_date').notNull(),
    note: text('note').notNull().default(''),
    createdBy: uuid('created_by').notNull(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('quote_approval_delegations_from_idx').on(t.fromUserId, t.toDate), index('quote_approval_delegations_to_idx').on(t.toUserId, t.toDate)],
);

export const APPROVAL_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'recalled'] as const;

/**
 * One approval request: a version submitted, the steps it needs and every decision, as the pure
 * state machine of approval-policy.ts returns it. `pendingFor` holds who may act on the current step
 * (approvers and delegates), so the inbox is one indexed lookup.
 */
export const quoteApprovals = pgTable(
  'quote_approvals',
  {
    id: uuid('id').primaryKey(),
    quoteId: uuid('quote_id')
      .notNull()
      .references(() => quotes.id),
    versionId: uuid('version_id')
      .notNull()
      .references(() => quoteVersions.id),
    status: text('status', { enum: APPROVAL_REQUEST_STATUSES }).notNull(),
    submittedBy: uuid('submitted_by').notNull(),
    policyVersion: integer('policy_version').notNull(),
    policy: jsonb('policy').$type<ApprovalPolicy>().notNull(),
    state: jsonb('state').$type<ApprovalState>().notNull(),
    /** What each approver saw when approving (smart re-approval and "what changed since"). */
    views: jsonb('views').$type<ApprovalView[]>().notNull().default(sql`'[]'::jsonb`),
    pendingFor: uuid('pending_for').array().notNull().default(sql`'{}'::uuid[]`),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('quote_approvals_quote_idx').on(t.quoteId, t.createdAt),
    index('quote_approvals_pending_for_idx').using('gin', t.pendingFor).where(sql`${t.status} = 'pending'`),
    // At most one open request per version.
    uniqueIndex('quote_approvals_one_pending_per_version').on(t.versionId).where(sql`${t.status} = 'pending'`),
  ],
);

/**
 * The PDF of a frozen version, per language, rendered once and kept: what the customer received is
 * served again byte for byte, whatever fonts or templates do later. Drafts are rendered on request
 * and never stored.
 */
export const quoteDocuments = pgTable(
  'quote_documents',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => quoteVersions.id),
    locale: text('locale').notNull(),
    fileName: text('file_name').notNull(),
    sha256: text('sha256').notNull(),
    bytes: bytea('bytes').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.locale] })],
);
