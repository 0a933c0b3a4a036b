import { z } from 'zod';
import { Id, IsoDate, PageQuery, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { DECIMAL_PATTERN, MoneySchema, isCurrency } from '../../../shared/money.ts';

/**
 * The quotes API, shared by server and web: a quote belongs to a deal and has versions v1, v2…;
 * a draft version is edited and re-priced on every save, a sent or approved one is frozen (a change
 * starts the next version). Amounts are decimal strings with their currency; the discount
 * percentages are derived for display and never read back.
 */

const Decimal = z.string().regex(DECIMAL_PATTERN, { message: 'v:decimal_string' });
const NonNegativeDecimal = Decimal.refine((s) => !s.startsWith('-'), { message: 'v:not_negative' });
const Currency = z.string().refine((c: string): boolean => isCurrency(c), { message: 'v:unknown_currency' });
const TermMonths = z.number().int({ message: 'v:positive_integer' }).min(1, { message: 'v:positive_integer' }).max(120);

export const QuoteLineInput = z
  .strictObject({
    /** Stable within the quote (kept across versions); assigned L1, L2… when omitted. */
    id: z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'v:code' }).optional(),
    productId: Id,
    quantity: z.number().int({ message: 'v:positive_integer' }).min(1, { message: 'v:positive_integer' }).max(1_000_000_000),
    termMonths: TermMonths.optional(),
    /** The rep's discount in percent ("12.5"), applied in the engine's MANUAL phase. */
    manualDiscountPercent: NonNegativeDecimal.refine((s) => Number(s) <= 100, { message: 'v:decimal_string' }).optional(),
    /** The rep's unit price in the quote currency, applied in the engine's MANUAL phase. */
    manualUnitPrice: NonNegativeDecimal.optional(),
    notes: z.string().max(2000).optional(),
  })
  .superRefine((l, ctx) => {
    if (l.manualDiscountPercent !== undefined && l.manualUnitPrice !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['manualUnitPrice'], message: 'v:manual_price_or_discount' });
    }
  });
export type QuoteLineInput = z.infer<typeof QuoteLineInput>;

const Lines = z.array(QuoteLineInput).max(500);

export const CreateQuoteBody = z.strictObject({
  opportunityId: Id,
  priceBookId: Id,
  currency: Currency,
  /** Defaults to today (company time zone). */
  pricingDate: IsoDate.optional(),
  /** Defaults to 30 days after the pricing date. */
  validUntil: IsoDate.optional(),
  termMonths: TermMonths.optional(),
  terms: z.string().max(20_000).optional(),
  lines: Lines,
});
export type CreateQuoteBody = z.infer<typeof CreateQuoteBody>;

export const UpdateQuoteVersionBody = z.strictObject({
  /** The version row's `version` (optimistic concurrency). */
  version: Version,
  pricingDate: IsoDate.optional(),
  validUntil: IsoDate.optional(),
  termMonths: TermMonths.nullable().optional(),
  terms: z.string().max(20_000).optional(),
  lines: Lines.optional(),
});
export type UpdateQuoteVersionBody = z.infer<typeof UpdateQuoteVersionBody>;

/** Start the next version; `version` is the quote's. */
export const CreateQuoteVersionBody = z.strictObject({ version: Version });
export type CreateQuoteVersionBody = z.infer<typeof CreateQuoteVersionBody>;

/** Send a draft version; `version` is the version row's. */
export const SendQuoteVersionBody = z.strictObject({ version: Version });
export type SendQuoteVersionBody = z.infer<typeof SendQuoteVersionBody>;

export const ListQuotesQuery = PageQuery.extend({
  opportunityId: Id.optional(),
  ownerId: Id.optional(),
}).strict();
export type ListQuotesQuery = z.infer<typeof ListQuotesQuery>;

export const IdParams = z.strictObject({ id: Id });

/** One line's explanation instead of every line's (the editor's drawer). */
export const ExplanationQuery = z.strictObject({ lineId: z.string().min(1).max(40).optional() });
export type ExplanationQuery = z.infer<typeof ExplanationQuery>;

export const RuleVersionUsed = z.object({ ruleId: z.string(), code: z.string().nullable(), version: z.number().int() });
export type RuleVersionUsed = z.infer<typeof RuleVersionUsed>;

export const ExplanationText = z.object({ type: z.string(), ruleId: z.string().nullable(), zh: z.string(), en: z.string() });
export type ExplanationText = z.infer<typeof ExplanationText>;

/** One line as priced when the version was last saved: the snapshot a sent version keeps. */
export const QuotePricedLine = z.object({
  lineId: z.string(),
  productId: z.string(),
  quantity: z.number().int(),
  role: z.string(),
  parentLineId: z.string().nullable(),
  isCounted: z.boolean(),
  /** List unit price in the quote currency (unrounded); null without a list price. */
  listUnit: z.string().nullable(),
  /** Net unit price, unrounded. */
  netUnit: z.string(),
  /** Line amounts, each rounded once (half-up, to the currency's minor unit). */
  list: MoneySchema,
  net: MoneySchema,
  tax: MoneySchema,
  cost: MoneySchema.nullable(),
  taxPercent: z.string(),
  /** Derived for display: (1 − net / list) × 100. */
  discountPercent: z.string().nullable(),
  floor: z.string().nullable(),
  /** The unit price is below the floor; `floorOverride` says it was allowed by the caller's role. */
  belowFloor: z.boolean(),
  floorOverride: z.boolean(),
  rulesUsed: z.array(RuleVersionUsed),
});
export type QuotePricedLine = z.infer<typeof QuotePricedLine>;

/**
 * A priced line with its explanation attached (a preview's line, from the preview's explanations:
 * nothing is stored). A saved version keeps its explanations apart from its lines
 * (quote_version_explanations) and serves them from `GET /quotes/versions/:id/explanation`, so
 * reading or saving a quote does not carry them.
 */
export const ExplainedPricedLine = QuotePricedLine.extend({ explanation: z.array(ExplanationText) });
export type ExplainedPricedLine = z.infer<typeof ExplainedPricedLine>;


export const QuoteTotals = z.object({
  list: MoneySchema,
  net: MoneySchema,
  discount: MoneySchema,
  /** (1 − Σnet / Σlist) × 100 to 2 places (amount-weighted); null when Σlist is 0. */
  discountPercent: z.string().nullable(),
  cost: MoneySchema,
  isCostComplete: z.boolean(),
  margin: MoneySchema,
  marginPercent: z.string().nullable(),
  tax: MoneySchema,
  grandTotal: MoneySchema,
  /** 人民币大写 of the grand total (CNY only), for zh documents. */
  grandTotalInWords: z.string().nullable(),
});
export type QuoteTotals = z.infer<typeof QuoteTotals>;

export const QUOTE_VERSION_STATUS_VALUES = ['draft', 'in_approval', 'sent', 'approved', 'rejected', 'accepted', 'superseded'] as const;
export type QuoteVersionStatus = (typeof QUOTE_VERSION_STATUS_VALUES)[number];

export const QuoteVersion = z.object({
  id: Id,
  quoteId: Id,
  number: z.number().int(),
  status: z.enum(QUOTE_VERSION_STATUS_VALUES),
  pricingDate: IsoDate,
  validUntil: IsoDate,
  termMonths: z.number().int().nullable(),
  terms: z.string(),
  lines: z.array(QuoteLineInput),
  priced: z.array(QuotePricedLine),
  totals: QuoteTotals,
  createdBy: Id,
  sentAt: Timestamp.nullable(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type QuoteVersion = z.infer<typeof QuoteVersion>;

export const Quote = z.object({
  id: Id,
  number: z.string(),
  opportunityId: Id,
  /** The deal's name. */
  opportunityName: z.string(),
  accountId: Id,
  /** The account's names, as printed on the quote (shown even when the account is outside the reader's scope). */
  accountName: z.string(),
  accountNameEn: z.string().nullable(),
  ownerId: Id,
  unitId: Id,
  currency: z.string(),
  priceBookId: Id,
  status: z.enum(['open', 'accepted', 'closed']),
  acceptedVersionId: Id.nullable(),
  latestVersionNo: z.number().int(),
  /** The latest version's grand total. */
  total: MoneySchema.nullable(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Quote = z.infer<typeof Quote>;

export const QuoteDetail = Quote.extend({ versions: z.array(QuoteVersion) });
export type QuoteDetail = z.infer<typeof QuoteDetail>;

export const QuotePage = pageSchema(Quote);
export type QuotePage = z.infer<typeof QuotePage>;

export const QuoteExplanation = z.object({
  versionId: Id,
  locale: z.string(),
  lines: z.array(
    z.object({
      lineId: z.string(),
      productId: z.string(),
      netUnit: z.string(),
      net: MoneySchema,
      rulesUsed: z.array(RuleVersionUsed),
      steps: z.array(z.object({ type: z.string(), ruleId: z.string().nullable(), text: z.string() })),
    }),
  ),
});
export type QuoteExplanation = z.infer<typeof QuoteExplanation>;
