import { type SQL, sql } from 'drizzle-orm';
import { queryRows, type Tx } from './db.ts';

/**
 * The counter's `INSERT … ON CONFLICT … RETURNING`, yielding the next human number as `number`,
 * for use as a CTE of a larger statement (the number and the record that carries it written by one
 * statement: gap-free, and the counter row locked only while that statement runs).
 */
export function nextNumberSql(prefix: string, year: number, width = 6): SQL {
  return sql`INSERT INTO number_sequences (prefix, year, last_value) VALUES (${prefix}, ${year}, 1)
        ON CONFLICT (prefix, year) DO UPDATE SET last_value = number_sequences.last_value + 1
        RETURNING ${prefix}::text || '-' || ${String(year)}::text || '-' ||
                  CASE WHEN length(last_value::text) >= ${width}::int THEN last_value::text ELSE lpad(last_value::text, ${width}::int, '0') END AS number`;
}

/**
 * The next human number for a prefix and year, e.g. Q-2026-000123. Gap-free within a committed
 * history: the counter row is locked by the UPDATE until the transaction ends.
 */
export async function nextNumber(tx: Tx, prefix: string, year: number, width = 6): Promise<string> {
  const rows = await queryRows<{ number: string }>(tx, nextNumberSql(prefix, year, width));
  return rows[0]!.number;
}
