/**
 * Forecast arithmetic: fiscal periods, rollups of deals up the org chart, and comparisons of
 * submitted forecasts. Pure: dates are `YYYY-MM-DD` calendar dates in the company's time zone
 * (the caller converts instants with shared/dates.ts localDate), money is exact.
 */
import { type Currency, DECIMAL_PATTERN, Dec, Money } from '../../../shared/money.ts';
import { FORECAST_CATEGORIES, type ForecastCategory } from './pipeline.ts';

export type ForecastErrorCode =
  | 'crm.invalid_date'
  | 'crm.invalid_fiscal_calendar'
  | 'crm.invalid_period_key'
  | 'crm.period_range'
  | 'crm.forecast_mixed_currency'
  | 'crm.invalid_forecast_deal';

export class ForecastError extends Error {
  constructor(
    readonly code: ForecastErrorCode,
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    super(`${code}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`);
    this.name = 'ForecastError';
  }
}

// ── Fiscal periods ────────────────────────────────────────────────────────────────────────────────

export type FiscalPeriodKind = 'month' | 'quarter' | 'year';

export interface FiscalCalendar {
  /** 1 = January (calendar year, the norm in China) … 4 = April (Hong Kong, Japan) … 7 = July. */
  fiscalYearStartMonth: number;
  /**
   * Which calendar year names a fiscal year that straddles two: 'end' (default; FY2026 = Jul 2025 –
   * Jun 2026, as Microsoft or the US government count) or 'start' (FY2025 = Apr 2025 – Mar 2026, as
   * many Japanese and Indian companies count). Irrelevant when the year starts in January.
   */
  fiscalYearNaming?: 'end' | 'start';
}

export interface FiscalPeriodOptions extends FiscalCalendar {
  kind: FiscalPeriodKind;
}

export interface FiscalPeriod {
  /** 'FY2026', 'FY2026-Q3', 'FY2026-M07' (the 7th month of the fiscal year, not July). */
  key: string;
  kind: FiscalPeriodKind;
  fiscalYear: number;
  /** 1-based quarter or month within the fiscal year; 1 for a year. */
  index: number;
  /** First and last day, both inclusive. */
  start: string;
  end: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS_PER: Record<FiscalPeriodKind, number> = { month: 1, quarter: 3, year: 12 };
const MAX_PERIODS = 1200;

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function parseDate(date: string): { y: number; m: number; d: number } {
  const match = DATE_RE.exec(date);
  if (!match) throw new ForecastError('crm.invalid_date', { date });
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new ForecastError('crm.invalid_date', { date });
  return { y, m, d };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const fmt = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** Month arithmetic on (year, 1-based month). */
function addMonths(y: number, m: number, n: number): { y: number; m: number } {
  const z = y * 12 + (m - 1) + n;
  return { y: Math.floor(z / 12), m: (z % 12) + 1 };
}

function assertCalendar(opts: FiscalCalendar): void {
  const s = opts.fiscalYearStartMonth;
  if (!Number.isInteger(s) || s < 1 || s > 12) throw new ForecastError('crm.invalid_fiscal_calendar', { fiscalYearStartMonth: String(s) });
}

function periodOf(startYear: number, offset: number, opts: FiscalPeriodOptions): FiscalPeriod {
  const span = MONTHS_PER[opts.kind];
  const first = Math.floor(offset / span) * span;
  const start = addMonths(startYear, opts.fiscalYearStartMonth, first);
  const last = addMonths(start.y, start.m, span - 1);
  const fiscalYear = opts.fiscalYearNaming === 'start' || opts.fiscalYearStartMonth === 1 ? startYear : startYear + 1;
  const index = first / span + 1;
  const key = opts.kind === 'year' ? `FY${fiscalYear}` : opts.kind === 'quarter' ? `FY${fiscalYear}-Q${index}` : `FY${fiscalYear}-M${pad(index)}`;
  return { key, kind: opts.kind, fiscalYear, index, start: fmt(start.y, start.m, 1), end: fmt(last.y, last.m, daysInMonth(last.y, last.m)) };
}

/** The fiscal month, quarter or year containing a calendar date. */
export function getFiscalPeriod(date: string, opts: FiscalPeriodOptions): FiscalPeriod {
  assertCalendar(opts);
  const { y, m } = parseDate(date);
  const offset = (m - opts.fiscalYearStartMonth + 12) % 12;
  const startYear = m >= opts.fiscalYearStartMonth ? y : y - 1;
  return periodOf(startYear, offset, opts);
}

const KEY_RE = /^FY(\d{4})(?:-(Q)([1-4])|-(M)(0[1-9]|1[0-2]))?$/;

/** The period a key such as 'FY2026-Q3' names (the inverse of getFiscalPeriod(…).key). */
export function getFiscalPeriodByKey(key: string, calendar: FiscalCalendar): FiscalPeriod {
  assertCalendar(calendar);
  const match = KEY_RE.exec(key);
  if (!match) throw new ForecastError('crm.invalid_period_key', { key });
  const fiscalYear = Number(match[1]);
  const kind: FiscalPeriodKind = match[2] ? 'quarter' : match[4] ? 'month' : 'year';
  const index = Number(match[3] ?? match[5] ?? 1);
  const startYear = calendar.fiscalYearNaming === 'start' || calendar.fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear - 1;
  return periodOf(startYear, (index - 1) * MONTHS_PER[kind], { ...calendar, kind });
}

function nextDay(date: string): string {
  const { y, m, d } = parseDate(date);
  if (d < daysInMonth(y, m)) return fmt(y, m, d + 1);
  const n = addMonths(y, m, 1);
  return fmt(n.y, n.m, 1);
}

/** Every period overlapping [from, to] (inclusive), in order, without gaps. */
export function listPeriods(from: string, to: string, opts: FiscalPeriodOptions): FiscalPeriod[] {
  parseDate(from);
  parseDate(to);
  if (from > to) throw new ForecastError('crm.period_range', { from, to });
  const out: FiscalPeriod[] = [];
  let period = getFiscalPeriod(from, opts);
  for (;;) {
    out.push(period);
    if (period.end >= to) return out;
    if (out.length >= MAX_PERIODS) throw new ForecastError('crm.period_range', { from, to });
    period = getFiscalPeriod(nextDay(period.end), opts);
  }
}

// ── Rollups ─────────────────────────────────────────────────────────────────────────────────────

export interface ForecastDeal {
  /** Already converted into the company currency with the rate stored on the deal. */
  amount: Money;
  /** Win probability in percent, 0–100: an integer, or a decimal string for fractional values. */
  probability: number | string;
  /** The effective category (pipeline.ts effectiveForecastCategory). */
  category: ForecastCategory;
  /** Unit ids from the owner's team up to the company, e.g. [team, department, group, company]. */
  ownerUnitPath: readonly string[];
}

export interface ForecastTotals {
  count: number;
  amount: Money;
  /** Σ amount × probability / 100, unrounded: round once, for display, not per deal. */
  weighted: Money;
}

export interface UnitForecast {
  unitId: string;
  byCategory: Record<ForecastCategory, ForecastTotals>;
  /**
   * The usual cumulative views: closed; commit = closed + commit; bestCase = commit + best_case;
   * openPipeline = the open categories (pipeline + best_case + commit). 'omitted' is in none.
   */
  cumulative: { closed: ForecastTotals; commit: ForecastTotals; bestCase: ForecastTotals; openPipeline: ForecastTotals };
}

export interface ForecastRollup {
  currency: Currency;
  /** Keyed by unit id, in order of first appearance (teams before their ancestors). */
  units: ReadonlyMap<string, UnitForecast>;
}

const ZERO_PROB = new Dec(0);
const HUNDRED = new Dec(100);

function toProbability(p: number | string, index: number): Dec {
  let dec: Dec;
  try {
    dec = new Dec(typeof p === 'number' ? (Number.isFinite(p) ? String(p) : 'NaN') : p);
  } catch {
    throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'probability' });
  }
  if (dec.isNaN() || dec.lt(ZERO_PROB) || dec.gt(HUNDRED)) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'probability' });
  return dec;
}

/**
 * An exact running sum of decimals as a scaled integer (value = units ÷ 10^scale), added to in
 * place: a rollup adds thousands of figures up the chart, and a Decimal per addition (plus a Money
 * around it) was most of a forecast request's time. The scale grows to the most decimals seen.
 */
export class ScaledDecimal {
  units = 0n;
  scale = 0;

  /** Adds a plain decimal string (DECIMAL_PATTERN) or another sum. */
  add(value: string | ScaledDecimal): void {
    if (typeof value !== 'string') return this.addSum(value);
    const neg = value.startsWith('-');
    const digits = neg ? value.slice(1) : value;
    const dot = digits.indexOf('.');
    const frac = dot < 0 ? '' : digits.slice(dot + 1);
    if (frac.length > this.scale) {
      this.units *= 10n ** BigInt(frac.length - this.scale);
      this.scale = frac.length;
    }
    const whole = dot < 0 ? digits : digits.slice(0, dot);
    const n = BigInt(whole + frac.padEnd(this.scale, '0'));
    this.units += neg ? -n : n;
  }

  addSum(other: ScaledDecimal): void {
    if (other.scale > this.scale) {
      this.units *= 10n ** BigInt(other.scale - this.scale);
      this.scale = other.scale;
    }
    this.units += other.units * 10n ** BigInt(this.scale - other.scale);
  }

  /** A sum holding one plain decimal string (DECIMAL_PATTERN): parse once, add to several sums. */
  static of(value: string): ScaledDecimal {
    const d = new ScaledDecimal();
    d.add(value);
    return d;
  }

  /**
   * The value ÷ 10^shift rounded half-up (away from zero, as Dec rounds) to `places` decimals, as a
   * plain string: what `toDec(shift).toFixed(places)` gives, without a Decimal.
   */
  toFixed(places: number, shift = 0): string {
    const scale = this.scale + shift;
    const neg = this.units < 0n;
    let abs = neg ? -this.units : this.units;
    if (scale > places) {
      const d = 10n ** BigInt(scale - places);
      const q = abs / d;
      abs = 2n * (abs % d) >= d ? q + 1n : q;
    } else abs *= 10n ** BigInt(places - scale);
    const digits = abs.toString().padStart(places + 1, '0');
    const text = places === 0 ? digits : `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
    return neg && abs !== 0n ? `-${text}` : text;
  }

  /** The exact value ÷ 10^shift as a Decimal (shift 2: a sum of amount × percent is the weighted amount). */
  toDec(shift = 0): Dec {
    const scale = this.scale + shift;
    const neg = this.units < 0n;
    const digits = (neg ? -this.units : this.units).toString().padStart(scale + 1, '0');
    const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
    return new Dec(neg ? `-${text}` : text);
  }
}

/** Exact running totals of a unit and category (or a cumulative view). */
export interface ExactTotals {
  count: number;
  amount: ScaledDecimal;
  /** Σ amount × probability: ÷ 100 (shift 2) is the weighted amount. */
  weightedX100: ScaledDecimal;
}

export interface ExactUnitForecast {
  byCategory: Record<ForecastCategory, ExactTotals>;
  cumulative: { closed: ExactTotals; commit: ExactTotals; bestCase: ExactTotals; openPipeline: ExactTotals };
}

function newTotals(): ExactTotals {
  return { count: 0, amount: new ScaledDecimal(), weightedX100: new ScaledDecimal() };
}

function sumTotals(...parts: ExactTotals[]): ExactTotals {
  const sum = newTotals();
  for (const p of parts) {
    sum.count += p.count;
    sum.amount.addSum(p.amount);
    sum.weightedX100.addSum(p.weightedX100);
  }
  return sum;
}

/** Sums per unit and category, each input added once to every distinct unit on its path. */
function rollupExact(
  inputs: Iterable<{ count: number; amount: string | ScaledDecimal; weightedX100: string | ScaledDecimal; category: ForecastCategory; ownerUnitPath: readonly string[] }>,
): Map<string, ExactUnitForecast> {
  const acc = new Map<string, Record<ForecastCategory, ExactTotals>>();
  for (const input of inputs) {
    const path = input.ownerUnitPath;
    for (let i = 0; i < path.length; i++) {
      const unitId = path[i]!;
      if (path.indexOf(unitId) !== i) continue; // a unit repeated in a path counts the input once
      let unit = acc.get(unitId);
      if (!unit) {
        unit = Object.fromEntries(FORECAST_CATEGORIES.map((c) => [c, newTotals()])) as Record<ForecastCategory, ExactTotals>;
        acc.set(unitId, unit);
      }
      const t = unit[input.category];
      t.count += input.count;
      t.amount.add(input.amount);
      t.weightedX100.add(input.weightedX100);
    }
  }
  const units = new Map<string, ExactUnitForecast>();
  for (const [unitId, c] of acc) {
    units.set(unitId, {
      byCategory: c,
      cumulative: {
        closed: c.closed,
        commit: sumTotals(c.closed, c.commit),
        bestCase: sumTotals(c.closed, c.commit, c.best_case),
        openPipeline: sumTotals(c.pipeline, c.best_case, c.commit),
      },
    });
  }
  return units;
}

function toMoneyRollup(exact: Map<string, ExactUnitForecast>, currency: Currency): ForecastRollup {
  const money = (t: ExactTotals): ForecastTotals => ({
    count: t.count,
    amount: Money.of(t.amount.toDec(), currency),
    weighted: Money.of(t.weightedX100.toDec(2), currency),
  });
  const units = new Map<string, UnitForecast>();
  for (const [unitId, u] of exact) {
    const byCategory = Object.fromEntries(FORECAST_CATEGORIES.map((k) => [k, money(u.byCategory[k])])) as Record<ForecastCategory, ForecastTotals>;
    units.set(unitId, {
      unitId,
      byCategory,
      cumulative: {
        closed: byCategory.closed,
        commit: money(u.cumulative.commit),
        bestCase: money(u.cumulative.bestCase),
        openPipeline: money(u.cumulative.openPipeline),
      },
    });
  }
  return { currency, units };
}

function assertCategory(category: string, index: number): void {
  if (!(FORECAST_CATEGORIES as readonly string[]).includes(category)) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'category' });
}

/**
 * Sums per unit and category, each deal counted once in every unit on its path, so a department's
 * figure equals the sum of its teams' plus deals owned directly at department level. Refuses a deal
 * in another currency rather than adding apples to oranges.
 */
export function rollupForecast(deals: readonly ForecastDeal[], options: { currency: Currency }): ForecastRollup {
  const { currency } = options;
  const inputs = deals.map((deal, index) => {
    if (deal.amount.currency !== currency) {
      throw new ForecastError('crm.forecast_mixed_currency', { index, expected: currency, actual: deal.amount.currency });
    }
    assertCategory(deal.category, index);
    if (deal.ownerUnitPath.length === 0) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'ownerUnitPath' });
    const amount = deal.amount.amount;
    return {
      count: 1,
      amount: amount.toFixed(),
      weightedX100: amount.times(toProbability(deal.probability, index)).toFixed(),
      category: deal.category,
      ownerUnitPath: deal.ownerUnitPath,
    };
  });
  return toMoneyRollup(rollupExact(inputs), currency);
}

/** Sums already made (in SQL) of deals of one category, to be rolled up a path like single deals. */
export interface ForecastSum {
  /** How many deals the sum holds. */
  count: number;
  /** Σ amount in the rollup's currency: a plain decimal string (as PostgreSQL prints a numeric) or a running sum. */
  amount: string | ScaledDecimal;
  /** Σ amount × probability (in percent), likewise: ÷ 100 is the weighted amount. */
  weightedX100: string | ScaledDecimal;
  category: ForecastCategory;
  ownerUnitPath: readonly string[];
}

/**
 * rollupForecast for sums of deals (e.g. per rep and category from a GROUP BY): the same totals as
 * rolling up the deals one by one, counts included, exact, without a probability per sum.
 */
export function rollupForecastSums(sums: readonly ForecastSum[], options: { currency: Currency }): ForecastRollup {
  return toMoneyRollup(rollupForecastSumsExact(sums), options.currency);
}

/**
 * rollupForecastSums with the totals left exact (scaled integers), for a caller that only formats
 * them (ScaledDecimal.toFixed): no Decimal or Money per figure. Keyed by unit id like the rollup.
 */
export function rollupForecastSumsExact(sums: readonly ForecastSum[]): Map<string, ExactUnitForecast> {
  sums.forEach((s, index) => {
    assertCategory(s.category, index);
    if (s.ownerUnitPath.length === 0) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'ownerUnitPath' });
    if (!Number.isInteger(s.count) || s.count < 0) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'count' });
    if (typeof s.amount === 'string' && !DECIMAL_PATTERN.test(s.amount)) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'amount' });
    if (typeof s.weightedX100 === 'string' && !DECIMAL_PATTERN.test(s.weightedX100)) throw new ForecastError('crm.invalid_forecast_deal', { index, field: 'weightedX100' });
  });
  return rollupExact(sums);
}

// ── Submissions ─────────────────────────────────────────────────────────────────────────────────

/** Figures a manager submits (or the system computed) for one unit and period, per category. */
export type ForecastFigures = Partial<Record<ForecastCategory, Money>>;

export interface ForecastSubmission {
  submittedAt: Date | string;
  figures: ForecastFigures;
}

function currencyOf(...sets: (ForecastFigures | null | undefined)[]): Currency | undefined {
  let currency: Currency | undefined;
  for (const set of sets) {
    for (const [category, m] of Object.entries(set ?? {})) {
      if (!m) continue;
      if (currency !== undefined && m.currency !== currency) {
        throw new ForecastError('crm.forecast_mixed_currency', { category, expected: currency, actual: m.currency });
      }
      currency = m.currency;
    }
  }
  return currency;
}

function categoriesIn(...sets: (ForecastFigures | null | undefined)[]): ForecastCategory[] {
  return FORECAST_CATEGORIES.filter((c) => sets.some((s) => s?.[c] !== undefined));
}

export interface FigureChange {
  category: ForecastCategory;
  previous: Money;
  current: Money;
  change: Money;
  /** change ÷ |previous| × 100 to 2 decimals; null when there was nothing before. */
  changePercent: string | null;
}

/**
 * Change per category between two submissions (e.g. this week's against last week's). A category
 * missing on one side counts as zero there; categories missing on both sides are left out.
 */
export function diffForecastFigures(previous: ForecastFigures | null, current: ForecastFigures): FigureChange[] {
  const currency = currencyOf(previous, current);
  if (currency === undefined) return [];
  return categoriesIn(previous, current).map((category) => {
    const before = previous?.[category] ?? Money.zero(currency);
    const now = current[category] ?? Money.zero(currency);
    const change = now.minus(before);
    return {
      category,
      previous: before,
      current: now,
      change,
      changePercent: before.isZero() ? null : change.amount.dividedBy(before.amount.abs()).times(100).toFixed(2),
    };
  });
}

export interface AppliedFigure {
  category: ForecastCategory;
  computed: Money;
  submitted: Money | null;
  /** The submitted figure where there is one, else the computed. */
  effective: Money;
  /** effective − computed: the manager's judgement on top of the system's number. */
  adjustment: Money;
}

/** A submission laid over the computed rollup, keeping both so the adjustment stays visible. */
export function applySubmission(computed: ForecastFigures, submitted: ForecastFigures | null): AppliedFigure[] {
  const currency = currencyOf(computed, submitted);
  if (currency === undefined) return [];
  return categoriesIn(computed, submitted).map((category) => {
    const base = computed[category] ?? Money.zero(currency);
    const sub = submitted?.[category] ?? null;
    const effective = sub ?? base;
    return { category, computed: base, submitted: sub, effective, adjustment: effective.minus(base) };
  });
}

/** Submission figures of a rollup unit, in the shape the submission helpers take. */
export function toForecastFigures(unit: UnitForecast, measure: 'amount' | 'weighted' = 'amount'): ForecastFigures {
  return Object.fromEntries(FORECAST_CATEGORIES.map((c) => [c, unit.byCategory[c][measure]])) as ForecastFigures;
}

const DAY_MS = 86_400_000;

/**
 * The submission to compare against for "week over week": the latest one made at least
 * `lookbackDays` before `asOf`. Undefined when there is none that old.
 */
export function pickComparisonSubmission<S extends Pick<ForecastSubmission, 'submittedAt'>>(
  submissions: readonly S[],
  asOf: Date,
  lookbackDays = 7,
): S | undefined {
  const cutoff = asOf.getTime() - lookbackDays * DAY_MS;
  let best: { s: S; at: number } | undefined;
  for (const s of submissions) {
    const at = typeof s.submittedAt === 'string' ? Date.parse(s.submittedAt) : s.submittedAt.getTime();
    if (!Number.isFinite(at) || at > cutoff) continue;
    if (!best || at > best.at) best = { s, at };
  }
  return best?.s;
}
