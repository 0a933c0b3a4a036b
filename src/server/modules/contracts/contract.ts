import { z } from 'zod';
import { Id, IsoDate, PageQuery, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { DECIMAL_PATTERN, MoneySchema } from '../../../shared/money.ts';

/**
 * The contracts API, shared by server and web. A contract is signed from an accepted quote
 * version; the billing plan chosen at acceptance becomes its billing schedule.
 */

const Percent = z.string().regex(DECIMAL_PATTERN, { message: 'v:decimal_string' });

/** How the customer is billed: once, by milestone (percentages summing to 100), or per subscription period. */
export const BillingPlanInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('one_time'), dueDate: IsoDate.optional() }),
  z.strictObject({
    type: z.literal('milestone'),
    milestones: z
      .array(z.strictObject({ name: z.string().trim().min(1).max(200), percent: Percent, dueDate: IsoDate.optional() }))
      .min(1)
      .max(50),
  }),
  z.strictObject({ type: z.literal('subscription'), periodMonths: z.union([z.literal(1), z.literal(3), z.literal(6), z.literal(12)]) }),
]);
export type BillingPlanInput = z.infer<typeof BillingPlanInput>;

const Decimal = z.string().regex(DECIMAL_PATTERN, { message: 'v:decimal_string' });
const NonNegativeDecimal = Decimal.refine((s) => !s.startsWith('-'), { message: 'v:not_negative' });
const PositiveInt = z.number().int({ message: 'v:positive_integer' }).min(1, { message: 'v:positive_integer' });
const LineId = z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'v:code' });

export const CONTRACT_STATUS_VALUES = ['active', 'completed', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUS_VALUES)[number];
export const BILLING_TYPE_VALUES = ['one_time', 'milestone', 'subscription'] as const;
export type BillingType = (typeof BILLING_TYPE_VALUES)[number];

export const LocalizedText = z.object({ zh: z.string(), en: z.string() });
export type LocalizedText = z.infer<typeof LocalizedText>;

/**
 * One installment of the billing schedule. `amount`s of a schedule sum exactly to the contract's
 * grand total; `percent` is derived from them for display only (never read back).
 */
export const BillingInstallment = z.object({
  seq: z.number().int(),
  kind: z.enum(['one_time', 'milestone', 'period', 'adjustment']),
  label: LocalizedText,
  /** Null for a milestone without a date: it falls due when the milestone is accepted. */
  dueDate: IsoDate.nullable(),
  /** Subscriptions: the period billed (inclusive). */
  periodStart: IsoDate.nullable(),
  periodEnd: IsoDate.nullable(),
  /** amount / grand total × 100, 2 places; null when the total is zero. */
  percent: z.string().nullable(),
  amount: MoneySchema,
});
export type BillingInstallment = z.infer<typeof BillingInstallment>;

/** A line as the customer signed it: a counted priced line of the quote version, with its product frozen. */
export const ContractLine = z.object({
  lineId: z.string(),
  productId: Id,
  sku: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  unit: z.string().nullable(),
  quantity: z.number().int(),
  termMonths: z.number().int().nullable(),
  /** Unit prices in the contract currency, unrounded (as priced). */
  listUnit: z.string().nullable(),
  netUnit: z.string(),
  /** Line amounts, each rounded once half-up to the currency's minor unit; tax on the rounded net. */
  list: MoneySchema,
  net: MoneySchema,
  tax: MoneySchema,
  taxPercent: z.string(),
});
export type ContractLine = z.infer<typeof ContractLine>;

export const ContractTotals = z.object({
  list: MoneySchema,
  net: MoneySchema,
  discount: MoneySchema,
  tax: MoneySchema,
  grandTotal: MoneySchema,
});
export type ContractTotals = z.infer<typeof ContractTotals>;

const ContractHeader = {
  id: Id,
  number: z.string(),
  quoteId: Id,
  quoteVersionId: Id,
  opportunityId: Id,
  accountId: Id,
  ownerId: Id,
  unitId: Id,
  currency: z.string(),
  status: z.enum(CONTRACT_STATUS_VALUES),
  signedDate: IsoDate,
  signedBy: Id,
  startDate: IsoDate,
  endDate: IsoDate.nullable(),
  billingType: z.enum(BILLING_TYPE_VALUES),
  customerReference: z.string(),
  amendmentCount: z.number().int(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

/** The deal's and the account's names, shown with a contract in lists and on its page. */
const ContractNames = {
  opportunityName: z.string(),
  accountName: z.string(),
  accountNameEn: z.string().nullable(),
};

/** A contract in a list: its header, names and grand total. */
export const ContractSummary = z.object({ ...ContractHeader, ...ContractNames, grandTotal: MoneySchema });
export type ContractSummary = z.infer<typeof ContractSummary>;

/** A contract with the terms in force: lines, totals and billing schedule. */
export const Contract = z.object({
  ...ContractHeader,
  lines: z.array(ContractLine),
  totals: ContractTotals,
  billing: z.array(BillingInstallment),
});
export type Contract = z.infer<typeof Contract>;

/** The terms an amendment changes; `before` and `after` of an amendment hold them whole. */
export const ContractTerms = z.object({
  status: z.enum(CONTRACT_STATUS_VALUES),
  endDate: IsoDate.nullable(),
  billingType: z.enum(BILLING_TYPE_VALUES),
  lines: z.array(ContractLine),
  totals: ContractTotals,
  billing: z.array(BillingInstallment),
});
export type ContractTerms = z.infer<typeof ContractTerms>;

export const ContractAmendment = z.object({
  id: Id,
  contractId: Id,
  number: z.number().int(),
  effectiveDate: IsoDate,
  reason: z.string(),
  before: ContractTerms,
  after: ContractTerms,
  createdBy: Id,
  createdAt: Timestamp,
});
export type ContractAmendment = z.infer<typeof ContractAmendment>;

export const ContractDetail = Contract.extend({ ...ContractNames, amendments: z.array(ContractAmendment) });
export type ContractDetail = z.infer<typeof ContractDetail>;

export const ContractPage = pageSchema(ContractSummary);
export type ContractPage = z.infer<typeof ContractPage>;

export const ListContractsQuery = PageQuery.extend({
  accountId: Id.optional(),
  opportunityId: Id.optional(),
  ownerId: Id.optional(),
  status: z.enum(CONTRACT_STATUS_VALUES).optional(),
}).strict();
export type ListContractsQuery = z.infer<typeof ListContractsQuery>;

export const IdParams = z.strictObject({ id: Id });

/**
 * Line changes of an amendment: a new quantity or net unit price for a signed line, new lines
 * (priced by hand: the amendment is negotiated, not re-quoted), lines removed. A changed line's
 * net is re-rounded once (half-up), its tax computed on the rounded net at the line's tax percent.
 */
export const AmendLines = z.strictObject({
  update: z
    .array(z.strictObject({ lineId: LineId, quantity: PositiveInt.max(1_000_000_000).optional(), netUnit: NonNegativeDecimal.optional() }))
    .max(500)
    .optional(),
  add: z
    .array(
      z.strictObject({
        productId: Id,
        quantity: PositiveInt.max(1_000_000_000),
        netUnit: NonNegativeDecimal,
        /** Defaults to the product's tax rate. */
        taxPercent: NonNegativeDecimal.refine((s) => Number(s) < 100, { message: 'v:tax_percent' }).optional(),
        termMonths: PositiveInt.max(120).optional(),
      }),
    )
    .max(500)
    .optional(),
  remove: z.array(LineId).max(500).optional(),
});
export type AmendLines = z.infer<typeof AmendLines>;

export const CreateAmendmentBody = z.strictObject({
  /** The contract's `version` (optimistic concurrency). */
  version: Version,
  /** From this date the amended terms apply; installments due before it are kept as they were. */
  effectiveDate: IsoDate,
  reason: z.string().trim().min(1, { message: 'v:required' }).max(2000),
  changes: z.strictObject({
    lines: AmendLines.optional(),
    billing: BillingPlanInput.optional(),
    endDate: IsoDate.nullable().optional(),
    status: z.enum(['completed', 'terminated']).optional(),
  }),
});
export type CreateAmendmentBody = z.infer<typeof CreateAmendmentBody>;
