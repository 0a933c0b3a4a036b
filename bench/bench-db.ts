import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { seedDemo, type SeedResult } from '../src/server/demo/seed.ts';
import { type Database, migrateDatabase, openDatabase, sql } from '../src/server/platform/db.ts';
import type { BenchContext } from './harness.ts';

/**
 * A database of the benchmark's own, loaded with the demo company's generator at the requested
 * scale: on PostgreSQL a fresh `bench_<name>_<pid>` database on the local server (dropped at the
 * end, also on failure or Ctrl-C), on PGlite a data folder in a temporary directory (removed).
 */

/** Sales reps in the generated company: small is a smoke run (~200 people), full is the DESIGN.md tenant. */
export const SELLERS = { small: 100, full: 1000 } as const;

export interface BenchDatabase {
  database: Database;
  seed: SeedResult;
  /** "postgresql 15" or "pglite", for the result file. */
  label: string;
  /** The database's connection URL on PostgreSQL (a server process of its own can open it); null on PGlite. */
  url: string | null;
  /** Rows per table and the generator's parameters, for the result file. */
  data: Record<string, number>;
}

// Cleanups still to run if the process is interrupted (Ctrl-C during a long run must not leave a database behind).
const pending = new Set<() => Promise<void>>();
let signalsInstalled = false;

function installSignalCleanup(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up benchmark databases…`);
      void Promise.allSettled([...pending].map((fn) => fn())).then(() => process.exit(130));
    });
  }
}

function databaseUrl(base: string, dbName: string): string {
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Run VACUUM (ANALYZE): autovacuum is off on the benchmark machine, so plans and visibility maps need it after a load. */
export async function vacuumAnalyze(database: Database): Promise<void> {
  await database.db.execute(sql`VACUUM (ANALYZE)`);
}

async function rowCounts(database: Database, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = (await database.db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${t}`))) as unknown as { rows: { n: number }[] };
    out[t] = r.rows[0]?.n ?? 0;
  }
  return out;
}

const COUNTED_TABLES = ['org_units', 'org_unit_closure', 'users'] as const;

/**
 * Create, migrate, seed and VACUUM (ANALYZE) a database for benchmark `name`, hand it to `fn`,
 * and drop it afterwards whatever happens.
 */
function dbNameOf(name: string): string {
  return `bench_${name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}`;
}

export async function withBenchDatabase<T>(ctx: BenchContext, name: string, fn: (bench: BenchDatabase) => Promise<T>): Promise<T> {
  installSignalCleanup();
  const sellers = SELLERS[ctx.scale];
  let database: Database | undefined;
  let cleanup: () => Promise<void>;
  let label: string;

  if (ctx.db === 'pg') {
    const dbName = dbNameOf(name);
    await adminQuery(ctx.pgUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await adminQuery(ctx.pgUrl, `CREATE DATABASE ${dbName}`);
    let dropped = false;
    cleanup = async () => {
      if (dropped) return;
      dropped = true;
      await database?.close().catch(() => undefined);
      await adminQuery(ctx.pgUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    };
    pending.add(cleanup);
    try {
      database = await openDatabase({ databaseUrl: databaseUrl(ctx.pgUrl, dbName), poolSize: 10 });
      const version = await database.serverVersion();
      label = `postgresql ${version.split('.')[0]}`;
    } catch (err) {
      await cleanup();
      pending.delete(cleanup);
      throw err;
    }
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), `throughline-bench-${name}-`));
    let removed = false;
    cleanup = async () => {
      if (removed) return;
      removed = true;
      await database?.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    };
    pending.add(cleanup);
    label = 'pglite';
    try {
      database = await openDatabase({ dataDir: path.join(dir, 'data') });
    } catch (err) {
      await cleanup();
      pending.delete(cleanup);
      throw err;
    }
  }

  try {
    await migrateDatabase(database);
    const seed = await seedDemo(database, { sellers });
    await vacuumAnalyze(database);
    const data = { sellers, ...(await rowCounts(database, COUNTED_TABLES)) };
    return await fn({ database, seed, label, data, url: ctx.db === 'pg' ? databaseUrl(ctx.pgUrl, dbNameOf(name)) : null });
  } finally {
    await cleanup();
    pending.delete(cleanup);
  }
}
