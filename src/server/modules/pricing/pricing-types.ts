import type { Currency, Dec, Money } from '../../../shared/money.ts';
import type { ConditionFailure } from './cel-context.ts';
import type { PricedLine } from './priced-line.ts';

/** What the caller (quote service or web preview) hands the engine for one quote. */

export interface PricingCustomer {
  /** The account id. */
  id: string;
  /** Parent accounts, nearest first (not including `id`). Account-scoped rules and contracts are inherited down this chain. */
  parentAccountIds?: string[];
  /** The customer's group and its ancestors, nearest first. */
  groupAncestors?: string[];
  kind?: string;
  region?: string;
  custom?: Record<string, unknown>;
}

export interface PricingOpportunity {
  id?: string;
  stage?: string;
  kind?: string;
  source?: string;
  custom?: Record<string, unknown>;
}

export interface PricingQuote {
  id?: string;
  currency: Currency;
  /**
   * The date prices are taken at: a local date `YYYY-MM-DD` (used as is), or an ISO instant,
   * converted to a local date in `timeZone`.
   */
  pricingDate: string;
  /** IANA zone of the company; default Asia/Shanghai. */
  timeZone?: string;
  termMonths?: number;
}

export interface PriceBookInput {
  id?: string;
  currency: Currency;
  /** productId → list unit price (decimal string). */
  prices: Readonly<Record<string, string>>;
}

/** A contracted price list; the caller resolves the account chain and passes the lists nearest first. */
export interface ContractPriceList {
  accountId: string;
  currency: Currency;
  prices: Readonly<Record<string, string>>;
}

export interface PricingLineInput {
  id: string;
  productId: string;
  /** Integer ≥ 0. */
  quantity: number;
  termMonths?: number;
  /** Set on the component lines of a bundle: the bundle's line id. */
  parentLineId?: string;
  /** The rep's discount in percent ("12.5"); mutually exclusive with manualUnitPrice. */
  manualDiscountPercent?: string;
  /** The rep's unit price in the quote currency. */
  manualUnitPrice?: string;
  /** Overrides the product's VAT rate, in percent. */
  taxPercent?: string;
}

export interface PricingOptions {
  /** Report "n more units reach the next band" when n ≤ this percentage of the quantity (at least 1 unit). Default 10. */
  nearThresholdPercent?: number;
}

export interface PricingRequest {
  customer: PricingCustomer;
  opportunity?: PricingOpportunity;
  quote: PricingQuote;
  priceBook: PriceBookInput;
  contractPrices?: ContractPriceList[];
  /** Units of the quote currency per unit of the keyed currency, e.g. `{ USD: "7.1" }` for a CNY quote. */
  exchangeRates?: Partial<Record<Currency, string>>;
  lines: PricingLineInput[];
  options?: PricingOptions;
}

export type LineRole = 'standard' | 'bundleHeader' | 'bundleComponent' | 'bundledOption' | 'free';

export type LineIssueCode =
  | 'unknown_product'
  | 'no_price'
  | 'invalid_price'
  | 'invalid_quantity'
  | 'missing_exchange_rate'
  | 'invalid_manual'
  | 'invalid_tax'
  | 'duplicate_line_id'
  | 'bundle_unpriced';

export interface LineIssue {
  code: LineIssueCode;
  message: string;
}

export interface PricingTotals {
  list: Money;
  net: Money;
  discount: Money;
  /** (1 − Σnet/Σlist) × 100 to 2 places, amount-weighted; null when Σlist is 0. */
  discountPercent: string | null;
  /** Σ cost of the lines that have one. */
  cost: Money;
  /** Every counted line had a cost. */
  isCostComplete: boolean;
  margin: Money;
  marginPercent: string | null;
  tax: Money;
  grandTotal: Money;
}

export type PricingAdvisory =
  | { code: 'tier_cliff'; lineId: string; ruleId: string; quantity: number; atQuantity: number; totalNow: Money; totalThen: Money }
  | { code: 'near_threshold'; lineId: string; ruleId: string; quantity: number; nextThreshold: number; unitsToGo: number }
  | { code: 'rule_eval_error'; ruleId: string; lineId: string | null; count: number; error: ConditionFailure }
  | { code: 'rule_currency_missing'; ruleId: string; currency: Currency }
  | { code: 'below_floor'; lineId: string; floor: Dec; unit: Dec }
  | { code: 'above_ceiling'; lineId: string; ceiling: Dec; unit: Dec }
  | { code: 'floor_above_ceiling'; lineId: string; floor: Dec; ceiling: Dec }
  | { code: 'bundle_quantity_fixed'; lineId: string; expected: number; given: number }
  | { code: 'orphan_component'; lineId: string; parentLineId: string };

export interface QuoteIssue {
  code: 'invalid_pricing_date' | 'invalid_currency' | 'invalid_exchange_rate';
  message: string;
}

export interface PricingResult {
  currency: Currency;
  /** The local date rules were matched against. */
  pricingDate: string;
  lines: PricedLine[];
  totals: PricingTotals;
  advisories: PricingAdvisory[];
  issues: QuoteIssue[];
  /** Rates actually used, as given. */
  exchangeRatesUsed: Partial<Record<Currency, string>>;
  ruleSetRevision: number;
  /** Some line could not be priced, or the quote input was invalid. */
  hasErrors: boolean;
}
