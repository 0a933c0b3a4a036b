import Decimal from 'decimal.js';
import { z } from 'zod';

/**
 * Exact money: a decimal amount with its currency. Never a JS float.
 *
 * Amounts keep full precision through arithmetic; rounding happens only when asked
 * (`round()`), at the currency's minor unit, half-up unless another mode is given.
 * Shared by server and web, so the web preview computes exactly what the server stores.
 */

// A private Decimal constructor so nothing else's global config changes ours.
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

/** ISO 4217 currencies we accept, with their minor units. CNY is the default. */
export const CURRENCIES = {
  CNY: 2,
  USD: 2,
  EUR: 2,
  HKD: 2,
  GBP: 2,
  JPY: 0,
  SGD: 2,
  KRW: 0,
  AUD: 2,
  CAD: 2,
  CHF: 2,
  MOP: 2,
  TWD: 2,
} as const satisfies Record<string, number>;
export type Currency = keyof typeof CURRENCIES;
export const DEFAULT_CURRENCY: Currency = 'CNY';

export function isCurrency(code: string): code is Currency {
  return Object.prototype.hasOwnProperty.call(CURRENCIES, code);
}

export type RoundingMode = 'half_up' | 'half_even' | 'down' | 'up';
const ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  half_up: Decimal.ROUND_HALF_UP,
  half_even: Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

/** A plain decimal string: optional minus, digits, optional fraction. No exponent, no spaces, no "1." */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export class CurrencyMismatchError extends Error {
  constructor(
    readonly left: Currency,
    readonly right: Currency,
  ) {
    super(`currency mismatch: ${left} vs ${right}`);
    this.name = 'CurrencyMismatchError';
  }
}

export class Money {
  private constructor(
    readonly amount: Dec,
    readonly currency: Currency,
  ) {}

  /** From a decimal string or Decimal. Numbers are refused: they may already have lost precision. */
  static of(amount: string | Dec, currency: Currency = DEFAULT_CURRENCY): Money {
    if (typeof amount === 'string') {
      if (!DECIMAL_PATTERN.test(amount)) throw new RangeError(`not a decimal amount: ${JSON.stringify(amount)}`);
      return new Money(new Dec(amount), currency);
    }
    return new Money(new Dec(amount), currency);
  }

  static zero(currency: Currency = DEFAULT_CURRENCY): Money {
    return new Money(new Dec(0), currency);
  }

  static fromJSON(json: MoneyJson): Money {
    if (!isCurrency(json.currency)) throw new RangeError(`unknown currency: ${json.currency}`);
    return Money.of(json.amount, json.currency);
  }

  /** Sum of a list; an empty list sums to zero in the given currency. */
  static sum(items: readonly Money[], currency: Currency = items[0]?.currency ?? DEFAULT_CURRENCY): Money {
    let total = new Dec(0);
    for (const m of items) {
      if (m.currency !== currency) throw new CurrencyMismatchError(currency, m.currency);
      total = total.plus(m.amount);
    }
    return new Money(total, currency);
  }

  get minorUnits(): number {
    return CURRENCIES[this.currency];
  }

  private same(other: Money): void {
    if (other.currency !== this.currency) throw new CurrencyMismatchError(this.currency, other.currency);
  }

  plus(other: Money): Money {
    this.same(other);
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  minus(other: Money): Money {
    this.same(other);
    return new Money(this.amount.minus(other.amount), this.currency);
  }

  /** Multiply by an exact factor (quantity, rate, 1 - discount). Unrounded. */
  times(factor: string | Dec | number): Money {
    if (typeof factor === 'number' && !Number.isInteger(factor)) {
      throw new RangeError('multiply money by an integer or a decimal string, never a float');
    }
    return new Money(this.amount.times(factor), this.currency);
  }

  /** Divide by an exact divisor. Unrounded (40 significant digits). */
  dividedBy(divisor: string | Dec | number): Money {
    if (typeof divisor === 'number' && !Number.isInteger(divisor)) {
      throw new RangeError('divide money by an integer or a decimal string, never a float');
    }
    return new Money(this.amount.dividedBy(divisor), this.currency);
  }

  negated(): Money {
    return new Money(this.amount.negated(), this.currency);
  }

  /** Round to the currency's minor unit (or `places`), half-up unless told otherwise. */
  round(mode: RoundingMode = 'half_up', places: number = this.minorUnits): Money {
    return new Money(this.amount.toDecimalPlaces(places, ROUNDING[mode]), this.currency);
  }

  isRounded(places: number = this.minorUnits): boolean {
    return this.amount.decimalPlaces() <= places;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.same(other);
    return this.amount.comparedTo(other.amount) as -1 | 0 | 1;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  isNegative(): boolean {
    return this.amount.isNegative() && !this.amount.isZero();
  }

  /**
   * Split into `weights.length` parts that sum exactly to this amount (rounded to minor units),
   * proportionally to the weights, by largest remainder; ties go to the earlier part.
   */
  allocate(weights: readonly Dec[]): Money[] {
    if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
    const total = this.round();
    const unit = new Dec(1).dividedBy(new Dec(10).pow(this.minorUnits));
    const weightSum = weights.reduce((s, w) => s.plus(w), new Dec(0));
    if (weightSum.isZero()) {
      // No basis for proportion: put everything on the first part.
      return weights.map((_, i) => (i === 0 ? total : Money.zero(this.currency)));
    }
    const exact = weights.map((w) => total.amount.times(w).dividedBy(weightSum));
    const floored = exact.map((e) => e.toDecimalPlaces(this.minorUnits, Decimal.ROUND_DOWN));
    let remainder = total.amount.minus(floored.reduce((s, f) => s.plus(f), new Dec(0)));
    const order = exact
      .map((e, i) => ({ i, frac: e.minus(floored[i]!) }))
      .sort((a, b) => b.frac.comparedTo(a.frac) || a.i - b.i);
    const parts = [...floored];
    const step = remainder.isNegative() ? unit.negated() : unit;
    for (let k = 0; !remainder.isZero() && k < order.length * 2; k++) {
      const idx = order[k % order.length]!.i;
      parts[idx] = parts[idx]!.plus(step);
      remainder = remainder.minus(step);
    }
    return parts.map((p) => new Money(p, this.currency));
  }

  /** The wire form: amount as a string with at least the currency's minor units. */
  toJSON(): MoneyJson {
    return { amount: this.toFixedString(), currency: this.currency };
  }

  /** Amount as a plain string, padded to the minor units; extra precision is kept, never cut. */
  toFixedString(): string {
    const dp = Math.max(this.amount.decimalPlaces(), this.minorUnits);
    return this.amount.toFixed(dp);
  }

  toString(): string {
    return `${this.toFixedString()} ${this.currency}`;
  }
}

export interface MoneyJson {
  amount: string;
  currency: string;
}

/** Zod schema of money on the wire: `{ "amount": "1234.50", "currency": "CNY" }`. */
export const MoneySchema = z
  .strictObject({
    amount: z
      .string()
      .regex(DECIMAL_PATTERN, { message: 'v:decimal_string' })
      .refine((s) => s.replace(/^-/, '').replace('.', '').length <= 30, { message: 'v:too_many_digits' }),
    currency: z.string().refine(isCurrency, { message: 'v:unknown_currency' }),
  })
  .superRefine((m, ctx) => {
    if (!isCurrency(m.currency)) return;
    const frac = m.amount.split('.')[1]?.length ?? 0;
    if (frac > CURRENCIES[m.currency]) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'v:currency_places',
      });
    }
  })
  .meta({ id: 'Money', description: 'An exact amount with its currency; the amount is a decimal string.' });
export type MoneySchema = z.infer<typeof MoneySchema>;
