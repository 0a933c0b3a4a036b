import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { newId } from '../../platform/ids.ts';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { DEFAULT_PIPELINE } from './pipeline.ts';
import { accountTeam, accounts, contacts } from './schema.ts';

let t: TestApp;
let defaultPipelineId: string;
const acc: Record<'A' | 'B' | 'C' | 'D' | 'archived', string> = { A: newId(), B: newId(), C: newId(), D: newId(), archived: newId() };
const contactOfA = newId();
const contactOfB = newId();
const today = localDate(new Date(), 'Asia/Shanghai');
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  defaultPipelineId = await ensureDefaultPipeline(db);
  const u = t.fixture.users;
  const un = t.fixture.units;
  await db.insert(accounts).values([
    { id: acc.A, nameZh: '甲银行', kind: 'enterprise', ownerId: u.repA, unitId: un.t1 },
    { id: acc.B, nameZh: '乙能源', kind: 'state_owned', ownerId: u.repB, unitId: un.t1 },
    { id: acc.C, nameZh: '丙大学', kind: 'education', ownerId: u.repC, unitId: un.t2 },
    { id: acc.D, nameZh: '丁医院', kind: 'healthcare', ownerId: u.repD, unitId: un.t3 },
    { id: acc.archived, nameZh: '戊旧客户', kind: 'other', ownerId: u.repA, unitId: un.t1, archivedAt: new Date() },
  ]);
  await db.insert(contacts).values([
    { id: contactOfA, accountId: acc.A, name: '张总', level: 'decision', ownerId: u.repA },
    { id: contactOfB, accountId: acc.B, name: '李工', level: 'execution', ownerId: u.repB },
  ]);
  // USD: an old rate, the one in force today, and a future one that must not be used.
  await t.rows(sql`INSERT INTO currency_rates (currency, valid_from, rate) VALUES
    ('USD', '2020-01-01', 6.5), ('USD', ${addDays(today, -3)}, 7.1234), ('USD', ${addDays(today, 30)}, 9), ('HKD', '2020-01-01', 0.9125)`);
});
afterAll(() => t.close());

const CNY = (amount: string) => ({ amount, currency: 'CNY' });

async function create(who: FixtureUser | TestClient, body: Record<string, unknown>, headers?: Record<string, string>) {
  const c = typeof who === 'string' ? await t.as(who) : who;
  return c.post('/api/v1/crm/opportunities', { name: '测试商机', accountId: acc.A, amount: CNY('1000.00'), expectedCloseDate: addDays(today, 30), ...body }, headers);
}

async function created(who: FixtureUser, body: Record<string, unknown> = {}) {
  const res = await create(who, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; number: string } & Record<string, unknown>;
}

async function snapshot(id: string) {
  const [row] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM crm_opportunities WHERE id = ${id}`);
  const history = await t.rows(sql`SELECT * FROM crm_stage_history WHERE opportunity_id = ${id} ORDER BY changed_at, id`);
  const events = await t.rows(sql`SELECT * FROM outbox_events WHERE aggregate_id = ${id} ORDER BY id`);
  const audit = await t.rows(sql`SELECT * FROM audit_log WHERE entity_id = ${id} ORDER BY id`);
  const roles = await t.rows(sql`SELECT * FROM crm_opportunity_contacts WHERE opportunity_id = ${id} ORDER BY contact_id`);
  return { row, history, events, audit, roles };
}

const count = async (table: string) => (await t.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n;

describe('opportunities: create', () => {
  it('a rep creates a deal: owner = the rep, unit = the rep’s home unit, number OPP-<year>-n, first stage, stage defaults; history, event and audit written', async () => {
    const res = await create('repA', { competitors: ['华为'], source: 'referral', productInterest: ['YL-DATA'], nextStep: '方案交流', contacts: [{ contactId: contactOfA, role: 'decision_maker' }] });
    expect(res.statusCode, res.body).toBe(201);
    const deal = res.json();
    expect(deal).toMatchObject({
      ownerId: t.fixture.users.repA,
      unitId: t.fixture.units.t1,
      accountId: acc.A,
      accountName: '甲银行',
      ownerName: '测试repA',
      pipelineId: defaultPipelineId,
      stageKey: 'qualification',
      probability: 10,
      forecastCategory: 'pipeline',
      forecastCategoryDefault: 'pipeline',
      forecastCategoryOverride: null,
      amount: CNY('1000.00'),
      amountCompany: CNY('1000.00'),
      fxRate: '1',
      closedAt: null,
      version: 1,
      contacts: [{ contactId: contactOfA, role: 'decision_maker' }],
    });
    expect(deal.number).toMatch(new RegExp(`^OPP-${today.slice(0, 4)}-\\d{6}$`));
    const s = await snapshot(deal.id);
    expect(s.history).toHaveLength(1);
    expect(s.history[0]).toMatchObject({ from_stage: null, to_stage: 'qualification', changed_by: t.fixture.users.repA, amount_company: '1000.00' });
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ type: 'opportunity.stage_changed', aggregate_type: 'opportunity' });
    expect((s.events[0] as { payload: Record<string, unknown> }).payload).toMatchObject({ fromStage: null, toStage: 'qualification', amountCompany: CNY('1000.00') });
    expect(s.audit).toHaveLength(1);
    expect(s.audit[0]).toMatchObject({ action: 'create', actor_id: t.fixture.users.repA, entity_type: 'opportunity' });
    expect(s.roles).toEqual([{ opportunity_id: deal.id, contact_id: contactOfA, role: 'decision_maker' }]);
    // The answer, the event and the audit row carry the deal as stored, number included.
    const read = await (await t.as('repA')).get(`/api/v1/crm/opportunities/${deal.id}`);
    expect(read.json()).toEqual(deal);
    expect(s.row).toMatchObject({ number: deal.number, amount: '1000.00', fx_rate: '1.0000000000', competitors: ['华为'], product_interest: ['YL-DATA'] });
    expect((s.events[0] as { payload: Record<string, unknown> }).payload).toMatchObject({ opportunityId: deal.id, number: deal.number });
    const changes = (s.audit[0] as { changes: Record<string, [unknown, unknown]> }).changes;
    expect(changes).toMatchObject({
      number: [null, deal.number],
      name: [null, deal.name],
      amount: [null, '1000.00'],
      fxRate: [null, '1.0000000000'],
      stageKey: [null, 'qualification'],
      competitors: [null, ['华为']],
      contacts: [null, [{ contactId: contactOfA, role: 'decision_maker' }]],
    });
    // Numbers follow each other.
    const next = await created('repA');
    expect(Number(next.number.slice(-6))).toBe(Number(deal.number.slice(-6)) + 1);
  });

  it('a foreign currency keeps the latest rate on or before the creation date: amount_company = round(amount × rate, 2), half-up', async () => {
    const usd = await created('repA', { amount: { amount: '1000.00', currency: 'USD' } });
    // 1000.00 × 7.1234 = 7123.40 (the rate of 3 days ago, not 2020's 6.5 nor next month's 9)
    expect(usd).toMatchObject({ amount: { amount: '1000.00', currency: 'USD' }, amountCompany: CNY('7123.40'), fxRate: '7.1234' });
    const hkd = await created('repA', { amount: { amount: '10.00', currency: 'HKD' } });
    // 10.00 × 0.9125 = 9.125 → 9.13 (half-up; half-even would give 9.12)
    expect(hkd).toMatchObject({ amountCompany: CNY('9.13'), fxRate: '0.9125' });
    const jpy = await create('repA', { amount: { amount: '1000', currency: 'JPY' } });
    expect(jpy.statusCode).toBe(422);
    expect(jpy.json()).toMatchObject({ code: 'crm.no_exchange_rate', errors: [{ path: 'amount.currency' }] });
  });

  it('bad money is a 400 with the path, and nothing is created', async () => {
    const before = await count('crm_opportunities');
    const cases: [unknown, string][] = [
      [CNY('12.345'), 'amount.amount'],
      [CNY('abc'), 'amount.amount'],
      [CNY('1e5'), 'amount.amount'],
      [{ amount: 12.5, currency: 'CNY' }, 'amount.amount'],
      [{ amount: '12.50', currency: 'XXX' }, 'amount.currency'],
      [CNY('-1.00'), 'amount.amount'],
      [CNY('1234567890123456.00'), 'amount.amount'],
      [{ amount: '1.5', currency: 'JPY' }, 'amount.amount'],
    ];
    for (const [amount, path] of cases) {
      const res = await create('repA', { amount });
      expect(res.statusCode, JSON.stringify(amount)).toBe(400);
      expect(res.json().code).toBe('platform.validation');
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await count('crm_opportunities')).toBe(before);
  });

  it('references: an invisible account, an archived one, a contact of another account, an unknown pipeline → refused, nothing created', async () => {
    const before = await count('crm_opportunities');
    const invisible = await create('repA', { accountId: acc.D });
    expect(invisible.statusCode).toBe(422);
    expect(invisible.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'accountId' }] });
    const archived = await create('repA', { accountId: acc.archived });
    expect(archived.statusCode).toBe(409);
    expect(archived.json().code).toBe('crm.account_archived');
    const foreign = await create('repA', { contacts: [{ contactId: contactOfB, role: 'user' }] });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'contacts.0.contactId' }] });
    const pipeline = await create('repA', { pipelineId: newId() });
    expect(pipeline.statusCode).toBe(422);
    expect(pipeline.json().errors[0].path).toBe('pipelineId');
    expect(await count('crm_opportunities')).toBe(before);
  });

  it('owner: a manager gives a deal to someone in their subtree (unit = owner’s, not the account’s); outside it, or a rep for another rep, is 403', async () => {
    const deal = await created('director', { accountId: acc.C, ownerId: t.fixture.users.repA });
    // The account is repC's (t2); the deal is repA's and so in t1.
    expect(deal).toMatchObject({ ownerId: t.fixture.users.repA, unitId: t.fixture.units.t1 });
    const before = await count('crm_opportunities');
    expect((await create('managerT1', { ownerId: t.fixture.users.repD })).statusCode).toBe(403);
    expect((await create('repA', { ownerId: t.fixture.users.repB })).statusCode).toBe(403);
    expect((await create('finance', {})).statusCode).toBe(403);
    expect((await create('engineer', {})).statusCode).toBe(403);
    expect(await count('crm_opportunities')).toBe(before);
  });

  it('creating closed-lost needs a loss reason; closed-won sets closed_at and probability 100', async () => {
    const lost = await create('repA', { stageKey: 'lost' });
    expect(lost.statusCode).toBe(422);
    expect(lost.json()).toMatchObject({ code: 'crm.loss_reason_required', errors: [{ path: 'lossReason' }] });
    const won = await created('repA', { stageKey: 'won' });
    expect(won).toMatchObject({ probability: 100, forecastCategory: 'closed' });
    expect(won['closedAt']).not.toBeNull();
    const badProbability = await create('repA', { stageKey: 'won', probability: 80 });
    expect(badProbability.statusCode).toBe(400);
    expect(badProbability.json().errors[0].path).toBe('probability');
  });

  it('is idempotent with an Idempotency-Key: the same request replays, another body is refused', async () => {
    const rep = await t.as('repA');
    const before = await count('crm_opportunities');
    const headers = { 'idempotency-key': `opp-create-${newId()}` };
    const first = await create(rep, { name: '幂等商机' }, headers);
    const again = await create(rep, { name: '幂等商机' }, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(await count('crm_opportunities')).toBe(before + 1);
    const other = await create(rep, { name: '另一个' }, headers);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('platform.idempotency_key_reused');
    expect(await count('crm_opportunities')).toBe(before + 1);
  });
});

describe('opportunities: reads and writes by role', () => {
  const deals: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
  beforeAll(async () => {
    deals.A = (await created('repA', { name: 'role-A', accountId: acc.A })).id;
    deals.B = (await created('repB', { name: 'role-B', accountId: acc.B })).id;
    deals.C = (await created('repC', { name: 'role-C', accountId: acc.C })).id;
    deals.D = (await created('repD', { name: 'role-D', accountId: acc.D })).id;
  });

  async function visible(who: FixtureUser): Promise<string[]> {
    const c = await t.as(who);
    const res = await c.get('/api/v1/crm/opportunities?q=role-&limit=200');
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { name: string }[]).map((d) => d.name).sort();
  }

  it('each role sees its scope: rep own, team manager team, director department, exec/admin/finance everything; an engineer nothing', async () => {
    expect(await visible('repA')).toEqual(['role-A']);
    expect(await visible('managerT1')).toEqual(['role-A', 'role-B']);
    expect(await visible('director')).toEqual(['role-A', 'role-B', 'role-C']);
    for (const who of ['exec', 'admin', 'finance'] as const) expect(await visible(who)).toEqual(['role-A', 'role-B', 'role-C', 'role-D']);
    // No CRM role: only what sharing gives, here nothing (404 for a deal, like a missing one).
    expect(await visible('engineer')).toEqual([]);
    const engineer = await t.as('engineer');
    expect((await engineer.get(`/api/v1/crm/opportunities/${deals.A}`)).statusCode).toBe(404);
    expect((await engineer.get('/api/v1/crm/pipelines')).statusCode).toBe(403);
  });

  it('a read outside scope is 404 like a missing id; nothing changes', async () => {
    const rep = await t.as('repD');
    const before = await snapshot(deals.A);
    const res = await rep.get(`/api/v1/crm/opportunities/${deals.A}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('platform.not_found');
    expect((await rep.get(`/api/v1/crm/opportunities/${newId()}`)).statusCode).toBe(404);
    expect((await rep.get(`/api/v1/crm/opportunities/${deals.A}/stage-history`)).statusCode).toBe(404);
    const patch = await rep.patch(`/api/v1/crm/opportunities/${deals.A}`, { version: 1, name: 'hacked' });
    expect(patch.statusCode).toBe(404);
    expect(await snapshot(deals.A)).toEqual(before);
  });

  it('a write the role does not grant on a visible deal is 403 and changes nothing (finance reads all, writes none)', async () => {
    const finance = await t.as('finance');
    expect((await finance.get(`/api/v1/crm/opportunities/${deals.A}`)).statusCode).toBe(200);
    const before = await snapshot(deals.A);
    expect((await finance.patch(`/api/v1/crm/opportunities/${deals.A}`, { version: 1, name: 'changed' })).statusCode).toBe(403);
    expect((await finance.post(`/api/v1/crm/opportunities/${deals.A}/stage`, { version: 1, stageKey: 'solution' })).statusCode).toBe(403);
    expect(await snapshot(deals.A)).toEqual(before);
  });

  it('account-team sharing: a member reads the account’s deals (list and get) but may not change them', async () => {
    await t.database.db.insert(accountTeam).values([
      { accountId: acc.A, userId: t.fixture.users.repC, role: 'solution' },
      { accountId: acc.A, userId: t.fixture.users.engineer, role: 'delivery_lead' },
    ]);
    expect(await visible('repC')).toEqual(['role-A', 'role-C']);
    // Sharing alone, without any CRM role: the engineer on the team reads the deal and the pipelines.
    expect(await visible('engineer')).toEqual(['role-A']);
    const engineer = await t.as('engineer');
    expect((await engineer.get(`/api/v1/crm/opportunities/${deals.A}`)).statusCode).toBe(200);
    expect((await engineer.get('/api/v1/crm/pipelines')).statusCode).toBe(200);
    expect((await engineer.patch(`/api/v1/crm/opportunities/${deals.A}`, { version: 1, name: 'x' })).statusCode).toBe(403);
    const repC = await t.as('repC');
    expect((await repC.get(`/api/v1/crm/opportunities/${deals.A}`)).statusCode).toBe(200);
    const before = await snapshot(deals.A);
    const res = await repC.patch(`/api/v1/crm/opportunities/${deals.A}`, { version: 1, name: 'by a team member' });
    expect(res.statusCode).toBe(403);
    expect(await snapshot(deals.A)).toEqual(before);
    await t.rows(sql`DELETE FROM crm_account_team WHERE account_id = ${acc.A}`);
  });

  it('the team manager changes a team deal; a stale version is 409 with the current version and changes nothing', async () => {
    const manager = await t.as('managerT1');
    const ok = await manager.patch(`/api/v1/crm/opportunities/${deals.B}`, { version: 1, nextStep: '高层拜访', amount: CNY('2500.50') });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, nextStep: '高层拜访', amount: CNY('2500.50'), amountCompany: CNY('2500.50') });
    const before = await snapshot(deals.B);
    const stale = await manager.patch(`/api/v1/crm/opportunities/${deals.B}`, { version: 1, nextStep: 'stale' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'platform.version_conflict', currentVersion: 2 });
    const staleStage = await manager.post(`/api/v1/crm/opportunities/${deals.B}/stage`, { version: 1, stageKey: 'solution' });
    expect(staleStage.statusCode).toBe(409);
    expect(await snapshot(deals.B)).toEqual(before);
    const audit = await t.rows<{ action: string; changes: Record<string, unknown> }>(
      sql`SELECT action, changes FROM audit_log WHERE entity_id = ${deals.B} AND action = 'update'`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.changes['nextStep']).toEqual([null, '高层拜访']);
    expect(audit[0]!.changes['amountCompany']).toEqual(['1000.00', '2500.50']);
  });

  it('moving a deal to another owner moves its unit; out of the manager’s subtree is 403', async () => {
    const director = await t.as('director');
    const cur = (await director.get(`/api/v1/crm/opportunities/${deals.C}`)).json();
    const moved = await director.patch(`/api/v1/crm/opportunities/${deals.C}`, { version: cur.version, ownerId: t.fixture.users.repA });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ ownerId: t.fixture.users.repA, unitId: t.fixture.units.t1, accountId: acc.C });
    const before = await snapshot(deals.C);
    const out = await director.patch(`/api/v1/crm/opportunities/${deals.C}`, { version: moved.json().version, ownerId: t.fixture.users.repD });
    expect(out.statusCode).toBe(403);
    expect(await snapshot(deals.C)).toEqual(before);
  });
});

describe('stages', () => {
  let pipelineId: string;
  beforeAll(async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/crm/pipelines', {
      key: 'strict_flow',
      nameZh: '严格流程',
      definition: {
        stages: [
          { key: 'a', name: { zh: '甲', en: 'A' }, probability: 10, forecastCategory: 'pipeline', kind: 'open' },
          { key: 'b', name: { zh: '乙', en: 'B' }, probability: 50, forecastCategory: 'best_case', kind: 'open' },
          { key: 'c', name: { zh: '丙', en: 'C' }, probability: 80, forecastCategory: 'commit', kind: 'open' },
          { key: 'won', name: { zh: '赢', en: 'Won' }, probability: 100, forecastCategory: 'closed', kind: 'won' },
          { key: 'lost', name: { zh: '输', en: 'Lost' }, probability: 0, forecastCategory: 'omitted', kind: 'lost' },
        ],
        transitions: { a: ['b', 'lost'], b: ['a', 'c', 'lost'], c: ['b', 'won', 'lost'] },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    pipelineId = res.json().id;
  });

  it('an allowed move writes history and the event with from/to and amounts; a move the pipeline forbids is 422 and changes nothing', async () => {
    const deal = await created('repA', { pipelineId, amount: CNY('800.00') });
    expect(deal).toMatchObject({ stageKey: 'a', probability: 10 });
    const rep = await t.as('repA');
    const before = await snapshot(deal.id);
    const skip = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'c' });
    expect(skip.statusCode).toBe(422);
    expect(skip.json()).toMatchObject({ code: 'crm.stage_transition_not_allowed', errors: [{ path: 'stageKey' }] });
    const unknown = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'nowhere' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('crm.unknown_stage');
    expect(await snapshot(deal.id)).toEqual(before);

    const moved = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'b' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ stageKey: 'b', probability: 50, forecastCategoryDefault: 'best_case', version: 2, closedAt: null });
    const after = await snapshot(deal.id);
    expect(after.history).toHaveLength(2);
    expect(after.history[1]).toMatchObject({ from_stage: 'a', to_stage: 'b', amount_company: '800.00', changed_by: t.fixture.users.repA });
    expect(after.events).toHaveLength(2);
    expect((after.events[1] as { payload: Record<string, unknown> }).payload).toMatchObject({
      fromStage: 'a',
      toStage: 'b',
      toKind: 'open',
      amount: CNY('800.00'),
      amountCompany: CNY('800.00'),
    });
    expect(after.audit.at(-1)).toMatchObject({ action: 'stage' });
    // A PATCH that does not touch the stage writes no history.
    await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 2, nextStep: 'x' });
    expect((await snapshot(deal.id)).history).toHaveLength(2);
  });

  it('closing as lost needs a reason; with one, closed_at is set; a closed deal cannot reopen (allowReopen off)', async () => {
    const deal = await created('repA', { pipelineId });
    const rep = await t.as('repA');
    const before = await snapshot(deal.id);
    const noReason = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'lost' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json()).toMatchObject({ code: 'crm.loss_reason_required', errors: [{ path: 'lossReason' }] });
    const blank = await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 1, stageKey: 'lost', lossReason: null });
    expect(blank.statusCode).toBe(422);
    expect(await snapshot(deal.id)).toEqual(before);
    const lost = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'lost', lossReason: '预算取消' });
    expect(lost.statusCode, lost.body).toBe(200);
    expect(lost.json()).toMatchObject({ stageKey: 'lost', lossReason: '预算取消', probability: 0, forecastCategory: 'omitted' });
    expect(lost.json().closedAt).not.toBeNull();
    const reopen = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 2, stageKey: 'a' });
    expect(reopen.statusCode).toBe(422);
    expect(reopen.json().code).toBe('crm.stage_transition_not_allowed');
    // Removing the loss reason of a lost deal is refused too.
    const clear = await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 2, lossReason: null });
    expect(clear.statusCode).toBe(422);
    expect(clear.json().code).toBe('crm.loss_reason_required');
  });

  it('a create that fails at its last write leaves no deal, history, event nor audit row; its reserved number stays a gap', async () => {
    const first = await created('repA', { name: '编号之前' });
    const counts = async () => ({
      deals: await count('crm_opportunities'),
      history: await count('crm_stage_history'),
      events: (await t.rows(sql`SELECT 1 FROM outbox_events WHERE aggregate_type = 'opportunity'`)).length,
      audit: (await t.rows(sql`SELECT 1 FROM audit_log WHERE entity_type = 'opportunity'`)).length,
    });
    const before = await counts();
    // Refuse the audit row of the next create (the statement's last write).
    await t.rows(sql.raw(`CREATE OR REPLACE FUNCTION test_fail_create_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.entity_type = 'opportunity' AND NEW.action = 'create' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$`));
    await t.rows(sql.raw(`CREATE TRIGGER test_fail_create_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_fail_create_audit()`));
    try {
      expect((await create('repA', { name: '失败的商机' })).statusCode).toBe(500);
    } finally {
      await t.rows(sql.raw(`DROP TRIGGER test_fail_create_audit ON audit_log`));
    }
    expect(await counts()).toEqual(before);
    // The number was reserved before the failed statement (decision 0011): the next create skips it.
    const next = await created('repA', { name: '编号之后' });
    expect(Number(next.number.slice(-6))).toBe(Number(first.number.slice(-6)) + 2);
  });

  it('a failing write leaves neither the history row nor the event (one transaction)', async () => {
    const deal = await created('repA', { pipelineId });
    const before = await snapshot(deal.id);
    // Make the audit insert, the last write of the transaction, fail for this deal only.
    await t.rows(sql.raw(`CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.entity_id = '${deal.id}' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$`));
    await t.rows(sql.raw(`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_fail_audit()`));
    try {
      const rep = await t.as('repA');
      const res = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'b' });
      expect(res.statusCode).toBe(500);
    } finally {
      await t.rows(sql.raw(`DROP TRIGGER test_fail_audit ON audit_log`));
    }
    expect(await snapshot(deal.id)).toEqual(before);
  });

  it('the forecast override is kept apart from the stage default; closed stages ignore it; wrong overrides are 422', async () => {
    const rep = await t.as('repA');
    const deal = await created('repA', { pipelineId });
    const set = await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 1, forecastCategoryOverride: 'commit' });
    expect(set.json()).toMatchObject({ forecastCategoryDefault: 'pipeline', forecastCategoryOverride: 'commit', forecastCategory: 'commit' });
    const moved = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 2, stageKey: 'b' });
    // The stage moved its default; the rep's judgement stays.
    expect(moved.json()).toMatchObject({ forecastCategoryDefault: 'best_case', forecastCategoryOverride: 'commit', forecastCategory: 'commit' });
    const cleared = await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 3, forecastCategoryOverride: null });
    expect(cleared.json()).toMatchObject({ forecastCategoryDefault: 'best_case', forecastCategoryOverride: null, forecastCategory: 'best_case' });
    const closedOnOpen = await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 4, forecastCategoryOverride: 'closed' });
    expect(closedOnOpen.statusCode).toBe(422);
    expect(closedOnOpen.json()).toMatchObject({ code: 'crm.forecast_override_not_allowed', errors: [{ path: 'forecastCategoryOverride' }] });
    await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 4, forecastCategoryOverride: 'pipeline' });
    await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 5, stageKey: 'c' });
    const won = await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 6, stageKey: 'won' });
    expect(won.json()).toMatchObject({ forecastCategoryDefault: 'closed', forecastCategoryOverride: 'pipeline', forecastCategory: 'closed', probability: 100 });
    const onClosed = await rep.patch(`/api/v1/crm/opportunities/${deal.id}`, { version: 7, forecastCategoryOverride: 'commit' });
    expect(onClosed.statusCode).toBe(422);
    expect(onClosed.json().code).toBe('crm.forecast_override_not_allowed');
  });

  it('stage history route: the entries and the time spent in each stage', async () => {
    const rep = await t.as('repA');
    const deal = await created('repA', { pipelineId });
    await rep.post(`/api/v1/crm/opportunities/${deal.id}/stage`, { version: 1, stageKey: 'b' });
    const res = await rep.get(`/api/v1/crm/opportunities/${deal.id}/stage-history`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { toStage: string }) => i.toStage)).toEqual(['a', 'b']);
    const [first, second] = body.items as { changedAt: string }[];
    expect(body.timeInStageMs['a']).toBe(Date.parse(second!.changedAt) - Date.parse(first!.changedAt));
    expect(body.timeInStageMs['b']).toBeGreaterThanOrEqual(0);
  });
});

describe('pipelines', () => {
  it('admins create and change pipelines; everyone with CRM read reads them; others are 403 and nothing changes', async () => {
    const rep = await t.as('repA');
    const list = await rep.get('/api/v1/crm/pipelines');
    expect(list.statusCode).toBe(200);
    expect(list.json().items[0]).toMatchObject({ id: defaultPipelineId, isDefault: true, definition: { stages: DEFAULT_PIPELINE.stages } });
    const before = await count('crm_pipelines');
    const denied = await rep.post('/api/v1/crm/pipelines', { key: 'mine', nameZh: '我的', definition: DEFAULT_PIPELINE });
    expect(denied.statusCode).toBe(403);
    const manager = await t.as('director');
    const patch = await manager.patch(`/api/v1/crm/pipelines/${defaultPipelineId}`, { version: 1, nameZh: 'x' });
    expect(patch.statusCode).toBe(403);
    expect(await count('crm_pipelines')).toBe(before);
  });

  it('an invalid definition is 422 with every problem’s path', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/crm/pipelines', {
      key: 'broken',
      nameZh: '坏流程',
      definition: {
        stages: [
          { key: 'Bad Key', name: { zh: '甲', en: 'A' }, probability: 10, forecastCategory: 'pipeline', kind: 'open' },
          { key: 'won', name: { zh: '赢', en: 'Won' }, probability: 90, forecastCategory: 'closed', kind: 'won' },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('crm.invalid_pipeline');
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['definition.stages.0.key', 'definition.stages.1.probability', 'definition.stages']));
    expect(await t.rows(sql`SELECT 1 FROM crm_pipelines WHERE key = 'broken'`)).toHaveLength(0);
  });

  it('a stage that holds deals cannot be removed (409); making another pipeline the default clears the old flag', async () => {
    const admin = await t.as('admin');
    const created = await admin.post('/api/v1/crm/pipelines', { key: 'second', nameZh: '第二流程', definition: DEFAULT_PIPELINE });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    await (await t.as('repA')).post('/api/v1/crm/opportunities', { name: 'in second', accountId: acc.A, amount: CNY('1.00'), expectedCloseDate: today, pipelineId: id, stageKey: 'solution' });
    const stages = DEFAULT_PIPELINE.stages.filter((s) => s.key !== 'solution');
    const removing = await admin.patch(`/api/v1/crm/pipelines/${id}`, { version: 1, definition: { ...DEFAULT_PIPELINE, stages } });
    expect(removing.statusCode).toBe(409);
    expect(removing.json().code).toBe('crm.stage_in_use');
    const ok = await admin.patch(`/api/v1/crm/pipelines/${id}`, {
      version: 1,
      definition: { ...DEFAULT_PIPELINE, stages: [...DEFAULT_PIPELINE.stages.filter((s) => s.key !== 'needs_analysis')] },
      isDefault: true,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ isDefault: true, version: 2 });
    const old = (await admin.get(`/api/v1/crm/pipelines/${defaultPipelineId}`)).json();
    expect(old).toMatchObject({ isDefault: false, version: 2 });
    const off = await admin.patch(`/api/v1/crm/pipelines/${id}`, { version: 2, active: false });
    expect(off.statusCode).toBe(422);
    // Put the original default back for the other tests.
    const back = await admin.patch(`/api/v1/crm/pipelines/${defaultPipelineId}`, { version: 2, isDefault: true });
    expect(back.statusCode).toBe(200);
  });
});
