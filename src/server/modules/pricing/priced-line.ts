import Decimal from 'decimal.js';
import { Dec, Money, type Currency, type MoneyJson } from '../../../shared/money.ts';
import type { LineExplanation } from './explanation.ts';
import { fromScaled, toScaled } from './fixed.ts';
import type { LineIssue, LineRole } from './pricing-types.ts';

/**
 * One priced line. The exact amounts are computed eagerly (rounded once); the list, cost and tax
 * amounts may come as counts of minor units and become Decimals on first read, and the Money
 * wrappers and the display percentages are derived on first read too: a 1 000-line quote priced
 * for a preview rarely reads them all, and each Decimal is ~150 bytes that a large quote's garbage
 * collections would otherwise copy.
 */

/**
 * An exact line amount as the engine hands it over: a Decimal, or a safe integer count of the
 * currency's minor units (amount × 10^places, places given with the line).
 */
export type LineAmount = Dec | number;

/** A line amount as a Decimal. */
function toAmount(value: LineAmount, places: number): Dec {
  return typeof value === 'number' ? fromScaled(value, places) : value;
}

const HUNDRED = new Dec(100);

/** (numerator / denominator) × 100, half-up to 2 places; null for a zero denominator. */
export function formatPercent(numerator: Dec, denominator: Dec): string | null {
  if (denominator.isZero()) return null;
  return numerator.dividedBy(denominator).times(HUNDRED).toFixed(2, Decimal.ROUND_HALF_UP);
}

export interface PricedLineInit {
  lineId: string;
  productId: string;
  quantity: number;
  role: LineRole;
  parentLineId: string | null;
  isCounted: boolean;
  status: 'priced' | 'error';
  currency: Currency;
  listUnit: Dec | null;
  netUnit: Dec;
  netUnrounded: Dec;
  /** The currency's minor-unit places, for amounts given as counts of minor units. */
  places: number;
  listAmount: LineAmount;
  netAmount: Dec;
  /** netAmount in minor units (toScaled), taken while it is at hand: the totals read it, not the Decimal. */
  netScaled: number;
  costAmount: LineAmount | null;
  taxAmount: LineAmount;
  taxPercent: string;
  exchangeRate: string | null;
  floor: Dec | null;
  ceiling: Dec | null;
  belowFloor: { floor: Dec } | null;
  aboveCeiling: { ceiling: Dec } | null;
  freeOf: { ruleId: string; triggerLineId: string } | null;
  explanation: LineExplanation;
  issues: LineIssue[];
}

export interface PricedLineJson {
  lineId: string;
  productId: string;
  quantity: number;
  role: LineRole;
  parentLineId: string | null;
  isCounted: boolean;
  status: 'priced' | 'error';
  listUnit: string | null;
  netUnit: string;
  list: MoneyJson;
  net: MoneyJson;
  discountPercent: string | null;
  cost: MoneyJson | null;
  margin: MoneyJson | null;
  marginPercent: string | null;
  taxPercent: string;
  tax: MoneyJson;
  exchangeRate: string | null;
  floor: string | null;
  ceiling: string | null;
  belowFloor: { floor: string } | null;
  aboveCeiling: { ceiling: string } | null;
  freeOf: { ruleId: string; triggerLineId: string } | null;
  issues: LineIssue[];
}

/** A line's amounts in minor units (see PricedLine.readScaledAmounts). */
export interface ScaledAmounts {
  list: number;
  net: number;
  tax: number;
  cost: number | null;
}

export class PricedLine {
  readonly lineId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly role: LineRole;
  readonly parentLineId: string | null;
  /** Counted in the totals. Bundle headers are not (their components carry the money). */
  readonly isCounted: boolean;
  readonly status: 'priced' | 'error';
  readonly currency: Currency;
  /** List unit price in the quote currency, unrounded; null without a list price. */
  readonly listUnit: Dec | null;
  /** Net unit price, unrounded (to 40 digits when the exact price is a fraction such as a block price / q). */
  readonly netUnit: Dec;
  /**
   * The exact line total before its one rounding: net = round half-up(netUnrounded). Equal to
   * netUnit × quantity (exactly, unless a tier spread a total over the units); for bundle components,
   * their allocated share.
   */
  readonly netUnrounded: Dec;
  /** Exact line amount, rounded once to the currency's minor unit (also listAmount, costAmount, taxAmount). */
  readonly netAmount: Dec;
  readonly taxPercent: string;
  /** The rate used to convert the list price into the quote currency, when it was converted. */
  readonly exchangeRate: string | null;
  readonly floor: Dec | null;
  readonly ceiling: Dec | null;
  /** The final unit price is below the floor (a manual price, or a list price under the floor). */
  readonly belowFloor: { floor: Dec } | null;
  readonly aboveCeiling: { ceiling: Dec } | null;
  /** Set on generated free lines. */
  readonly freeOf: { ruleId: string; triggerLineId: string } | null;
  readonly explanation: LineExplanation;
  readonly issues: LineIssue[];
  readonly #places: number;
  #listAmount: LineAmount;
  readonly #netScaled: number;
  #costAmount: LineAmount | null;
  #taxAmount: LineAmount;
  #list: Money | undefined;
  #net: Money | undefined;
  #tax: Money | undefined;
  #discountPercent: string | null | undefined;
  #marginPercent: string | null | undefined;

  constructor(init: PricedLineInit) {
    this.lineId = init.lineId;
    this.productId = init.productId;
    this.quantity = init.quantity;
    this.role = init.role;
    this.parentLineId = init.parentLineId;
    this.isCounted = init.isCounted;
    this.status = init.status;
    this.currency = init.currency;
    this.listUnit = init.listUnit;
    this.netUnit = init.netUnit;
    this.netUnrounded = init.netUnrounded;
    this.#places = init.places;
    this.#listAmount = init.listAmount;
    this.netAmount = init.netAmount;
    this.#netScaled = init.netScaled;
    this.#costAmount = init.costAmount;
    this.#taxAmount = init.taxAmount;
    this.taxPercent = init.taxPercent;
    this.exchangeRate = init.exchangeRate;
    this.floor = init.floor;
    this.ceiling = init.ceiling;
    this.belowFloor = init.belowFloor;
    this.aboveCeiling = init.aboveCeiling;
    this.freeOf = init.freeOf;
    this.explanation = init.explanation;
    this.issues = init.issues;
  }

  /** List unit price × quantity, rounded once. */
  get listAmount(): Dec {
    const value = this.#listAmount;
    return typeof value === 'number' ? (this.#listAmount = toAmount(value, this.#places)) : value;
  }

  /** Cost unit × quantity, rounded once; null when the cost is unknown. */
  get costAmount(): Dec | null {
    const value = this.#costAmount;
    return typeof value === 'number' ? (this.#costAmount = toAmount(value, this.#places)) : value;
  }

  /** Tax on the rounded net, rounded once. */
  get taxAmount(): Dec {
    const value = this.#taxAmount;
    return typeof value === 'number' ? (this.#taxAmount = toAmount(value, this.#places)) : value;
  }

  /**
   * @internal The list, net, tax and cost amounts in minor units (for the quote's totals) into
   * `out`, without making Decimals; an amount that is not a safe integer count of them is NaN, and
   * a missing cost is null.
   */
  readScaledAmounts(out: ScaledAmounts): void {
    const places = this.#places;
    const list = this.#listAmount;
    const tax = this.#taxAmount;
    const cost = this.#costAmount;
    out.list = typeof list === 'number' ? list : toScaled(list, places);
    out.net = this.#netScaled;
    out.tax = typeof tax === 'number' ? tax : toScaled(tax, places);
    out.cost = cost === null ? null : typeof cost === 'number' ? cost : toScaled(cost, places);
  }

  get list(): Money {
    return (this.#list ??= Money.of(this.listAmount, this.currency));
  }

  get net(): Money {
    return (this.#net ??= Money.of(this.netAmount, this.currency));
  }

  get tax(): Money {
    return (this.#tax ??= Money.of(this.taxAmount, this.currency));
  }

  get cost(): Money | null {
    return this.costAmount === null ? null : Money.of(this.costAmount, this.currency);
  }

  /** net − cost; null when the cost is unknown. */
  get margin(): Money | null {
    return this.costAmount === null ? null : Money.of(this.netAmount.minus(this.costAmount), this.currency);
  }

  /** Derived for display: (1 − net/list) × 100 to 2 places; null when list is 0. Never fed back. */
  get discountPercent(): string | null {
    if (this.#discountPercent === undefined) this.#discountPercent = formatPercent(this.listAmount.minus(this.netAmount), this.listAmount);
    return this.#discountPercent;
  }

  /** margin / net × 100 to 2 places; null when net is 0 or the cost unknown. */
  get marginPercent(): string | null {
    if (this.#marginPercent === undefined) {
      this.#marginPercent = this.costAmount === null ? null : formatPercent(this.netAmount.minus(this.costAmount), this.netAmount);
    }
    return this.#marginPercent;
  }

  toJSON(): PricedLineJson {
    const cost = this.cost;
    const margin = this.margin;
    return {
      lineId: this.lineId,
      productId: this.productId,
      quantity: this.quantity,
      role: this.role,
      parentLineId: this.parentLineId,
      isCounted: this.isCounted,
      status: this.status,
      listUnit: this.listUnit === null ? null : this.listUnit.toFixed(),
      netUnit: this.netUnit.toFixed(),
      list: this.list.toJSON(),
      net: this.net.toJSON(),
      discountPercent: this.discountPercent,
      cost: cost === null ? null : cost.toJSON(),
      margin: margin === null ? null : margin.toJSON(),
      marginPercent: this.marginPercent,
      taxPercent: this.taxPercent,
      tax: this.tax.toJSON(),
      exchangeRate: this.exchangeRate,
      floor: this.floor === null ? null : this.floor.toFixed(),
      ceiling: this.ceiling === null ? null : this.ceiling.toFixed(),
      belowFloor: this.belowFloor === null ? null : { floor: this.belowFloor.floor.toFixed() },
      aboveCeiling: this.aboveCeiling === null ? null : { ceiling: this.aboveCeiling.ceiling.toFixed() },
      freeOf: this.freeOf,
      issues: this.issues,
    };
  }
}
