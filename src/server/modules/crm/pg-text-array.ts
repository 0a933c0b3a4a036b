/**
 * A PostgreSQL array literal of text values, for one array parameter (`$1::text[]`, `$1::uuid[]`):
 * every element double-quoted with backslashes and quotes escaped, null as NULL. Raw statements pass
 * arrays this way so both drivers (node-postgres, PGlite) receive the same text.
 */
export function toPgTextArray(values: readonly (string | number | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}
