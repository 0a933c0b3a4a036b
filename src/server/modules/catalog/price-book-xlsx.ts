import { Dec, type Currency } from '../../../shared/money.ts';
import { LIST_TIER_MODES, getUnitPriceIssue, listTierIssues, type ListTierMode, type TierTable } from './catalog.ts';
import type { EntryChange } from './service.ts';
import { amountCell, getColumns, isBlankRow, type SheetOut, type SheetRows } from './workbook.ts';

/**
 * A price book as a workbook: sheet `Entries` (one row per product: SKU, name, currency, unit
 * price, tier mode) and sheet `Tiers` (one row per band: SKU, from quantity, unit price). Import
 * reads the same layout back, checks every row and reports every problem with its sheet, row and
 * column; the caller applies the result all-or-nothing.
 */

export const ENTRY_SHEET = 'Entries';
export const TIER_SHEET = 'Tiers';
const ENTRY_COLUMNS = ['SKU', 'Name', 'Currency', 'Unit price', 'Tier mode'] as const;
const TIER_COLUMNS = ['SKU', 'From quantity', 'Unit price'] as const;

export interface PriceBookSheetEntry {
  sku: string;
  nameZh: string;
  unitPrice: string;
  tiers: TierTable | null;
}

export function buildPriceBookSheets(currency: string, entries: readonly PriceBookSheetEntry[]): SheetOut[] {
  const sorted = [...entries].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  return [
    {
      name: ENTRY_SHEET,
      header: [...ENTRY_COLUMNS],
      rows: sorted.map((e) => [e.sku, e.nameZh, currency, amountCell(e.unitPrice), e.tiers?.mode ?? null]),
      widths: [22, 36, 10, 14, 12],
    },
    {
      name: TIER_SHEET,
      header: [...TIER_COLUMNS],
      rows: sorted.flatMap((e) => (e.tiers ? e.tiers.bands.map((b) => [e.sku, b.fromQty, amountCell(b.unitPrice)]) : [])),
      widths: [22, 14, 14],
    },
  ];
}

export interface SheetIssue {
  sheet: string;
  /** Spreadsheet row number (the header is row 1). */
  row: number;
  column: string | null;
  /** `v:<key>` from the validation catalogue. */
  message: string;
}

export interface ParsedPriceBook {
  changes: (EntryChange & { row: number })[];
  issues: SheetIssue[];
  rows: number;
}

/**
 * Rows → entry changes for a book in `currency`, resolving SKUs with `findProduct` (case-insensitive
 * SKU → product id). Every row is checked; nothing is dropped silently.
 */
export function parsePriceBookSheets(
  sheets: ReadonlyMap<string, SheetRows>,
  currency: Currency,
  findProduct: (sku: string) => string | undefined,
): ParsedPriceBook {
  const issues: SheetIssue[] = [];
  const entryRows = sheets.get(ENTRY_SHEET);
  if (!entryRows) return { changes: [], issues: [{ sheet: ENTRY_SHEET, row: 1, column: null, message: 'v:sheet_missing' }], rows: 0 };
  const cols = getColumns(entryRows, ENTRY_COLUMNS);
  for (const name of ['SKU', 'Currency', 'Unit price'] as const) {
    if (!cols.has(name)) issues.push({ sheet: ENTRY_SHEET, row: 1, column: name, message: 'v:column_missing' });
  }
  if (issues.length > 0) return { changes: [], issues, rows: 0 };
  const cell = (row: readonly string[], name: string) => (cols.has(name) ? (row[cols.get(name)!] ?? '') : '');

  const changes: (EntryChange & { row: number })[] = [];
  const bySku = new Map<string, EntryChange & { row: number; mode: ListTierMode | null }>();
  let rowCount = 0;
  for (let i = 1; i < entryRows.length; i++) {
    const row = entryRows[i];
    if (isBlankRow(row)) continue;
    rowCount++;
    const at = i + 1;
    const issue = (column: string, message: string) => issues.push({ sheet: ENTRY_SHEET, row: at, column, message });
    const sku = cell(row!, 'SKU');
    const productId = sku ? findProduct(sku) : undefined;
    if (!sku) issue('SKU', 'v:required');
    else if (!productId) issue('SKU', 'v:unknown_sku');
    else if (bySku.has(sku.toLowerCase())) issue('SKU', 'v:duplicate_product');
    const rowCurrency = cell(row!, 'Currency').toUpperCase();
    if (rowCurrency !== currency) issue('Currency', 'v:currency_mismatch');
    const price = normalizeDecimal(cell(row!, 'Unit price'));
    const priceIssue = price === null ? 'v:decimal_string' : getUnitPriceIssue(price, currency);
    if (priceIssue) issue('Unit price', priceIssue);
    const modeText = cell(row!, 'Tier mode').toLowerCase();
    const mode = modeText === '' ? null : (LIST_TIER_MODES as readonly string[]).includes(modeText) ? (modeText as ListTierMode) : undefined;
    if (mode === undefined) issue('Tier mode', 'v:tier_mode');
    if (productId && sku && !bySku.has(sku.toLowerCase())) {
      const change = { productId, unitPrice: price ?? '0', tiers: null, row: at, mode: mode ?? null };
      bySku.set(sku.toLowerCase(), change);
      changes.push(change);
    }
  }

  const tierRows = sheets.get(TIER_SHEET) ?? [];
  const tcols = getColumns(tierRows, TIER_COLUMNS);
  const bandRows = new Map<string, { fromQty: number; unitPrice: string; row: number }[]>();
  if (tierRows.length > 1) {
    for (const name of TIER_COLUMNS) if (!tcols.has(name)) issues.push({ sheet: TIER_SHEET, row: 1, column: name, message: 'v:column_missing' });
  }
  if (tcols.size === TIER_COLUMNS.length) {
    for (let i = 1; i < tierRows.length; i++) {
      const row = tierRows[i];
      if (isBlankRow(row)) continue;
      rowCount++;
      const at = i + 1;
      const issue = (column: string, message: string) => issues.push({ sheet: TIER_SHEET, row: at, column, message });
      const sku = (row![tcols.get('SKU')!] ?? '').toLowerCase();
      const entry = bySku.get(sku);
      if (!entry) {
        issue('SKU', sku ? 'v:tier_without_entry' : 'v:required');
        continue;
      }
      if (entry.mode === null) issue('SKU', 'v:tier_without_mode');
      const qtyText = row![tcols.get('From quantity')!] ?? '';
      const fromQty = /^\d+$/.test(qtyText) ? Number(qtyText) : Number.NaN;
      if (!Number.isSafeInteger(fromQty) || fromQty < 1) issue('From quantity', 'v:positive_integer');
      const price = normalizeDecimal(row![tcols.get('Unit price')!] ?? '');
      if (price === null) issue('Unit price', 'v:decimal_string');
      const list = bandRows.get(sku) ?? [];
      list.push({ fromQty, unitPrice: price ?? '0', row: at });
      bandRows.set(sku, list);
    }
  }
  for (const [sku, entry] of bySku) {
    const bands = bandRows.get(sku);
    if (entry.mode !== null && !bands) {
      issues.push({ sheet: ENTRY_SHEET, row: entry.row, column: 'Tier mode', message: 'v:tiers_empty' });
      continue;
    }
    if (entry.mode === null || !bands) continue;
    const table: TierTable = { mode: entry.mode, bands: bands.map((b) => ({ fromQty: b.fromQty, unitPrice: b.unitPrice })) };
    for (const problem of listTierIssues(table, currency)) {
      // tiers.bands.<i>.<field> → that band's row in the Tiers sheet
      const m = /^tiers\.bands\.(\d+)\.(fromQty|unitPrice)$/.exec(problem.path);
      if (m) {
        const band = bands[Number(m[1])]!;
        if (Number.isSafeInteger(band.fromQty) || m[2] !== 'fromQty') {
          issues.push({ sheet: TIER_SHEET, row: band.row, column: m[2] === 'fromQty' ? 'From quantity' : 'Unit price', message: problem.message });
        }
      } else issues.push({ sheet: ENTRY_SHEET, row: entry.row, column: 'Tier mode', message: problem.message });
    }
    entry.tiers = table;
  }
  issues.sort((a, b) => (a.sheet !== b.sheet ? (a.sheet === ENTRY_SHEET ? -1 : 1) : a.row - b.row));
  return { changes: changes.map(({ productId, unitPrice, tiers, row }) => ({ productId, unitPrice, tiers, row })), issues, rows: rowCount };
}

/** A cell as a plain decimal string ("1,234.50" and "1234.5" both read; exponent forms from Excel too), or null. */
export function normalizeDecimal(text: string): string | null {
  const t = text.replace(/[,\s]/g, '');
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return null;
  return new Dec(t).toFixed();
}
