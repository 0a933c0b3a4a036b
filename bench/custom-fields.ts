import pg from 'pg';
import { syncSortIndexes } from '../src/server/modules/crm/custom-field-service.ts';
import { type CustomFieldDefinition, customFieldSqlExpression } from '../src/server/modules/crm/custom-fields.ts';
import { type Database, migrateDatabase, openDatabase } from '../src/server/platform/db.ts';
import { type Benchmark, median } from './harness.ts';

/**
 * Custom-field filters and sorts on crm_accounts (decision 0010), measured with EXPLAIN ANALYZE on
 * a table of its own: 100,000 accounts (10,000 with --scale small) generated in SQL, each with a
 * `custom` object like the CRM writes it:
 *
 *   segment   one of 50 values (2 % of the rows each)   → equality through `@>` and the GIN index
 *   rare      set on 1 row in 10,000                     → a selective equality
 *   score     a number 0–999                             → range filter and sort
 *
 * Cases (median execution time of 5 runs, page of 51 rows in name order as the list asks):
 *   eq_gin / eq_no_gin             custom @> '{"segment": "s7"}', with the GIN index / after dropping it
 *   rare_gin / rare_no_gin         the same for a value on 10 rows
 *   range_no_expr / range_expr     (custom->>'score')::numeric >= 990, without / with the sort indexes
 *   sort_no_expr / sort_expr       ORDER BY that expression NULLS LAST, id LIMIT 51, without / with them
 *   sort_desc_no_expr / sort_desc_expr   the same, descending (values first, then the records without)
 *
 * The expression and the indexes are the application's own (customFieldSqlExpression, syncSortIndexes
 * for a `sortable` number field), so the plans are those the list gets.
 *
 * "Without" runs inside a transaction that drops the index and rolls back. Light on purpose: one
 * table, no demo company, a few seconds of load.
 */
export const databases = ['pg'] as const;

const ROWS = { small: 10_000, full: 100_000 } as const;
const RUNS = 5;

const PAGE = `ORDER BY name_zh, id LIMIT 51`;
const SCORE: CustomFieldDefinition = {
  entity: 'account',
  key: 'score',
  type: 'number',
  label: { zh: '评分', en: 'Score' },
  required: false,
  archived: false,
  sortable: true,
};
const EXPR = customFieldSqlExpression('"crm_accounts"."custom"', SCORE).text;
const QUERIES = {
  eq: `SELECT id FROM crm_accounts WHERE custom @> '{"segment": "s7"}' AND archived_at IS NULL ${PAGE}`,
  rare: `SELECT id FROM crm_accounts WHERE custom @> '{"rare": "r3"}' AND archived_at IS NULL ${PAGE}`,
  range: `SELECT id FROM crm_accounts WHERE ${EXPR} >= 990 AND archived_at IS NULL ${PAGE}`,
  sort: `SELECT id FROM crm_accounts WHERE archived_at IS NULL ORDER BY ${EXPR} ASC NULLS LAST, id ASC LIMIT 51`,
  sortDesc: `SELECT id FROM crm_accounts WHERE archived_at IS NULL ORDER BY ${EXPR} DESC NULLS LAST, id DESC LIMIT 51`,
} as const;

async function explain(client: pg.PoolClient | pg.Client, text: string): Promise<{ ms: number; plan: string }> {
  const times: number[] = [];
  let plan = '';
  for (let i = 0; i < RUNS; i++) {
    const res = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`);
    const lines = res.rows.map((r) => r['QUERY PLAN']);
    const exec = lines.find((l) => l.startsWith('Execution Time'));
    times.push(Number(/([\d.]+) ms/.exec(exec ?? '')?.[1] ?? NaN));
    plan = lines.join('\n');
  }
  return { ms: Math.round(median(times) * 1000) / 1000, plan };
}

/** The plan of `text` with `index` dropped for the duration of a rolled-back transaction. */
async function explainWithout(database: Database, index: string, text: string) {
  const client = await database.pool!.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DROP INDEX ${index}`);
    return await explain(client, text);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

async function explainWith(database: Database, text: string) {
  const client = await database.pool!.connect();
  try {
    return await explain(client, text);
  } finally {
    client.release();
  }
}

function topNodes(plan: string): string {
  return plan
    .split('\n')
    .filter((l) => /->|^\w/.test(l) && !/^(Planning|Execution|Buffers)/.test(l.trim()))
    .slice(0, 6)
    .map((l) => l.replace(/\s+\(actual.*$/, '').replace(/\s+\(cost.*?\)/, ''))
    .join('\n');
}

const customFields: Benchmark = async (ctx) => {
  const rows = ROWS[ctx.scale];
  const dbName = `bench_custom_fields_${process.pid}`;
  const admin = new pg.Client({ connectionString: ctx.pgUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(ctx.pgUrl);
  url.pathname = `/${dbName}`;
  let database: Database | undefined;
  try {
    database = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    await migrateDatabase(database);
    const pool = database.pool!;
    await pool.query(
      `INSERT INTO crm_accounts (id, name_zh, kind, owner_id, unit_id, custom)
       SELECT gen_random_uuid(), '客户' || lpad(i::text, 7, '0'), 'enterprise', gen_random_uuid(), gen_random_uuid(),
              jsonb_build_object('segment', 's' || (i % 50), 'score', i % 1000)
                || CASE WHEN i % 10000 = 0 THEN jsonb_build_object('rare', 'r' || (i / 10000 % 5)) ELSE '{}'::jsonb END
         FROM generate_series(1, $1::int) AS i`,
      [rows],
    );
    await pool.query('VACUUM (ANALYZE) crm_accounts');

    const cases: Record<string, { metrics: Record<string, number> }> = {};
    const plans: Record<string, string> = {};
    const record = (name: string, r: { ms: number; plan: string }) => {
      cases[name] = { metrics: { exec_ms: r.ms } };
      plans[name] = r.plan;
    };
    record('eq_gin', await explainWith(database, QUERIES.eq));
    record('eq_no_gin', await explainWithout(database, 'crm_accounts_custom_idx', QUERIES.eq));
    record('rare_gin', await explainWith(database, QUERIES.rare));
    record('rare_no_gin', await explainWithout(database, 'crm_accounts_custom_idx', QUERIES.rare));
    record('range_no_expr', await explainWith(database, QUERIES.range));
    record('sort_no_expr', await explainWith(database, QUERIES.sort));
    record('sort_desc_no_expr', await explainWith(database, QUERIES.sortDesc));
    if (!(await syncSortIndexes(database.db, SCORE))) throw new Error('the sort indexes were not created');
    await pool.query('ANALYZE crm_accounts');
    record('range_expr', await explainWith(database, QUERIES.range));
    record('sort_expr', await explainWith(database, QUERIES.sort));
    record('sort_desc_expr', await explainWith(database, QUERIES.sortDesc));

    for (const [name, plan] of Object.entries(plans)) {
      console.log(`\n--- ${name}: ${cases[name]!.metrics['exec_ms']} ms\n${ctx.scale === 'full' || process.env['BENCH_EXPLAIN'] ? plan : topNodes(plan)}`);
    }
    const ms = (name: string) => cases[name]!.metrics['exec_ms']!;
    return {
      database: `postgresql ${(await database.serverVersion()).split('.')[0]}`,
      data: { crm_accounts: rows },
      cases,
      targets: {
        // A common value is found as fast by walking the name index (the planner's choice with or without GIN).
        rare_uses_gin: { target: 'rare_gin < rare_no_gin / 10', met: ms('rare_gin') < ms('rare_no_gin') / 10 },
        sort_needs_expression_index: { target: 'sort_expr < sort_no_expr / 10', met: ms('sort_expr') < ms('sort_no_expr') / 10 },
        sort_desc_uses_its_index: { target: 'sort_desc_expr < sort_desc_no_expr / 10', met: ms('sort_desc_expr') < ms('sort_desc_no_expr') / 10 },
      },
    };
  } finally {
    await database?.close().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
};

export default customFields;
