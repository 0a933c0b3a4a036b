import { sql } from 'drizzle-orm';
import type { Currency } from '../../shared/money.ts';
import { type DbOrTx, queryRows } from './db.ts';

/** The currency `currency_rates` convert into (the company's books). */
export const COMPANY_CURRENCY: Currency = 'CNY';

/**
 * Units of the company currency for one unit of each currency: the latest rate on or before
 * `onDate` (a `YYYY-MM-DD`). The company currency is '1'; a currency without a rate is left out
 * (callers decide: a deal refuses it, an approval rule cannot compare across it). One statement.
 */
export async function findRatesOn(db: DbOrTx, currencies: readonly Currency[], onDate: string): Promise<Partial<Record<Currency, string>>> {
  const out: Partial<Record<Currency, string>> = {};
  const foreign = [...new Set(currencies)].filter((c) => c !== COMPANY_CURRENCY);
  if (currencies.includes(COMPANY_CURRENCY)) out[COMPANY_CURRENCY] = '1';
  if (foreign.length === 0) return out;
  const rows = await queryRows<{ currency: Currency; rate: string }>(
    db,
    sql`SELECT DISTINCT ON (currency) currency, rate::text AS rate
          FROM currency_rates
         WHERE currency = ANY(${`{${foreign.join(',')}}`}::text[]) AND valid_from <= ${onDate}::date
         ORDER BY currency, valid_from DESC`,
  );
  for (const row of rows) out[row.currency] = row.rate;
  return out;
}
