import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import { newId } from '../../platform/ids.ts';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql, steadyQueryCount } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { DEFAULT_PIPELINE } from './pipeline.ts';
import { accounts, opportunities, pipelines } from './schema.ts';

/**
 * The hot list: every sort pages through exactly the visible deals, in (sort key, id) order, with
 * no repeats and no gaps; every filter narrows to exactly the rows it names; the number of queries
 * per request does not depend on the page.
 */

let t: TestApp;
let pipelineId: string;
let otherPipelineId: string;
const STAGES = ['qualification', 'needs_analysis', 'solution', 'negotiation', 'won', 'lost'];
const OWNERS: FixtureUser[] = ['repA', 'repB', 'repC', 'repD', 'managerT1', 'director'];
const accountOf: Partial<Record<FixtureUser, string>> = {};

interface Row {
  id: string;
  name: string;
  number: string;
  owner_id: string;
  unit_id: string;
  account_id: string;
  pipeline_id: string;
  stage_key: string;
  amount_company: string;
  expected_close_date: string;
  created_at: string;
}
let rows: Row[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  pipelineId = await ensureDefaultPipeline(db);
  otherPipelineId = newId();
  await db.insert(pipelines).values({ id: otherPipelineId, key: 'other', nameZh: '其他', definition: JSON.parse(JSON.stringify(DEFAULT_PIPELINE)) });
  const home: Record<FixtureUser, string> = {
    repA: t.fixture.units.t1,
    repB: t.fixture.units.t1,
    managerT1: t.fixture.units.t1,
    repC: t.fixture.units.t2,
    director: t.fixture.units.sales1,
    repD: t.fixture.units.t3,
  } as Record<FixtureUser, string>;
  for (const o of OWNERS) {
    accountOf[o] = newId();
    await db.insert(accounts).values({ id: accountOf[o]!, nameZh: `客户${o}`, kind: 'enterprise', ownerId: t.fixture.users[o], unitId: home[o] });
  }
  // 60 deals: amounts with ties (so the id decides), close dates over two years, a few shared creation instants.
  const amounts = ['100.00', '250.50', '250.50', '999.99', '1000.00', '12000.10', '250.50', '7.05', '100.00', '88888.88'];
  const base = Date.parse('2026-03-01T02:00:00Z');
  const values = Array.from({ length: 60 }, (_, i) => {
    const owner = OWNERS[i % OWNERS.length]!;
    const closeDay = new Date(Date.parse('2026-01-05T00:00:00Z') + ((i * 37) % 600) * 86_400_000).toISOString().slice(0, 10);
    return {
      id: newId(),
      number: `OPP-2026-${String(900000 + i)}`,
      name: i % 7 === 0 ? `云平台_${i}` : `项目%${i}`,
      accountId: accountOf[owner]!,
      ownerId: t.fixture.users[owner],
      unitId: home[owner],
      pipelineId: i % 10 === 9 ? otherPipelineId : pipelineId,
      stageKey: STAGES[i % STAGES.length]!,
      amount: amounts[i % amounts.length]!,
      currency: 'CNY',
      amountCompany: amounts[i % amounts.length]!,
      fxRate: '1',
      expectedCloseDate: closeDay,
      probability: 10,
      forecastCategoryDefault: 'pipeline' as const,
      createdAt: new Date(base + Math.floor(i / 3) * 60_000),
    };
  });
  await db.insert(opportunities).values(values);
  rows = await t.rows<Row>(sql`SELECT id, name, number, owner_id, unit_id, account_id, pipeline_id, stage_key, amount_company::text,
      expected_close_date::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at FROM crm_opportunities`);
});
afterAll(() => t.close());

type Item = { id: string; amountCompany: { amount: string }; expectedCloseDate: string; createdAt: string; stageKey: string };

async function allPages(c: TestClient, query: string, limit = 7): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const res = await c.get(`/api/v1/crm/opportunities?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: Item[]; nextCursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('the list never ended');
}

const director = () => new Set([t.fixture.units.sales1, t.fixture.units.t1, t.fixture.units.t2]);
const visibleToDirector = (r: Row) => director().has(r.unit_id) || r.owner_id === t.fixture.users.director;

function expected(filter: (r: Row) => boolean, sort: string): string[] {
  const key = sort.replace(/^-/, '');
  const sign = sort.startsWith('-') ? -1 : 1;
  const cmp = (a: Row, b: Row) => {
    const k =
      key === 'amount'
        ? new Dec(a.amount_company).comparedTo(b.amount_company)
        : key === 'closeDate'
          ? a.expected_close_date.localeCompare(b.expected_close_date)
          : a.created_at.localeCompare(b.created_at);
    return sign * (k || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  return rows.filter(filter).sort(cmp).map((r) => r.id);
}

describe('the opportunity list', () => {
  it('every sort pages through exactly the visible deals in (key, id) order, no repeats, no gaps', async () => {
    const c = await t.as('director');
    for (const sort of ['-amount', 'amount', 'closeDate', '-closeDate', 'createdAt', '-createdAt']) {
      const ids = (await allPages(c, `sort=${sort}`)).map((i) => i.id);
      expect(ids, sort).toEqual(expected(visibleToDirector, sort));
    }
    // The default sort is amount, largest first.
    const first = (await c.get('/api/v1/crm/opportunities?limit=3')).json().items.map((i: Item) => i.id);
    expect(first).toEqual(expected(visibleToDirector, '-amount').slice(0, 3));
  });

  it('filters: stage set, owner, unit with or without subunits, close range, account, pipeline, search — combined', async () => {
    const c = await t.as('admin');
    const u = t.fixture.users;
    const un = t.fixture.units;
    const cases: [string, (r: Row) => boolean][] = [
      ['stage=qualification,negotiation', (r) => ['qualification', 'negotiation'].includes(r.stage_key)],
      ['stage=won', (r) => r.stage_key === 'won'],
      [`ownerId=${u.repB}`, (r) => r.owner_id === u.repB],
      [`unitId=${un.sales1}`, (r) => r.unit_id === un.sales1],
      [`unitId=${un.sales1}&includeSubunits=true`, (r) => director().has(r.unit_id)],
      [`unitId=${un.bg1}&includeSubunits=true`, (r) => director().has(r.unit_id)],
      ['closeFrom=2026-06-01&closeTo=2026-12-31', (r) => r.expected_close_date >= '2026-06-01' && r.expected_close_date <= '2026-12-31'],
      [`accountId=${accountOf.repC}`, (r) => r.account_id === accountOf.repC],
      [`pipelineId=${otherPipelineId}`, (r) => r.pipeline_id === otherPipelineId],
      [`q=${encodeURIComponent('云平台')}`, (r) => r.name.includes('云平台')],
      [`q=${encodeURIComponent('%')}`, (r) => r.name.includes('%')],
      [`q=${encodeURIComponent('_')}`, (r) => r.name.includes('_')],
      ['q=900012', (r) => r.number.includes('900012')],
      [
        `stage=qualification,needs_analysis,solution,negotiation&unitId=${un.sales1}&includeSubunits=true&closeFrom=2026-03-01&closeTo=2027-03-31`,
        (r) =>
          ['qualification', 'needs_analysis', 'solution', 'negotiation'].includes(r.stage_key) &&
          director().has(r.unit_id) &&
          r.expected_close_date >= '2026-03-01' &&
          r.expected_close_date <= '2027-03-31',
      ],
    ];
    for (const [query, filter] of cases) {
      const want = expected(filter, '-amount');
      expect(want.length, `${query} selects something`).toBeGreaterThan(0);
      expect((await allPages(c, `${query}&sort=-amount`, 5)).map((i) => i.id), query).toEqual(want);
    }
    // Scope still applies under filters: a rep filtering on another rep's deals sees none.
    const rep = await t.as('repA');
    expect((await rep.get(`/api/v1/crm/opportunities?ownerId=${u.repB}`)).json().items).toEqual([]);
  });

  it('a unit filter never widens the scope: inside it the rows are the unit’s, partly outside only the visible ones', async () => {
    const un = t.fixture.units;
    const u = t.fixture.users;
    const cases: [FixtureUser, string, (r: Row) => boolean][] = [
      // inside the director's subtree: every deal of those units
      ['director', `unitId=${un.sales1}&includeSubunits=true`, (r) => director().has(r.unit_id)],
      ['director', `unitId=${un.t2}`, (r) => r.unit_id === un.t2],
      // bg1 reaches beyond the director's department: only what the director sees of it
      ['director', `unitId=${un.bg1}&includeSubunits=true`, (r) => visibleToDirector(r) && [un.bg1, un.sales1, un.t1, un.t2, un.delivery1].includes(r.unit_id)],
      ['director', `unitId=${un.t3}`, () => false],
      // a team manager's team; a rep filtering on their team still sees only their own deals
      ['managerT1', `unitId=${un.t1}`, (r) => r.unit_id === un.t1],
      ['repA', `unitId=${un.t1}`, (r) => r.owner_id === u.repA],
    ];
    for (const [who, query, filter] of cases) {
      const c = await t.as(who);
      expect((await allPages(c, `${query}&sort=closeDate`, 6)).map((i) => i.id), `${who} ${query}`).toEqual(expected(filter, 'closeDate'));
    }
  });

  it('a cursor from another sort, or garbage, is 400 platform.invalid_cursor; an unknown sort or filter is 400', async () => {
    const c = await t.as('admin');
    const page = (await c.get('/api/v1/crm/opportunities?limit=2&sort=-amount')).json();
    const other = await c.get(`/api/v1/crm/opportunities?limit=2&sort=closeDate&cursor=${encodeURIComponent(page.nextCursor)}`);
    expect(other.statusCode).toBe(400);
    expect(other.json().code).toBe('platform.invalid_cursor');
    const forged = Buffer.from(JSON.stringify(['-amount', 'abc', newId()])).toString('base64url');
    expect((await c.get(`/api/v1/crm/opportunities?cursor=${forged}`)).json().code).toBe('platform.invalid_cursor');
    expect((await c.get('/api/v1/crm/opportunities?cursor=zzz')).statusCode).toBe(400);
    const badSort = await c.get('/api/v1/crm/opportunities?sort=name');
    expect(badSort.statusCode).toBe(400);
    expect(badSort.json().errors[0].path).toBe('query.sort');
    expect((await c.get('/api/v1/crm/opportunities?stage=Not-A-Key')).statusCode).toBe(400);
    expect((await c.get('/api/v1/crm/opportunities?color=red')).statusCode).toBe(400);
  });

  it('answers with a constant number of queries, whatever the page size, the page or the number of rows', async () => {
    const c = await t.as('director');
    const perQuery: Record<string, number[]> = {};
    // The fewest queries of three identical requests: the first fills the per-process caches (session
    // principal 3 s, subtree 5 s, pipelines 5 s, owner names 30 s), and one of them expiring on a slow
    // machine is not a query per row.
    const steadyCount = (url: string) => steadyQueryCount(t, () => c.get(url));
    const queries = {
      one: 'limit=1',
      twenty: 'limit=20',
      all: 'limit=200&sort=closeDate',
      filtered: 'limit=3&stage=qualification,solution&closeFrom=2026-01-01&closeTo=2027-12-31',
      // A unit filter inside the director's scope needs no scope condition, so no account-team lookup either.
      department: `limit=4&stage=qualification,solution&unitId=${t.fixture.units.sales1}&includeSubunits=true`,
    };
    for (const [name, query] of Object.entries(queries)) {
      const first = await steadyCount(`/api/v1/crm/opportunities?${query}`);
      expect(first.res.statusCode).toBe(200);
      perQuery[name] = [first.n];
      const next = first.res.json().nextCursor as string | null;
      if (next) perQuery[name]!.push((await steadyCount(`/api/v1/crm/opportunities?${query}&cursor=${encodeURIComponent(next)}`)).n);
    }
    // The director's account teams and the page (ids first, then the rows by key); the session's
    // principal is the authenticator's cached one (decision 0012).
    expect(perQuery, JSON.stringify(perQuery)).toEqual({ one: [2, 2], twenty: [2, 2], all: [2], filtered: [2, 2], department: [1, 1] });
    // Owner names come from the org module once per person and half-minute, not once per row.
    expect(perQuery['twenty']![0]).toBe(perQuery['one']![0]);
  });
});
