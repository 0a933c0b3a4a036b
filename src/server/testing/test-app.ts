import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { type App, buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { type Database, openDatabase, queryRows, withTx } from '../platform/db.ts';
import { newId } from '../platform/ids.ts';
import { hashPassword } from '../modules/org/password.ts';
import { type OrgPlan, insertOrgPlan } from '../modules/org/seed.ts';
import { sql, type SQL } from 'drizzle-orm';

/**
 * A real app on a real database for API tests: PGlite (from the migrated template) or PostgreSQL
 * (a database copied from the template), chosen by the vitest project. Each test file gets its own.
 */
export interface TestApp {
  app: App;
  database: Database;
  fixture: OrgFixture;
  /** A signed-in client for one of the fixture's people. */
  as(who: FixtureUser): Promise<TestClient>;
  /** An anonymous client. */
  anon(headers?: Record<string, string>): TestClient;
  /** Rows of a raw query, for re-reads that prove nothing changed. */
  rows<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestClient {
  cookie: string | undefined;
  csrf: string | undefined;
  headers: Record<string, string>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export const FIXTURE_PASSWORD = 'Fixture-Password-1';

export type FixtureUser =
  | 'admin'
  | 'exec'
  | 'director'
  | 'managerT1'
  | 'repA'
  | 'repB'
  | 'repC'
  | 'repD'
  | 'engineer'
  | 'finance';
export type FixtureUnit = 'company' | 'bg1' | 'sales1' | 't1' | 't2' | 'bg2' | 'sales2' | 't3' | 'delivery1';

export interface OrgFixture {
  units: Record<FixtureUnit, string>;
  users: Record<FixtureUser, string>;
  emails: Record<FixtureUser, string>;
}

/**
 * The small company every API test starts from:
 *   company ─ bg1 ─ sales1 ─ t1 (managerT1, repA, repB)
 *           │     │        └ t2 (repC)
 *           │     └ delivery1 (engineer)
 *           └ bg2 ─ sales2 ─ t3 (repD)
 * director heads sales1 (subtree: sales1, t1, t2); admin, exec and finance sit at the company.
 */
export function buildOrgFixture(): { plan: Omit<OrgPlan, 'passwordHash'>; fixture: OrgFixture } {
  const u = (k: FixtureUnit) => k;
  const unitIds = Object.fromEntries(
    (['company', 'bg1', 'sales1', 't1', 't2', 'bg2', 'sales2', 't3', 'delivery1'] as const).map((k) => [k, newId()]),
  ) as Record<FixtureUnit, string>;
  const userIds = Object.fromEntries(
    (['admin', 'exec', 'director', 'managerT1', 'repA', 'repB', 'repC', 'repD', 'engineer', 'finance'] as const).map((k) => [k, newId()]),
  ) as Record<FixtureUser, string>;
  const unit = (key: FixtureUnit, kind: OrgPlan['units'][number]['kind'], parent: FixtureUnit | null) => ({
    id: unitIds[key],
    code: key.toUpperCase(),
    kind,
    nameZh: `单元${key}`,
    nameEn: `Unit ${key}`,
    parentId: parent ? unitIds[parent] : null,
  });
  const person = (key: FixtureUser, unitKey: FixtureUnit, manager: FixtureUser | null, roles: OrgPlan['users'][number]['roles']) => ({
    id: userIds[key],
    email: `${key.toLowerCase()}@fixture.test`,
    nameZh: `测试${key}`,
    nameEn: `Test ${key}`,
    title: key,
    unitId: unitIds[unitKey],
    managerId: manager ? userIds[manager] : null,
    roles,
  });
  const plan = {
    effectiveDate: '2026-01-01',
    units: [
      unit(u('company'), 'company', null),
      unit('bg1', 'business_group', 'company'),
      unit('sales1', 'department', 'bg1'),
      unit('t1', 'team', 'sales1'),
      unit('t2', 'team', 'sales1'),
      unit('delivery1', 'department', 'bg1'),
      unit('bg2', 'business_group', 'company'),
      unit('sales2', 'department', 'bg2'),
      unit('t3', 'team', 'sales2'),
    ],
    users: [
      person('exec', 'company', null, ['executive']),
      person('admin', 'company', 'exec', ['admin']),
      person('finance', 'company', 'exec', ['finance']),
      person('director', 'sales1', 'exec', ['sales_manager']),
      person('managerT1', 't1', 'director', ['sales_manager']),
      person('repA', 't1', 'managerT1', ['sales_rep']),
      person('repB', 't1', 'managerT1', ['sales_rep']),
      person('repC', 't2', 'director', ['sales_rep']),
      person('repD', 't3', 'exec', ['sales_rep']),
      person('engineer', 'delivery1', 'exec', ['engineer']),
    ],
  };
  const emails = Object.fromEntries(plan.users.map((p) => [Object.entries(userIds).find(([, id]) => id === p.id)![0], p.email])) as Record<
    FixtureUser,
    string
  >;
  return { plan, fixture: { units: unitIds, users: userIds, emails } };
}

let fixtureHash: Promise<string> | undefined;

async function openTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (inject('testDb') === 'pglite') {
    const tar = readFileSync(inject('pgliteTemplate'));
    const database = await openDatabase({ loadDataDir: new Blob([tar]) });
    return { database, drop: async () => undefined };
  }
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `tl_t_${template.slice('tl_tpl_'.length)}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  return {
    database,
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const { database, drop } = await openTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const app = await buildApp({ config, database });
  await app.server.ready();
  const { plan, fixture } = buildOrgFixture();
  const passwordHash = await (fixtureHash ??= hashPassword(FIXTURE_PASSWORD));
  await withTx(database.db, (tx) => insertOrgPlan(tx, { ...plan, passwordHash }));

  const client = (cookie?: string, csrf?: string, base: Record<string, string> = {}): TestClient => {
    const headers = { ...base, ...(cookie ? { cookie } : {}) };
    const send = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, extra: Record<string, string> = {}) =>
      app.server.inject({
        method,
        url,
        headers: { ...headers, ...(method !== 'GET' && csrf ? { 'x-csrf-token': csrf } : {}), ...extra },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
    return {
      cookie,
      csrf,
      headers,
      get: (url, extra) => send('GET', url, undefined, extra),
      post: (url, body, extra) => send('POST', url, body, extra),
      patch: (url, body, extra) => send('PATCH', url, body, extra),
      put: (url, body, extra) => send('PUT', url, body, extra),
      delete: (url, extra) => send('DELETE', url, undefined, extra),
    };
  };

  return {
    app,
    database,
    fixture,
    anon: (headers) => client(undefined, undefined, headers),
    as: async (who) => {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: fixture.emails[who], password: FIXTURE_PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`login as ${who} failed: ${res.statusCode} ${res.body}`);
      const setCookie = res.cookies.find((c) => c.name === 'tl_session');
      return client(`tl_session=${setCookie!.value}`, (res.json() as { csrfToken: string }).csrfToken);
    },
    rows: <T>(query: SQL) => queryRows<T>(database.db, query),
    close: async () => {
      await app.close();
      await database.close();
      await drop();
    },
  };
}

export { sql };

/** Count the statements the database receives while `fn` runs (the pool on PostgreSQL, the client on PGlite). */
export async function countQueries<T>(app: TestApp, fn: () => Promise<T>): Promise<{ n: number; res: T }> {
  let n = 0;
  const target = (app.database.pool ?? app.database.pglite) as unknown as { query: (...a: unknown[]) => unknown };
  const original = target.query;
  target.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    const res = await fn();
    return { n, res };
  } finally {
    target.query = original;
  }
}

/**
 * The fewest statements of a few identical calls: the first fills per-process caches (principal 3 s,
 * subtree 5 s, pipelines 5 s, names 30 s), and one expiring during a call on a slow machine adds a
 * query that has nothing to do with the rows.
 */
export async function steadyQueryCount<T>(app: TestApp, fn: () => Promise<T>, runs = 3): Promise<{ n: number; res: T }> {
  let best: { n: number; res: T } | undefined;
  for (let i = 0; i < runs; i++) {
    const run = await countQueries(app, fn);
    if (!best || run.n < best.n) best = run;
  }
  return best!;
}
