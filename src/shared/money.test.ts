import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, Money, MoneySchema, CurrencyMismatchError } from './money.ts';

const cents = fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n });
const toAmount = (c: bigint) => {
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const s = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return neg ? `-${s}` : s;
};
const money = cents.map((c) => Money.of(toAmount(c), 'CNY'));

describe('Money', () => {
  it('adds exactly where floats do not', () => {
    // 0.1 + 0.2 = 0.30000000000000004 in floats; exactly 0.30 here.
    expect(Money.of('0.1').plus(Money.of('0.2')).toJSON()).toEqual({ amount: '0.30', currency: 'CNY' });
  });

  it('rounds half-up at the minor unit by default', () => {
    expect(Money.of('2.345').round().toFixedString()).toBe('2.35');
    expect(Money.of('-2.345').round().toFixedString()).toBe('-2.35'); // half away from zero
    expect(Money.of('2.345').round('half_even').toFixedString()).toBe('2.34');
    expect(Money.of('1234.5', 'JPY').round().toFixedString()).toBe('1235');
  });

  it('refuses floats and malformed strings', () => {
    expect(() => Money.of('1e3')).toThrow(RangeError);
    expect(() => Money.of('1.')).toThrow(RangeError);
    expect(() => Money.of(' 1')).toThrow(RangeError);
    expect(() => Money.of('1.00').times(0.1)).toThrow(RangeError);
  });

  it('refuses to mix currencies', () => {
    expect(() => Money.of('1', 'CNY').plus(Money.of('1', 'USD'))).toThrow(CurrencyMismatchError);
  });

  it('allocates by largest remainder so parts sum exactly', () => {
    // 100.00 in three equal parts: 33.333.. each; floors 33.33 ×3 = 99.99, the 0.01 goes to the first.
    const parts = Money.of('100.00').allocate([new Dec(1), new Dec(1), new Dec(1)]);
    expect(parts.map((p) => p.toFixedString())).toEqual(['33.34', '33.33', '33.33']);
  });

  it('property: addition is associative and commutative', () => {
    fc.assert(
      fc.property(money, money, money, (a, b, c) => {
        expect(a.plus(b).plus(c).equals(a.plus(b.plus(c)))).toBe(true);
        expect(a.plus(b).equals(b.plus(a))).toBe(true);
      }),
    );
  });

  it('property: a - b + b = a', () => {
    fc.assert(fc.property(money, money, (a, b) => a.minus(b).plus(b).equals(a)));
  });

  it('property: rounding is idempotent and moves at most half a minor unit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (milli) => {
        const m = Money.of(new Dec(milli.toString()).dividedBy(1000));
        const r = m.round();
        expect(r.round().equals(r)).toBe(true);
        expect(r.minus(m).amount.abs().lte('0.005')).toBe(true);
      }),
    );
  });

  it('property: allocation sums exactly to the rounded total and never goes negative for positive inputs', () => {
    fc.assert(
      fc.property(
        cents.filter((c) => c >= 0n),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }),
        (c, ws) => {
          const total = Money.of(toAmount(c));
          const parts = total.allocate(ws.map((w) => new Dec(w)));
          expect(Money.sum(parts, 'CNY').equals(total.round())).toBe(true);
          for (const p of parts) expect(p.isNegative()).toBe(false);
        },
      ),
    );
  });

  it('validates the wire form', () => {
    expect(MoneySchema.safeParse({ amount: '1234.50', currency: 'CNY' }).success).toBe(true);
    expect(MoneySchema.safeParse({ amount: 1234.5, currency: 'CNY' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: '1.234', currency: 'CNY' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: '1', currency: 'XXX' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: '1', currency: 'CNY', extra: 1 }).success).toBe(false);
  });
});
