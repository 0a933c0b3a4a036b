import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import { compareDecimals, fromScaled, getDecimalPlaces, mulRoundHalfUp, toPlaces, toScaled } from './fixed.ts';

/** The fixed-point helpers against decimal.js's own string path: same values and same internal form. */

const internals = (x: Dec) => {
  const { s, e, d } = x as unknown as { s: number; e: number; d: number[] };
  return { s, e, d: [...d] };
};

const scaledDecimal = fc
  .tuple(fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger(), fc.maxSafeNat().map((n) => -n)), fc.integer({ min: 0, max: 14 }))
  .map(([n, places]) => ({ n, places }));

/** The string twin of n × 10^−places (signed zero kept: decimal.js keeps −0 internally). */
function asString(n: number, places: number): string {
  return `${Object.is(n, -0) ? '-0' : n}e-${places}`;
}

describe('fixed-point helpers', () => {
  it('toPlaces rescales a count to more places, and refuses what is not a safe integer', () => {
    expect(toPlaces(125, 1, 2)).toBe(1250); // 12.5 → 1,250 cents
    expect(toPlaces(7, 2, 2)).toBe(7);
    expect(toPlaces(Number.MAX_SAFE_INTEGER, 0, 1)).toBeNaN();
    expect(toPlaces(NaN, 0, 2)).toBeNaN();
  });


  it('builds the same Decimal as the string path, digits and exponent included', () => {
    fc.assert(
      fc.property(scaledDecimal, ({ n, places }) => {
        const fast = fromScaled(n, places);
        const slow = new Dec(asString(n, places));
        expect(fast.toFixed()).toBe(slow.toFixed());
        expect(internals(fast)).toEqual(internals(slow));
        // The built value works in further decimal.js arithmetic as its string twin does.
        expect(fast.times('1.5').plus('0.01').toFixed()).toBe(slow.times('1.5').plus('0.01').toFixed());
      }),
      { numRuns: 2000 },
    );
    for (const [n, places] of [[0, 2], [5, 10], [10_000_000, 0], [100_000_000_000_000, 14], [1, 14], [-1, 7], [9_007_199_254_740_991, 3]] as const) {
      expect(internals(fromScaled(n, places))).toEqual(internals(new Dec(asString(n, places))));
    }
  });

  it('compares two Decimals as comparedTo does, signs, zeros, lengths and non-finite values included', () => {
    const decimal = fc.oneof(
      scaledDecimal.map(({ n, places }) => new Dec(asString(n, places))),
      fc.integer({ min: -40, max: 40 }).chain((exp) => fc.integer({ min: -99_999, max: 99_999 }).map((m) => new Dec(`${m}e${exp}`))),
      fc.constantFrom(new Dec(0), new Dec('-0'), new Dec(NaN), new Dec(Infinity), new Dec(-Infinity), new Dec('1.00000001'), new Dec('1')),
    );
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        expect(compareDecimals(a, b)).toBe(a.comparedTo(b));
        expect(compareDecimals(a, a)).toBe(a.comparedTo(a));
      }),
      { numRuns: 3000 },
    );
    expect(compareDecimals(new Dec('12345678.5'), new Dec('12345678.45'))).toBe(1);
    expect(compareDecimals(new Dec('-12345678.5'), new Dec('-12345678.45'))).toBe(-1);
    expect(compareDecimals(new Dec('0.1'), new Dec('0.10000000000001'))).toBe(-1);
  });

  it('reads a Decimal back as a scaled integer only when that is exact and safe', () => {
    fc.assert(
      fc.property(scaledDecimal, fc.integer({ min: 0, max: 15 }), ({ n, places }, want) => {
        const x = new Dec(asString(n, places));
        const got = toScaled(x, want);
        const exact = x.times(new Dec(10).pow(want));
        if (exact.isInteger() && exact.abs().lte(Number.MAX_SAFE_INTEGER)) expect(Object.is(got, exact.toNumber()) || (got === 0 && exact.isZero() && Math.sign(1 / got) === exact.s)).toBe(true);
        else expect(got).toBeNaN();
        expect(getDecimalPlaces(x)).toBe(x.decimalPlaces());
      }),
      { numRuns: 2000 },
    );
    expect(toScaled(new Dec('12345678.9'), 1)).toBe(123456789);
    expect(toScaled(new Dec('0.005'), 2)).toBeNaN();
    expect(toScaled(new Dec('1e40'), 0)).toBeNaN();
  });

  it('counts decimal places whatever the number of trailing zeros in the last word', () => {
    for (let places = 0; places <= 21; places++) {
      for (const digits of ['1', '12', '1234567', '10', '100', '1000', '10000', '100000', '1000000', '1500000', '12345670', '-2500']) {
        const x = new Dec(`${digits}e-${places}`);
        expect(getDecimalPlaces(x)).toBe(x.decimalPlaces());
      }
    }
    expect(getDecimalPlaces(new Dec(0))).toBe(0);
  });

  it('rounds a scaled product half-up like decimal.js, or refuses when it is not safe', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 6 }), (a, b, shift) => {
        const got = mulRoundHalfUp(a, b, shift);
        const want = new Dec(a).times(b).dividedBy(new Dec(10).pow(shift)).toDecimalPlaces(0, Dec.ROUND_HALF_UP);
        expect(got).toBe(want.toNumber());
      }),
      { numRuns: 2000 },
    );
    expect(mulRoundHalfUp(2 ** 40, 2 ** 20, 0)).toBeNaN();
  });
});
