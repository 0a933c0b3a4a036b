import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { newId } from '../../platform/ids.ts';
import { type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from '../crm/pipeline-service.ts';
import { addDays } from './quote.ts';

/**
 * Approvals, acceptance and the PDF over HTTP. The fixture's chain for repA is managerT1 (team) →
 * director (sales1, a department) → exec (the company: no business group head on the line), so a
 * `bg_head` step has nobody unless bg1 gets a head. The policy here: discount > 10 % → manager,
 * > 20 % → director, below-floor lines → deal desk (nobody holds that role), total > 100 000 CNY →
 * finance. Every refusal leaves the database as it was.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
let repB: TestClient;
let managerT1: TestClient;
let director: TestClient;
let finance: TestClient;
const ids: Record<string, string> = {};
const today = localDate(new Date(), 'Asia/Shanghai');

async function ok<T = Record<string, unknown>>(res: LightMyRequestResponse, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

type Version = { id: string; number: number; status: string; version: number; validUntil: string; totals: { grandTotal: { amount: string; currency: string } } };
type Detail = { id: string; number: string; version: number; status: string; versions: Version[] };
type Request = {
  id: string;
  status: string;
  version: number;
  currentLevel: string | null;
  canAct: boolean;
  canRecall: boolean;
  steps: { level: string; status: string; approvers: { userId: string }[]; delegates: { userId: string }[]; triggers: { ruleId: string; text: string }[] }[];
  decisions: { userId: string; decision: string; level: string | null; comment: string | null; versionId: string; carriedFromVersionId: string | null }[];
  changesSinceApproved: { sinceVersionNo: number | null; metrics: { metric: string; before: string; after: string; worse: boolean }[] };
};

// PDF text read back with pdftotext (poppler-utils), as in quote-pdf.test.ts.
const hasPdftotext = spawnSync('which', ['pdftotext']).status === 0;
const pdfDir = mkdtempSync(join(tmpdir(), 'quote-pdf-api-'));
afterAll(() => rmSync(pdfDir, { recursive: true, force: true }));
let pdfCount = 0;
function pdfText(pdf: Buffer): string {
  const file = join(pdfDir, `q${++pdfCount}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

const count = async (table: string, where = 'true') => (await t.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)))[0]!.n;

/** Everything a refused request must leave as it was. */
async function snapshot() {
  return {
    versions: await t.rows(sql`SELECT id, status, version FROM quote_versions ORDER BY id`),
    quotes: await t.rows(sql`SELECT id, status, version, accepted_version_id FROM quotes ORDER BY id`),
    approvals: await t.rows(sql`SELECT id, status, version, state FROM quote_approvals ORDER BY id`),
    contracts: await count('contracts'),
    deals: await t.rows(sql`SELECT id, stage_key, version FROM crm_opportunities ORDER BY id`),
    audit: await count('audit_log'),
    events: await count('outbox_events'),
  };
}

async function newDeal(name: string): Promise<string> {
  return (
    await ok<{ id: string }>(
      await repA.post('/api/v1/crm/opportunities', { name, accountId: ids.account, amount: { amount: '10000.00', currency: 'CNY' }, expectedCloseDate: today }),
      201,
    )
  ).id;
}

/** A quote of repA's: 10 ERP licences at 1 000 list, with the given manual discount. */
async function newQuote(discount: string | null, opts: { deal?: string; quantity?: number; extra?: Record<string, unknown> } = {}): Promise<Detail> {
  const line = { productId: ids.erp, quantity: opts.quantity ?? 10, ...(discount ? { manualDiscountPercent: discount } : {}) };
  return ok<Detail>(
    await repA.post('/api/v1/quotes', { opportunityId: opts.deal ?? ids.deal, priceBookId: ids.book, currency: 'CNY', lines: [line], ...opts.extra }),
    201,
  );
}

async function submit(q: Detail, as: TestClient = repA): Promise<Detail> {
  const v = q.versions.at(-1)!;
  return ok<Detail>(await as.post(`/api/v1/quotes/versions/${v.id}/submit`, { version: v.version }));
}

async function requestOf(versionId: string): Promise<Request> {
  const [row] = await t.rows<{ id: string }>(sql`SELECT id FROM quote_approvals WHERE version_id = ${versionId} ORDER BY created_at DESC LIMIT 1`);
  return ok<Request>(await admin.get(`/api/v1/quotes/approvals/${row!.id}`));
}

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  admin = await t.as('admin');
  repA = await t.as('repA');
  repB = await t.as('repB');
  managerT1 = await t.as('managerT1');
  director = await t.as('director');
  finance = await t.as('finance');
  ids.erp = (
    await ok<{ id: string }>(
      await admin.post('/api/v1/catalog/products', { sku: 'ERP-A', nameZh: 'ERP 许可', kind: 'license', unit: '套', taxPercent: '13', cost: { amount: '100.00', currency: 'CNY' } }),
      201,
    )
  ).id;
  const book = await ok<{ id: string; version: number }>(
    await admin.post('/api/v1/catalog/price-books', { code: 'CN-A', nameZh: '人民币价格表', currency: 'CNY', validFrom: '2026-01-01' }),
    201,
  );
  ids.book = book.id;
  await ok(await admin.patch(`/api/v1/catalog/price-books/${book.id}/entries`, { version: book.version, currency: 'CNY', entries: [{ productId: ids.erp, unitPrice: '1000' }] }));
  const floor = await ok<{ id: string; version: number }>(
    await admin.post('/api/v1/pricing/rules', {
      code: 'ERP-A-FLOOR',
      name: 'ERP 底价',
      definition: { scope: { product: { kind: 'product', productId: ids.erp } }, action: { type: 'floor', amounts: { CNY: '500' } }, phase: 'SYSTEM', priority: 1, combine: 'compound' },
    }),
    201,
  );
  await ok(await admin.post(`/api/v1/pricing/rules/${floor.id}/publish`, { version: floor.version }));
  const policy = await ok<{ version: number }>(await admin.get('/api/v1/quotes/approval-policy'));
  await ok(
    await admin.put('/api/v1/quotes/approval-policy', {
      version: policy.version,
      rules: [
        { id: 'disc-10', metric: 'quote_discount', op: 'gt', threshold: '10', level: 'manager' },
        { id: 'disc-20', metric: 'quote_discount', op: 'gt', threshold: '20', level: 'director' },
        { id: 'floor', metric: 'below_floor_lines', op: 'gt', threshold: '0', level: 'deal_desk' },
        { id: 'big', metric: 'total_amount', op: 'gt', threshold: '100000', currency: 'CNY', level: 'finance' },
      ],
    }),
  );
  ids.account = (await ok<{ id: string }>(await repA.post('/api/v1/crm/accounts', { nameZh: '审批测试客户有限公司', kind: 'enterprise', confirmSimilar: true }), 201)).id;
  ids.deal = await newDeal('审批测试商机');
});

afterAll(async () => {
  await t?.close();
});

describe('the approval policy', () => {
  it('is read by anyone who reads quotes and changed only by policy editors, with optimistic concurrency and field errors', async () => {
    const current = await ok<{ version: number; rules: unknown[] }>(await repA.get('/api/v1/quotes/approval-policy'));
    expect(current.rules).toHaveLength(4);
    const before = await snapshot();
    const denied = await repA.put('/api/v1/quotes/approval-policy', { version: current.version, rules: [] });
    expect(denied.statusCode).toBe(403);
    const stale = await admin.put('/api/v1/quotes/approval-policy', { version: current.version - 1, rules: [] });
    expect(stale.statusCode).toBe(409);
    const bad = await admin.put('/api/v1/quotes/approval-policy', {
      version: current.version,
      rules: [{ id: 'x', metric: 'total_amount', op: 'gt', threshold: '100', level: 'finance' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('rules.0.currency');
    expect(await snapshot()).toEqual(before);
    expect((await ok<{ version: number }>(await repA.get('/api/v1/quotes/approval-policy'))).version).toBe(current.version);
  });
});

describe('submitting and approving', () => {
  it('a draft whose discount needs approval cannot be sent; submitting routes it to the seller’s manager', async () => {
    const q = await newQuote('15');
    const v1 = q.versions[0]!;
    const before = await snapshot();
    const send = await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version });
    expect(send.statusCode).toBe(409);
    expect(send.json()).toMatchObject({ code: 'quotes.approval_required' });
    expect(await snapshot()).toEqual(before);

    const preview = await ok<{ required: boolean; steps: { level: string; approvers: { userId: string }[]; triggers: { ruleId: string; actual: string }[] }[]; metrics: { quoteDiscountPercent: string } }>(
      await repA.get(`/api/v1/quotes/versions/${v1.id}/approval-preview`),
    );
    expect(preview.required).toBe(true);
    expect(preview.metrics.quoteDiscountPercent).toBe('15');
    expect(preview.steps).toMatchObject([{ level: 'manager', approvers: [{ userId: t.fixture.users.managerT1 }], triggers: [{ ruleId: 'disc-10', actual: '15' }] }]);

    const submitted = await submit(q);
    expect(submitted.versions[0]!.status).toBe('in_approval');
    const request = await requestOf(v1.id);
    expect(request).toMatchObject({ status: 'pending', currentLevel: 'manager' });
    expect(request.decisions).toMatchObject([{ userId: t.fixture.users.repA, decision: 'submitted', versionId: v1.id }]);

    // The version is frozen while it waits.
    const edit = await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: submitted.versions[0]!.version, lines: [{ productId: ids.erp, quantity: 1 }] });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toMatchObject({ code: 'quotes.version_in_approval' });

    // The inbox: the manager sees it, the submitter's peer and the director do not.
    const inbox = (who: TestClient) => who.get('/api/v1/quotes/approvals?mine=true');
    expect((await ok<{ items: { id: string; canAct: boolean }[] }>(await inbox(managerT1))).items).toMatchObject([{ id: request.id, canAct: true }]);
    expect((await ok<{ items: unknown[] }>(await inbox(repB))).items).toEqual([]);
    expect((await ok<{ items: unknown[] }>(await inbox(director))).items).toEqual([]);

    // Someone who cannot see the quote gets 404; someone who can but is not the approver gets 403. Nothing changes.
    const frozen = await snapshot();
    const hidden = await repB.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version });
    expect(hidden.statusCode).toBe(404);
    expect((await repB.get(`/api/v1/quotes/approvals/${request.id}`)).statusCode).toBe(404);
    const notMine = await director.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version });
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json()).toMatchObject({ code: 'quotes.not_an_approver' });
    const own = await repA.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version });
    expect(own.statusCode).toBe(403);
    const stale = await managerT1.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version + 1 });
    expect(stale.statusCode).toBe(409);
    expect(await snapshot()).toEqual(frozen);

    const approved = await ok<Request>(await managerT1.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version, comment: '同意' }));
    expect(approved.status).toBe('approved');
    expect(approved.decisions.at(-1)).toMatchObject({ userId: t.fixture.users.managerT1, decision: 'approved', level: 'manager', comment: '同意', versionId: v1.id });
    const after = await ok<Detail>(await repA.get(`/api/v1/quotes/${q.id}`));
    expect(after.versions[0]!.status).toBe('approved');
    const events = await t.rows<{ type: string }>(sql`SELECT type FROM outbox_events WHERE aggregate_id = ${q.id} ORDER BY id`);
    expect(events.map((e) => e.type)).toEqual(['quote.approval_requested', 'quote.approved']);
    const audit = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_id = ${request.id} ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['create', 'approve']);

    // Approved: it can be sent now.
    const sent = await ok<Detail>(await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: after.versions[0]!.version }));
    expect(sent.versions[0]!.status).toBe('sent');
  });

  it('a higher level includes the lower ones first, in order; the director cannot jump the queue', async () => {
    const q = await newQuote('25', { deal: await newDeal('两级审批') });
    const v1 = q.versions[0]!;
    await submit(q);
    const request = await requestOf(v1.id);
    expect(request.steps.map((s) => [s.level, s.status])).toEqual([
      ['manager', 'pending'],
      ['director', 'waiting'],
    ]);
    expect(request.steps[1]!.triggers.map((tr) => tr.ruleId)).toEqual(['disc-20']);
    const early = await director.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version });
    expect(early.statusCode).toBe(403);
    const first = await ok<Request>(await managerT1.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version }));
    expect(first).toMatchObject({ status: 'pending', currentLevel: 'director' });
    expect((await ok<{ items: { id: string }[] }>(await director.get('/api/v1/quotes/approvals?mine=true'))).items.map((i) => i.id)).toEqual([request.id]);
    const done = await ok<Request>(await director.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: first.version, level: 'director' }));
    expect(done.status).toBe('approved');
    expect(done.decisions.map((d) => [d.decision, d.level])).toEqual([
      ['submitted', null],
      ['approved', 'manager'],
      ['approved', 'director'],
    ]);
  });

  it('reject needs a comment; after a rejection the next version keeps the approvals it did not make worse (smart re-approval)', async () => {
    const q = await newQuote('25', { deal: await newDeal('驳回后重提') });
    const v1 = q.versions[0]!;
    await submit(q);
    let request = await requestOf(v1.id);
    request = await ok<Request>(await managerT1.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version }));

    const before = await snapshot();
    const silent = await director.post(`/api/v1/quotes/approvals/${request.id}/reject`, { version: request.version, comment: '   ' });
    expect(silent.statusCode).toBe(400);
    expect(silent.json().errors).toMatchObject([{ path: 'comment' }]);
    expect(await snapshot()).toEqual(before);

    const rejected = await ok<Request>(await director.post(`/api/v1/quotes/approvals/${request.id}/reject`, { version: request.version, comment: '折扣过高' }));
    expect(rejected.status).toBe('rejected');
    const afterReject = await ok<Detail>(await repA.get(`/api/v1/quotes/${q.id}`));
    expect(afterReject.versions[0]!.status).toBe('rejected');

    // v2 at 22 %: better than the 25 % the manager approved, still above the director's 20 %.
    const v2 = (await ok<Detail>(await repA.post(`/api/v1/quotes/${q.id}/versions`, { version: afterReject.version }), 201)).versions[1]!;
    const edited = await ok<Detail>(
      await repA.patch(`/api/v1/quotes/versions/${v2.id}`, { version: v2.version, lines: [{ id: 'L1', productId: ids.erp, quantity: 10, manualDiscountPercent: '22' }] }),
    );
    await submit(edited);
    const second = await requestOf(v2.id);
    expect(second.steps.map((s) => [s.level, s.status])).toEqual([
      ['manager', 'approved'],
      ['director', 'pending'],
    ]);
    expect(second.decisions[1]).toMatchObject({ decision: 'carried', level: 'manager', userId: t.fixture.users.managerT1, carriedFromVersionId: v1.id, versionId: v2.id });
    // The director sees what changed since the last approved snapshot (none approved yet: the manager's view of v1 is not a full approval).
    expect(second.changesSinceApproved.sinceVersionNo).toBeNull();
  });

  it('a worse new version is approved again from the start; approvers see what changed since the last approval', async () => {
    const q = await newQuote('15', { deal: await newDeal('变差重审') });
    const v1 = q.versions[0]!;
    await submit(q);
    const r1 = await requestOf(v1.id);
    await ok(await managerT1.post(`/api/v1/quotes/approvals/${r1.id}/approve`, { version: r1.version }));
    const approved = await ok<Detail>(await repA.get(`/api/v1/quotes/${q.id}`));
    const v2 = (await ok<Detail>(await repA.post(`/api/v1/quotes/${q.id}/versions`, { version: approved.version }), 201)).versions[1]!;
    const edited = await ok<Detail>(
      await repA.patch(`/api/v1/quotes/versions/${v2.id}`, { version: v2.version, lines: [{ id: 'L1', productId: ids.erp, quantity: 10, manualDiscountPercent: '18' }] }),
    );
    await submit(edited);
    const r2 = await requestOf(v2.id);
    expect(r2.steps.map((s) => [s.level, s.status])).toEqual([['manager', 'pending']]);
    expect(r2.decisions.map((d) => d.decision)).toEqual(['submitted']);
    expect(r2.changesSinceApproved.sinceVersionNo).toBe(1);
    expect(r2.changesSinceApproved.metrics.find((m) => m.metric === 'quote_discount')).toMatchObject({ before: '15', after: '18', worse: true });
  });

  it('nothing to approve: submit approves at once; a step nobody can take refuses the submit (422) and changes nothing', async () => {
    const plain = await newQuote(null, { deal: await newDeal('无需审批') });
    const done = await submit(plain);
    expect(done.versions[0]!.status).toBe('approved');
    expect((await requestOf(plain.versions[0]!.id)).steps).toEqual([]);

    // 600 is above the floor (500) for nobody: a manual unit price of 400 is below it — allowed because the policy routes it, to a deal desk nobody holds.
    const below = await ok<Detail>(
      await repA.post('/api/v1/quotes', {
        opportunityId: await newDeal('低于底价'),
        priceBookId: ids.book,
        currency: 'CNY',
        lines: [{ productId: ids.erp, quantity: 1, manualUnitPrice: '400' }],
      }),
      201,
    );
    expect(below.versions[0]!).toMatchObject({ status: 'draft' });
    const before = await snapshot();
    const res = await repA.post(`/api/v1/quotes/versions/${below.versions[0]!.id}/submit`, { version: below.versions[0]!.version });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'quotes.no_approver' });
    expect(await snapshot()).toEqual(before);
  });

  it('role levels go to every holder of the role after the chain; the submitter recalls, others cannot', async () => {
    const q = await newQuote('15', { deal: await newDeal('大额'), quantity: 120 });
    const v1 = q.versions[0]!;
    await submit(q);
    const request = await requestOf(v1.id);
    expect(request.steps.map((s) => s.level)).toEqual(['manager', 'finance']);
    expect(request.steps[1]!.approvers.map((a) => a.userId)).toEqual([t.fixture.users.finance]);

    const before = await snapshot();
    const foreign = await managerT1.post(`/api/v1/quotes/approvals/${request.id}/recall`, { version: request.version });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'quotes.not_submitter' });
    expect(await snapshot()).toEqual(before);

    const recalled = await ok<Request>(await repA.post(`/api/v1/quotes/approvals/${request.id}/recall`, { version: request.version, comment: '改一下' }));
    expect(recalled.status).toBe('recalled');
    const back = await ok<Detail>(await repA.get(`/api/v1/quotes/${q.id}`));
    expect(back.versions[0]!.status).toBe('draft');
    // Editable again.
    await ok(await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: back.versions[0]!.version, lines: [{ id: 'L1', productId: ids.erp, quantity: 100, manualDiscountPercent: '15' }] }));
    expect((await ok<{ items: unknown[] }>(await finance.get('/api/v1/quotes/approvals?mine=true'))).items).toEqual([]);
  });

  it('a delegate acts for an away approver while the delegation covers today, and the decision records the delegate', async () => {
    const denied = await repA.post('/api/v1/quotes/approval-delegations', { fromUserId: t.fixture.users.managerT1, toUserId: t.fixture.users.repB, fromDate: today, toDate: today });
    expect(denied.statusCode).toBe(403);
    const delegation = await ok<{ id: string; version: number }>(
      await managerT1.post('/api/v1/quotes/approval-delegations', { toUserId: t.fixture.users.repB, fromDate: today, toDate: addDays(today, 3), note: '休假' }, { 'idempotency-key': newId() }),
      201,
    );
    const q = await newQuote('12', { deal: await newDeal('代理审批') });
    await submit(q);
    const request = await requestOf(q.versions[0]!.id);
    // repB now sees everything waiting for managerT1 (an earlier test left one pending too).
    const inbox = await ok<{ items: { id: string; canAct: boolean; currentLevel: string }[] }>(await repB.get('/api/v1/quotes/approvals?mine=true'));
    const pendingForManager = await t.rows<{ id: string }>(
      sql`SELECT id FROM quote_approvals WHERE status = 'pending' AND pending_for @> ARRAY[${t.fixture.users.managerT1}]::uuid[] ORDER BY created_at DESC, id DESC`,
    );
    expect(inbox.items.map((i) => i.id)).toEqual(pendingForManager.map((r) => r.id));
    expect(inbox.items.find((i) => i.id === request.id)).toMatchObject({ canAct: true, currentLevel: 'manager' });
    const done = await ok<Request>(await repB.post(`/api/v1/quotes/approvals/${request.id}/approve`, { version: request.version }));
    expect(done.status).toBe('approved');
    expect(done.decisions.at(-1)).toMatchObject({ userId: t.fixture.users.repB, decision: 'approved', level: 'manager' });
    await ok(await managerT1.delete(`/api/v1/quotes/approval-delegations/${delegation.id}?version=${delegation.version}`));
    expect((await ok<{ items: unknown[] }>(await managerT1.get('/api/v1/quotes/approval-delegations'))).items).toEqual([]);
  });
});

describe('acceptance', () => {
  it('accepting a sent version signs a contract, wins the deal and publishes the events in one transaction', async () => {
    const deal = await newDeal('接受报价');
    const q = await newQuote(null, { deal });
    const other = await newQuote(null, { deal });
    const v1 = q.versions[0]!;
    const before = await snapshot();
    const draft = await repA.post(`/api/v1/quotes/versions/${v1.id}/accept`, { version: v1.version, billing: { type: 'one_time' } });
    expect(draft.statusCode).toBe(409);
    expect(draft.json()).toMatchObject({ code: 'quotes.not_acceptable' });
    expect(await snapshot()).toEqual(before);

    const sent = (await ok<Detail>(await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version }))).versions[0]!;
    const badPlan = await repA.post(`/api/v1/quotes/versions/${v1.id}/accept`, {
      version: sent.version,
      billing: { type: 'milestone', milestones: [{ name: '首付', percent: '30' }, { name: '尾款', percent: '60' }] },
    });
    expect(badPlan.statusCode, badPlan.body).toBeGreaterThanOrEqual(400);
    expect(badPlan.statusCode).toBeLessThan(500);
    const peer = await repB.post(`/api/v1/quotes/versions/${v1.id}/accept`, { version: sent.version, billing: { type: 'one_time' } });
    expect(peer.statusCode).toBe(404);
    const midway = await snapshot();
    expect(midway.contracts).toBe(before.contracts);

    const accepted = await ok<{ quote: Detail; contract: { id: string; number: string; total: { amount: string } } }>(
      await repA.post(`/api/v1/quotes/versions/${v1.id}/accept`, { version: sent.version, billing: { type: 'one_time' }, customerReference: 'PO-001' }, { 'idempotency-key': newId() }),
    );
    expect(accepted.quote.status).toBe('accepted');
    expect(accepted.quote.versions[0]!.status).toBe('accepted');
    expect(accepted.contract.number).toMatch(/^C-\d{4}-\d{6}$/);
    expect(accepted.contract.total).toEqual(sent.totals.grandTotal);
    const opp = await ok<{ stageKey: string; amount: { amount: string }; closedAt: string | null; probability: number; forecastCategory: string }>(
      await repA.get(`/api/v1/crm/opportunities/${deal}`),
    );
    expect(opp).toMatchObject({ amount: { amount: sent.totals.grandTotal.amount }, probability: 100, forecastCategory: 'closed' });
    expect(opp.closedAt).not.toBeNull();
    const events = await t.rows<{ type: string }>(
      sql`SELECT type FROM outbox_events WHERE payload ->> 'opportunityId' = ${deal}
            AND (type IN ('contract.signed', 'quote.accepted') OR (type = 'opportunity.stage_changed' AND payload ->> 'toKind' = 'won')) ORDER BY type`,
    );
    expect(events.map((e) => e.type)).toEqual(['contract.signed', 'opportunity.stage_changed', 'quote.accepted']);
    // The deal's other quote is closed; accepting it is refused.
    const otherNow = await ok<Detail>(await repA.get(`/api/v1/quotes/${other.id}`));
    expect(otherNow.status).toBe('closed');
    const again = await repA.post(`/api/v1/quotes/versions/${v1.id}/accept`, { version: accepted.quote.versions[0]!.version, billing: { type: 'one_time' } });
    expect(again.statusCode).toBe(409);
  });

  it('an expired version cannot be accepted (422) and nothing changes', async () => {
    const q = await newQuote(null, { deal: await newDeal('过期报价'), extra: { pricingDate: '2026-02-01', validUntil: '2026-02-10' } });
    const v1 = q.versions[0]!;
    const sent = (await ok<Detail>(await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version }))).versions[0]!;
    const before = await snapshot();
    const res = await repA.post(`/api/v1/quotes/versions/${v1.id}/accept`, { version: sent.version, billing: { type: 'one_time' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'quotes.version_expired' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('quoting a deal on an account outside the rep’s scope', () => {
  it('the deal’s owner can quote it: pricing reads the account’s profile because the deal is theirs', async () => {
    const account = await ok<{ id: string }>(
      await admin.post('/api/v1/crm/accounts', { nameZh: '他人名下客户', kind: 'enterprise', ownerId: t.fixture.users.repD, confirmSimilar: true }),
      201,
    );
    expect((await repA.get(`/api/v1/crm/accounts/${account.id}`)).statusCode).toBe(404);
    const deal = await ok<{ id: string }>(
      await admin.post('/api/v1/crm/opportunities', {
        name: '代管商机',
        accountId: account.id,
        ownerId: t.fixture.users.repA,
        amount: { amount: '5000.00', currency: 'CNY' },
        expectedCloseDate: today,
      }),
      201,
    );
    const q = await newQuote(null, { deal: deal.id });
    expect(q.versions[0]!.status).toBe('draft');
  });
});

describe('price preview and the PDF', () => {
  it('the preview prices exactly as a save does, without storing anything', async () => {
    const body = { opportunityId: ids.deal, priceBookId: ids.book, currency: 'CNY', lines: [{ productId: ids.erp, quantity: 7, manualDiscountPercent: '12.5' }] };
    const quotes = await count('quotes');
    type Step = { type: string; ruleId: string | null; zh: string; en: string };
    const preview = await ok<{
      priced: { lineId: string }[];
      explanations: { steps: Step[]; lines: Record<string, number[]> };
      totals: unknown;
      approvalRequired: boolean;
      metrics: { quoteDiscountPercent: string };
    }>(await repA.post('/api/v1/quotes/price-preview', body));
    expect(await count('quotes')).toBe(quotes);
    expect(preview.approvalRequired).toBe(true);
    expect(preview.metrics.quoteDiscountPercent).toBe('12.5');
    const saved = await ok<Detail & { versions: (Version & { priced: unknown[] })[] }>(await repA.post('/api/v1/quotes', body), 201);
    expect(saved.versions[0]!.priced).toEqual(preview.priced);
    expect(saved.versions[0]!.totals).toEqual(preview.totals);
    // The preview's explanations (each distinct step once, zh and en) read as the saved version's do.
    const stored = await ok<{ locale: string; lines: { steps: { type: string; ruleId: string | null; text: string }[] }[] }>(
      await repA.get(`/api/v1/quotes/versions/${saved.versions[0]!.id}/explanation`),
    );
    const inLocale = (s: Step) => ({ type: s.type, ruleId: s.ruleId, text: stored.locale === 'en' ? s.en : s.zh });
    const previewSteps = preview.priced.map((l) => (preview.explanations.lines[l.lineId] ?? []).map((i) => inLocale(preview.explanations.steps[i]!)));
    expect(previewSteps[0]!.length).toBeGreaterThan(0);
    expect(stored.lines.map((l) => l.steps)).toEqual(previewSteps);
    expect((await repB.post('/api/v1/quotes/price-preview', body)).statusCode).toBe(422);
  });

  it('a policy amount rule in another currency compares through the rates on the pricing date; without a rate, 422 and nothing changes', async () => {
    const usd = await ok<{ id: string; version: number }>(
      await admin.post('/api/v1/catalog/price-books', { code: 'USD-A', nameZh: '美元价格表', currency: 'USD', validFrom: '2026-01-01' }),
      201,
    );
    await ok(await admin.patch(`/api/v1/catalog/price-books/${usd.id}/entries`, { version: usd.version, currency: 'USD', entries: [{ productId: ids.erp, unitPrice: '150' }] }));
    const body = (quantity: number) => ({ opportunityId: ids.deal, priceBookId: usd.id, currency: 'USD', lines: [{ productId: ids.erp, quantity }] });
    // The policy's `big` rule is 100 000 CNY; there is no USD rate yet.
    const preview = await repA.post('/api/v1/quotes/price-preview', body(1));
    expect(preview.statusCode).toBe(422);
    expect(preview.json()).toMatchObject({ code: 'quotes.no_exchange_rate' });
    expect(preview.json().detail).toMatch(/big.*CNY.*USD/s);
    const q = await ok<Detail>(await repA.post('/api/v1/quotes', body(1)), 201);
    const before = await snapshot();
    const send = await repA.post(`/api/v1/quotes/versions/${q.versions[0]!.id}/send`, { version: q.versions[0]!.version });
    expect(send.statusCode).toBe(422);
    expect(send.json()).toMatchObject({ code: 'quotes.no_exchange_rate' });
    expect(await snapshot()).toEqual(before);

    // Finance enters rates: the one in force on the pricing date (today) counts, not a future one.
    await t.rows(sql`INSERT INTO currency_rates (currency, valid_from, rate) VALUES ('USD', '2026-01-01', 7.1), ('USD', '2099-01-01', 9)`);
    // 93 lines × 150 USD = 13 950 USD × 7.1 = 99 045 CNY: not above 100 000 (at 9 it would be).
    const under = await ok<{ approvalRequired: boolean; metrics: { totalAmount: { amount: string; currency: string } } }>(await repA.post('/api/v1/quotes/price-preview', body(93)));
    expect(under.approvalRequired).toBe(false);
    expect(under.metrics.totalAmount).toEqual({ amount: '13950.00', currency: 'USD' });
    // 94 × 150 = 14 100 USD × 7.1 = 100 110 CNY: finance must approve.
    const over = await ok<{ approvalRequired: boolean }>(await repA.post('/api/v1/quotes/price-preview', body(94)));
    expect(over.approvalRequired).toBe(true);
    const big = await submit(await ok<Detail>(await repA.post('/api/v1/quotes', body(94)), 201));
    const request = await requestOf(big.versions[0]!.id);
    const trigger = (request as unknown as { steps: { level: string; triggers: { ruleId: string; actual: string; currency: string | null }[] }[] }).steps
      .flatMap((st) => st.triggers)
      .find((tr) => tr.ruleId === 'big');
    expect(trigger).toMatchObject({ actual: '100110.00', currency: 'CNY' });
    // The small quote now goes out without approval.
    expect((await repA.post(`/api/v1/quotes/versions/${q.versions[0]!.id}/send`, { version: q.versions[0]!.version })).statusCode).toBe(200);
  });

  it('a sent version’s PDF is rendered once and served again byte for byte; a draft’s is not stored', async () => {
    const q = await newQuote(null, { deal: await newDeal('PDF 报价') });
    const v1 = q.versions[0]!;
    const draft = await repA.get(`/api/v1/quotes/versions/${v1.id}/pdf?locale=zh-CN`);
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.headers['content-type']).toBe('application/pdf');
    expect(draft.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await count('quote_documents', `version_id = '${v1.id}'`)).toBe(0);

    await ok(await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version }));
    const first = await repA.get(`/api/v1/quotes/versions/${v1.id}/pdf?locale=en&download=1`);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-disposition']).toMatch(/^attachment; filename=".*-v1-en\.pdf"$/);
    const second = await managerT1.get(`/api/v1/quotes/versions/${v1.id}/pdf?locale=en`);
    expect(Buffer.compare(first.rawPayload, second.rawPayload)).toBe(0);
    expect(await count('quote_documents', `version_id = '${v1.id}'`)).toBe(1);
    expect((await repB.get(`/api/v1/quotes/versions/${v1.id}/pdf`)).statusCode).toBe(404);
  });

  it.skipIf(!hasPdftotext)('a line’s discount on the PDF is the snapshot’s, from the rounded amounts, as the screens show it', async () => {
    // 1 000 less 0.0049 %: the unit price is 999.951, the line rounds to 999.95, so the discount on
    // the amounts is 0.005 % → 0.01 (half-up), where the unit prices alone would say 0.00.
    const q = await newQuote('0.0049', { quantity: 1, deal: await newDeal('PDF 折扣') });
    const line = (q.versions[0] as unknown as { priced: { net: { amount: string }; discountPercent: string | null }[] }).priced[0]!;
    expect(line.net.amount).toBe('999.95');
    expect(line.discountPercent).toBe('0.01');
    const text = pdfText((await repA.get(`/api/v1/quotes/versions/${q.versions[0]!.id}/pdf?locale=en`)).rawPayload);
    expect(text).toContain('0.01%');
  });

  it.skipIf(!hasPdftotext)('the seller block comes from the company profile; a frozen version’s stored PDF stays as it was printed', async () => {
    const current = await ok<{ version: number }>(await admin.get('/api/v1/org/company-profile'));
    const profile = {
      addressZh: '杭州市西湖区文三路 100 号',
      addressEn: '100 Wensan Road, Hangzhou',
      phone: '0571-8600 0000',
      email: null,
      website: null,
      taxId: '91330100799655058B',
      bankName: '招商银行杭州分行',
      bankAccount: '5719 0000 0000 0001',
    };
    const saved = await ok<{ version: number }>(await admin.put('/api/v1/org/company-profile', { ...profile, version: current.version }));
    const q = await newQuote(null, { deal: await newDeal('PDF 供方信息') });
    const v1 = q.versions[0]!;

    const zh = pdfText((await repA.get(`/api/v1/quotes/versions/${v1.id}/pdf?locale=zh-CN`)).rawPayload).replace(/\s+/g, '');
    for (const line of ['地址:杭州市西湖区文三路100号', '电话:0571-86000000', '统一社会信用代码:91330100799655058B', '开户行:招商银行杭州分行', '账号:5719000000000001']) {
      expect(zh).toContain(line);
    }
    expect(zh).not.toContain('邮箱'); // no email in the profile: no label

    await ok(await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version }));
    const sent = await repA.get(`/api/v1/quotes/versions/${v1.id}/pdf?locale=en`);
    const en = pdfText(sent.rawPayload);
    expect(en).toContain('Address: 100 Wensan Road, Hangzhou'); // the English address on the English document
    expect(en).toContain('Tax ID: 91330100799655058B');

    // The company moves: new renderings print the new address, the sent version's PDF does not change.
    await ok(await admin.put('/api/v1/org/company-profile', { ...profile, addressEn: null, addressZh: '杭州市滨江区江南大道 1 号', version: saved.version }));
    const again = await repA.get(`/api/v1/quotes/versions/${v1.id}/pdf?locale=en`);
    expect(Buffer.compare(again.rawPayload, sent.rawPayload)).toBe(0);
    const draft = await newQuote(null, { deal: await newDeal('PDF 新地址') });
    const moved = pdfText((await repA.get(`/api/v1/quotes/versions/${draft.versions[0]!.id}/pdf?locale=en`)).rawPayload).replace(/\s+/g, '');
    expect(moved).toContain('Address:杭州市滨江区江南大道1号'); // no English address: the Chinese one
  });
});
