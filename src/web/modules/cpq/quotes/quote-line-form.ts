import type { PricePreviewBody } from '../../../../server/modules/quotes/approval-contract.ts';
import type { QuoteLineInput, QuoteVersion, UpdateQuoteVersionBody } from '../../../../server/modules/quotes/contract.ts';
import { DECIMAL_PATTERN } from '../../../../shared/money.ts';

/**
 * The quote editor's form ↔ the API's lines and header. A line is priced at list, at a manual
 * discount %, or at a manual unit price (never both: the contract refuses it), so the form keeps
 * the mode and the mapping sends only the field of that mode. Lines still missing a product or
 * quantity are left out of previews and saves; `formIndex` maps the body's line positions back
 * to the form rows, so a problem at `lines.2.quantity` lands on the right row.
 */
export type PriceMode = 'list' | 'discount' | 'price';

export interface LineFormValue {
  /** The quote's stable line id (L1, L2…), kept across versions; given to new rows at once. */
  id: string;
  productId?: string | null | undefined;
  quantity?: number | null | undefined;
  termMonths?: number | null | undefined;
  priceMode: PriceMode;
  manualDiscountPercent?: string | undefined;
  manualUnitPrice?: string | undefined;
  notes?: string | undefined;
}

export interface HeaderFormValue {
  /** YYYY-MM-DD */
  pricingDate: string;
  validUntil: string;
  termMonths?: number | null | undefined;
  terms?: string | undefined;
}

export function fromLineInput(line: QuoteLineInput, fallbackId: string): LineFormValue {
  const priceMode: PriceMode = line.manualUnitPrice !== undefined ? 'price' : line.manualDiscountPercent !== undefined ? 'discount' : 'list';
  return {
    id: line.id ?? fallbackId,
    productId: line.productId,
    quantity: line.quantity,
    termMonths: line.termMonths ?? null,
    priceMode,
    manualDiscountPercent: line.manualDiscountPercent,
    manualUnitPrice: line.manualUnitPrice,
    notes: line.notes ?? '',
  };
}

/** The form rows of a saved version (ids as saved, else L1, L2… as the server assigns them). */
export function linesOfVersion(version: Pick<QuoteVersion, 'lines'>): LineFormValue[] {
  return version.lines.map((l, i) => fromLineInput(l, `L${i + 1}`));
}

/** The next free id of the L<n> form (the server's own scheme), after every id in use. */
export function nextLineId(ids: readonly string[]): string {
  const used = ids.map((id) => /^L(\d+)$/.exec(id)?.[1]).filter((n): n is string => n !== undefined);
  const max = used.reduce((m, n) => Math.max(m, Number(n)), 0);
  return `L${max + 1}`;
}

export function newLine(existing: readonly Pick<LineFormValue, 'id'>[]): LineFormValue {
  return { id: nextLineId(existing.map((l) => l.id)), productId: null, quantity: 1, termMonths: null, priceMode: 'list', notes: '' };
}

/** One row as the API takes it, or null while it is incomplete. Blank optional fields are left out. */
export function toLineInput(v: LineFormValue): QuoteLineInput | null {
  if (!v.productId || !v.quantity || v.quantity < 1 || !Number.isInteger(v.quantity)) return null;
  const discount = v.manualDiscountPercent?.trim();
  const price = v.manualUnitPrice?.trim();
  const notes = v.notes?.trim();
  return {
    id: v.id,
    productId: v.productId,
    quantity: v.quantity,
    ...(v.termMonths ? { termMonths: v.termMonths } : {}),
    ...(v.priceMode === 'discount' && discount ? { manualDiscountPercent: discount } : {}),
    ...(v.priceMode === 'price' && price ? { manualUnitPrice: price } : {}),
    ...(notes ? { notes } : {}),
  };
}

export interface MappedLines {
  lines: QuoteLineInput[];
  /** formIndex[i] is the form row of body line i. */
  formIndex: number[];
  /** A manual value is typed but is not a decimal yet: previews wait for it rather than flash an error. */
  hasMalformed: boolean;
}

export function toLineInputs(rows: readonly LineFormValue[]): MappedLines {
  const lines: QuoteLineInput[] = [];
  const formIndex: number[] = [];
  let hasMalformed = false;
  rows.forEach((row, i) => {
    const manual = row.priceMode === 'discount' ? row.manualDiscountPercent?.trim() : row.priceMode === 'price' ? row.manualUnitPrice?.trim() : undefined;
    if (manual && !DECIMAL_PATTERN.test(manual)) hasMalformed = true;
    const line = toLineInput(row);
    if (line) {
      lines.push(line);
      formIndex.push(i);
    }
  });
  return { lines, formIndex, hasMalformed };
}

/** The PATCH of a draft: its header and every complete line. */
export function toUpdateBody(header: HeaderFormValue, rows: readonly LineFormValue[], version: number): UpdateQuoteVersionBody {
  return {
    version,
    pricingDate: header.pricingDate,
    validUntil: header.validUntil,
    termMonths: header.termMonths ?? null,
    terms: header.terms ?? '',
    lines: toLineInputs(rows).lines,
  };
}

/** The live price preview: the quote's header as a create body with the lines on screen. */
export function toPreviewBody(
  quote: { opportunityId: string; priceBookId: string; currency: string },
  header: HeaderFormValue,
  rows: readonly LineFormValue[],
): PricePreviewBody {
  return {
    opportunityId: quote.opportunityId,
    priceBookId: quote.priceBookId,
    currency: quote.currency,
    pricingDate: header.pricingDate,
    validUntil: header.validUntil,
    ...(header.termMonths ? { termMonths: header.termMonths } : {}),
    ...(header.terms ? { terms: header.terms } : {}),
    lines: toLineInputs(rows).lines,
  };
}

export interface LineFieldError {
  /** The form row. */
  row: number;
  field: string;
  message: string;
}

/**
 * Split a problem's field errors into the editor's rows ("lines.2.quantity" or "body.lines.2.quantity"
 * → row formIndex[2], field quantity), header fields, and the rest for the alert.
 */
export function routeProblemErrors(
  errors: readonly { path: string; message: string }[],
  formIndex: readonly number[],
  headerFields: readonly string[],
): { lines: LineFieldError[]; header: { field: string; message: string }[]; other: { path: string; message: string }[] } {
  const out = { lines: [] as LineFieldError[], header: [] as { field: string; message: string }[], other: [] as { path: string; message: string }[] };
  for (const e of errors) {
    const segments = e.path.split('.').filter((s) => s !== '');
    if (segments[0] === 'body') segments.shift();
    const [first, index, field] = segments;
    if (first === 'lines' && index !== undefined && /^\d+$/.test(index) && field !== undefined) {
      const row = formIndex[Number(index)];
      if (row !== undefined) {
        out.lines.push({ row, field, message: e.message });
        continue;
      }
    }
    if (first !== undefined && segments.length === 1 && headerFields.includes(first)) {
      out.header.push({ field: first, message: e.message });
      continue;
    }
    out.other.push(e);
  }
  return out;
}
