import ExcelJS from 'exceljs';
import { Dec } from '../../../shared/money.ts';

/**
 * Reading and writing the XLSX workbooks pricing teams keep their tables in. Cells are read as
 * text (numbers through their shortest decimal form, so 1234.5 reads "1234.5"; formulas as their
 * results); amounts are written as numbers when the number round-trips exactly, else as text.
 */

export type SheetRows = string[][];

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value).trim();
}

/** Every worksheet by name, as rows of text; row i of the array is spreadsheet row i + 1. Null when the bytes are not a workbook. */
export async function readWorkbook(bytes: Uint8Array): Promise<Map<string, SheetRows> | null> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    return null;
  }
  const out = new Map<string, SheetRows>();
  for (const sheet of wb.worksheets) {
    const rows: SheetRows = [];
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = [];
      for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value));
      rows[n - 1] = cells;
    });
    for (let i = 0; i < rows.length; i++) rows[i] ??= [];
    out.set(sheet.name, rows);
  }
  return out;
}

export type CellOut = string | number | null;

/** A decimal string as a number when that is exact (Excel users sort and sum them), else as text. */
export function amountCell(value: string): CellOut {
  const n = Number(value);
  return Number.isFinite(n) && new Dec(String(n)).equals(new Dec(value)) ? n : value;
}

export interface SheetOut {
  name: string;
  header: string[];
  rows: CellOut[][];
  widths?: number[];
}

export async function writeWorkbook(sheets: readonly SheetOut[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Throughline';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.addRow(s.header).font = { bold: true };
    for (const r of s.rows) ws.addRow(r);
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    s.header.forEach((_, i) => {
      ws.getColumn(i + 1).width = s.widths?.[i] ?? 16;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Column index by header name (case-insensitive); the header row is the first row. */
export function getColumns(rows: SheetRows, names: readonly string[]): Map<string, number> {
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const out = new Map<string, number>();
  for (const name of names) {
    const at = header.indexOf(name.toLowerCase());
    if (at >= 0) out.set(name, at);
  }
  return out;
}

export function isBlankRow(row: readonly string[] | undefined): boolean {
  return !row || row.every((c) => c === '');
}
