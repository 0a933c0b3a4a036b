import { Dec, type Currency } from '../../../shared/money.ts';
import type { AmountMap } from './catalog.ts';
import type { RuleAction, TierMode, TierValueKind } from './pricing-rule.ts';

/**
 * Tier tables: bands are ascending `from` thresholds (inclusive; the next threshold ends a band),
 * starting at 1 or above. A quantity below the first threshold is outside the table.
 *
 * For quantity q and bands b0..bn:
 * - range: every unit at the band q reaches;
 * - slab: each unit at the band it falls in (units below the first threshold keep the incoming price);
 * - block: one flat price for the line, the price of the band q reaches.
 */

export interface CompiledBand {
  from: number;
  /** For percent tables: the discount as a fraction (10 % → 0.1). */
  fraction: Dec | null;
  /** For price and amount tables. */
  amounts: AmountMap;
}

export interface CompiledTierTable {
  basis: 'quantity' | 'termMonths';
  mode: TierMode;
  valueKind: TierValueKind;
  bands: CompiledBand[];
  /** Currencies every band names (empty for percent tables). */
  currencies: Currency[];
}

const HUNDRED = new Dec(100);

export function compileTierTable(action: Extract<RuleAction, { type: 'tiers' }>): CompiledTierTable {
  const bands = action.bands.map((band): CompiledBand => {
    const amounts: AmountMap = {};
    for (const [code, value] of Object.entries(band.amounts ?? {})) if (value !== undefined) amounts[code as Currency] = new Dec(value);
    return { from: band.fromQty, fraction: band.percent === undefined ? null : new Dec(band.percent).dividedBy(HUNDRED), amounts };
  });
  const currencies = Object.keys(bands[0]?.amounts ?? {}) as Currency[];
  return { basis: action.basis, mode: action.mode, valueKind: action.valueKind, bands, currencies };
}

/** Index of the band `q` reaches, or -1 below the first threshold. */
export function findBandIndex(table: CompiledTierTable, q: number): number {
  const bands = table.bands;
  for (let i = bands.length - 1; i >= 0; i--) if (q >= bands[i]!.from) return i;
  return -1;
}

/**
 * What a table does to a line, before it is combined with other rules of its phase, as an exact
 * fraction `value / per` (`per` null means 1):
 * - op `set`: the new unit price (range: the band price; block: band price / q; slab: Σ / q);
 * - op `percent`: the discount fraction (slab: Σ units × fraction / q);
 * - op `amount`: the amount off per unit (slab: Σ units × amount / q).
 * Nothing is divided here: a quotient rounded to 40 digits and multiplied back by q can land on the
 * wrong side of a half cent, so the engine carries the fraction and divides once, at the line total.
 */
export interface TierEffect {
  bandIndex: number;
  op: 'set' | 'percent' | 'amount';
  value: Dec;
  per: Dec | null;
}

function getBandValue(table: CompiledTierTable, band: CompiledBand, currency: Currency): Dec {
  return table.valueKind === 'percent' ? band.fraction! : band.amounts[currency]!;
}

/** Units of `q` falling in band i (slab). */
function getUnitsInBand(table: CompiledTierTable, i: number, q: number): number {
  const from = table.bands[i]!.from;
  const next = table.bands[i + 1]?.from;
  const last = next === undefined ? q : Math.min(q, next - 1);
  return last >= from ? last - from + 1 : 0;
}

const OP_BY_KIND = { price: 'set', percent: 'percent', amount: 'amount' } as const;

/**
 * The effect at quantity q (already checked to be in the table: bandIndex ≥ 0) in `currency`
 * (already checked to be named by the table). The incoming unit price is `incoming / incomingPer`;
 * it matters only for slab price tables starting above 1 (the units below keep it).
 */
export function computeTierEffect(
  table: CompiledTierTable,
  bandIndex: number,
  q: number,
  incoming: Dec,
  incomingPer: Dec | null,
  currency: Currency,
): TierEffect {
  const band = table.bands[bandIndex]!;
  const op = OP_BY_KIND[table.valueKind];
  if (table.mode === 'range') return { bandIndex, op, value: getBandValue(table, band, currency), per: null };
  const qDec = new Dec(q);
  if (table.mode === 'block') return { bandIndex, op: 'set', value: band.amounts[currency]!, per: qDec };
  let sum = new Dec(0);
  for (let i = 0; i <= bandIndex; i++) {
    const units = getUnitsInBand(table, i, q);
    if (units > 0) sum = sum.plus(getBandValue(table, table.bands[i]!, currency).times(units));
  }
  const below = table.bands[0]!.from - 1;
  if (table.valueKind === 'price' && below > 0) {
    // (below × incoming/incomingPer + sum) / q, as one fraction
    const value = incomingPer === null ? incoming.times(below).plus(sum) : incoming.times(below).plus(sum.times(incomingPer));
    return { bandIndex, op, value, per: incomingPer === null ? qDec : incomingPer.times(qDec) };
  }
  return { bandIndex, op, value: sum, per: qDec };
}

/** Line total the table alone would give at quantity q (for advisories); null outside the table. */
export function computeTierTotal(table: CompiledTierTable, q: number, incoming: Dec, currency: Currency): Dec | null {
  const i = findBandIndex(table, q);
  if (i < 0) return null;
  const e = computeTierEffect(table, i, q, incoming, null, currency);
  if (e.op === 'set') return timesPerUnit(e.value, q, e.per);
  if (e.op === 'percent') return incoming.times(q).minus(timesPerUnit(incoming.times(e.value), q, e.per));
  return incoming.times(q).minus(timesPerUnit(e.value, q, e.per));
}

/**
 * x × q / per (per null = 1). A module function rather than a closure: this runs for every line a
 * quantity tier applies to (and for each higher band), and a closure per call costs more than the math.
 */
function timesPerUnit(x: Dec, q: number, per: Dec | null): Dec {
  return per === null ? x.times(q) : x.times(q).dividedBy(per);
}

export interface TierCliff {
  /** The smallest larger quantity whose total is lower. */
  atQuantity: number;
  totalNow: Dec;
  totalThen: Dec;
}

/**
 * Range and block tables can make buying more cost less in total (a "cliff"). Slab tables with
 * non-negative band values cannot, so they are not checked.
 */
export function findTierCliff(table: CompiledTierTable, q: number, incoming: Dec, currency: Currency): TierCliff | null {
  if (table.mode === 'slab' || table.basis !== 'quantity') return null;
  const now = computeTierTotal(table, q, incoming, currency);
  if (now === null) return null;
  for (const band of table.bands) {
    if (band.from <= q) continue;
    const then = computeTierTotal(table, band.from, incoming, currency);
    if (then !== null && then.lessThan(now)) return { atQuantity: band.from, totalNow: now, totalThen: then };
  }
  return null;
}

/** The next threshold above q, or null at the top band. */
export function findNextThreshold(table: CompiledTierTable, q: number): number | null {
  for (const band of table.bands) if (band.from > q) return band.from;
  return null;
}
