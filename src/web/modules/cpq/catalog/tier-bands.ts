import { listTierIssues, type TierTable } from '../../../../server/modules/catalog/catalog.ts';
import type { TIER_MODES } from '../../../../server/modules/catalog/contract.ts';
import { isCurrency } from '../../../../shared/money.ts';

/**
 * The tier-table editor of a price-book entry: rows as typed (a band may still be half filled),
 * the table sent to the API, and feedback per row before anything is sent — the catalog's own
 * rule (catalog.ts listTierIssues: bands start at 1 or more, strictly ascending, prices in the
 * book's currency precision) so the editor and the server never disagree.
 */
export type TierMode = (typeof TIER_MODES)[number];

export interface TierRow {
  fromQty: number | null | undefined;
  unitPrice: string | null | undefined;
}

export interface TierRowIssue {
  /** Row index; -1 for the table as a whole. */
  row: number;
  field: 'fromQty' | 'unitPrice' | 'mode' | 'bands';
  /** A key of the validation catalogue (without `v:`). */
  key: string;
}

export function toTierRows(table: TierTable | null | undefined): TierRow[] {
  return table ? table.bands.map((b) => ({ fromQty: b.fromQty, unitPrice: b.unitPrice })) : [];
}

/** The table as sent; a row without a start or price is sent as typed and reported by listTierRowIssues. */
export function toTierTable(mode: TierMode, rows: readonly TierRow[]): TierTable {
  return {
    mode,
    bands: rows.map((r) => ({ fromQty: typeof r.fromQty === 'number' ? r.fromQty : Number.NaN, unitPrice: (r.unitPrice ?? '').trim() })),
  };
}

export function listTierRowIssues(mode: TierMode, rows: readonly TierRow[], currency: string): TierRowIssue[] {
  if (!isCurrency(currency)) return [{ row: -1, field: 'bands', key: 'unknown_currency' }];
  const issues: TierRowIssue[] = [];
  for (const issue of listTierIssues(toTierTable(mode, rows), currency, 'tiers')) {
    const m = /^tiers\.bands\.(\d+)\.(fromQty|unitPrice)$/.exec(issue.path);
    const key = issue.message.replace(/^v:/, '');
    if (m) issues.push({ row: Number(m[1]), field: m[2] as 'fromQty' | 'unitPrice', key });
    else issues.push({ row: -1, field: issue.path.endsWith('.mode') ? 'mode' : 'bands', key });
  }
  return issues;
}

export interface BandRange {
  from: number;
  /** Last quantity of the band, inclusive; null for the open-ended last band. */
  to: number | null;
  unitPrice: string;
}

/**
 * The bands as ranges for the preview ("1–9 at list price, 10–49 at 3200, 50+ at 2800"). Below the
 * first band the list price applies, which the preview shows as a range of its own.
 */
export function describeBands(rows: readonly TierRow[], listPrice: string | null): BandRange[] {
  const valid = rows
    .filter((r): r is { fromQty: number; unitPrice: string } => typeof r.fromQty === 'number' && Number.isSafeInteger(r.fromQty) && r.fromQty >= 1 && !!r.unitPrice)
    .sort((a, b) => a.fromQty - b.fromQty);
  const out: BandRange[] = [];
  if (listPrice !== null && valid.length > 0 && valid[0]!.fromQty > 1) out.push({ from: 1, to: valid[0]!.fromQty - 1, unitPrice: listPrice });
  valid.forEach((r, i) => {
    const next = valid[i + 1];
    out.push({ from: r.fromQty, to: next ? next.fromQty - 1 : null, unitPrice: r.unitPrice });
  });
  return out;
}

/** Where a new band should start: one past the last band's start times two, or 10 for the first. */
export function nextBandStart(rows: readonly TierRow[]): number {
  const starts = rows.map((r) => r.fromQty).filter((q): q is number => typeof q === 'number' && Number.isFinite(q));
  if (starts.length === 0) return 10;
  return Math.max(...starts) * 2;
}
