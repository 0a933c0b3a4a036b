import { z } from 'zod';
import { Id, IsoDate, PageQuery, QueryBool, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { CURRENCIES, MoneySchema } from '../../../shared/money.ts';
import { CustomValuesBody } from './custom-field-contract.ts';
import { FORECAST_CATEGORIES, STAGE_KEY_PATTERN, STAGE_KINDS } from './pipeline.ts';

/**
 * The API of pipelines, opportunities, stage history and forecasts, shared by server and web.
 * Money is `{amount: "1234.50", currency: "CNY"}`; company-currency figures are CNY.
 */

export const OPPORTUNITY_CONTACT_ROLES = ['decision_maker', 'influencer', 'evaluator', 'user', 'champion', 'other'] as const;
export const ForecastCategorySchema = z.enum(FORECAST_CATEGORIES);
export type ForecastCategorySchema = z.infer<typeof ForecastCategorySchema>;
export const StageKey = z.string().regex(STAGE_KEY_PATTERN, { message: 'v:stage_key' });

const Text = (max: number) => z.string().trim().min(1).max(max);

// ---------------------------------------------------------------------------------------------
// Pipelines

/**
 * The shape of a definition. Its rules (one won and one lost stage, probabilities, reachable ends,
 * transitions naming real stages) are pipeline.ts's validatePipelineDefinition: 422 crm.invalid_pipeline.
 */
export const PipelineStageSchema = z.strictObject({
  key: z.string().max(40),
  name: z.strictObject({ zh: z.string().max(200), en: z.string().max(200) }),
  probability: z.number(),
  forecastCategory: ForecastCategorySchema,
  kind: z.enum(STAGE_KINDS),
});
export const PipelineDefinitionSchema = z.strictObject({
  stages: z.array(PipelineStageSchema).max(30),
  transitions: z.record(z.string().max(40), z.array(z.string().max(40)).max(30)).optional(),
  allowReopen: z.boolean().optional(),
});
export type PipelineDefinitionSchema = z.infer<typeof PipelineDefinitionSchema>;

export const Pipeline = z.object({
  id: Id,
  key: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  unitId: Id.nullable(),
  definition: PipelineDefinitionSchema,
  isDefault: z.boolean(),
  active: z.boolean(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Pipeline = z.infer<typeof Pipeline>;
export const PipelineList = z.object({ items: z.array(Pipeline) });
export type PipelineList = z.infer<typeof PipelineList>;

export const ListPipelinesQuery = z.strictObject({ includeInactive: QueryBool.optional() });
export type ListPipelinesQuery = z.infer<typeof ListPipelinesQuery>;

export const CreatePipelineBody = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, { message: 'v:pipeline_key' }),
  nameZh: Text(100),
  nameEn: Text(100).optional(),
  unitId: Id.optional(),
  definition: PipelineDefinitionSchema,
  isDefault: z.boolean().default(false),
});
export type CreatePipelineBody = z.infer<typeof CreatePipelineBody>;

export const UpdatePipelineBody = z.strictObject({
  version: Version,
  nameZh: Text(100).optional(),
  nameEn: Text(100).nullable().optional(),
  unitId: Id.nullable().optional(),
  definition: PipelineDefinitionSchema.optional(),
  isDefault: z.literal(true).optional(),
  active: z.boolean().optional(),
});
export type UpdatePipelineBody = z.infer<typeof UpdatePipelineBody>;

// ---------------------------------------------------------------------------------------------
// Opportunities

/** A deal's amount: money with a non-negative amount that fits the column (at most 15 integer digits). */
export const DealAmount = MoneySchema.refine((m) => !m.amount.startsWith('-'), { message: 'v:not_negative', path: ['amount'] }).refine(
  (m) => m.amount.replace(/^-/, '').split('.')[0]!.length <= 15,
  { message: 'v:too_many_digits', path: ['amount'] },
);

export const OpportunityContact = z.strictObject({ contactId: Id, role: z.enum(OPPORTUNITY_CONTACT_ROLES) });
export type OpportunityContact = z.infer<typeof OpportunityContact>;

const TagList = z.array(Text(100)).max(30);

export const Opportunity = z.object({
  id: Id,
  number: z.string(),
  name: z.string(),
  accountId: Id,
  accountName: z.string(),
  ownerId: Id,
  ownerName: z.string(),
  unitId: Id,
  pipelineId: Id,
  stageKey: z.string(),
  stageEnteredAt: Timestamp,
  amount: MoneySchema,
  /** The amount in the company currency (CNY) at `fxRate`, the rate kept from the deal's creation. */
  amountCompany: MoneySchema,
  fxRate: z.string(),
  expectedCloseDate: IsoDate,
  probability: z.number().int().min(0).max(100),
  /** The category the deal counts in: the stage's default unless overridden (closed stages ignore overrides). */
  forecastCategory: ForecastCategorySchema,
  forecastCategoryDefault: ForecastCategorySchema,
  forecastCategoryOverride: ForecastCategorySchema.nullable(),
  nextStep: z.string().nullable(),
  competitors: z.array(z.string()),
  source: z.string().nullable(),
  lossReason: z.string().nullable(),
  closedAt: Timestamp.nullable(),
  productInterest: z.array(z.string()),
  /** Custom-field values by key (custom-field-contract.ts). */
  custom: z.record(z.string(), z.unknown()),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Opportunity = z.infer<typeof Opportunity>;

export const OpportunityDetail = Opportunity.extend({ contacts: z.array(OpportunityContact) });
export type OpportunityDetail = z.infer<typeof OpportunityDetail>;

export const OpportunityPage = pageSchema(Opportunity);
export type OpportunityPage = z.infer<typeof OpportunityPage>;

export const OPPORTUNITY_SORTS = ['-amount', 'amount', 'closeDate', '-closeDate', 'createdAt', '-createdAt'] as const;

/** A comma-separated list of stage keys in a query (`stage=solution,negotiation`). */
const StageList = z
  .string()
  .max(1000)
  .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter((x) => x !== ''))])
  .pipe(z.array(StageKey).min(1).max(30));

export const ListOpportunitiesQuery = PageQuery.extend({
  stage: StageList.optional(),
  ownerId: Id.optional(),
  unitId: Id.optional(),
  /** With `unitId`: deals of that unit and every unit below it. */
  includeSubunits: QueryBool.optional(),
  closeFrom: IsoDate.optional(),
  closeTo: IsoDate.optional(),
  accountId: Id.optional(),
  pipelineId: Id.optional(),
  /** Part of the name or number. */
  q: z.string().trim().min(1).max(100).optional(),
  sort: z.enum(OPPORTUNITY_SORTS).default('-amount'),
}).strict();
export type ListOpportunitiesQuery = z.infer<typeof ListOpportunitiesQuery>;

export const CreateOpportunityBody = z.strictObject({
  name: Text(200),
  accountId: Id,
  /** Default: the caller. The deal's org unit is always the owner's home unit. */
  ownerId: Id.optional(),
  amount: DealAmount,
  expectedCloseDate: IsoDate,
  /** Default: the default pipeline. */
  pipelineId: Id.optional(),
  /** Default: the pipeline's first stage. */
  stageKey: StageKey.optional(),
  /** Default: the stage's probability. */
  probability: z.number().int().min(0).max(100).optional(),
  forecastCategoryOverride: ForecastCategorySchema.nullable().optional(),
  lossReason: Text(500).optional(),
  nextStep: Text(500).optional(),
  competitors: TagList.optional(),
  source: Text(100).optional(),
  contacts: z.array(OpportunityContact).max(50).optional(),
  productInterest: TagList.optional(),
  custom: CustomValuesBody.optional(),
});
export type CreateOpportunityBody = z.infer<typeof CreateOpportunityBody>;

export const UpdateOpportunityBody = z.strictObject({
  version: Version,
  name: Text(200).optional(),
  accountId: Id.optional(),
  ownerId: Id.optional(),
  amount: DealAmount.optional(),
  expectedCloseDate: IsoDate.optional(),
  stageKey: StageKey.optional(),
  /** Set with the stage, or alone; a stage change without it resets to the new stage's probability. */
  probability: z.number().int().min(0).max(100).optional(),
  forecastCategoryOverride: ForecastCategorySchema.nullable().optional(),
  lossReason: Text(500).nullable().optional(),
  nextStep: Text(500).nullable().optional(),
  competitors: TagList.optional(),
  source: Text(100).nullable().optional(),
  /** Replaces the deal's contact roles. */
  contacts: z.array(OpportunityContact).max(50).optional(),
  productInterest: TagList.optional(),
  /** The fields sent replace their values (null clears); fields not sent keep theirs. */
  custom: CustomValuesBody.optional(),
});
export type UpdateOpportunityBody = z.infer<typeof UpdateOpportunityBody>;

/** The kanban drag: only the stage (and the loss reason when closing as lost). */
export const ChangeStageBody = z.strictObject({ version: Version, stageKey: StageKey, lossReason: Text(500).optional() });
export type ChangeStageBody = z.infer<typeof ChangeStageBody>;

export const IdParams = z.strictObject({ id: Id });

export const StageHistoryEntry = z.object({
  id: Id,
  fromStage: z.string().nullable(),
  toStage: z.string(),
  changedAt: Timestamp,
  changedBy: Id.nullable(),
  amountCompany: MoneySchema,
});
export const OpportunityHistory = z.object({
  items: z.array(StageHistoryEntry),
  /** Milliseconds spent in each stage, revisits summed (the current stage up to now). */
  timeInStageMs: z.record(z.string(), z.number()),
});
export type OpportunityHistory = z.infer<typeof OpportunityHistory>;

// ---------------------------------------------------------------------------------------------
// Pipeline summary, analytics and forecast

export const PipelineSummaryQuery = z.strictObject({
  pipelineId: Id.optional(),
  unitId: Id.optional(),
  closeFrom: IsoDate.optional(),
  closeTo: IsoDate.optional(),
});
export type PipelineSummaryQuery = z.infer<typeof PipelineSummaryQuery>;

const Totals = z.object({ count: z.number().int(), amount: MoneySchema, weighted: MoneySchema });

export const PipelineSummary = z.object({
  pipelineId: Id,
  currency: z.enum(Object.keys(CURRENCIES) as [keyof typeof CURRENCIES]),
  stages: z.array(
    Totals.extend({ stageKey: z.string(), name: z.object({ zh: z.string(), en: z.string() }), kind: z.enum(STAGE_KINDS), probability: z.number() }),
  ),
  /** Open stages only (what is still to win). */
  open: Totals,
  total: Totals,
});
export type PipelineSummary = z.infer<typeof PipelineSummary>;

export const PipelineAnalyticsQuery = z.strictObject({
  pipelineId: Id.optional(),
  /** Deals created (entered their first stage) on or after this date … */
  from: IsoDate,
  /** … and on or before this one (company time zone). */
  to: IsoDate,
});
export type PipelineAnalyticsQuery = z.infer<typeof PipelineAnalyticsQuery>;

export const PipelineAnalytics = z.object({
  pipelineId: Id,
  from: IsoDate,
  to: IsoDate,
  deals: z.number().int(),
  stages: z.array(
    z.object({
      stageKey: z.string(),
      kind: z.enum(STAGE_KINDS),
      entered: z.number().int(),
      advanced: z.number().int(),
      won: z.number().int(),
      lost: z.number().int(),
      open: z.number().int(),
      advanceRate: z.string().nullable(),
      winRate: z.string().nullable(),
      /** Time deals spent in the stage (open stages; the current one counts up to now), in days to 2 decimals. */
      avgDaysInStage: z.string().nullable(),
    }),
  ),
});
export type PipelineAnalytics = z.infer<typeof PipelineAnalytics>;

export const PeriodKey = z.string().regex(/^FY\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$/, { message: 'v:period' });

export const ForecastQuery = z.strictObject({
  period: PeriodKey,
  /** Default: the caller's home unit. */
  unitId: Id.optional(),
});
export type ForecastQuery = z.infer<typeof ForecastQuery>;

const AmountWeighted = z.object({ amount: MoneySchema, weighted: MoneySchema });
const ByCategory = z.object(
  Object.fromEntries(FORECAST_CATEGORIES.map((c) => [c, Totals])) as Record<(typeof FORECAST_CATEGORIES)[number], typeof Totals>,
);
const Cumulative = z.object({ closed: AmountWeighted, commit: AmountWeighted, bestCase: AmountWeighted, openPipeline: AmountWeighted });

export const ForecastLine = z.object({
  /** A unit id, or a user id on rep lines. */
  id: Id,
  level: z.enum(['company', 'business_group', 'department', 'team', 'rep']),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  /** The unit above (for a rep: the deals' unit). */
  parentId: Id.nullable(),
  byCategory: ByCategory,
  cumulative: Cumulative,
});
export type ForecastLine = z.infer<typeof ForecastLine>;

export const Forecast = z.object({
  period: z.object({ key: z.string(), start: IsoDate, end: IsoDate }),
  unitId: Id,
  currency: z.literal('CNY'),
  /** The unit asked for first, then the units below it with deals, then the reps. */
  lines: z.array(ForecastLine),
});
export type Forecast = z.infer<typeof Forecast>;

export const CreateForecastSubmissionBody = z.strictObject({
  unitId: Id,
  period: PeriodKey,
  /** The manager's judgement on top of the computed commit (may be negative). */
  adjustment: MoneySchema.refine((m) => m.currency === 'CNY', { message: 'v:company_currency', path: ['currency'] }).refine(
    (m) => m.amount.replace(/^-/, '').split('.')[0]!.length <= 15,
    { message: 'v:too_many_digits', path: ['amount'] },
  ),
  comment: Text(2000).optional(),
});
export type CreateForecastSubmissionBody = z.infer<typeof CreateForecastSubmissionBody>;

export const ForecastSubmissionsQuery = z.strictObject({ unitId: Id, period: PeriodKey });
export type ForecastSubmissionsQuery = z.infer<typeof ForecastSubmissionsQuery>;

const CategoryChange = z.object({
  category: ForecastCategorySchema,
  previous: MoneySchema,
  current: MoneySchema,
  change: MoneySchema,
  changePercent: z.string().nullable(),
});

export const ForecastSubmission = z.object({
  id: Id,
  unitId: Id,
  period: z.string(),
  submittedBy: Id,
  submittedAt: Timestamp,
  figures: z.partialRecord(ForecastCategorySchema, AmountWeighted),
  adjustment: MoneySchema,
  /** closed + commit + adjustment: the number the manager commits to. */
  adjustedCommit: MoneySchema,
  comment: z.string().nullable(),
  /** Against the latest submission made at least 7 days earlier (null when there is none). */
  weekOverWeek: z.object({ comparedWith: Id, changes: z.array(CategoryChange) }).nullable(),
});
export type ForecastSubmission = z.infer<typeof ForecastSubmission>;
export const ForecastSubmissionList = z.object({ items: z.array(ForecastSubmission) });
export type ForecastSubmissionList = z.infer<typeof ForecastSubmissionList>;
