import type { Database } from '../src/server/platform/db.ts';

/**
 * EXPLAIN (ANALYZE, BUFFERS) for benchmarks, printed when the runner gets --explain (BENCH_EXPLAIN=1):
 * the plans of a benchmark's hot queries belong in its decision record.
 */

/** The plan of one query with its parameters, on either driver. */
export async function explainAnalyze(database: Database, text: string, params: unknown[] = []): Promise<string> {
  const q = `EXPLAIN (ANALYZE, BUFFERS) ${text}`;
  const rows = database.pool
    ? (await database.pool.query<{ 'QUERY PLAN': string }>(q, params)).rows
    : (await database.pglite!.query<{ 'QUERY PLAN': string }>(q, params)).rows;
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

interface Captured {
  text: string;
  params: unknown[];
  ms: number;
}

/**
 * Run `fn` (e.g. one HTTP request to the benchmark's server) while recording every query the
 * PostgreSQL pool receives, then print each one with its time and, for reads, its plan.
 */
export async function explainCapturedQueries(database: Database, title: string, fn: () => Promise<unknown>): Promise<void> {
  const pool = database.pool;
  if (!pool) throw new Error('explainCapturedQueries needs PostgreSQL');
  const captured: Captured[] = [];
  const original = pool.query;
  const patched = function (this: unknown, config: unknown, values?: unknown) {
    const text = typeof config === 'string' ? config : (config as { text: string }).text;
    const entry: Captured = { text, params: Array.isArray(values) ? values : [], ms: 0 };
    captured.push(entry);
    const started = performance.now();
    const result = (original as (...a: unknown[]) => Promise<unknown>).call(pool, config, values);
    void result.then(
      () => (entry.ms = performance.now() - started),
      () => (entry.ms = performance.now() - started),
    );
    return result;
  };
  pool.query = patched as typeof pool.query;
  try {
    await fn();
  } finally {
    pool.query = original;
  }
  console.log(`\n--- ${title}: ${captured.length} quer${captured.length === 1 ? 'y' : 'ies'}`);
  for (const [i, q] of captured.entries()) {
    console.log(`\n[${i + 1}] ${q.ms.toFixed(3)} ms  ${q.text}`);
    if (q.params.length > 0) console.log(`    params: ${JSON.stringify(q.params).slice(0, 400)}`);
    if (/^\s*select/i.test(q.text)) console.log(await explainAnalyze(database, q.text, q.params));
  }
}
