import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { newId } from '../../platform/ids.ts';
import { type FixtureUser, type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { DEFAULT_PIPELINE, type ForecastCategory } from './pipeline.ts';
import { accounts, forecastSubmissions, opportunities, pipelines } from './schema.ts';

/**
 * Pipeline summary, forecast rollup, submissions and funnel analytics, checked against figures
 * worked out by hand (the arithmetic is in the comments). Each block uses its own pipeline or
 * fiscal period, so the deals of one do not reach another's figures.
 */

let t: TestApp;
let defaultPipelineId: string;
let summaryPipelineId: string;
const account: Partial<Record<FixtureUser, string>> = {};
const CNY = (amount: string) => ({ amount, currency: 'CNY' });
const today = localDate(new Date(), 'Asia/Shanghai');

function home(who: FixtureUser): string {
  const un = t.fixture.units;
  return ({ repA: un.t1, repB: un.t1, managerT1: un.t1, repC: un.t2, director: un.sales1, repD: un.t3 } as Record<string, string>)[who]!;
}

async function deal(
  owner: FixtureUser,
  stageKey: string,
  amount: string,
  probability: number,
  closeDate: string,
  opts: { pipelineId?: string; override?: ForecastCategory } = {},
) {
  const stage = DEFAULT_PIPELINE.stages.find((s) => s.key === stageKey)!;
  await t.database.db.insert(opportunities).values({
    id: newId(),
    number: `OPP-T-${newId().slice(-12)}`,
    name: `${owner} ${stageKey} ${amount}`,
    accountId: account[owner]!,
    ownerId: t.fixture.users[owner],
    unitId: home(owner),
    pipelineId: opts.pipelineId ?? defaultPipelineId,
    stageKey,
    amount,
    currency: 'CNY',
    amountCompany: amount,
    fxRate: '1',
    expectedCloseDate: closeDate,
    probability,
    forecastCategoryDefault: stage.forecastCategory,
    forecastCategoryOverride: opts.override ?? null,
    closedAt: stage.kind === 'open' ? null : new Date(),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  defaultPipelineId = await ensureDefaultPipeline(db);
  summaryPipelineId = newId();
  await db.insert(pipelines).values({ id: summaryPipelineId, key: 'summary', nameZh: '汇总', definition: JSON.parse(JSON.stringify(DEFAULT_PIPELINE)) });
  for (const o of ['repA', 'repB', 'repC', 'repD'] as const) {
    account[o] = newId();
    await db.insert(accounts).values({ id: account[o]!, nameZh: `客户${o}`, kind: 'enterprise', ownerId: t.fixture.users[o], unitId: home(o) });
  }

  // Forecast deals, FY2031-Q2 = 2031-04-01 … 2031-06-30 (the fiscal year is the calendar year).
  await deal('repA', 'qualification', '100000.00', 10, '2031-04-10');
  await deal('repA', 'negotiation', '200000.00', 70, '2031-05-20');
  await deal('repA', 'won', '50000.00', 100, '2031-06-30');
  await deal('repB', 'solution', '300000.00', 40, '2031-04-01', { override: 'commit' });
  await deal('repB', 'won', '10000.00', 100, '2031-05-05', { override: 'pipeline' }); // a closed stage ignores the override
  await deal('repC', 'needs_analysis', '80000.50', 20, '2031-06-15');
  await deal('repC', 'lost', '40000.00', 0, '2031-04-30');
  await deal('repD', 'negotiation', '999999.00', 70, '2031-05-01'); // another business group
  await deal('repA', 'negotiation', '123.00', 70, '2031-07-01'); // the next quarter
  await deal('repA', 'negotiation', '456.00', 70, '2031-03-31'); // the previous quarter

  // Summary deals, in their own pipeline, January 2030.
  const p = { pipelineId: summaryPipelineId };
  await deal('repA', 'qualification', '1000.00', 10, '2030-01-15', p);
  await deal('repB', 'qualification', '2000.55', 10, '2030-01-16', p);
  await deal('repC', 'qualification', '333.33', 15, '2030-01-17', p);
  await deal('repA', 'solution', '10000.00', 40, '2030-01-18', p);
  await deal('repB', 'won', '5000.00', 100, '2030-01-19', p);
  await deal('repC', 'lost', '7000.00', 0, '2030-01-20', p);
  await deal('repD', 'qualification', '1000000.00', 10, '2030-01-21', p);
  await deal('repA', 'qualification', '500.00', 10, '2030-03-01', p); // outside the January range
});
afterAll(() => t.close());

type StageLine = { stageKey: string; count: number; amount: { amount: string }; weighted: { amount: string } };
const brief = (s: StageLine) => [s.stageKey, s.count, s.amount.amount, s.weighted.amount];

describe('pipeline summary', () => {
  it('per stage: count, amount and weighted of the director’s subtree, by hand', async () => {
    const c = await t.as('director');
    const res = await c.get(`/api/v1/crm/pipeline-summary?pipelineId=${summaryPipelineId}&closeFrom=2030-01-01&closeTo=2030-01-31`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.stages.map(brief)).toEqual([
      // 1000.00 + 2000.55 + 333.33 = 3333.88; weighted 100.00 + 200.055 + 49.9995 = 350.0545 → 350.05
      ['qualification', 3, '3333.88', '350.05'],
      ['needs_analysis', 0, '0.00', '0.00'],
      // 10000.00 × 40 % = 4000.00
      ['solution', 1, '10000.00', '4000.00'],
      ['negotiation', 0, '0.00', '0.00'],
      ['won', 1, '5000.00', '5000.00'],
      ['lost', 1, '7000.00', '0.00'],
    ]);
    // Open: 3333.88 + 10000.00 = 13333.88; weighted 350.0545 + 4000 = 4350.0545 → 4350.05 (rounded once, not per stage)
    expect(body.open).toEqual({ count: 4, amount: CNY('13333.88'), weighted: CNY('4350.05') });
    // All: 13333.88 + 5000 + 7000 = 25333.88; weighted 4350.0545 + 5000 = 9350.0545 → 9350.05
    expect(body.total).toEqual({ count: 6, amount: CNY('25333.88'), weighted: CNY('9350.05') });
  });

  it('the executive sees the other group’s deal too; a unit narrows it; a rep sees their own', async () => {
    const exec = await t.as('exec');
    const all = (await exec.get(`/api/v1/crm/pipeline-summary?pipelineId=${summaryPipelineId}&closeFrom=2030-01-01&closeTo=2030-01-31`)).json();
    // 3333.88 + 1000000.00 = 1003333.88; weighted 350.0545 + 100000 = 100350.0545 → 100350.05
    expect(brief(all.stages[0])).toEqual(['qualification', 4, '1003333.88', '100350.05']);
    const t2 = (await (await t.as('director')).get(`/api/v1/crm/pipeline-summary?pipelineId=${summaryPipelineId}&unitId=${t.fixture.units.t2}&closeFrom=2030-01-01&closeTo=2030-01-31`)).json();
    // repC only: 333.33 × 15 % = 49.9995 → 50.00
    expect(t2.stages.map(brief).filter((s: unknown[]) => s[1] !== 0)).toEqual([
      ['qualification', 1, '333.33', '50.00'],
      ['lost', 1, '7000.00', '0.00'],
    ]);
    const rep = (await (await t.as('repA')).get(`/api/v1/crm/pipeline-summary?pipelineId=${summaryPipelineId}`)).json();
    // repA, no range: 1000.00 + 500.00 in qualification, 10000.00 in solution
    expect(rep.total).toEqual({ count: 3, amount: CNY('11500.00'), weighted: CNY('4150.00') });
    // No CRM role and no account team: nothing to count.
    expect((await (await t.as('engineer')).get(`/api/v1/crm/pipeline-summary?pipelineId=${summaryPipelineId}`)).json().total.count).toBe(0);
    expect((await exec.get(`/api/v1/crm/pipeline-summary?pipelineId=${newId()}`)).statusCode).toBe(404);
  });
});

type Line = {
  id: string;
  level: string;
  parentId: string | null;
  byCategory: Record<ForecastCategory, { count: number; amount: { amount: string }; weighted: { amount: string } }>;
  cumulative: Record<'closed' | 'commit' | 'bestCase' | 'openPipeline', { amount: { amount: string }; weighted: { amount: string } }>;
};
const cats = (l: Line) =>
  Object.fromEntries(
    (Object.entries(l.byCategory) as [string, Line['byCategory'][ForecastCategory]][])
      .filter(([, v]) => v.count > 0)
      .map(([k, v]) => [k, [v.count, v.amount.amount, v.weighted.amount]]),
  );

describe('forecast', () => {
  it('a business group, by level and category, by hand', async () => {
    const exec = await t.as('exec');
    const res = await exec.get(`/api/v1/crm/forecast?period=FY2031-Q2&unitId=${t.fixture.units.bg1}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { period: unknown; lines: Line[] };
    expect(body.period).toEqual({ key: 'FY2031-Q2', start: '2031-04-01', end: '2031-06-30' });
    const un = t.fixture.units;
    const u = t.fixture.users;
    expect(body.lines.map((l) => [l.level, l.id])).toEqual([
      ['business_group', un.bg1],
      ['department', un.sales1],
      ['team', un.t1],
      ['team', un.t2],
      ['rep', u.repA],
      ['rep', u.repB],
      ['rep', u.repC],
    ]);
    const line = (id: string) => body.lines.find((l) => l.id === id)!;
    // t1: pipeline 100000.00 × 10 % = 10000.00; commit 200000 (×70 % = 140000) + 300000 (best case overridden to commit, ×40 % = 120000)
    // = 500000.00 / 260000.00; closed 50000 + 10000 (won ignores its override) = 60000.00 / 60000.00
    expect(cats(line(un.t1))).toEqual({
      pipeline: [1, '100000.00', '10000.00'],
      commit: [2, '500000.00', '260000.00'],
      closed: [2, '60000.00', '60000.00'],
    });
    // t2: 80000.50 × 20 % = 16000.10; lost is omitted (0 %)
    expect(cats(line(un.t2))).toEqual({ pipeline: [1, '80000.50', '16000.10'], omitted: [1, '40000.00', '0.00'] });
    // sales1 = bg1 = t1 + t2: pipeline 180000.50 / 26000.10
    const group = { pipeline: [2, '180000.50', '26000.10'], commit: [2, '500000.00', '260000.00'], closed: [2, '60000.00', '60000.00'], omitted: [1, '40000.00', '0.00'] };
    expect(cats(line(un.sales1))).toEqual(group);
    expect(cats(line(un.bg1))).toEqual(group);
    // Cumulative: commit = closed + commit = 560000.00 / 320000.00; best case adds 0; open = 180000.50 + 0 + 500000 = 680000.50 / 286000.10
    expect(line(un.bg1).cumulative).toEqual({
      closed: { amount: CNY('60000.00'), weighted: CNY('60000.00') },
      commit: { amount: CNY('560000.00'), weighted: CNY('320000.00') },
      bestCase: { amount: CNY('560000.00'), weighted: CNY('320000.00') },
      openPipeline: { amount: CNY('680000.50'), weighted: CNY('286000.10') },
    });
    expect(cats(line(u.repA))).toEqual({ pipeline: [1, '100000.00', '10000.00'], commit: [1, '200000.00', '140000.00'], closed: [1, '50000.00', '50000.00'] });
    expect(cats(line(u.repB))).toEqual({ commit: [1, '300000.00', '120000.00'], closed: [1, '10000.00', '10000.00'] });
    expect(line(u.repB).parentId).toBe(un.t1);
  });

  it('the same figures are the caller’s visible deals: a director’s department, a rep’s own, nothing of another group', async () => {
    const director = await t.as('director');
    const own = (await director.get('/api/v1/crm/forecast?period=FY2031-Q2')).json() as { unitId: string; lines: Line[] };
    expect(own.unitId).toBe(t.fixture.units.sales1);
    expect(cats(own.lines[0]!)).toEqual({
      pipeline: [2, '180000.50', '26000.10'],
      commit: [2, '500000.00', '260000.00'],
      closed: [2, '60000.00', '60000.00'],
      omitted: [1, '40000.00', '0.00'],
    });
    const other = (await director.get(`/api/v1/crm/forecast?period=FY2031-Q2&unitId=${t.fixture.units.bg2}`)).json() as { lines: Line[] };
    expect(other.lines).toHaveLength(1);
    expect(cats(other.lines[0]!)).toEqual({});
    const rep = (await (await t.as('repA')).get('/api/v1/crm/forecast?period=FY2031-Q2')).json() as { lines: Line[] };
    expect(cats(rep.lines[0]!)).toEqual({ pipeline: [1, '100000.00', '10000.00'], commit: [1, '200000.00', '140000.00'], closed: [1, '50000.00', '50000.00'] });
    // A month and a year are periods too: FY2031 adds the March (456.00) and July (123.00) deals of repA.
    const year = (await (await t.as('repA')).get('/api/v1/crm/forecast?period=FY2031')).json() as { lines: Line[] };
    expect(cats(year.lines[0]!)['commit']).toEqual([3, '200579.00', '140405.30']); // 200000 + 123 + 456; 140000 + 86.10 + 319.20
    const bad = await director.get('/api/v1/crm/forecast?period=2031Q2');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.period');
  });

  it('submissions: a manager submits for their unit (snapshot + adjustment), idempotently; others 403; history with week-over-week change', async () => {
    const manager = await t.as('managerT1');
    const t1 = t.fixture.units.t1;
    // Last week's submission for t1, made 8 days ago: commit 400000.00, closed 60000.00.
    const lastWeek = newId();
    await t.database.db.insert(forecastSubmissions).values({
      id: lastWeek,
      periodKey: 'FY2031-Q2',
      unitId: t1,
      submittedBy: t.fixture.users.managerT1,
      submittedAt: new Date(Date.now() - 8 * 86_400_000),
      currency: 'CNY',
      figures: { commit: { amount: '400000.00', weighted: '200000.00' }, closed: { amount: '60000.00', weighted: '60000.00' } },
      adjustment: '0.00',
    });
    const before = await t.rows(sql`SELECT id FROM crm_forecast_submissions`);
    for (const [who, unit] of [
      ['repA', t1],
      ['managerT1', t.fixture.units.t2],
      ['director', t.fixture.units.t3],
    ] as const) {
      const res = await (await t.as(who)).post('/api/v1/crm/forecast/submissions', { unitId: unit, period: 'FY2031-Q2', adjustment: CNY('0.00') });
      expect(res.statusCode, `${who} for ${unit}`).toBe(403);
    }
    expect(await t.rows(sql`SELECT id FROM crm_forecast_submissions`)).toEqual(before);

    const headers = { 'idempotency-key': `forecast-${newId()}` };
    const body = { unitId: t1, period: 'FY2031-Q2', adjustment: CNY('-20000.00'), comment: '大单延期风险' };
    const res = await manager.post('/api/v1/crm/forecast/submissions', body, headers);
    expect(res.statusCode, res.body).toBe(201);
    const again = await manager.post('/api/v1/crm/forecast/submissions', body, headers);
    expect(again.json().id).toBe(res.json().id);
    expect(await t.rows(sql`SELECT id FROM crm_forecast_submissions`)).toHaveLength(before.length + 1);
    const s = res.json();
    expect(s.figures.commit).toEqual({ amount: CNY('500000.00'), weighted: CNY('260000.00') });
    expect(s.figures.pipeline).toEqual({ amount: CNY('100000.00'), weighted: CNY('10000.00') });
    // closed 60000 + commit 500000 − 20000 = 540000.00
    expect(s.adjustedCommit).toEqual(CNY('540000.00'));
    expect(s.weekOverWeek.comparedWith).toBe(lastWeek);
    const change = Object.fromEntries(s.weekOverWeek.changes.map((c: { category: string; change: { amount: string }; changePercent: string | null }) => [c.category, [c.change.amount, c.changePercent]]));
    // commit 400000 → 500000: +100000.00, +25.00 %; closed unchanged; pipeline new (nothing before: no percentage)
    expect(change).toMatchObject({ commit: ['100000.00', '25.00'], closed: ['0.00', '0.00'], pipeline: ['100000.00', null] });

    const list = await (await t.as('director')).get(`/api/v1/crm/forecast/submissions?unitId=${t1}&period=FY2031-Q2`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([s.id, lastWeek]);
    expect(list.json().items[1].weekOverWeek).toBeNull();
    expect((await (await t.as('repA')).get(`/api/v1/crm/forecast/submissions?unitId=${t1}&period=FY2031-Q2`)).statusCode).toBe(404);
    expect((await (await t.as('repD')).get(`/api/v1/crm/forecast/submissions?unitId=${t1}&period=FY2031-Q2`)).statusCode).toBe(404);
    const audit = await t.rows(sql`SELECT action FROM audit_log WHERE entity_type = 'forecast_submission' AND entity_id = ${s.id}`);
    expect(audit).toEqual([{ action: 'create' }]);
  });
});

describe('pipeline analytics', () => {
  it('conversion by stage and time in stage from the stage history, by hand', async () => {
    const admin = await t.as('admin');
    const created = await admin.post('/api/v1/crm/pipelines', { key: 'funnel', nameZh: '漏斗', definition: DEFAULT_PIPELINE });
    const pipelineId = created.json().id as string;
    const rep = await t.as('repA');
    const open = async () => {
      const r = await rep.post('/api/v1/crm/opportunities', { name: 'funnel', accountId: account.repA, amount: CNY('1.00'), expectedCloseDate: today, pipelineId });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: string; version: number };
    };
    const move = async (d: { id: string; version: number }, stageKey: string, lossReason?: string) => {
      const r = await rep.post(`/api/v1/crm/opportunities/${d.id}/stage`, { version: d.version, stageKey, ...(lossReason ? { lossReason } : {}) });
      expect(r.statusCode, r.body).toBe(200);
      d.version = r.json().version;
    };
    const d1 = await open(); // qualification → solution → won
    await move(d1, 'solution');
    await move(d1, 'won');
    const d2 = await open(); // qualification → lost
    await move(d2, 'lost', '价格');
    const d3 = await open(); // qualification → needs_analysis → back to qualification (still open)
    await move(d3, 'needs_analysis');
    await move(d3, 'qualification');

    const res = await (await t.as('director')).get(`/api/v1/crm/pipeline-analytics?pipelineId=${pipelineId}&from=${today}&to=${today}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.deals).toBe(3);
    const row = (k: string) => body.stages.find((s: { stageKey: string }) => s.stageKey === k);
    // qualification: all 3 entered; d1 went further (solution), d3 too (needs analysis); 1 won, 1 lost, 1 open → 2/3, 1/3
    expect(row('qualification')).toMatchObject({ entered: 3, advanced: 2, won: 1, lost: 1, open: 1, advanceRate: '0.6667', winRate: '0.3333' });
    // needs analysis: d3 only, went back, still open
    expect(row('needs_analysis')).toMatchObject({ entered: 1, advanced: 0, open: 1, advanceRate: '0.0000', winRate: '0.0000' });
    expect(row('solution')).toMatchObject({ entered: 1, advanced: 1, won: 1, advanceRate: '1.0000', winRate: '1.0000' });
    expect(row('negotiation')).toMatchObject({ entered: 0, advanceRate: null, winRate: null, avgDaysInStage: null });
    expect(row('won')).toMatchObject({ entered: 1, won: 1, advanceRate: null, winRate: '1.0000', avgDaysInStage: null });
    expect(row('lost')).toMatchObject({ entered: 1, lost: 1, winRate: '0.0000' });
    expect(row('qualification').avgDaysInStage).toMatch(/^\d+\.\d{2}$/);
    // Another group's director sees none of repA's deals; an inverted range is 400.
    const none = (await (await t.as('repD')).get(`/api/v1/crm/pipeline-analytics?pipelineId=${pipelineId}&from=${today}&to=${today}`)).json();
    expect(none.deals).toBe(0);
    expect((await rep.get(`/api/v1/crm/pipeline-analytics?from=2026-02-01&to=2026-01-01`)).statusCode).toBe(400);
  });
});
