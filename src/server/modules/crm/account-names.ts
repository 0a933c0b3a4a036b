import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * The duplicate check of account names. Two names are "the same" when they differ only in width
 * (full-width letters and brackets typed with a Chinese IME), ASCII case, spaces and punctuation:
 * 浙江省财政厅 = 浙江省 财政厅 = 浙江省（财政厅）. The same key is computed in SQL, character for
 * character, so the database can compare it without loading names (and an expression index on
 * exactly `accountNameKeySql(name_zh)` would serve it; see docs/proposals/crm-schema-accounts.md).
 *
 * Pure: no I/O. The SQL builder only renders constants.
 */

/** Characters dropped from the key (after NFKC, which turns full-width forms into ASCII ones). */
export const NAME_KEY_DROPPED = [
  ' ', '\t', '\n', '\r', '\f', '\v',
  '(', ')', '[', ']', '{', '}', '<', '>', '.', ',', ';', ':', '!', '?', "'", '"', '/', '_', '&', '*', '+', '#', '|', '~', '-',
  '·', '・', '、', '。', '《', '》', '「', '」', '『', '』', '“', '”', '‘', '’', '【', '】', '〔', '〕', '〈', '〉', '—', '…',
] as const;

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

const DROPPED = new Set<string>(NAME_KEY_DROPPED);

/** The comparison key of an account name: NFKC, ASCII lower case, without spaces and punctuation. */
export function normalizeAccountName(name: string): string {
  let out = '';
  for (const ch of name.normalize('NFKC')) {
    if (DROPPED.has(ch)) continue;
    const i = UPPER.indexOf(ch);
    out += i >= 0 ? LOWER[i] : ch;
  }
  return out;
}

/** A PostgreSQL bracket expression matching exactly the dropped characters (`]` first, `-` last). */
function bracketExpression(): string {
  const chars = NAME_KEY_DROPPED.filter((c) => c !== ']' && c !== '-');
  return `[]${chars.join('')}-]`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * The same key in SQL, for a column. Rendered with constants only (no parameters) so that an
 * expression index on the same expression can match it.
 */
export function accountNameKeySql(column: AnyPgColumn | SQL): SQL<string> {
  return sql<string>`regexp_replace(translate(normalize(${column}, NFKC), ${sql.raw(literal(UPPER))}, ${sql.raw(
    literal(LOWER),
  )}), ${sql.raw(literal(bracketExpression()))}, '', 'g')`;
}

/** Trigram similarity at or above which another account's name is offered as a possible duplicate. */
export const SIMILAR_NAME_THRESHOLD = 0.6;
