import { eq, sql } from 'drizzle-orm';
import { whereAll } from '../../platform/access.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { escapeLike } from '../org/service.ts';
import { accountReadFilter } from './crm-access.ts';
import { accounts, contacts } from './schema.ts';
import { mergeHits, normalizeSearchQuery, queryGrams, textArrayLiteral } from './search.ts';
import type { SearchHit, SearchQuery, SearchResult } from './search-contract.ts';

/**
 * One search box over accounts (Chinese and English name, short name, USCC) and contacts (name,
 * phone, email), inside the caller's read scope on accounts (a contact is visible with its
 * account). Archived accounts and their contacts are left out, as in the lists.
 *
 * Each table is asked for its `limit` best rows through its gram index (migration 0009, decision
 * 0007): the grams of the query narrow the rows, an ILIKE on the same search text keeps only
 * those that contain the query, and the rank puts exact, then prefix, then other matches first.
 * The expressions below must stay exactly those of the indexes.
 */
const accountDoc = sql`crm_account_search_doc(${accounts.nameZh}, ${accounts.nameEn}, ${accounts.shortName}, ${accounts.uscc})`;
const contactDoc = sql`crm_contact_search_doc(${contacts.name}, ${contacts.phones}, ${contacts.emails})`;

/** Contacts ranked before the archive check, per hit asked for (callers who read every account). */
const CANDIDATES_PER_HIT = 4;

export async function searchCrm(ctx: Pick<ServiceContext, 'db' | 'actor'>, q: SearchQuery): Promise<SearchResult> {
  const text = normalizeSearchQuery(q.q);
  const grams = queryGrams(text);
  if (grams.length === 0) return { items: [] };
  const gramArray = textArrayLiteral(grams);
  const contains = `%${escapeLike(text)}%`;
  const prefix = `${escapeLike(text)}%`;
  const lower = text.toLowerCase();
  const scope = await accountReadFilter(ctx);

  const accountRank = sql<number>`CASE
      WHEN lower(${accounts.nameZh}) = ${lower} OR lower(coalesce(${accounts.shortName}, '')) = ${lower}
        OR lower(coalesce(${accounts.nameEn}, '')) = ${lower} OR lower(coalesce(${accounts.uscc}, '')) = ${lower} THEN 0
      WHEN ${accounts.nameZh} ILIKE ${prefix} OR ${accounts.shortName} ILIKE ${prefix} OR ${accounts.nameEn} ILIKE ${prefix} THEN 1
      ELSE 2 END`;
  const accountRows = await ctx.db
    .select({
      id: accounts.id,
      title: accounts.nameZh,
      nameEn: accounts.nameEn,
      shortName: accounts.shortName,
      uscc: accounts.uscc,
      rank: accountRank.mapWith(Number),
    })
    .from(accounts)
    .where(
      whereAll(
        sql`crm_search_grams(${accountDoc}) @> ${gramArray}::text[]`,
        sql`${accountDoc} ILIKE ${contains}`,
        sql`${accounts.archivedAt} IS NULL`,
        scope,
      ),
    )
    .orderBy(accountRank, sql`char_length(${accounts.nameZh})`, accounts.nameZh, accounts.id)
    .limit(q.limit);

  // The recheck looks at each part of the search text rather than at the whole: the same rows
  // (a query never spans two parts in practice), without calling the search-text function per row
  // (40 µs a row, most of a one-character search's time). Digits are looked for in phone numbers
  // only when the query is all digits.
  const phoneDigits = sql`crm_phone_digits(${contacts.phones})`;
  const isDigits = /^\d+$/.test(text);
  const contactContains = sql`(${contacts.name} ILIKE ${contains} OR array_to_string(${contacts.emails}, ' ') ILIKE ${contains}${
    isDigits ? sql` OR ${phoneDigits} LIKE ${contains}` : sql``
  })`;
  const contactRank = sql<number>`CASE
      WHEN lower(${contacts.name}) = ${lower} OR ${lower} = ANY(${contacts.emails})${
        isDigits ? sql` OR ${text} = ANY(string_to_array(${phoneDigits}, ' '))` : sql``
      } THEN 0
      WHEN ${contacts.name} ILIKE ${prefix} THEN 1
      ELSE 2 END`;
  const contactMatch = whereAll(sql`crm_search_grams(${contactDoc}) @> ${gramArray}::text[]`, contactContains);
  const contactOrder = [contactRank, sql`char_length(${contacts.name})`, contacts.name, contacts.id];

  // Every match, joined to its account for the scope and the archive, then ranked: the general way.
  const allMatches = () =>
    ctx.db
      .select({
        id: contacts.id,
        title: contacts.name,
        jobTitle: contacts.title,
        accountId: contacts.accountId,
        accountName: accounts.nameZh,
        rank: contactRank.mapWith(Number),
      })
      .from(contacts)
      .innerJoin(accounts, eq(accounts.id, contacts.accountId))
      .where(whereAll(contactMatch, sql`${accounts.archivedAt} IS NULL`, scope))
      .orderBy(...contactOrder)
      .limit(q.limit);

  let contactRows: Awaited<ReturnType<typeof allMatches>>;
  if (scope === undefined) {
    // A caller who reads every account (service desk, executives) needs the account only to leave
    // out archived ones: rank the contacts alone, join the best few, and fall back to the general
    // query only when archived accounts took too many of them. A common fragment (华, 建华 in a
    // 300,000-person directory) otherwise joins thousands of rows (decision 0007).
    const best = ctx.db
      .select({ id: contacts.id, name: contacts.name, jobTitle: contacts.title, accountId: contacts.accountId, rank: contactRank.as('rank') })
      .from(contacts)
      .where(contactMatch)
      .orderBy(...contactOrder)
      .limit(q.limit * CANDIDATES_PER_HIT)
      .as('best');
    contactRows = await ctx.db
      .select({
        id: best.id,
        title: best.name,
        jobTitle: best.jobTitle,
        accountId: best.accountId,
        accountName: accounts.nameZh,
        rank: sql<number>`${best.rank}`.mapWith(Number),
      })
      .from(best)
      .innerJoin(accounts, eq(accounts.id, best.accountId))
      .where(sql`${accounts.archivedAt} IS NULL`)
      .orderBy(best.rank, sql`char_length(${best.name})`, best.name, best.id)
      .limit(q.limit);
    if (contactRows.length < q.limit) contactRows = await allMatches();
  } else {
    contactRows = await allMatches();
  }

  const hits: (SearchHit & { rank: number })[][] = [
    accountRows.map((r) => ({
      type: 'account' as const,
      id: r.id,
      title: r.title,
      subtitle: r.nameEn ?? r.shortName ?? r.uscc,
      accountId: r.id,
      rank: r.rank,
    })),
    contactRows.map((r) => ({
      type: 'contact' as const,
      id: r.id,
      title: r.title,
      subtitle: r.jobTitle ? `${r.jobTitle} · ${r.accountName}` : r.accountName,
      accountId: r.accountId,
      rank: r.rank,
    })),
  ];
  return { items: mergeHits(hits, q.limit).map(({ rank: _rank, ...hit }) => hit) };
}
