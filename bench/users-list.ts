import { asc } from 'drizzle-orm';
import { DEMO_PASSWORD } from '../src/server/demo/company.ts';
import { createApiToken, SESSION_COOKIE } from '../src/server/modules/org/auth-service.ts';
import { buildClosure } from '../src/server/modules/org/org.ts';
import { users } from '../src/server/modules/org/schema.ts';
import { clearSubtreeCache, toUser } from '../src/server/modules/org/service.ts';
import type { Actor } from '../src/server/platform/context.ts';
import type { Database } from '../src/server/platform/db.ts';
import type { Benchmark } from './harness.ts';
import { explainCapturedQueries } from './explain.ts';
import { getJson, loadSettings, measureCases, withBenchServer } from './http-bench.ts';
import { ratioByRound } from './rounds.ts';

/**
 * The authorized, scoped user list against a bare SELECT of the same page, on the same server in
 * the same run.
 *
 * - list_token / list_session: a sales director (a sales_manager whose home unit is a sales
 *   department, so the subtree is the department and its teams) requests
 *   GET /api/v1/users?limit=50 (sorted by name), with an API token or with the session cookie.
 *   That is the whole request path: authentication (token or session lookup), the subtree of the
 *   home unit, query validation, the scope filter, the query, the mapping.
 * - bare: GET /bench/bare, a route registered on the same server for the benchmark only, outside
 *   /api (no authentication hook): the same table, ORDER BY name_zh, id LIMIT 51, no scope, no
 *   validation, the same response shape.
 *
 * Target (issue): ratio_list_vs_bare >= 0.5 on PostgreSQL at sellers=1000.
 */
export const databases = ['pg', 'pglite'] as const;

const DIRECTOR_UNIT_CODE = 'YL-GOV-S';

async function bareUsersPage(database: Database) {
  const rows = await database.db.select().from(users).orderBy(asc(users.nameZh), asc(users.id)).limit(51);
  return { items: rows.slice(0, 50).map(toUser), nextCursor: null };
}

const usersList: Benchmark = async (ctx) =>
  withBenchServer(
    ctx,
    'users-list',
    { beforeListen: ({ app, database }) => void app.server.get('/bench/bare', () => bareUsersPage(database)) },
    async ({ database, seed, baseUrl, label, data }) => {
      const { units, users: people } = seed.company;
      const home = units.find((u) => u.code === DIRECTOR_UNIT_CODE);
      const director = people.find((p) => p.unitId === home?.id && p.roles.includes('sales_manager'));
      const admin = people.find((p) => p.roles.includes('admin'));
      if (!home || !director || !admin) throw new Error('the generated company has no sales director or no admin');

      // The director's subtree, from the generated plan: what every listed user's unit must be in.
      const closure = buildClosure(new Map(units.map((u) => [u.id, u.parentId])));
      const subtree = new Set(closure.filter((c) => c.ancestorId === home.id).map((c) => c.descendantId));
      const visible = people.filter((p) => subtree.has(p.unitId)).length;

      // An API token for the director, issued by the admin through the service, as the API would.
      const adminActor: Actor = {
        userId: admin.id,
        roles: admin.roles,
        unitId: admin.unitId,
        subtreeUnitIds: [],
        locale: 'zh-CN',
        timeZone: 'Asia/Shanghai',
        via: 'session',
      };
      const { token } = await createApiToken(
        { db: database.db, actor: adminActor, requestId: 'bench-users-list', now: new Date() },
        director.id,
        { name: 'bench users-list' },
      );
      const tokenHeaders = { authorization: `Bearer ${token}` };

      const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: director.email, password: DEMO_PASSWORD }),
      });
      if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
      if (!cookie) throw new Error('login set no session cookie');
      const sessionHeaders = { cookie };

      // Sanity: each route answers what it should before it is measured.
      const listUrl = `${baseUrl}/api/v1/users?limit=50&sort=name`;
      const bareUrl = `${baseUrl}/bench/bare`;
      type Page = { items: { unitId: string | null; nameZh: string }[]; nextCursor: string | null };
      for (const headers of [tokenHeaders, sessionHeaders]) {
        const page = await getJson<Page>(listUrl, headers);
        if (page.items.length !== Math.min(50, visible)) throw new Error(`list returned ${page.items.length} users, expected ${Math.min(50, visible)}`);
        if (page.items.some((u) => !u.unitId || !subtree.has(u.unitId))) throw new Error('list returned a user outside the subtree');
      }
      const bare = await getJson<Page>(bareUrl);
      if (bare.items.length !== 50) throw new Error(`bare route returned ${bare.items.length} users`);

      if (process.env['BENCH_EXPLAIN'] && database.pool) {
        clearSubtreeCache(); // so the subtree lookup is among the captured queries
        await explainCapturedQueries(database, 'GET /api/v1/users?limit=50 (API token)', () => getJson(listUrl, tokenHeaders));
        await explainCapturedQueries(database, 'GET /bench/bare', () => getJson(bareUrl));
      }

      const m = await measureCases(
        { bare: { url: bareUrl }, list_token: { url: listUrl, headers: tokenHeaders }, list_session: { url: listUrl, headers: sessionHeaders } },
        loadSettings(ctx),
        database,
      );
      const ratioToken = ratioByRound(m.list_token, m.bare);
      const ratioSession = ratioByRound(m.list_session, m.bare);

      return {
        database: label,
        data: { ...data, subtree_units: subtree.size, subtree_users: visible, page_size: 50 },
        cases: {
          list_token: { metrics: m.list_token.metrics },
          list_session: { metrics: m.list_session.metrics },
          bare: { metrics: m.bare.metrics },
        },
        metrics: { ratio_list_vs_bare: ratioToken, ratio_list_session_vs_bare: ratioSession },
        ...(ctx.db === 'pg'
          ? {
              targets: {
                ratio_list_vs_bare: { target: 'ratio_list_vs_bare >= 0.5 (PostgreSQL, sellers=1000)', met: ratioToken >= 0.5 },
              },
            }
          : {}),
      };
    },
  );

export default usersList;
