/**
 * The pure half of CRM search (decision 0007): how a query becomes the grams the GIN index is asked
 * for, and how account and contact hits are merged into one ranked list. The database half, the
 * gram index over each record's search text, is migration 0009 (crm_search_grams).
 */

/** Cap on grams per query: more only narrows further, and the ILIKE recheck decides anyway. */
const MAX_QUERY_GRAMS = 32;

/** A phone number as typed (`+86 138-0000 0001`, `(0571) 8700`): searched as digits only. */
const PHONE_LIKE = /^\+?[\d\s()-]{4,}$/;

/**
 * The text a query is matched against: a phone-like query as its digits (the contacts' search text
 * holds phone numbers as digits), anything else trimmed with inner white space collapsed.
 */
export function normalizeSearchQuery(q: string): string {
  const trimmed = q.trim().replace(/\s+/g, ' ');
  if (PHONE_LIKE.test(trimmed) && trimmed.replace(/\D/g, '').length >= 4) return trimmed.replace(/\D/g, '');
  return trimmed;
}

/**
 * The grams a matching text must contain, lower-cased like crm_search_grams: a one-character word
 * is its own unigram, a longer word its bigrams (张伟 → [张伟]; 王建华 → [王建, 建华]). Every text
 * containing the query contains these grams, so the index narrows without losing any hit.
 */
export function queryGrams(q: string): string[] {
  const out = new Set<string>();
  for (const word of q.toLowerCase().split(/\s+/)) {
    const chars = [...word];
    if (chars.length === 1) out.add(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out].slice(0, MAX_QUERY_GRAMS);
}

/** A Postgres text[] literal for one array parameter. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export interface RankedHit {
  /** 0: the title (or a code, phone or email) equals the query; 1: the title starts with it; 2: it appears elsewhere. */
  rank: number;
  title: string;
}

/** Accounts and contacts in one list: best rank first, then shorter titles (closer matches), then by title. */
export function mergeHits<T extends RankedHit>(lists: readonly (readonly T[])[], limit: number): T[] {
  return lists
    .flat()
    .sort((a, b) => a.rank - b.rank || [...a.title].length - [...b.title].length || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))
    .slice(0, limit);
}
