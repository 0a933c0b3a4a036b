import { eq, sql } from 'drizzle-orm';
import { localDate } from '../src/shared/dates.ts';
import { orgUnitClosure } from '../src/server/modules/org/schema.ts';
import { clearSubtreeCache, COMPANY_TIME_ZONE, getSubtreeUnitIds } from '../src/server/modules/org/service.ts';
import { type Database, queryRows } from '../src/server/platform/db.ts';
import { withBenchDatabase } from './bench-db.ts';
import { explainAnalyze } from './explain.ts';
import type { Benchmark } from './harness.ts';
import { measureOps, ratioByRound } from './rounds.ts';

/**
 * "This unit and every unit below it", the lookup behind every subtree-scoped read, in process:
 *
 * - closure_*: today's tree from the closure table (org_unit_closure), one index range, as
 *   getSubtreeUnitIds runs it on a cache miss;
 * - cte_*: a recursive CTE walking the effective-dated parent links (org_unit_parents) down from
 *   the unit as of a date, which is what an as-of query has to do;
 * - cached_department: getSubtreeUnitIds itself, with its per-process 5 s cache (what a request pays).
 *
 * For a sales department (the department and its teams) and for the whole company (the root).
 * One caller at a time: ops_per_s is the latency-bound rate. See docs/decisions/0004-org-tree-closure-table.md.
 */
export const databases = ['pg', 'pglite'] as const;

const DEPARTMENT_CODE = 'YL-GOV-S';

const CLOSURE_SQL = 'SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = $1';
const CTE_SQL = `WITH RECURSIVE down(unit_id, depth) AS (
  SELECT $1::uuid, 0
  UNION ALL
  SELECT p.unit_id, d.depth + 1 FROM down d
    JOIN org_unit_parents p ON p.parent_id = d.unit_id
     AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to > $2::date)
   WHERE d.depth < 50
)
SELECT unit_id FROM down`;

/** The closure-table lookup, written as the service writes it (drizzle), without the cache. */
async function closureLookup(database: Database, unitId: string): Promise<string[]> {
  const rows = await database.db
    .select({ id: orgUnitClosure.descendantId })
    .from(orgUnitClosure)
    .where(eq(orgUnitClosure.ancestorId, unitId));
  return rows.map((r) => r.id);
}

/** The same set from the dated parent links, as of `date`. */
async function cteLookup(database: Database, unitId: string, date: string): Promise<string[]> {
  const rows = await queryRows<{ unit_id: string }>(
    database.db,
    sql`WITH RECURSIVE down(unit_id, depth) AS (
          SELECT ${unitId}::uuid, 0
          UNION ALL
          SELECT p.unit_id, d.depth + 1 FROM down d
            JOIN org_unit_parents p ON p.parent_id = d.unit_id
             AND p.valid_from <= ${date}::date AND (p.valid_to IS NULL OR p.valid_to > ${date}::date)
           WHERE d.depth < 50
        )
        SELECT unit_id FROM down`,
  );
  return rows.map((r) => r.unit_id);
}

const orgTree: Benchmark = async (ctx) =>
  withBenchDatabase(ctx, 'org-tree', async ({ database, seed, label, data }) => {
    const department = seed.company.units.find((u) => u.code === DEPARTMENT_CODE);
    const root = seed.company.units.find((u) => u.parentId === null);
    if (!department || !root) throw new Error('the generated company has no sales department or no root');
    const today = localDate(new Date(), COMPANY_TIME_ZONE);

    // Both ways must give the same set before either is timed.
    const sizes: Record<string, number> = {};
    for (const [name, unit] of [
      ['department', department],
      ['company', root],
    ] as const) {
      const a = (await closureLookup(database, unit.id)).sort();
      const b = (await cteLookup(database, unit.id, today)).sort();
      if (a.length === 0 || a.join() !== b.join()) throw new Error(`closure and CTE disagree on the ${name} subtree (${a.length} vs ${b.length})`);
      sizes[`${name}_subtree_units`] = a.length;
    }

    if (process.env['BENCH_EXPLAIN']) {
      for (const [name, unit] of [
        ['department', department],
        ['company', root],
      ] as const) {
        console.log(`\n--- closure, ${name}\n${CLOSURE_SQL}\n${await explainAnalyze(database, CLOSURE_SQL, [unit.id])}`);
        console.log(`\n--- recursive CTE, ${name}\n${CTE_SQL}\n${await explainAnalyze(database, CTE_SQL, [unit.id, today])}`);
      }
    }

    clearSubtreeCache();
    const m = await measureOps(
      {
        closure_department: () => closureLookup(database, department.id),
        cte_department: () => cteLookup(database, department.id, today),
        closure_company: () => closureLookup(database, root.id),
        cte_company: () => cteLookup(database, root.id, today),
        cached_department: () => getSubtreeUnitIds(database.db, department.id),
      },
      // Many short rounds: one caller's latency is at the mercy of the scheduler on a shared machine.
      ctx.scale === 'full' ? { durationS: 1, warmupS: 0.5, rounds: 9 } : { durationS: 0.5, warmupS: 0.2, rounds: 3 },
    );

    return {
      database: label,
      data: { ...data, ...sizes },
      cases: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { metrics: v.metrics }])),
      metrics: {
        ratio_closure_vs_cte_department: ratioByRound(m.closure_department, m.cte_department),
        ratio_closure_vs_cte_company: ratioByRound(m.closure_company, m.cte_company),
      },
    };
  });

export default orgTree;
