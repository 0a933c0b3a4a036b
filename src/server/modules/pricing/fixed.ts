import { Dec } from '../../../shared/money.ts';

/**
 * The engine's fixed-point fast path: money amounts with few decimals as scaled JS integers
 * (value × 10^places, exact below 2^53), for the common arithmetic of a line's amounts and a
 * quote's totals. Every function either gives the exact answer or says it cannot (NaN / null), and
 * the caller then takes the decimal.js path; results are the same Decimal values either way
 * (engine-fast-path.test.ts compares both paths on random rules and lines).
 *
 * Reading and building Decimals uses decimal.js 10's documented internal form (`d`: base-1e7 words
 * aligned on the decimal point, `e`: exponent of the leading digit, `s`: sign), so no
 * intermediate Decimal or string is allocated; fixed.test.ts checks it against the string path.
 */

const LOG_BASE = 7;
const BASE = 1e7;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Exact powers of ten as doubles (10^22 is the last exact one; we never need more than 10^15). */
const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

interface DecInternals {
  s: number;
  e: number;
  d: number[] | null;
}

/** Fractional digits of a Decimal (like `dp()`, without the call overhead). NaN for ±Infinity/NaN. */
export function getDecimalPlaces(x: Dec): number {
  const { d, e } = x as unknown as DecInternals;
  if (!d) return NaN;
  const last = d.length - 1;
  let n = (last - Math.floor(e / LOG_BASE)) * LOG_BASE;
  // Trailing zeros of the last word (below 1e7, so at most six): in integer steps of 4, 2 and 1
  // rather than a loop of floating-point divisions, which this hot function spent most of its time on.
  let w = d[last]!;
  if (w !== 0) {
    if (w % 10000 === 0) {
      w = (w / 10000) | 0;
      n -= 4;
    }
    if (w % 100 === 0) {
      w = (w / 100) | 0;
      n -= 2;
    }
    if (w % 10 === 0) n--;
  }
  return n < 0 ? 0 : n;
}

/**
 * The sign of a − b (−1, 0, 1), exactly as decimal.js's comparedTo answers it, without the copy of
 * `b` comparedTo makes first (and NaN when either is NaN).
 */
export function compareDecimals(a: Dec, b: Dec): number {
  const x = a as unknown as DecInternals;
  const y = b as unknown as DecInternals;
  const xd = x.d;
  const yd = y.d;
  const xs = x.s;
  const ys = y.s;
  if (!xd || !yd) return a.comparedTo(b);
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -ys : 0;
  if (xs !== ys) return xs;
  const flip = xs < 0;
  if (x.e !== y.e) return x.e > y.e !== flip ? 1 : -1;
  const xl = xd.length;
  const yl = yd.length;
  const n = xl < yl ? xl : yl;
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return xd[i]! > yd[i]! !== flip ? 1 : -1;
  return xl === yl ? 0 : xl > yl !== flip ? 1 : -1;
}

/**
 * x × 10^places as a safe integer, when that is exact (x has at most `places` decimals) and
 * |x × 10^places| < 2^53; NaN otherwise. No allocation.
 */
export function toScaled(x: Dec, places: number): number {
  const { d, e, s } = x as unknown as DecInternals;
  if (!d) return NaN;
  const top = Math.floor(e / LOG_BASE);
  let n = 0;
  for (let i = 0; i < d.length; i++) {
    const w = d[i]!;
    if (w === 0) continue;
    const p = LOG_BASE * (top - i) + places;
    if (p >= 0) {
      if (p > 15) return NaN;
      n += w * POW10[p]!;
      if (n > MAX_SAFE) return NaN;
    } else {
      if (-p > 7) return NaN;
      const div = POW10[-p]!;
      if (w % div !== 0) return NaN;
      n += w / div;
      if (n > MAX_SAFE) return NaN;
    }
  }
  // Signed zeros as decimal.js keeps them (−0 × 2 is −0 there as here).
  return s < 0 ? -n : n;
}

function pick(i: number, w0: number, w1: number, w2: number, w3: number, w4: number): number {
  return i === 0 ? w0 : i === 1 ? w1 : i === 2 ? w2 : i === 3 ? w3 : w4;
}

/** An array literal of exactly the words w[from..to) (no spare capacity, unlike push). */
function wordsOf(w0: number, w1: number, w2: number, w3: number, w4: number, from: number, to: number): number[] {
  const a = pick(from, w0, w1, w2, w3, w4);
  switch (to - from) {
    case 1:
      return [a];
    case 2:
      return [a, pick(from + 1, w0, w1, w2, w3, w4)];
    case 3:
      return [a, pick(from + 1, w0, w1, w2, w3, w4), pick(from + 2, w0, w1, w2, w3, w4)];
    case 4:
      return [a, pick(from + 1, w0, w1, w2, w3, w4), pick(from + 2, w0, w1, w2, w3, w4), pick(from + 3, w0, w1, w2, w3, w4)];
    default:
      return [w0, w1, w2, w3, w4];
  }
}

/**
 * The Decimal n × 10^−places for a safe integer n and 0 ≤ places ≤ 14. Exact; the same value (and
 * internal form) decimal.js would produce for the equivalent string.
 */
export function fromScaled(n: number, places: number): Dec {
  // Built by decimal.js's own constructor, so it has the same hidden class as every other Decimal; from
  // the number 0, its cheapest path (a Decimal argument would be type-checked and its digits copied).
  const x = new Dec(0) as unknown as DecInternals;
  if (n === 0) {
    x.s = 1 / n < 0 ? -1 : 1;
    x.e = 0;
    x.d = [0];
    return x as unknown as Dec;
  }
  x.s = n < 0 ? -1 : 1;
  const a = n < 0 ? -n : n;
  // Integer part in three base-1e7 words (a < 2^53 < 1e21), fraction padded to two words.
  const scale = POW10[places]!;
  const int = Math.floor(a / scale);
  const frac = (a - int * scale) * POW10[2 * LOG_BASE - places]!;
  // Each word < 1e7: `| 0` keeps them small integers, so the digit arrays have decimal.js's own
  // element kind (a double in an array literal would make a second kind its code must handle).
  const w0 = Math.floor(int / (BASE * BASE)) | 0;
  const w1 = Math.floor(int / BASE) % BASE | 0;
  const w2 = int % BASE | 0;
  const w3 = Math.floor(frac / BASE) | 0;
  const w4 = frac % BASE | 0;
  // Words w0..w4 have weights 1e14, 1e7, 1, 1e−7, 1e−14: drop leading and trailing zero words.
  let from = 0;
  while (from < 4 && pick(from, w0, w1, w2, w3, w4) === 0) from++;
  let to = 5;
  while (to > from + 1 && pick(to - 1, w0, w1, w2, w3, w4) === 0) to--;
  const lead = pick(from, w0, w1, w2, w3, w4);
  let digits = 1;
  for (let w = lead; w >= 10; w /= 10) digits++;
  x.e = (2 - from) * LOG_BASE + digits - 1;
  x.d = wordsOf(w0, w1, w2, w3, w4, from, to);
  return x as unknown as Dec;
}

/**
 * round half-up (away from zero at .5) of (a × b) / 10^shift for safe integers a, b; NaN when
 * a × b is not safe. Matches decimal.js ROUND_HALF_UP, signed zero included.
 */
export function mulRoundHalfUp(a: number, b: number, shift: number): number {
  const p = a * b;
  if (!(Math.abs(p) <= MAX_SAFE)) return NaN;
  if (shift === 0) return p;
  const div = POW10[shift]!;
  const abs = p < 0 ? -p : p;
  const rem = abs % div;
  let q = (abs - rem) / div;
  if (rem * 2 >= div) q++;
  // A negative product that rounds to zero is −0, as in decimal.js.
  return p < 0 || 1 / p < 0 ? -q : q;
}

/**
 * n × 10^−k (a safe integer n, 0 ≤ k ≤ places) as a count of 10^−places units, n × 10^(places − k);
 * NaN when that count is not a safe integer (NaN in gives NaN out).
 */
export function toPlaces(n: number, k: number, places: number): number {
  const m = n * POW10[places - k]!;
  return Math.abs(m) <= MAX_SAFE ? m : NaN;
}
