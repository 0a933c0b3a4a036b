import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { RuleDefinition } from './contract.ts';

/**
 * Pricing rules as data. A rule (stable id and code) has numbered versions; a version is a draft
 * until published, then immutable (editing a published rule starts the next draft). At most one
 * version is published and at most one is a draft at any time. `change_seq` orders publishes and
 * archives so a compiled-rule cache can catch up with exactly the rules that changed.
 */

export const RULE_STATUSES = ['active', 'archived'] as const;
export const RULE_VERSION_STATUSES = ['draft', 'published', 'superseded'] as const;

export const pricingRules = pgTable(
  'pricing_rules',
  {
    id: uuid('id').primaryKey(),
    /** The pricing team's handle for the rule ("R7", "GOV-DISC"), unique case-insensitively. */
    code: text('code').notNull(),
    status: text('status', { enum: RULE_STATUSES }).notNull().default('active'),
    publishedVersion: integer('published_version'),
    draftVersion: integer('draft_version'),
    latestVersion: integer('latest_version').notNull(),
    /** Set from a counter on every publish and archive (under an advisory lock, so commits are in order). */
    changeSeq: integer('change_seq').notNull().default(0),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pricing_rules_code_key').on(sql`lower(${t.code})`), index('pricing_rules_change_seq_idx').on(t.changeSeq)],
);

export const pricingRuleVersions = pgTable(
  'pricing_rule_versions',
  {
    id: uuid('id').primaryKey(),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => pricingRules.id),
    number: integer('number').notNull(),
    status: text('status', { enum: RULE_VERSION_STATUSES }).notNull(),
    name: text('name').notNull(),
    /** Scope, condition, action, phase, priority, combine, validity: the engine's rule minus id/version/name. */
    definition: jsonb('definition').$type<RuleDefinition>().notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: uuid('published_by'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('pricing_rule_versions_key').on(t.ruleId, t.number),
    index('pricing_rule_versions_published_idx').on(t.ruleId).where(sql`${t.status} = 'published'`),
  ],
);
