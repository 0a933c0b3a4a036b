import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { accountTeam, accounts, contacts, opportunities } from './schema.ts';

/**
 * The timeline read model end to end: a write publishes its event, the outbox dispatcher delivers
 * it to the CRM's subscribers, and GET /crm/timeline reads the entries.
 *
 *   A 甲银行 (repA, t1): contacts a1 张总, a2 李工; engineer on the account team
 *     deal "核心系统升级" (repA), and deal "外包项目" owned by repD (t3), outside managerT1's reach
 *   D 丁医院 (repD, t3)
 */

let t: TestApp;
let repA: TestClient;
const acc = { A: newId(), D: newId() };
const ct = { a1: newId(), a2: newId() };
const foreignDeal = newId();
let dealA = '';
let pipelineId = '';

const NOW = Date.now();
const ago = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  pipelineId = await ensureDefaultPipeline(db);
  const u = t.fixture.users;
  const un = t.fixture.units;
  await db.insert(accounts).values([
    { id: acc.A, nameZh: '甲银行', kind: 'enterprise', ownerId: u.repA, unitId: un.t1 },
    { id: acc.D, nameZh: '丁医院', kind: 'healthcare', ownerId: u.repD, unitId: un.t3 },
  ]);
  await db.insert(accountTeam).values([
    { accountId: acc.A, userId: u.repA, role: 'account_lead' },
    { accountId: acc.A, userId: u.engineer, role: 'solution' },
  ]);
  await db.insert(contacts).values([
    { id: ct.a1, accountId: acc.A, name: '张总', level: 'decision', ownerId: u.repA },
    { id: ct.a2, accountId: acc.A, name: '李工', level: 'execution', ownerId: u.repA },
  ]);
  await db.insert(opportunities).values({
    id: foreignDeal,
    number: 'OPP-2026-900001',
    name: '外包项目',
    accountId: acc.A,
    ownerId: u.repD,
    unitId: un.t3,
    pipelineId,
    stageKey: 'qualification',
    amount: '880000.00',
    currency: 'CNY',
    amountCompany: '880000.00',
    fxRate: '1',
    expectedCloseDate: '2027-06-30',
    probability: 10,
    forecastCategoryDefault: 'pipeline',
  });
  repA = await t.as('repA');
  const res = await repA.post('/api/v1/crm/opportunities', { name: '核心系统升级', accountId: acc.A, amount: { amount: '500000.00', currency: 'CNY' }, expectedCloseDate: '2027-03-31' });
  expect(res.statusCode, res.body).toBe(201);
  dealA = res.json().id;
  await t.app.outbox.drain();
});
afterAll(() => t.close());

interface Entry {
  id: string;
  subjectType: string;
  subjectId: string;
  occurredAt: string;
  kind: string;
  summary: Record<string, unknown>;
  link: { type: string; id: string } | null;
}

async function timeline(who: FixtureUser | TestClient, subjectType: string, subjectId: string, extra = ''): Promise<Entry[]> {
  const client = typeof who === 'string' ? await t.as(who) : who;
  const res = await client.get(`/api/v1/crm/timeline?subjectType=${subjectType}&subjectId=${subjectId}&limit=200${extra}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

const entriesOf = (activityId: string) =>
  t.rows<{ subject_type: string; subject_id: string; kind: string; summary: Record<string, unknown> }>(
    sql`SELECT subject_type, subject_id, kind, summary FROM crm_timeline_entries WHERE link_type = 'activity' AND link_id = ${activityId} ORDER BY subject_type, subject_id`,
  );

async function log(body: Record<string, unknown>) {
  const res = await repA.post('/api/v1/crm/activities', { kind: 'visit', subject: '拜访', occurredAt: ago(1), accountId: acc.A, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; occurredAt: string };
}

/** Deliver the event's deliveries again, as after a crash between effect and acknowledgement. */
async function redeliver(eventId: string) {
  await t.rows(sql`UPDATE outbox_deliveries SET status = 'pending', next_attempt_at = now() - interval '1 second' WHERE event_id = ${eventId}`);
  await t.app.outbox.drain();
}

describe('activities on the timeline', () => {
  it('a logged visit reaches the account, the deal and each contact through the dispatcher', async () => {
    const visit = await log({ subject: '拜访张总', opportunityId: dealA, contactIds: [ct.a1, ct.a2] });
    // Nothing until the dispatcher runs: the timeline is a read model fed by the outbox.
    expect(await entriesOf(visit.id)).toEqual([]);
    await t.app.outbox.drain();
    const rows = await entriesOf(visit.id);
    expect(rows.map((r) => `${r.subject_type}:${r.subject_id}`).sort()).toEqual(
      [`account:${acc.A}`, `opportunity:${dealA}`, `contact:${ct.a1}`, `contact:${ct.a2}`].sort(),
    );
    const [entry] = (await timeline(repA, 'contact', ct.a1)).filter((e) => e.link?.id === visit.id);
    expect(entry).toMatchObject({
      subjectType: 'contact',
      subjectId: ct.a1,
      kind: 'activity',
      occurredAt: visit.occurredAt,
      link: { type: 'activity', id: visit.id },
      summary: { activityKind: 'visit', subject: '拜访张总', actorName: '测试repA', actorId: t.fixture.users.repA },
    });
  });

  it('an event delivered twice leaves one entry per subject', async () => {
    const call = await log({ kind: 'call', subject: '电话', contactIds: [ct.a2] });
    await t.app.outbox.drain();
    const [event] = await t.rows<{ id: string }>(sql`SELECT id FROM outbox_events WHERE aggregate_id = ${call.id}`);
    await redeliver(event!.id);
    await redeliver(event!.id);
    const rows = await entriesOf(call.id);
    expect(rows.map((r) => r.subject_type).sort()).toEqual(['account', 'contact']);
  });

  it('an open task stays off the timeline until done; an edit rewrites its entries; a deletion removes them', async () => {
    const task = await repA.post('/api/v1/crm/activities', { kind: 'task', subject: '发送方案', dueAt: ago(-24), accountId: acc.A, contactIds: [ct.a1] });
    expect(task.statusCode, task.body).toBe(201);
    const id = task.json().id as string;
    await t.app.outbox.drain();
    expect(await entriesOf(id)).toEqual([]);

    const done = await repA.post(`/api/v1/crm/activities/${id}/complete`, { version: 1 });
    expect(done.statusCode, done.body).toBe(200);
    await t.app.outbox.drain();
    const afterDone = await entriesOf(id);
    expect(afterDone.map((r) => r.subject_type).sort()).toEqual(['account', 'contact']);
    const onAccount = (await timeline(repA, 'account', acc.A)).find((e) => e.link?.id === id)!;
    expect(onAccount.occurredAt).toBe(done.json().doneAt);

    const renamed = await repA.patch(`/api/v1/crm/activities/${id}`, { version: 2, subject: '发送方案（已发）', contactIds: [ct.a2] });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await t.app.outbox.drain();
    const afterEdit = await entriesOf(id);
    expect(afterEdit.map((r) => `${r.subject_type}:${r.subject_id}`).sort()).toEqual([`account:${acc.A}`, `contact:${ct.a2}`]);
    expect(afterEdit.every((r) => r.summary['subject'] === '发送方案（已发）')).toBe(true);

    expect((await repA.delete(`/api/v1/crm/activities/${id}?version=3`)).statusCode).toBe(200);
    await t.app.outbox.drain();
    expect(await entriesOf(id)).toEqual([]);
  });

  it('a late event after the deletion brings nothing back (entries follow the row, not the payload)', async () => {
    const a = await log({ kind: 'email', subject: '邮件', contactIds: [ct.a1] });
    await t.app.outbox.drain();
    expect((await repA.delete(`/api/v1/crm/activities/${a.id}?version=1`)).statusCode).toBe(200);
    await t.app.outbox.drain();
    const [logged] = await t.rows<{ id: string }>(sql`SELECT id FROM outbox_events WHERE aggregate_id = ${a.id} AND type = 'activity.logged'`);
    await redeliver(logged!.id);
    expect(await entriesOf(a.id)).toEqual([]);
  });
});

describe('deal events on the timeline', () => {
  it('creating and moving a deal shows on the account and the deal, newest first', async () => {
    const deal = (await repA.get(`/api/v1/crm/opportunities/${dealA}`)).json();
    const moved = await repA.post(`/api/v1/crm/opportunities/${dealA}/stage`, { version: deal.version, stageKey: 'needs_analysis' });
    expect(moved.statusCode, moved.body).toBe(200);
    await t.app.outbox.drain();
    const onDeal = (await timeline(repA, 'opportunity', dealA)).filter((e) => e.kind.startsWith('opportunity.'));
    expect(onDeal.map((e) => e.kind)).toEqual(['opportunity.stage_changed', 'opportunity.created']);
    expect(onDeal[0]).toMatchObject({
      link: { type: 'opportunity', id: dealA },
      summary: { fromStage: 'qualification', toStage: 'needs_analysis', name: '核心系统升级', amount: { amount: '500000.00', currency: 'CNY' }, actorName: '测试repA' },
    });
    const onAccount = (await timeline(repA, 'account', acc.A)).filter((e) => e.link?.id === dealA);
    expect(onAccount).toHaveLength(2);
    const all = await timeline(repA, 'account', acc.A);
    for (let i = 1; i < all.length; i++) expect(Date.parse(all[i - 1]!.occurredAt)).toBeGreaterThanOrEqual(Date.parse(all[i]!.occurredAt));
  });

  it('an entry about a deal shows only to readers of that deal', async () => {
    await withTx(t.database.db, (tx) =>
      publishEvent(tx, { actorId: t.fixture.users.repD, requestId: null }, {
        type: 'opportunity.stage_changed',
        aggregateType: 'opportunity',
        aggregateId: foreignDeal,
        payload: {
          opportunityId: foreignDeal,
          number: 'OPP-2026-900001',
          accountId: acc.A,
          pipelineId,
          fromStage: 'qualification',
          toStage: 'needs_analysis',
          toKind: 'open',
          amount: { amount: '880000.00', currency: 'CNY' },
          changedAt: ago(0.5),
        },
      }),
    );
    await t.app.outbox.drain();
    const sees = async (who: FixtureUser) => (await timeline(who, 'account', acc.A)).some((e) => e.link?.id === foreignDeal);
    expect(await sees('exec')).toBe(true);
    // managerT1 reads the account (subtree) but not a deal of t3.
    expect(await sees('managerT1')).toBe(false);
    // repA's account team shares the account's deals.
    expect(await sees('repA')).toBe(true);
  });
});

describe('events of later modules', () => {
  it('a quote.sent fans out to the account, the deal and its contacts, once however often it is delivered', async () => {
    const quoteId = newId();
    const eventId = await withTx(t.database.db, (tx) =>
      publishEvent(tx, { actorId: t.fixture.users.repA, requestId: null }, {
        type: 'quote.sent',
        aggregateType: 'quote',
        aggregateId: quoteId,
        payload: { accountId: acc.A, opportunityId: dealA, contactIds: [ct.a1], quoteId, number: 'Q-2026-000001', total: { amount: '480000.00', currency: 'CNY' } },
      }),
    );
    await t.app.outbox.drain();
    await redeliver(eventId);
    const rows = await t.rows<{ subject_type: string }>(sql`SELECT subject_type FROM crm_timeline_entries WHERE source_event_id = ${eventId}`);
    expect(rows.map((r) => r.subject_type).sort()).toEqual(['account', 'contact', 'opportunity']);
    const [entry] = (await timeline(repA, 'contact', ct.a1)).filter((e) => e.kind === 'quote.sent');
    expect(entry).toMatchObject({ link: { type: 'quote', id: quoteId }, summary: { number: 'Q-2026-000001', total: { amount: '480000.00', currency: 'CNY' }, actorName: '测试repA' } });
  });

  it('a malformed event writes nothing and its delivery stays pending with the reason, for an admin to see', async () => {
    const eventId = await withTx(t.database.db, (tx) =>
      publishEvent(tx, { actorId: null, requestId: null }, { type: 'ticket.opened', aggregateType: 'ticket', aggregateId: newId(), payload: { ticketId: newId() } }),
    );
    await t.app.outbox.drain();
    const [delivery] = await t.rows<{ status: string; last_error: string }>(
      sql`SELECT status, last_error FROM outbox_deliveries WHERE event_id = ${eventId} AND handler = 'crm.timeline.ticket.opened'`,
    );
    expect(delivery).toMatchObject({ status: 'pending', last_error: expect.stringContaining('accountId') });
    expect(await t.rows(sql`SELECT 1 FROM crm_timeline_entries WHERE source_event_id = ${eventId}`)).toEqual([]);
  });
});

describe('reading a timeline', () => {
  it.each<[FixtureUser, string, number]>([
    ['repA', 'account', 200],
    ['engineer', 'account', 200],
    ['managerT1', 'account', 200],
    ['repB', 'account', 404],
    ['repD', 'account', 404],
    ['repB', 'contact', 404],
    ['repC', 'opportunity', 404],
    ['engineer', 'contact', 200],
  ])('%s reading the %s timeline → %i', async (who, subjectType, status) => {
    const id = subjectType === 'account' ? acc.A : subjectType === 'contact' ? ct.a1 : dealA;
    const before = await t.rows(sql`SELECT count(*)::int AS n FROM crm_timeline_entries`);
    const res = await (await t.as(who)).get(`/api/v1/crm/timeline?subjectType=${subjectType}&subjectId=${id}`);
    expect(res.statusCode, res.body).toBe(status);
    if (status === 404) expect(res.json().code).toBe('platform.not_found');
    expect(await t.rows(sql`SELECT count(*)::int AS n FROM crm_timeline_entries`)).toEqual(before);
  });

  it('an unknown subject is 404 and a bad subject type is 400', async () => {
    expect((await repA.get(`/api/v1/crm/timeline?subjectType=account&subjectId=${newId()}`)).statusCode).toBe(404);
    expect((await repA.get(`/api/v1/crm/timeline?subjectType=quote&subjectId=${acc.A}`)).statusCode).toBe(400);
  });

  it('pages newest first without repeats', async () => {
    const all = await timeline(repA, 'account', acc.A);
    expect(all.length).toBeGreaterThan(3);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await repA.get(`/api/v1/crm/timeline?subjectType=account&subjectId=${acc.A}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const page = res.json() as { items: Entry[]; nextCursor: string | null };
      walked.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.map((e) => e.id));
  });
});
