import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { localDate } from '../src/shared/dates.ts';
import { createApiToken } from '../src/server/modules/org/auth-service.ts';
import { COMPANY_TIME_ZONE } from '../src/server/modules/org/service.ts';
import { FISCAL_CALENDAR } from '../src/server/modules/crm/forecast-service.ts';
import { getFiscalPeriod } from '../src/server/modules/crm/forecast.ts';
import { seedOpportunities } from '../src/server/modules/crm/seed-opportunities.ts';
import { seedDemo } from '../src/server/demo/seed.ts';
import type { Actor } from '../src/server/platform/context.ts';
import { migrateDatabase, openDatabase, queryRows, sql } from '../src/server/platform/db.ts';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { percentiles } from './harness.ts';
import { spawnServer } from './http-bench.ts';
import { clearDemoCrm, seedScaleAccounts } from './crm-scale-data.ts';

/**
 * Side by side: the director's opportunity list (bench/crm-opportunities.ts's `list` case) served by
 * two or more source trees at once, on one database loaded once, measured in alternating rounds. On
 * a shared 2-core machine, runs minutes apart are not comparable; rounds that take turns are.
 * Not a `npm run bench` benchmark (no default export): a tool for A/B-testing a change.
 *
 *   tsx bench/crm-list-ab.ts load [--deals 300000] [--accounts 30000]   # database bench_crm_ab, kept
 *   tsx bench/crm-list-ab.ts run name=/path/to/tree name2=/path/to/tree2 [--rounds 6] [--seconds 8]
 *        (name=in-process: this tree's app inside the comparing process, beside its load generator)
 *        [--connections 10] [--session] [--log info] [--cpu-prof name,…] [--node-arg name:--flag …]
 *   tsx bench/crm-list-ab.ts drop
 *
 * Each tree is a checkout of the project (node_modules linked) that has bench/ab-server.ts. Every
 * server is started once, checked to answer the same page as the first, warmed up, then the servers
 * take turns (the order rotating each round). Reported per tree: req/s per round and their median,
 * latency percentiles over all rounds, and CPU per request from /proc: the server process (all of its
 * threads, GC included) and the database's PostgreSQL backends.
 */

const PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'bench_crm_ab';
const STATE_FILE = '/tmp/tl-ab/state.json';
const DEPARTMENT_CODE = 'YL-GOV-S';
const OPEN_STAGES = ['qualification', 'needs_analysis', 'solution', 'negotiation'];

function dbUrl(): string {
  const url = new URL(PG_URL);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

interface State {
  tokens: { director: string };
  sessions: { director: string };
  listPath: string;
  deals: number;
  matching: number;
}

async function load(argv: string[]): Promise<void> {
  const deals = Number(arg(argv, 'deals', '300000'));
  const accountsN = Number(arg(argv, 'accounts', String(Math.round(deals / 10))));
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const database = await openDatabase({ databaseUrl: dbUrl(), poolSize: 10 });
  try {
    await migrateDatabase(database);
    const seed = await seedDemo(database, { sellers: 1000 });
    const company = seed.company;
    await clearDemoCrm(database);
    let t = performance.now();
    const accounts = await seedScaleAccounts(database, company, { count: accountsN, seed: 4711 });
    console.log(`accounts ${accountsN} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    t = performance.now();
    await seedOpportunities(database.db, company, { accountIds: accounts.accountIds, count: deals, seed: 4712, concurrency: 2 });
    console.log(`deals ${deals} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    await database.db.execute(sql`VACUUM (ANALYZE)`);

    const department = company.units.find((u) => u.code === DEPARTMENT_CODE)!;
    const director = company.users.find((p) => p.unitId === department.id && p.roles.includes('sales_manager'))!;
    const adminUser = company.users.find((p) => p.roles.includes('admin'))!;
    const adminActor: Actor = { userId: adminUser.id, roles: adminUser.roles, unitId: adminUser.unitId, subtreeUnitIds: [], locale: 'zh-CN', timeZone: COMPANY_TIME_ZONE, via: 'session' };
    const token = (await createApiToken({ db: database.db, actor: adminActor, requestId: 'bench-ab', now: new Date() }, director.id, { name: 'bench ab' })).token;
    // A session of the director's, inserted as login() would (the cookie value is the token; its hash is stored).
    const { hashToken, newToken } = await import('../src/server/modules/org/password.ts');
    const cookie = newToken();
    await database.db.execute(
      sql`INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES (${hashToken(cookie)}, ${director.id}, ${newToken()}, now() + interval '7 days')`,
    );
    const today = localDate(new Date(), COMPANY_TIME_ZONE);
    const thisQuarter = getFiscalPeriod(today, { ...FISCAL_CALENDAR, kind: 'quarter' });
    const nextQuarter = getFiscalPeriod(addDays(thisQuarter.end, 1), { ...FISCAL_CALENDAR, kind: 'quarter' });
    const listPath =
      `/api/v1/crm/opportunities?stage=${OPEN_STAGES.join(',')}&unitId=${department.id}&includeSubunits=true` +
      `&closeFrom=${nextQuarter.start}&closeTo=${nextQuarter.end}&sort=-amount&limit=50`;
    const [m] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM crm_opportunities o JOIN org_unit_closure c ON c.descendant_id = o.unit_id AND c.ancestor_id = ${department.id}
           WHERE o.stage_key = ANY(${`{${OPEN_STAGES.join(',')}}`}::text[]) AND o.expected_close_date BETWEEN ${nextQuarter.start} AND ${nextQuarter.end}`,
    );
    const state: State = { tokens: { director: token }, sessions: { director: cookie }, listPath, deals, matching: m!.n };
    mkdirSync(path.dirname(STATE_FILE), { recursive: true });
    writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
    console.log(`loaded; ${m!.n} deals match the director's list; state in ${STATE_FILE}`);
  } finally {
    await database.close();
  }
}

interface Server {
  name: string;
  root: string;
  /** null: served inside this process (the tree spec `in-process`). */
  child: ChildProcess | null;
  port: number;
  stop?: () => Promise<void>;
}

/**
 * This tree's app inside this process, as `npm run bench` ran HTTP benchmarks before they moved the
 * server to a process of its own: the load generator's worker thread shares the process with it.
 */
async function startInProcess(name: string): Promise<Server> {
  const database = await openDatabase({ databaseUrl: dbUrl(), poolSize: 10 });
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
  const app = await buildApp({ config, database, startOutbox: false });
  await app.server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.server.address() as AddressInfo;
  return {
    name,
    root: 'in-process',
    child: null,
    port,
    stop: async () => {
      await app.close();
      await database.close();
    },
  };
}

async function startServer(name: string, root: string, env: Record<string, string>, nodeFlags: string[]): Promise<Server> {
  const { child, port } = await spawnServer(dbUrl(), { script: path.join(root, 'bench/ab-server.ts'), cwd: root, nodeFlags, env });
  return { name, root, child, port };
}

/** The server's /proc stat file: its process, or this process's main thread when served in process. */
function statFileOf(server: Server): string {
  return server.child ? `/proc/${server.child.pid!}/stat` : `/proc/${process.pid}/task/${process.pid}/stat`;
}

function ticks(file: string): number {
  try {
    const stat = readFileSync(file, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

async function backendTicks(client: pg.Client): Promise<Map<number, number>> {
  const r = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [DB_NAME]);
  return new Map(r.rows.map((row) => [row.pid, ticks(`/proc/${row.pid}/stat`)]));
}

interface LoadReport {
  req_per_s: number;
  samplesMs: Float64Array;
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

function drive(url: string, headers: Record<string, string>, connections: number, durationS: number, warmup: boolean): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { kind: 'autocannon', request: { url, headers, connections, durationS, warmup } },
    });
    worker.once('message', (msg: { ok: true; report: LoadReport } | { ok: false; error: string }) => (msg.ok ? resolve(msg.report) : reject(new Error(msg.error))));
    worker.once('error', reject);
  });
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function run(argv: string[]): Promise<void> {
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as State;
  // name=/path/to/tree, or name=/path/to/tree@info for a log level of its own (the same tree twice: the cost of logging).
  const trees = argv
    .filter((a, i) => a.includes('=') && !a.startsWith('--') && argv[i - 1] !== '--node-arg')
    .map((a) => a.split('=', 2) as [string, string]);
  if (trees.length === 0) throw new Error('name=/path/to/tree … expected');
  const rounds = Number(arg(argv, 'rounds', '6'));
  const seconds = Number(arg(argv, 'seconds', '8'));
  const connections = Number(arg(argv, 'connections', '10'));
  const logLevel = arg(argv, 'log', 'silent');
  const profile = arg(argv, 'cpu-prof', '');
  const headers: Record<string, string> = argv.includes('--session')
    ? { cookie: `tl_session=${state.sessions.director}` }
    : { authorization: `Bearer ${state.tokens.director}` };
  const servers: Server[] = [];
  const client = new pg.Client({ connectionString: dbUrl() });
  await client.connect();
  try {
    for (const [name, spec] of trees) {
      const [root, level] = spec.split('@', 2) as [string, string | undefined];
      const flags = profile.split(',').includes(name) ? ['--cpu-prof', `--cpu-prof-dir=/tmp/tl-ab/prof-${name}`] : [];
      // --node-arg name:--flag (repeatable): a V8/Node flag for one server, e.g. a young-generation size.
      for (let i = 0; i < argv.length; i++) if (argv[i] === '--node-arg' && argv[i + 1]?.startsWith(`${name}:`)) flags.push(argv[i + 1]!.slice(name.length + 1));
      servers.push(root === 'in-process' ? await startInProcess(name) : await startServer(name, root, { AB_LOG_LEVEL: level ?? logLevel }, flags));
    }
    // The same page from every server (ignoring nothing): a change must not change the answer.
    let first: string | undefined;
    for (const s of servers) {
      const res = await fetch(`http://127.0.0.1:${s.port}${state.listPath}`, { headers });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${s.name}: ${res.status} ${text}`);
      const items = (JSON.parse(text) as { items: unknown[] }).items.length;
      if (first === undefined) first = text;
      else if (text !== first) throw new Error(`${s.name} answers a different page than ${servers[0]!.name}`);
      console.log(`${s.name}: ${items} deals on the page (${state.matching} match; ${state.deals} deals)`);
    }
    for (const s of servers) await drive(`http://127.0.0.1:${s.port}${state.listPath}`, headers, connections, 3, true);
    const results = new Map(servers.map((s) => [s.name, { rates: [] as number[], samples: [] as number[], server: 0, postgres: 0, requests: 0 }]));
    console.log(`load average before: ${loadAverage()}`);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < servers.length; k++) {
        const s = servers[(r + k) % servers.length]!;
        const stat = statFileOf(s);
        const before = { server: ticks(stat), pg: await backendTicks(client) };
        const rep = await drive(`http://127.0.0.1:${s.port}${state.listPath}`, headers, connections, seconds, false);
        const afterPg = await backendTicks(client);
        const server = ticks(stat) - before.server;
        let postgres = 0;
        for (const [p, t] of afterPg) postgres += t - (before.pg.get(p) ?? 0);
        if (rep.non2xx > 0 || rep.errors > 0) throw new Error(`${s.name}: ${rep.non2xx} non-2xx, ${rep.errors} errors ${JSON.stringify(rep.statusCodes)}`);
        const res = results.get(s.name)!;
        res.rates.push(Math.round(rep.req_per_s * 10) / 10);
        for (const v of rep.samplesMs) res.samples.push(v);
        res.server += server;
        res.postgres += postgres;
        res.requests += rep.requests;
        console.log(
          `round ${r + 1} ${s.name.padEnd(10)} ${rep.req_per_s.toFixed(1).padStart(7)} req/s  cpu/req server ${((server * 10) / rep.requests).toFixed(3)} + pg ${((postgres * 10) / rep.requests).toFixed(3)} ms  (load ${loadAverage()})`,
        );
      }
    }
    console.log(`\nsummary (${rounds} rounds × ${seconds} s, ${connections} connections, ${argv.includes('--session') ? 'session cookie' : 'API token'}, log ${logLevel}):`);
    for (const [name, res] of results) {
      const sorted = [...res.rates].sort((a, b) => a - b);
      const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
      const p = percentiles(res.samples);
      console.log(
        `${name.padEnd(10)} median ${median.toFixed(1)} req/s [${res.rates.join(', ')}]  p50 ${p.p50_ms} p95 ${p.p95_ms} p99 ${p.p99_ms} ms  ` +
          `cpu/req server ${((res.server * 10) / res.requests).toFixed(3)} + pg ${((res.postgres * 10) / res.requests).toFixed(3)} ms`,
      );
    }
  } finally {
    await client.end();
    // Wait for the servers to stop (a CPU profile is written on exit).
    await Promise.all(
      servers.map((s) => {
        const child = s.child;
        if (!child) return s.stop?.();
        return new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))));
      }),
    );
  }
}

const [command, ...rest] = process.argv.slice(2);
const done = command === 'load' ? load(rest) : command === 'run' ? run(rest) : command === 'drop' ? admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`) : Promise.reject(new Error('load | run | drop'));
done.then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
