import { z } from 'zod';
import { Id, IsoDate, PageQuery, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { MoneySchema } from '../../../shared/money.ts';
import { BillingPlanInput } from '../contracts/contract.ts';
import { APPROVAL_LEVELS, APPROVAL_METRICS, APPROVAL_OPS, ApprovalRule } from './approval-policy.ts';
import { CreateQuoteBody, ExplanationText, QuoteDetail, QuotePricedLine, QuoteTotals } from './contract.ts';

/**
 * The approvals, acceptance and document API of quotes, shared by server and web
 * (docs/decisions/0204-quote-approvals.md).
 */

const Level = z.enum(APPROVAL_LEVELS);
const Comment = z.string().max(2000);

// ── Policy and delegations ──────────────────────────────────────────────────────────────────────

export const ApprovalPolicyDto = z.object({
  rules: z.array(ApprovalRule),
  version: z.number().int(),
  updatedBy: Id.nullable(),
  updatedAt: Timestamp,
});
export type ApprovalPolicyDto = z.infer<typeof ApprovalPolicyDto>;

export const UpdateApprovalPolicyBody = z.strictObject({ version: Version, rules: z.array(ApprovalRule).max(200) });
export type UpdateApprovalPolicyBody = z.infer<typeof UpdateApprovalPolicyBody>;

export const Delegation = z.object({
  id: Id,
  fromUserId: Id,
  fromName: z.string(),
  toUserId: Id,
  toName: z.string(),
  fromDate: IsoDate,
  toDate: IsoDate,
  note: z.string(),
  version: z.number().int(),
  createdAt: Timestamp,
});
export type Delegation = z.infer<typeof Delegation>;
export const DelegationList = z.object({ items: z.array(Delegation) });
export type DelegationList = z.infer<typeof DelegationList>;

export const CreateDelegationBody = z.strictObject({
  /** Defaults to the caller; someone else's only with `quotes.approval_policy.write`. */
  fromUserId: Id.optional(),
  toUserId: Id,
  fromDate: IsoDate,
  toDate: IsoDate,
  note: z.string().max(500).optional(),
});
export type CreateDelegationBody = z.infer<typeof CreateDelegationBody>;
export const DeleteDelegationQuery = z.strictObject({ version: z.coerce.number().int().min(1) });

// ── Steps, requests, inbox ──────────────────────────────────────────────────────────────────────

export const ApprovalTrigger = z.object({
  ruleId: z.string(),
  metric: z.enum(APPROVAL_METRICS),
  op: z.enum(APPROVAL_OPS),
  threshold: z.string(),
  currency: z.string().nullable(),
  /** The quote's exact value, formatted ("18.5 %", "1200000.00 CNY", "2"). */
  actual: z.string(),
  text: z.string(),
});

export const Person = z.object({ userId: Id, name: z.string() });

export const ApprovalStepDto = z.object({
  level: Level,
  actingLevel: Level,
  covers: z.array(Level),
  triggers: z.array(ApprovalTrigger),
  implied: z.boolean(),
  approvers: z.array(Person),
  delegates: z.array(Person),
  status: z.enum(['waiting', 'pending', 'approved', 'rejected']),
});
export type ApprovalStepDto = z.infer<typeof ApprovalStepDto>;

export const ApprovalDecisionDto = z.object({
  userId: Id,
  name: z.string(),
  at: Timestamp,
  versionId: Id,
  decision: z.enum(['submitted', 'approved', 'rejected', 'recalled', 'carried']),
  level: Level.nullable(),
  comment: z.string().nullable(),
  carriedFromVersionId: Id.nullable(),
});

export const MetricValues = z.object({
  quoteDiscountPercent: z.string().nullable(),
  maxLineDiscountPercent: z.string().nullable(),
  belowFloorLines: z.number().int(),
  marginPercent: z.string().nullable(),
  totalAmount: MoneySchema,
});
export type MetricValues = z.infer<typeof MetricValues>;

/** What a submit of this version would need now (nothing stored). */
export const ApprovalPreview = z.object({
  versionId: Id,
  policyVersion: z.number().int(),
  metrics: MetricValues,
  required: z.boolean(),
  steps: z.array(ApprovalStepDto),
  skipped: z.array(z.object({ level: Level, reason: z.enum(['missing_in_chain', 'same_approver']), coveredBy: Level })),
  /** Approvals of the quote's previous version that would stand (smart re-approval). */
  carried: z.array(z.object({ level: Level, userId: Id, name: z.string(), fromVersionId: Id })),
  /** A step nobody can approve: the submit would be refused. */
  blockedLevel: Level.nullable(),
});
export type ApprovalPreview = z.infer<typeof ApprovalPreview>;

export const FieldChange = z.object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable(), worse: z.boolean() });
export const ApprovalDiffDto = z.object({
  /** The version approved last (the snapshot compared with), null when none. */
  sinceVersionId: Id.nullable(),
  sinceVersionNo: z.number().int().nullable(),
  metrics: z.array(z.object({ metric: z.enum(APPROVAL_METRICS), before: z.string(), after: z.string(), worse: z.boolean() })),
  lines: z.array(z.object({ lineId: z.string(), kind: z.enum(['added', 'removed', 'changed']), fields: z.array(FieldChange), worse: z.boolean() })),
});
export type ApprovalDiffDto = z.infer<typeof ApprovalDiffDto>;

export const APPROVAL_REQUEST_STATUS_VALUES = ['pending', 'approved', 'rejected', 'recalled'] as const;

export const ApprovalRequest = z.object({
  id: Id,
  quoteId: Id,
  quoteNumber: z.string(),
  versionId: Id,
  versionNo: z.number().int(),
  accountId: Id,
  accountName: z.string(),
  opportunityId: Id,
  ownerId: Id,
  ownerName: z.string(),
  status: z.enum(APPROVAL_REQUEST_STATUS_VALUES),
  submittedBy: Id,
  submittedByName: z.string(),
  submittedAt: Timestamp,
  /** The current step's level while pending. */
  currentLevel: Level.nullable(),
  /** May the caller approve or reject the current step now? */
  canAct: z.boolean(),
  /** May the caller recall it (the submitter, while pending)? */
  canRecall: z.boolean(),
  total: MoneySchema,
  discountPercent: z.string().nullable(),
  version: z.number().int(),
  updatedAt: Timestamp,
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalRequestDetail = ApprovalRequest.extend({
  policyVersion: z.number().int(),
  metrics: MetricValues,
  steps: z.array(ApprovalStepDto),
  decisions: z.array(ApprovalDecisionDto),
  lines: z.array(QuotePricedLine),
  totals: QuoteTotals,
  /** What changed since the quote's last approved snapshot (empty when this is the first). */
  changesSinceApproved: ApprovalDiffDto,
});
export type ApprovalRequestDetail = z.infer<typeof ApprovalRequestDetail>;

export const ApprovalRequestPage = pageSchema(ApprovalRequest);
export type ApprovalRequestPage = z.infer<typeof ApprovalRequestPage>;

export const ListApprovalsQuery = PageQuery.extend({
  status: z.enum(APPROVAL_REQUEST_STATUS_VALUES).optional(),
  /** Only requests the caller can act on now (the inbox). */
  mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  quoteId: Id.optional(),
}).strict();
export type ListApprovalsQuery = z.infer<typeof ListApprovalsQuery>;

export const SubmitVersionBody = z.strictObject({ version: Version, comment: Comment.optional() });
export type SubmitVersionBody = z.infer<typeof SubmitVersionBody>;
export const ApproveBody = z.strictObject({ version: Version, level: Level.optional(), comment: Comment.optional() });
export type ApproveBody = z.infer<typeof ApproveBody>;
export const RejectBody = z.strictObject({ version: Version, level: Level.optional(), comment: Comment });
export type RejectBody = z.infer<typeof RejectBody>;
export const RecallBody = z.strictObject({ version: Version, comment: Comment.optional() });
export type RecallBody = z.infer<typeof RecallBody>;

// ── Preview, acceptance, documents ──────────────────────────────────────────────────────────────

/** Price lines without saving: what the editor shows while typing. Same inputs as a create. */
export const PricePreviewBody = CreateQuoteBody;
export type PricePreviewBody = z.infer<typeof PricePreviewBody>;
/**
 * A preview's explanations: each distinct step once in zh and en, each line's steps as indexes (a rule
 * dismissed for the whole quote is one step on many lines; inline, a 200-line preview was 1.7 MB).
 */
export const PreviewExplanations = z.object({ steps: z.array(ExplanationText), lines: z.record(z.string(), z.array(z.number().int())) });
export type PreviewExplanations = z.infer<typeof PreviewExplanations>;
export const PricePreview = z.object({ priced: z.array(QuotePricedLine), explanations: PreviewExplanations, totals: QuoteTotals, metrics: MetricValues, approvalRequired: z.boolean() });
export type PricePreview = z.infer<typeof PricePreview>;

export const AcceptVersionBody = z.strictObject({
  /** The version row's `version`. */
  version: Version,
  billing: BillingPlanInput,
  /** Defaults to today (company time zone); not in the future. */
  signedDate: IsoDate.optional(),
  /** Defaults to the signed date. */
  startDate: IsoDate.optional(),
  customerReference: z.string().max(200).optional(),
});
export type AcceptVersionBody = z.infer<typeof AcceptVersionBody>;

export const AcceptedQuote = z.object({
  quote: QuoteDetail,
  contract: z.object({ id: Id, number: z.string(), total: MoneySchema }),
});
export type AcceptedQuote = z.infer<typeof AcceptedQuote>;

export const PdfQuery = z.strictObject({
  locale: z.enum(['zh-CN', 'en']).optional(),
  download: z.enum(['0', '1']).optional(),
});
export type PdfQuery = z.infer<typeof PdfQuery>;
