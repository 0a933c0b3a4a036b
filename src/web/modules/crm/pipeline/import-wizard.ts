import type { ImportFieldInfo, ImportJob, ImportMapping, ImportRowError } from '../../../../server/modules/crm/import-contract.ts';

/**
 * The import wizard's pure parts: the file's bytes as base64 (the upload body), the starting column
 * mapping, what is still missing before a dry run, and the report's rows grouped for display.
 */

/** Base64 of some bytes, in chunks so a 10 MB file does not overflow the argument list of fromCharCode. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** The server's suggestion, kept only where the column really is in the file. */
export function initialMapping(job: Pick<ImportJob, 'suggestedMapping' | 'columns' | 'fields'>): ImportMapping {
  const columns = new Set(job.columns);
  const fields = new Set(job.fields.map((f) => f.field));
  const out: ImportMapping = {};
  for (const [field, column] of Object.entries(job.suggestedMapping)) {
    if (fields.has(field) && columns.has(column)) out[field] = column;
  }
  return out;
}

/** Required fields without a column. */
export function missingRequired(fields: readonly ImportFieldInfo[], mapping: ImportMapping): string[] {
  return fields.filter((f) => f.required && !mapping[f.field]).map((f) => f.field);
}

/** Columns mapped to more than one field (allowed by nobody: one column feeds one field). */
export function doubleMappedColumns(mapping: ImportMapping): string[] {
  const seen = new Map<string, number>();
  for (const column of Object.values(mapping)) if (column) seen.set(column, (seen.get(column) ?? 0) + 1);
  return [...seen.entries()].filter(([, n]) => n > 1).map(([c]) => c);
}

/** The mapping without unmapped fields (what the dry run is sent). */
export function compactMapping(mapping: Record<string, string | undefined | null>): ImportMapping {
  const out: ImportMapping = {};
  for (const [field, column] of Object.entries(mapping)) if (column) out[field] = column;
  return out;
}

export interface RowProblems {
  row: number;
  errors: ImportRowError[];
  hasError: boolean;
}

/** The report's problems by file row, in row order: one entry per row with all its problems. */
export function groupByRow(errors: readonly ImportRowError[]): RowProblems[] {
  const byRow = new Map<number, ImportRowError[]>();
  for (const e of errors) byRow.set(e.row, [...(byRow.get(e.row) ?? []), e]);
  return [...byRow.entries()]
    .sort(([a], [b]) => a - b)
    .map(([row, list]) => ({ row, errors: list, hasError: list.some((e) => e.severity === 'error') }));
}

/** Percent done of a running job (0–100, whole numbers). */
export function progressPercent(job: Pick<ImportJob, 'processed' | 'total' | 'status'>): number {
  if (job.status === 'completed') return 100;
  if (job.total <= 0) return 0;
  return Math.min(100, Math.floor((job.processed * 100) / job.total));
}
