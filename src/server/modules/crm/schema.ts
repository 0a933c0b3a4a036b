import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The CRM's tables. Owner and org unit on every business record (the access helper filters on
 * them); `custom jsonb` for admin-defined fields (GIN-indexed for equality filters); `version` for
 * optimistic concurrency. Indexes follow the list filters and sorts of the API.
 */

export const ACCOUNT_KINDS = ['enterprise', 'state_owned', 'government', 'education', 'healthcare', 'other'] as const;
export const ACCOUNT_STATUSES = ['prospect', 'customer', 'former'] as const;
export const ACCOUNT_TIERS = ['strategic', 'key', 'standard', 'small'] as const;
export const TEAM_ROLES = ['account_lead', 'executive_sponsor', 'solution', 'delivery_lead', 'service_lead'] as const;
export const CONTACT_LEVELS = ['decision', 'management', 'execution'] as const;
export const INFLUENCES = ['champion', 'supporter', 'neutral', 'blocker'] as const;
export const CONTACT_STATUSES = ['active', 'left'] as const;
export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export const OPPORTUNITY_CONTACT_ROLES = ['decision_maker', 'influencer', 'evaluator', 'user', 'champion', 'other'] as const;
export const ACTIVITY_KINDS = ['call', 'meeting', 'visit', 'email', 'note', 'task'] as const;
export const CUSTOM_FIELD_ENTITIES = ['account', 'contact', 'opportunity'] as const;

const timestamps = {
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** Customer groups (a tree), the segments pricing rules and reports speak of. */
export const customerGroups = pgTable(
  'crm_customer_groups',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    parentId: uuid('parent_id'),
    ...timestamps,
  },
  (t) => [uniqueIndex('crm_customer_groups_code_key').on(t.code), index('crm_customer_groups_parent_idx').on(t.parentId)],
);

export const accounts = pgTable(
  'crm_accounts',
  {
    id: uuid('id').primaryKey(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    shortName: text('short_name'),
    /** 统一社会信用代码, normalized; unique when present. */
    uscc: text('uscc'),
    kind: text('kind', { enum: ACCOUNT_KINDS }).notNull(),
    industry: text('industry'),
    provinceCode: text('province_code'),
    cityCode: text('city_code'),
    address: text('address'),
    website: text('website'),
    tier: text('tier', { enum: ACCOUNT_TIERS }).notNull().default('standard'),
    customerGroupId: uuid('customer_group_id').references(() => customerGroups.id),
    status: text('status', { enum: ACCOUNT_STATUSES }).notNull().default('prospect'),
    parentId: uuid('parent_id'),
    ownerId: uuid('owner_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    notes: text('notes'),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('crm_accounts_uscc_key').on(t.uscc).where(sql`${t.uscc} IS NOT NULL`),
    index('crm_accounts_parent_idx').on(t.parentId),
    index('crm_accounts_unit_name_idx').on(t.unitId, t.nameZh, t.id),
    index('crm_accounts_owner_name_idx').on(t.ownerId, t.nameZh, t.id),
    index('crm_accounts_name_idx').on(t.nameZh, t.id),
    index('crm_accounts_group_idx').on(t.customerGroupId),
    index('crm_accounts_name_trgm_idx').using('gin', sql`${t.nameZh} gin_trgm_ops`),
    index('crm_accounts_custom_idx').using('gin', sql`${t.custom} jsonb_path_ops`),
    index('crm_accounts_tags_idx').using('gin', t.tags),
    // The duplicate-name check (account-names.ts) has an expression index too, crm_accounts_name_key_idx,
    // written by hand in drizzle/0005_crm_account_name_key.sql: drizzle-kit cannot render its expression.
    // Search (decision 0007) has crm_accounts_search_grams_idx, by hand in drizzle/0009_crm_search_grams.sql.
    // Sorting by creation date within a scope: 64–126 ms top-N sort → 0.15 ms at 100k accounts.
    index('crm_accounts_created_idx').on(t.createdAt, t.id),
    index('crm_accounts_unit_created_idx').on(t.unitId, t.createdAt, t.id),
    index('crm_accounts_owner_created_idx').on(t.ownerId, t.createdAt, t.id),
  ],
);

/** Our people on an account, with their role: they may read the account and its deals (sharing). */
export const accountTeam = pgTable(
  'crm_account_team',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: uuid('user_id').notNull(),
    role: text('role', { enum: TEAM_ROLES }).notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] }), index('crm_account_team_user_idx').on(t.userId, t.accountId)],
);

export const contacts = pgTable(
  'crm_contacts',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    title: text('title'),
    department: text('department'),
    level: text('level', { enum: CONTACT_LEVELS }).notNull(),
    reportsToId: uuid('reports_to_id'),
    phones: text('phones').array().notNull().default(sql`'{}'::text[]`),
    emails: text('emails').array().notNull().default(sql`'{}'::text[]`),
    wechatId: text('wechat_id'),
    influence: text('influence', { enum: INFLUENCES }).notNull().default('neutral'),
    status: text('status', { enum: CONTACT_STATUSES }).notNull().default('active'),
    ownerId: uuid('owner_id').notNull(),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [
    index('crm_contacts_account_idx').on(t.accountId, t.level, t.name),
    index('crm_contacts_reports_to_idx').on(t.reportsToId),
    index('crm_contacts_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
    // Search (decision 0007): crm_contacts_search_grams_idx, by hand in drizzle/0009_crm_search_grams.sql.
    index('crm_contacts_custom_idx').using('gin', sql`${t.custom} jsonb_path_ops`),
  ],
);

/** The relationship map: which of our people covers which of theirs, how strongly. */
export const coverage = pgTable(
  'crm_coverage',
  {
    id: uuid('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id),
    userId: uuid('user_id').notNull(),
    relationshipRole: text('relationship_role').notNull(),
    strength: integer('strength').notNull(),
    /** Maintained by the activity service in the same transaction as the activity. */
    lastTouchAt: timestamp('last_touch_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('crm_coverage_contact_user_key').on(t.contactId, t.userId),
    index('crm_coverage_account_idx').on(t.accountId),
    index('crm_coverage_user_idx').on(t.userId),
    check('crm_coverage_strength_range', sql`${t.strength} BETWEEN 1 AND 5`),
  ],
);

/** Pipelines per business line: the stage list, probabilities and transitions, validated by pipeline.ts. */
export const pipelines = pgTable(
  'crm_pipelines',
  {
    id: uuid('id').primaryKey(),
    key: text('key').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    /** The business line (an org unit) it is for; null = company-wide. */
    unitId: uuid('unit_id'),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    active: boolean('active').notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex('crm_pipelines_key_key').on(t.key)],
);

export const opportunities = pgTable(
  'crm_opportunities',
  {
    id: uuid('id').primaryKey(),
    number: text('number').notNull(),
    name: text('name').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    ownerId: uuid('owner_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    pipelineId: uuid('pipeline_id')
      .notNull()
      .references(() => pipelines.id),
    stageKey: text('stage_key').notNull(),
    stageEnteredAt: timestamp('stage_entered_at', { withTimezone: true }).notNull().defaultNow(),
    /** The deal's amount in its own currency … */
    amount: numeric('amount', { precision: 20, scale: 2 }).notNull(),
    currency: text('currency').notNull(),
    /** … and in the company currency at the rate kept beside it (sorting and rollups use this). */
    amountCompany: numeric('amount_company', { precision: 20, scale: 2 }).notNull(),
    fxRate: numeric('fx_rate', { precision: 20, scale: 10 }).notNull(),
    expectedCloseDate: date('expected_close_date').notNull(),
    probability: integer('probability').notNull(),
    /** The category the stage gives, and the owner's override kept apart (decision 0008). */
    forecastCategoryDefault: text('forecast_category_default', { enum: FORECAST_CATEGORIES }).notNull(),
    forecastCategoryOverride: text('forecast_category_override', { enum: FORECAST_CATEGORIES }),
    nextStep: text('next_step'),
    competitors: text('competitors').array().notNull().default(sql`'{}'::text[]`),
    source: text('source'),
    lossReason: text('loss_reason'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    productInterest: text('product_interest').array().notNull().default(sql`'{}'::text[]`),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('crm_opportunities_number_key').on(t.number),
    // The hot list, pipeline summary and forecast at a million deals (decision 0008): scans in the
    // sort order with the filter columns in the key, so pages and aggregates are index-only.
    index('crm_opportunities_amount_idx').on(t.amountCompany, t.id, t.unitId, t.ownerId, t.accountId, t.pipelineId, t.stageKey, t.expectedCloseDate),
    index('crm_opportunities_close_idx').on(
      t.expectedCloseDate,
      t.id,
      t.unitId,
      t.ownerId,
      t.accountId,
      t.pipelineId,
      t.stageKey,
      t.amountCompany,
      t.probability,
      t.forecastCategoryDefault,
      t.forecastCategoryOverride,
    ),
    index('crm_opportunities_created_idx').on(t.createdAt, t.id, t.unitId, t.ownerId, t.accountId, t.pipelineId, t.stageKey, t.expectedCloseDate),
    index('crm_opportunities_unit_close_idx').on(
      t.unitId,
      t.expectedCloseDate,
      t.ownerId,
      t.pipelineId,
      t.stageKey,
      t.amountCompany,
      t.probability,
      t.forecastCategoryDefault,
      t.forecastCategoryOverride,
    ),
    index('crm_opportunities_search_trgm_idx').using('gin', sql`(${t.name} || ' ' || ${t.number}) gin_trgm_ops`),
    index('crm_opportunities_owner_close_idx').on(t.ownerId, t.expectedCloseDate),
    index('crm_opportunities_account_idx').on(t.accountId),
    index('crm_opportunities_stage_idx').on(t.pipelineId, t.stageKey),
    index('crm_opportunities_custom_idx').using('gin', sql`${t.custom} jsonb_path_ops`),
    check('crm_opportunities_probability_range', sql`${t.probability} BETWEEN 0 AND 100`),
  ],
);

export const opportunityContacts = pgTable(
  'crm_opportunity_contacts',
  {
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id),
    role: text('role', { enum: OPPORTUNITY_CONTACT_ROLES }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.opportunityId, t.contactId] }), index('crm_opportunity_contacts_contact_idx').on(t.contactId)],
);

/** Every stage change with its time: time in stage and conversion rates are computed from these. */
export const stageHistory = pgTable(
  'crm_stage_history',
  {
    id: uuid('id').primaryKey(),
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
    changedBy: uuid('changed_by'),
    amountCompany: numeric('amount_company', { precision: 20, scale: 2 }).notNull(),
  },
  (t) => [index('crm_stage_history_opportunity_idx').on(t.opportunityId, t.changedAt)],
);

/** A manager's forecast submission for a period: a snapshot with their adjustment and comment. */
export const forecastSubmissions = pgTable(
  'crm_forecast_submissions',
  {
    id: uuid('id').primaryKey(),
    periodKey: text('period_key').notNull(),
    unitId: uuid('unit_id').notNull(),
    submittedBy: uuid('submitted_by').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    currency: text('currency').notNull(),
    /** { category: { amount, weighted } } computed at submission. */
    figures: jsonb('figures').$type<Record<string, { amount: string; weighted: string }>>().notNull(),
    adjustment: numeric('adjustment', { precision: 20, scale: 2 }).notNull(),
    comment: text('comment'),
  },
  (t) => [index('crm_forecast_submissions_unit_period_idx').on(t.unitId, t.periodKey, t.submittedAt)],
);

export const activities = pgTable(
  'crm_activities',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: ACTIVITY_KINDS }).notNull(),
    subject: text('subject').notNull(),
    body: text('body'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    remindAt: timestamp('remind_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id),
    ownerId: uuid('owner_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    /** When it sits in a list: `occurred_at`, or a task's `due_at` (activity.ts's sortInstant). */
    sortAt: timestamp('sort_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    // The list's keyset order (sort_at, id) under each of its filters.
    index('crm_activities_account_idx').on(t.accountId, t.sortAt, t.id),
    index('crm_activities_opportunity_idx').on(t.opportunityId, t.sortAt, t.id),
    index('crm_activities_owner_idx').on(t.ownerId, t.sortAt, t.id),
    index('crm_activities_open_tasks_idx')
      .on(t.ownerId, t.dueAt)
      .where(sql`${t.kind} = 'task' AND ${t.doneAt} IS NULL`),
  ],
);

export const activityContacts = pgTable(
  'crm_activity_contacts',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id),
  },
  (t) => [primaryKey({ columns: [t.activityId, t.contactId] }), index('crm_activity_contacts_contact_idx').on(t.contactId)],
);

/**
 * The timeline read model: one row per thing that happened to an account, contact or deal, fed
 * by outbox events of every module (activity logged, quote sent, contract signed, milestone,
 * ticket). Idempotent on the source event.
 */
export const timelineEntries = pgTable(
  'crm_timeline_entries',
  {
    id: uuid('id').primaryKey(),
    subjectType: text('subject_type', { enum: ['account', 'contact', 'opportunity'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    kind: text('kind').notNull(),
    sourceEventId: uuid('source_event_id').notNull(),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull(),
    /** The record the entry opens (an activity, a deal, a quote …); an activity's entries are found by it when it changes. */
    linkType: text('link_type'),
    linkId: uuid('link_id'),
    /** The deal whose figures the entry shows: only readers of that deal see it (null: the subject's readers). */
    opportunityId: uuid('opportunity_id'),
  },
  (t) => [
    uniqueIndex('crm_timeline_source_key').on(t.sourceEventId, t.subjectType, t.subjectId),
    index('crm_timeline_subject_idx').on(t.subjectType, t.subjectId, t.occurredAt, t.id),
    index('crm_timeline_link_idx').on(t.linkType, t.linkId),
  ],
);

export const customFieldDefinitions = pgTable(
  'crm_custom_field_definitions',
  {
    id: uuid('id').primaryKey(),
    entity: text('entity', { enum: CUSTOM_FIELD_ENTITIES }).notNull(),
    key: text('key').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    position: integer('position').notNull().default(0),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('crm_custom_field_definitions_key').on(t.entity, t.key)],
);

export const savedViews = pgTable(
  'crm_saved_views',
  {
    id: uuid('id').primaryKey(),
    entity: text('entity', { enum: CUSTOM_FIELD_ENTITIES }).notNull(),
    name: text('name').notNull(),
    ownerId: uuid('owner_id').notNull(),
    /** Shared with everyone whose home unit is in this unit's subtree (view-service.ts), or private when null. */
    sharedUnitId: uuid('shared_unit_id'),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    ...timestamps,
  },
  (t) => [index('crm_saved_views_owner_idx').on(t.ownerId, t.entity), index('crm_saved_views_shared_idx').on(t.sharedUnitId, t.entity)],
);

export const IMPORT_JOB_STATUSES = ['uploaded', 'validated', 'running', 'completed', 'failed'] as const;

/**
 * CSV/XLSX imports: the parsed file (header and rows as text, so the dry run and the commit read
 * exactly what was uploaded), the chosen mapping, the dry-run report and the commit's progress.
 * A job is its importer's (and visible to whoever's import scope covers the importer).
 */
export const importJobs = pgTable(
  'crm_import_jobs',
  {
    id: uuid('id').primaryKey(),
    entity: text('entity', { enum: CUSTOM_FIELD_ENTITIES }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    unitId: uuid('unit_id'),
    status: text('status', { enum: IMPORT_JOB_STATUSES }).notNull().default('uploaded'),
    fileName: text('file_name').notNull(),
    format: text('format', { enum: ['csv', 'xlsx'] }).notNull(),
    encoding: text('encoding').notNull(),
    columns: jsonb('columns').$type<string[]>().notNull(),
    /** Data rows: their 1-based line in the file and their cells, one per column. */
    rows: jsonb('rows').$type<{ line: number; cells: string[] }[]>().notNull(),
    rowCount: integer('row_count').notNull(),
    mapping: jsonb('mapping').$type<Record<string, string>>(),
    dedupe: text('dedupe', { enum: ['skip', 'update', 'fail'] }),
    report: jsonb('report').$type<Record<string, unknown>>(),
    /** The dry run's plan per data row index: create, update <id>, skip or invalid. */
    plan: jsonb('plan').$type<Record<string, unknown>[]>(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    processed: integer('processed').notNull().default(0),
    total: integer('total').notNull().default(0),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('crm_import_jobs_owner_idx').on(t.ownerId, t.createdAt, t.id), index('crm_import_jobs_unit_idx').on(t.unitId, t.createdAt, t.id)],
);
