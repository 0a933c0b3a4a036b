import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from './db.ts';

/**
 * The next human number for a prefix and year, e.g. Q-2026-000123. Gap-free within a committed
 * history: the counter row is locked by the UPDATE until the transaction ends.
 */
export async function nextNumber(tx: Tx, prefix: string, year: number, width = 6): Promise<string> {
  const rows = await queryRows<{ last_value: number }>(
    tx,
    sql`INSERT INTO number_sequences (prefix, year, last_value) VALUES (${prefix}, ${year}, 1)
        ON CONFLICT (prefix, year) DO UPDATE SET last_value = number_sequences.last_value + 1
        RETURNING last_value`,
  );
  const n = rows[0]!.last_value;
  return `${prefix}-${year}-${String(n).padStart(width, '0')}`;
}
