import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db.ts';
import { AppError, PlatformErrors } from '../../platform/errors.ts';
import { type CustomFieldEntity, type CustomFieldFilterParam, parseCustomFieldSort } from './custom-field-contract.ts';
import { loadCustomFieldDefinitions } from './custom-field-service.ts';
import { type CustomFieldDefinition, type CustomFilterValue, type FieldIssue, customFieldSqlExpression, listFilterOperators, toFilterValue } from './custom-fields.ts';

/**
 * Custom-field filters and sorts of the CRM lists, as SQL over a table's `custom jsonb` column
 * (decision 0010):
 *
 * - Equality is jsonb containment, `custom @> '{"tier": "gold"}'`, which the table's GIN
 *   (jsonb_path_ops) index answers. A single select with several values is an OR of containments
 *   (a BitmapOr of the same index); a multi select's values must all be there (one containment).
 * - Money compares amounts as numbers (stored as decimal strings: "100.5" and "100.50" are the same
 *   money but not the same JSON), so its equality is an expression, and its currency a containment.
 * - Ranges and sorts use the expressions below, spelled exactly as an expression index would be
 *   (`cf_<acc|con|opp>_<key>_idx`, custom-field-service.ts), with the key as a literal: keys match ^[a-z][a-z0-9_]*$ and name
 *   a defined field, so inlining them is safe, and a literal is what lets the planner match the index.
 *
 * The definitions are read only when a query has a `cf.*` filter or sort, so the ordinary list keeps
 * its number of queries.
 */

export interface CustomFieldSortSql {
  key: string;
  descending: boolean;
  /** The sort expression; its `::text` is the cursor value. */
  expression: SQL;
  /** How a cursor value is compared back: as a number or as text in the C collation. */
  cast: 'numeric' | 'text';
}

export interface CustomFieldListSql {
  where: SQL | undefined;
  sort: CustomFieldSortSql | null;
}

/** The expression of a field over `column` (a quoted column name), as SQL. */
export function customFieldExpression(column: string, def: Pick<CustomFieldDefinition, 'key' | 'type'>): { expression: SQL; cast: 'numeric' | 'text' } {
  const { text, cast } = customFieldSqlExpression(column, def);
  return { expression: sql.raw(text), cast };
}

const contains = (column: string, value: Record<string, unknown>) => sql`${sql.raw(column)} @> ${JSON.stringify(value)}::jsonb`;

const COMPARISON = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=' } as const;

function filterSql(column: string, def: CustomFieldDefinition, op: CustomFieldFilterParam['op'], value: CustomFilterValue): SQL {
  const key = def.key;
  if (def.type === 'decimal_money') {
    const money = value as { amount: string; currency: string | null };
    const { expression } = customFieldExpression(column, def);
    const amount = sql`${expression} ${sql.raw(COMPARISON[op])} ${money.amount}::numeric`;
    return money.currency ? sql`(${contains(column, { [key]: { currency: money.currency } })} AND ${amount})` : amount;
  }
  if (op !== 'eq') {
    const { expression, cast } = customFieldExpression(column, def);
    const operand = cast === 'numeric' ? sql`${String(value)}::numeric` : sql`${String(value)}`;
    return sql`${expression} ${sql.raw(COMPARISON[op])} ${operand}`;
  }
  if (def.type === 'single_select') {
    const keys = value as string[];
    if (keys.length === 1) return contains(column, { [key]: keys[0] });
    return sql`(${sql.join(
      keys.map((k) => contains(column, { [key]: k })),
      sql` OR `,
    )})`;
  }
  return contains(column, { [key]: value });
}

/**
 * The WHERE condition of a list's `cf.*` filters and its custom sort (null for a built-in sort),
 * or 400 with `query.cf.<key>` / `query.sort` paths. Archived fields are neither filterable nor
 * sortable (they are hidden everywhere but in the stored data).
 */
export async function customFieldListSql(
  db: DbOrTx,
  entity: CustomFieldEntity,
  /** The table's custom column, quoted and qualified: `"crm_accounts"."custom"`. */
  column: string,
  filters: readonly CustomFieldFilterParam[] | undefined,
  sort: string | undefined,
): Promise<CustomFieldListSql> {
  const sortKey = sort ? parseCustomFieldSort(sort) : null;
  if ((filters?.length ?? 0) === 0 && !sortKey) return { where: undefined, sort: null };
  const definitions = new Map((await loadCustomFieldDefinitions(db, entity)).filter((d) => !d.archived).map((d) => [d.key, d]));
  const issues: FieldIssue[] = [];
  const conditions: SQL[] = [];
  for (const f of filters ?? []) {
    const path = `query.cf.${f.key}${f.op === 'eq' ? '' : `.${f.op}`}`;
    const def = definitions.get(f.key);
    if (!def) {
      issues.push({ path, message: 'v:unknown_field' });
      continue;
    }
    if (f.op !== 'eq' && !listFilterOperators(def).includes(f.op)) {
      issues.push({ path, message: 'v:not_applicable' });
      continue;
    }
    const coerced = toFilterValue(def, f.value);
    if (!coerced.ok) {
      issues.push({ path, message: coerced.message });
      continue;
    }
    conditions.push(filterSql(column, def, f.op, coerced.value));
  }
  let sortSql: CustomFieldSortSql | null = null;
  if (sortKey) {
    const def = definitions.get(sortKey.key);
    if (!def) issues.push({ path: 'query.sort', message: 'v:unknown_field' });
    else if (def.type === 'multi_select') issues.push({ path: 'query.sort', message: 'v:not_applicable' });
    else sortSql = { key: def.key, descending: sortKey.descending, ...customFieldExpression(column, def) };
  }
  if (issues.length > 0) throw new AppError(PlatformErrors.validation, { params: { count: issues.length }, errors: issues });
  return { where: conditions.length > 0 ? sql.join(conditions, sql` AND `) : undefined, sort: sortSql };
}

/** `ORDER BY` terms of a custom sort: records without a value last in both directions, then the id. */
export function customSortOrder(sort: CustomFieldSortSql, id: SQL): SQL {
  const dir = sql.raw(sort.descending ? 'DESC' : 'ASC');
  return sql`${sort.expression} ${dir} NULLS LAST, ${id} ${dir}`;
}

/** The keyset condition "after (value, id)" of a custom sort; `value` null is the no-value tail. */
export function customSortAfter(sort: CustomFieldSortSql, id: SQL, value: string | null, cursorId: string): SQL {
  const beyond = sql.raw(sort.descending ? '<' : '>');
  if (value === null) return sql`(${sort.expression} IS NULL AND ${id} ${beyond} ${cursorId}::uuid)`;
  const v = sort.cast === 'numeric' ? sql`${value}::numeric` : sql`${value}`;
  return sql`(${sort.expression} ${beyond} ${v} OR (${sort.expression} = ${v} AND ${id} ${beyond} ${cursorId}::uuid) OR ${sort.expression} IS NULL)`;
}
