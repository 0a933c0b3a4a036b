import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type App, buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import type { Database } from '../src/server/platform/db.ts';
import { type BenchDatabase, withBenchDatabase } from './bench-db.ts';
import type { BenchContext, Metrics } from './harness.ts';
import { type CaseMeasurement, type RoundSettings, runRounds } from './rounds.ts';

/**
 * Shared plumbing for HTTP benchmarks: a seeded database of the benchmark's own (bench-db.ts), the
 * real app built as in production (LOG_LEVEL silent, NODE_ENV production, so responses are not
 * validated), listening on 127.0.0.1 on a free port, and autocannon driving it from a worker thread
 * for a bounded time.
 *
 * On PostgreSQL the server is a process of its own (bench/ab-server.ts, with `npm start`'s Node
 * flags), as it runs in production: inside the benchmark's process it shared the process's V8
 * helper threads and heap limits with the load generator and the data loaders, and measured the
 * harness as much as the server (the opportunity list did 12–15 % fewer requests per second in
 * process than as a process of its own, on the same database in alternating rounds). PGlite is one
 * connection inside its process, and a benchmark that adds routes to the server (`beforeListen`)
 * needs it in process: both keep the server in the benchmark's process.
 *
 * PGlite is one connection inside the server's process and blocks its event loop while a query
 * runs, so concurrent connections only queue: it is driven with fewer connections and its figures
 * are for comparison with itself, not with PostgreSQL.
 */

export interface BenchServer extends BenchDatabase {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
}

/** `npm start`'s Node flags, for a server process of its own. */
const SERVER_NODE_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=32'];
const SERVER_SCRIPT = fileURLToPath(new URL('./ab-server.ts', import.meta.url));

/**
 * Where the server's CPU time is read: its process (every thread, GC included) when it runs on its
 * own, else the benchmark process's main thread (the load generator's worker thread left out).
 */
let serverStatPath = `/proc/${process.pid}/task/${process.pid}/stat`;

/**
 * Start bench/ab-server.ts (of this tree, or of `script`'s) on the database at `url` and wait for
 * the port it prints. Its stdout is drained afterwards (request logs when AB_LOG_LEVEL is set).
 */
export async function spawnServer(
  url: string,
  opts: { script?: string; cwd?: string; nodeFlags?: readonly string[]; env?: Record<string, string> } = {},
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--import', 'tsx', opts.script ?? SERVER_SCRIPT], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, ...opts.env, AB_DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = /PORT (\d+)/.exec(buffered);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code} before listening`)));
    child.once('error', reject);
  });
  return { child, port };
}

function startServerProcess(url: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_SERVER_NODE_ARGS: more Node flags for the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  return spawnServer(url, { nodeFlags: [...SERVER_NODE_FLAGS, ...extra] });
}

async function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface LoadSettings extends RoundSettings {
  connections: number;
}

/** Bounded runs: 5 rounds of 3 s per case at full scale (15 s measured per case), one round of 3 s for a smoke run. */
export function loadSettings(ctx: BenchContext): LoadSettings {
  return {
    connections: ctx.db === 'pglite' ? 2 : 10,
    durationS: 3,
    warmupS: ctx.scale === 'full' ? 2 : 1,
    rounds: ctx.scale === 'full' ? 5 : 1,
  };
}

export interface ServerOptions {
  /** Keep the server in this process on PostgreSQL too (e.g. to capture the queries it runs). */
  inProcess?: boolean;
  /** Register extra routes (e.g. a bare baseline) on the server before it listens (implies inProcess). */
  beforeListen?: (bench: BenchDatabase & { app: App }) => void | Promise<void>;
}

export async function withBenchServer<T>(
  ctx: BenchContext,
  name: string,
  opts: ServerOptions,
  fn: (server: BenchServer) => Promise<T>,
): Promise<T> {
  return withBenchDatabase(ctx, name, async (bench) => {
    if (bench.url !== null && !opts.beforeListen && !opts.inProcess) {
      const { child, port } = await startServerProcess(bench.url);
      const inProcess = serverStatPath;
      serverStatPath = `/proc/${child.pid}/stat`;
      try {
        return await fn({ ...bench, baseUrl: `http://127.0.0.1:${port}` });
      } finally {
        serverStatPath = inProcess;
        await stopServerProcess(child);
      }
    }
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
    const app = await buildApp({ config, database: bench.database, startOutbox: false });
    try {
      await opts.beforeListen?.({ ...bench, app });
      await app.server.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.server.address() as AddressInfo;
      return await fn({ ...bench, baseUrl: `http://127.0.0.1:${port}` });
    } finally {
      await app.close();
    }
  });
}

/** What bench/load-worker.mjs is asked to do and what it reports. */
interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** Record nothing: a warm-up run. */
  warmup: boolean;
}

interface LoadReport {
  /** autocannon's average of requests per second over the run */
  req_per_s: number;
  samplesMs: Float64Array;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

function runWorker(request: LoadRequest): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: { kind: 'autocannon', request } });
    let settled = false;
    worker.once('message', (msg: { ok: true; report: LoadReport } | { ok: false; error: string }) => {
      settled = true;
      if (msg.ok) resolve(msg.report);
      else reject(new Error(`load generator failed: ${msg.error}`));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} before reporting`));
    });
  });
}

export interface LoadCase {
  url: string;
  headers?: Record<string, string>;
}

/**
 * CPU time per request, from /proc (Linux): the server's event-loop thread and, on PostgreSQL, the
 * backends serving this benchmark's database. Throughput on a shared 2-core machine moves with
 * whatever else runs; CPU spent per request hardly does, so it is the better figure for comparing
 * two routes' costs. Printed with the results (diagnostic; not a result-file metric).
 */
export interface CpuPerRequest {
  server_ms: number;
  postgres_ms: number | null;
}

export const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuTicks(statPath: string): number {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return NaN;
  }
}

async function postgresBackendPids(database: Database): Promise<number[]> {
  if (!database.pool) return [];
  const r = await database.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  return r.rows.map((row) => row.pid);
}

export interface CpuSnapshot {
  server: number;
  postgres: Map<number, number>;
}

export async function cpuSnapshot(database: Database | undefined): Promise<CpuSnapshot> {
  const pids = database ? await postgresBackendPids(database) : [];
  return {
    server: cpuTicks(serverStatPath),
    postgres: new Map(pids.map((pid) => [pid, cpuTicks(`/proc/${pid}/stat`)])),
  };
}

/** Ticks used between two snapshots; a backend the pool opened in between started from zero. */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): { server: number; postgres: number } {
  let postgres = 0;
  for (const [pid, ticks] of after.postgres) postgres += ticks - (before.postgres.get(pid) ?? 0);
  return { server: after.server - before.server, postgres };
}

/**
 * Drive each case with GET requests, in rounds (rounds.ts): `metrics` has req_per_s (the median of
 * the rounds) and p50/p95/p99 over every response. Throws when any response is not 2xx or a
 * request fails, so a benchmark never reports the speed of an error page.
 */
export async function measureCases<K extends string>(
  cases: Record<K, LoadCase>,
  settings: LoadSettings,
  /** The server's database: with it, CPU per request is measured too (`cpu`). */
  database?: Database,
): Promise<Record<K, CaseMeasurement & { metrics: Metrics; cpu: CpuPerRequest | null }>> {
  const names = Object.keys(cases) as K[];
  const used = new Map<K, { server: number; postgres: number; requests: number }>(names.map((n) => [n, { server: 0, postgres: 0, requests: 0 }]));
  const measured = await runRounds(names, settings, async (name, durationS, warmup) => {
    const c = cases[name];
    const before = await cpuSnapshot(database);
    const r = await runWorker({ url: c.url, headers: c.headers ?? {}, connections: settings.connections, durationS, warmup });
    const cost = cpuUsed(before, await cpuSnapshot(database));
    if (r.non2xx > 0 || r.errors > 0) {
      throw new Error(`GET ${c.url}: ${r.non2xx} non-2xx responses, ${r.errors} errors (${r.timeouts} timeouts), status codes ${JSON.stringify(r.statusCodes)}`);
    }
    if (!warmup) {
      const u = used.get(name)!;
      u.server += cost.server;
      u.postgres += cost.postgres;
      u.requests += r.requests;
    }
    return { rate: r.req_per_s, samplesMs: r.samplesMs };
  });
  const out = {} as Record<K, CaseMeasurement & { metrics: Metrics; cpu: CpuPerRequest | null }>;
  const perRequest = (ticks: number, requests: number) => Math.round(((ticks * CLOCK_TICK_MS) / requests) * 1000) / 1000;
  for (const name of names) {
    const m = measured[name];
    const u = used.get(name)!;
    const cpu =
      database && Number.isFinite(u.server) && u.requests > 0
        ? { server_ms: perRequest(u.server, u.requests), postgres_ms: database.pool ? perRequest(u.postgres, u.requests) : null }
        : null;
    out[name] = { ...m, metrics: { req_per_s: m.rate, ...m.latency }, cpu };
  }
  const costs = names.flatMap((n) => {
    const cpu = out[n].cpu;
    if (!cpu) return [];
    return [`${n} server ${cpu.server_ms}${cpu.postgres_ms === null ? '' : ` + postgres ${cpu.postgres_ms}`}`];
  });
  if (costs.length > 0) console.log(`cpu per request (ms): ${costs.join('; ')}`);
  return out;
}

/** One GET with fetch, checked: for the sanity checks a benchmark runs before it loads a route. */
export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
