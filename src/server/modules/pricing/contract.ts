import { z } from 'zod';
import { Id, IsoDate, PageQuery, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { DECIMAL_PATTERN, MoneySchema, isCurrency } from '../../../shared/money.ts';
import { COMBINE_POLICIES, PRICING_PHASES, TIER_MODES } from './pricing-rule.ts';

/**
 * The pricing-rule API, shared by server and web: rules with versions (draft → published →
 * superseded), the publish-time analysis, and the what-if tester. The deep checks of a rule
 * (tier bands ascending, amounts per currency, CEL compiled against the documented context) are
 * the engine's (pricing-rule.ts, cel-context.ts) and come back as 422 `pricing.invalid_rule` with
 * a path per problem and, for conditions, line and column.
 */

const Decimal = z.string().regex(DECIMAL_PATTERN, { message: 'v:decimal_string' });
const Amounts = z.record(z.string().refine((c: string): boolean => isCurrency(c), { message: 'v:unknown_currency' }), Decimal);
const Code = z.string().trim().regex(/^[A-Za-z0-9_.-]{1,60}$/, { message: 'v:code' });

export const ProductScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('product'), productId: Id }),
  z.strictObject({ kind: z.literal('group'), groupId: Id }),
]);
export const CustomerScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('account'), accountId: Id }),
  z.strictObject({ kind: z.literal('customerGroup'), groupId: Id }),
]);

const TierBand = z.strictObject({ fromQty: z.number().int({ message: 'v:positive_integer' }), percent: Decimal.optional(), amounts: Amounts.optional() });

export const RuleActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('setPrice'), amounts: Amounts }),
  z.strictObject({ type: z.literal('percentDiscount'), percent: Decimal }),
  z.strictObject({ type: z.literal('amountDiscount'), amounts: Amounts }),
  z.strictObject({
    type: z.literal('tiers'),
    basis: z.enum(['quantity', 'termMonths']),
    mode: z.enum(TIER_MODES),
    valueKind: z.enum(['price', 'percent', 'amount']),
    bands: z.array(TierBand).max(100),
  }),
  z.strictObject({ type: z.literal('floor'), amounts: Amounts.optional(), minMarginPercent: Decimal.optional() }),
  z.strictObject({ type: z.literal('ceiling'), amounts: Amounts }),
  z.strictObject({ type: z.literal('bundlePrice'), amounts: Amounts }),
  z.strictObject({
    type: z.literal('freeItem'),
    productId: Id,
    quantity: z.number().int().min(1),
    perQuantity: z.number().int().min(1).optional(),
  }),
]);

/** What a rule version holds besides its name: the engine's PricingRule minus id, version and name. */
export const RuleDefinition = z.strictObject({
  scope: z.strictObject({ product: ProductScopeSchema, customer: CustomerScopeSchema.optional() }),
  /** CEL over the documented context (GET /api/v1/pricing/context); omitted or blank = always. */
  condition: z.string().max(4000).optional(),
  action: RuleActionSchema,
  phase: z.enum(PRICING_PHASES),
  priority: z.number().int().min(-100_000).max(100_000),
  combine: z.enum(COMBINE_POLICIES).default('exclusive'),
  /** Inclusive local dates in the company time zone (Asia/Shanghai by default). */
  validFrom: IsoDate.optional(),
  validTo: IsoDate.optional(),
});
export type RuleDefinition = z.infer<typeof RuleDefinition>;

export const IdParams = z.strictObject({ id: Id });

export const CreateRuleBody = z.strictObject({
  code: Code,
  name: z.string().trim().min(1).max(200),
  definition: RuleDefinition,
});
export type CreateRuleBody = z.infer<typeof CreateRuleBody>;

/** Edits the draft, or starts a new draft from a published rule (the published version never changes). */
export const SaveDraftBody = z.strictObject({
  /** The rule's version (409 when someone else saved or published since). */
  version: Version,
  name: z.string().trim().min(1).max(200),
  definition: RuleDefinition,
});
export type SaveDraftBody = z.infer<typeof SaveDraftBody>;

export const RuleVersionBody = z.strictObject({ version: Version });
export type RuleVersionBody = z.infer<typeof RuleVersionBody>;

export const RuleVersionStatus = z.enum(['draft', 'published', 'superseded']);

export const RuleVersion = z.object({
  number: z.number().int(),
  status: RuleVersionStatus,
  name: z.string(),
  definition: RuleDefinition,
  createdBy: Id.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  publishedBy: Id.nullable(),
  publishedAt: Timestamp.nullable(),
});
export type RuleVersion = z.infer<typeof RuleVersion>;

export const RuleSummary = z.object({
  id: Id,
  code: z.string(),
  status: z.enum(['active', 'archived']),
  /** The name of the newest version. */
  name: z.string(),
  phase: z.enum(PRICING_PHASES),
  publishedVersion: z.number().int().nullable(),
  draftVersion: z.number().int().nullable(),
  latestVersion: z.number().int(),
  version: Version,
  updatedAt: Timestamp,
});
export type RuleSummary = z.infer<typeof RuleSummary>;
export const RulePage = pageSchema(RuleSummary);

export const Rule = RuleSummary.extend({ versions: z.array(RuleVersion) });
export type Rule = z.infer<typeof Rule>;

export const ListRulesQuery = PageQuery.extend({
  status: z.enum(['active', 'archived']).optional(),
  /** Only rules with a draft. */
  hasDraft: z.enum(['true', 'false']).optional(),
  q: z.string().trim().min(1).max(100).optional(),
}).strict();
export type ListRulesQuery = z.infer<typeof ListRulesQuery>;

export const RuleFindingView = z.object({
  code: z.string(),
  severity: z.enum(['warning', 'info']),
  ruleId: z.string(),
  /** The other rule involved (shadowing), when there is one. */
  byRuleId: z.string().nullable(),
  /** In the reader's language, rules named by their codes. */
  message: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type RuleFindingView = z.infer<typeof RuleFindingView>;

export const RuleCheck = z.object({ findings: z.array(RuleFindingView) });
export type RuleCheck = z.infer<typeof RuleCheck>;
export const PublishResult = z.object({ rule: Rule, findings: z.array(RuleFindingView) });
export type PublishResult = z.infer<typeof PublishResult>;

export const CelContextList = z.object({
  items: z.array(z.object({ path: z.string(), type: z.string(), description: z.string() })),
  timeZone: z.string(),
});

// ── What-if ─────────────────────────────────────────────────────────────────────────────────────

export const WhatIfBody = z.strictObject({
  priceBookId: Id,
  /** Must be the price book's currency. */
  currency: z.string().refine(isCurrency, { message: 'v:unknown_currency' }),
  /** Local date in the company time zone; default today. */
  pricingDate: IsoDate.optional(),
  termMonths: z.number().int().min(1).max(120).optional(),
  /** A real account (its parents, customer group, contracted prices), or a sample customer. */
  accountId: Id.optional(),
  customer: z
    .strictObject({
      kind: z.string().max(40).optional(),
      region: z.string().max(20).optional(),
      customerGroupId: Id.optional(),
    })
    .optional(),
  /** Rules whose current draft replaces their published version for this run (rule writers only). */
  draftRuleIds: z.array(Id).max(200).default([]),
  lines: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(40).optional(),
        productId: Id,
        quantity: z.number().int({ message: 'v:positive_integer' }).min(1, { message: 'v:positive_integer' }).max(10_000_000),
        termMonths: z.number().int().min(1).max(120).optional(),
        parentLineId: z.string().min(1).max(40).optional(),
        manualDiscountPercent: Decimal.optional(),
      }),
    )
    .min(1)
    .max(1000),
});
export type WhatIfBody = z.infer<typeof WhatIfBody>;

export const RuleUsed = z.object({ ruleId: z.string(), code: z.string().nullable(), version: z.number().int(), isDraft: z.boolean() });

export const WhatIfLine = z.object({
  lineId: z.string(),
  productId: z.string(),
  quantity: z.number().int(),
  role: z.string(),
  status: z.enum(['priced', 'error']),
  listUnit: z.string().nullable(),
  netUnit: z.string(),
  list: MoneySchema,
  net: MoneySchema,
  tax: MoneySchema,
  taxPercent: z.string(),
  discountPercent: z.string().nullable(),
  /** Every rule version that changed the price (applied), for the quote line's record. */
  rulesUsed: z.array(RuleUsed),
  /** Every step, in the reader's language: base, rules applied / skipped / shadowed, clamps, rounding. */
  explanation: z.array(z.object({ type: z.string(), ruleId: z.string().nullable(), text: z.string() })),
  issues: z.array(z.object({ code: z.string(), message: z.string() })),
});

export const WhatIfResult = z.object({
  currency: z.string(),
  pricingDate: z.string(),
  lines: z.array(WhatIfLine),
  totals: z.object({ list: MoneySchema, net: MoneySchema, tax: MoneySchema, grandTotal: MoneySchema, discountPercent: z.string().nullable() }),
  advisories: z.array(z.record(z.string(), z.unknown())),
  /** Rules left out because they do not compile (should not happen for published rules). */
  ruleErrors: z.array(z.object({ ruleId: z.string(), code: z.string(), message: z.string() })),
  hasErrors: z.boolean(),
});
export type WhatIfResult = z.infer<typeof WhatIfResult>;

// ── XLSX round trip ─────────────────────────────────────────────────────────────────────────────

export const RuleImportBody = z.strictObject({
  /** The workbook, base64-encoded (the JSON body limit is 1 MiB). */
  fileBase64: z.string().min(1).max(1_400_000),
  /** true: check every row and report, change nothing. */
  dryRun: z.boolean(),
});
export type RuleImportBody = z.infer<typeof RuleImportBody>;

export const RuleImportReport = z.object({
  dryRun: z.boolean(),
  applied: z.boolean(),
  rows: z.number().int(),
  /** New rules (draft v1). */
  created: z.number().int(),
  /** Existing rules given a new or changed draft version. */
  updated: z.number().int(),
  unchanged: z.number().int(),
  issues: z.array(z.object({ sheet: z.string(), row: z.number().int(), column: z.string().nullable(), message: z.string() })),
});
export type RuleImportReport = z.infer<typeof RuleImportReport>;
