import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchDb, BenchResult, BenchScale, Benchmark, Metrics } from './harness.ts';

/**
 * The benchmark runner (docs/benchmarks.md):
 *
 *   npm run bench -- <name> [--db pglite|pg] [--scale small|full] [--explain]
 *   npm run bench -- all --scale small
 *
 * <name> is a module bench/<name>.ts whose default export is a Benchmark. A module may say which
 * databases it supports with `export const databases = ['pg', 'pglite']` (the first is its default)
 * or `['in-process']` (no database at all; ctx.db is then meaningless). `all` runs every benchmark
 * on its default database. The runner adds name, date and machine, prints a table, and writes
 * bench/results/<name>[-<db>][-small].json: `-<db>` when the database is not the module's default,
 * `-small` for smoke runs, so the committed full-scale figures are never overwritten by them.
 * It exits non-zero when a benchmark throws, not when a target is missed (those are printed).
 */

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const NOT_BENCHMARKS = new Set(['run.ts', 'harness.ts']);
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

type Where = BenchDb | 'in-process';

interface BenchModule {
  default?: unknown;
  databases?: readonly Where[];
}

interface Args {
  name: string;
  db?: BenchDb;
  scale: BenchScale;
  explain: boolean;
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('usage: npm run bench -- <name>|all [--db pglite|pg] [--scale small|full] [--explain]');
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  let name: string | undefined;
  let db: BenchDb | undefined;
  let scale: BenchScale = 'full';
  let explain = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (flag: string) => {
      const [, inline] = a.split('=', 2);
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    if (a === '--db' || a.startsWith('--db=')) {
      const v = value('--db');
      if (v !== 'pg' && v !== 'pglite') usage(`--db must be pg or pglite (got ${v})`);
      db = v;
    } else if (a === '--scale' || a.startsWith('--scale=')) {
      const v = value('--scale');
      if (v !== 'small' && v !== 'full') usage(`--scale must be small or full (got ${v})`);
      scale = v;
    } else if (a === '--explain') {
      explain = true;
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else if (!name) {
      name = a.replace(/\.ts$/, '');
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (!name) usage();
  return { name, ...(db ? { db } : {}), scale, explain };
}

function candidateNames(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !NOT_BENCHMARKS.has(f))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadModule(name: string): Promise<{ run: Benchmark; databases: readonly Where[] } | undefined> {
  const mod = (await import(pathToFileURL(path.join(BENCH_DIR, `${name}.ts`)).href)) as BenchModule;
  if (typeof mod.default !== 'function') return undefined;
  const databases = mod.databases && mod.databases.length > 0 ? mod.databases : (['pg', 'pglite'] as const);
  return { run: mod.default as Benchmark, databases };
}

function machineDescription(): string {
  return `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Share of the machine's CPU busy over `ms` (other engineers' tests and servers share this machine). */
async function machineBusy(ms = 1000): Promise<number> {
  const read = () => {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = f.map(Number);
    const idle = n[3]! + (n[4] ?? 0);
    return { idle, total: n.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await new Promise((r) => setTimeout(r, ms));
    const b = read();
    return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
  } catch {
    return 0; // not Linux: no warning
  }
}

function resultFileName(name: string, db: Where, defaultDb: Where, scale: BenchScale): string {
  return `${name}${db !== defaultDb ? `-${db}` : ''}${scale === 'small' ? '-small' : ''}.json`;
}

function fmt(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3).replace(/\.?0+$/, '');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function printResult(out: { name: string; database: string; data: Record<string, number> } & BenchResult, file: string): void {
  console.log(`\n== ${out.name} (${out.database})`);
  console.log(`data: ${Object.entries(out.data).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (out.cases && Object.keys(out.cases).length > 0) {
    const keys = [...new Set(Object.values(out.cases).flatMap((c) => Object.keys(c.metrics)))];
    console.log(table(['case', ...keys], Object.entries(out.cases).map(([name, c]) => [name, ...keys.map((k) => fmt(c.metrics[k]))])));
  }
  if (out.metrics && Object.keys(out.metrics).length > 0) {
    console.log(table(['metric', 'value'], Object.entries(out.metrics as Metrics).map(([k, v]) => [k, fmt(v)])));
  }
  const missed: string[] = [];
  for (const [key, t] of Object.entries(out.targets ?? {})) {
    console.log(`target ${key}: ${t.target} -> ${t.met ? 'met' : 'MISSED'}`);
    if (!t.met) missed.push(`${key}: ${t.target}`);
  }
  if (missed.length > 0) console.log(`!! ${missed.length} target(s) MISSED: ${missed.join('; ')}`);
  console.log(`written: ${path.relative(process.cwd(), file)}`);
}

async function runOne(name: string, args: Args, pgUrl: string, all: boolean): Promise<void> {
  const mod = await loadModule(name);
  if (!mod) throw new Error(`bench/${name}.ts has no default-exported benchmark`);
  const defaultDb = mod.databases[0]!;
  let where: Where = defaultDb;
  if (args.db && !all) {
    if (mod.databases.includes('in-process')) {
      console.warn(`${name} runs in process: --db ${args.db} does not apply`);
    } else if (!mod.databases.includes(args.db)) {
      throw new Error(`${name} supports ${mod.databases.join(', ')}, not ${args.db}`);
    } else {
      where = args.db;
    }
  }
  const ctx: BenchContext = { scale: args.scale, db: where === 'in-process' ? 'pg' : where, pgUrl };
  console.log(`\n>> ${name} (${where}, ${args.scale})`);
  const busy = await machineBusy();
  if (busy > 0.2) {
    console.warn(`!! the machine is already ${Math.round(busy * 100)} % busy before the run: other processes compete, figures will be noisy`);
  }
  const started = Date.now();
  const result = await mod.run(ctx);
  const out = {
    name,
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    machine: machineDescription(),
    database: result.database,
    data: result.data,
    ...(result.metrics ? { metrics: result.metrics } : {}),
    ...(result.cases ? { cases: result.cases } : {}),
    ...(result.targets ? { targets: result.targets } : {}),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, resultFileName(name, where, defaultDb, args.scale));
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  printResult(out, file);
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.explain) process.env['BENCH_EXPLAIN'] = '1';
  const pgUrl = process.env['DATABASE_URL'] || DEFAULT_PG_URL;
  const all = args.name === 'all';
  if (all && args.db) console.warn('all runs each benchmark on its default database: --db is ignored');
  const names = all ? candidateNames() : [args.name];
  if (!all && !candidateNames().includes(args.name)) {
    usage(`no benchmark bench/${args.name}.ts (have: ${candidateNames().join(', ')})`);
  }
  let failed = 0;
  for (const name of names) {
    if (all && !(await loadModule(name))) continue; // a helper module, not a benchmark
    try {
      await runOne(name, args, pgUrl, all);
    } catch (err) {
      failed++;
      console.error(`\n!! ${name} failed:`, err instanceof Error ? (err.stack ?? err.message) : err);
    }
  }
  if (failed > 0) console.error(`\n${failed} benchmark(s) failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
