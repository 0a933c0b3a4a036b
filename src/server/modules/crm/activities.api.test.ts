import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.ts';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { accountTeam, accounts, contacts, coverage } from './schema.ts';

/**
 * Activities and tasks, their access rules per role, and the last touch they keep on coverage.
 *
 *   A 甲银行 (repA, t1): contacts a1 张总, a2 李工; engineer on its account team
 *     coverage a1 ← repA, a1 ← managerT1, a2 ← repA
 *   B 乙能源 (repB, t1): contact b1
 *   D 丁医院 (repD, t3)
 *   archived 戊旧客户 (repA)
 */

let t: TestApp;
let repA: TestClient;
const acc = { A: newId(), B: newId(), D: newId(), archived: newId() };
const ct = { a1: newId(), a2: newId(), b1: newId() };
const link = { a1RepA: newId(), a1Manager: newId(), a2RepA: newId() };
let dealA = '';
let dealB = '';

const NOW = Date.now();
const HOUR = 3_600_000;
const ago = (h: number) => new Date(NOW - h * HOUR).toISOString();
const ahead = (h: number) => new Date(NOW + h * HOUR).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  await ensureDefaultPipeline(db);
  const u = t.fixture.users;
  const un = t.fixture.units;
  await db.insert(accounts).values([
    { id: acc.A, nameZh: '甲银行', kind: 'enterprise', ownerId: u.repA, unitId: un.t1 },
    { id: acc.B, nameZh: '乙能源', kind: 'state_owned', ownerId: u.repB, unitId: un.t1 },
    { id: acc.D, nameZh: '丁医院', kind: 'healthcare', ownerId: u.repD, unitId: un.t3 },
    { id: acc.archived, nameZh: '戊旧客户', kind: 'other', ownerId: u.repA, unitId: un.t1, archivedAt: new Date() },
  ]);
  await db.insert(accountTeam).values([
    { accountId: acc.A, userId: u.repA, role: 'account_lead' },
    { accountId: acc.A, userId: u.engineer, role: 'solution' },
    { accountId: acc.B, userId: u.repB, role: 'account_lead' },
  ]);
  await db.insert(contacts).values([
    { id: ct.a1, accountId: acc.A, name: '张总', level: 'decision', ownerId: u.repA },
    { id: ct.a2, accountId: acc.A, name: '李工', level: 'execution', ownerId: u.repA },
    { id: ct.b1, accountId: acc.B, name: '王处', level: 'management', ownerId: u.repB },
  ]);
  await db.insert(coverage).values([
    { id: link.a1RepA, accountId: acc.A, contactId: ct.a1, userId: u.repA, relationshipRole: 'primary', strength: 3 },
    { id: link.a1Manager, accountId: acc.A, contactId: ct.a1, userId: u.managerT1, relationshipRole: 'executive_sponsor', strength: 4 },
    { id: link.a2RepA, accountId: acc.A, contactId: ct.a2, userId: u.repA, relationshipRole: 'primary', strength: 2 },
  ]);
  repA = await t.as('repA');
  const deal = async (client: TestClient, accountId: string) => {
    const res = await client.post('/api/v1/crm/opportunities', { name: '核心系统升级', accountId, amount: { amount: '500000.00', currency: 'CNY' }, expectedCloseDate: '2027-03-31' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  dealA = await deal(repA, acc.A);
  dealB = await deal(await t.as('repB'), acc.B);
});
afterAll(() => t.close());

const count = async (table: string) => (await t.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n;
const touchOf = async (id: string) => {
  const [row] = await t.rows<{ last_touch_at: Date | string | null; version: number }>(sql`SELECT last_touch_at, version FROM crm_coverage WHERE id = ${id}`);
  return row!.last_touch_at === null ? null : new Date(row!.last_touch_at).toISOString();
};
async function activityRow(id: string) {
  const [row] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM crm_activities WHERE id = ${id}`);
  const linked = await t.rows(sql`SELECT contact_id FROM crm_activity_contacts WHERE activity_id = ${id} ORDER BY contact_id`);
  return { row, linked };
}

async function log(who: FixtureUser | TestClient, body: Record<string, unknown>) {
  const client = typeof who === 'string' ? await t.as(who) : who;
  const res = await client.post('/api/v1/crm/activities', { kind: 'call', subject: '电话沟通', occurredAt: ago(1), accountId: acc.A, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number } & Record<string, unknown>;
}

describe('logging an activity', () => {
  it('a rep logs a customer visit with contacts and a deal: shaped, audited, published, and it touches their coverage links', async () => {
    const occurredAt = ago(48);
    const res = await repA.post('/api/v1/crm/activities', {
      kind: 'visit',
      subject: '拜访张总，汇报方案',
      body: '对方关心上线时间',
      occurredAt,
      accountId: acc.A,
      opportunityId: dealA,
      contactIds: [ct.a2, ct.a1],
    });
    expect(res.statusCode, res.body).toBe(201);
    const visit = res.json();
    expect(visit).toMatchObject({
      kind: 'visit',
      subject: '拜访张总，汇报方案',
      body: '对方关心上线时间',
      occurredAt: new Date(occurredAt).toISOString(),
      dueAt: null,
      remindAt: null,
      doneAt: null,
      accountId: acc.A,
      accountName: '甲银行',
      opportunityId: dealA,
      opportunityName: '核心系统升级',
      ownerId: t.fixture.users.repA,
      ownerName: '测试repA',
      version: 1,
    });
    // Contacts by name in code-point order (张 U+5F20 before 李 U+674E), whatever the database's collation.
    expect(visit.contacts).toEqual([
      { id: ct.a1, name: '张总' },
      { id: ct.a2, name: '李工' },
    ]);
    expect((await activityRow(visit.id)).row).toMatchObject({ unit_id: t.fixture.units.t1 });
    const [audit] = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_type = 'activity' AND entity_id = ${visit.id}`);
    expect(audit!.action).toBe('create');
    const [event] = await t.rows<{ type: string; payload: { contactIds: string[]; accountId: string } }>(sql`SELECT type, payload FROM outbox_events WHERE aggregate_id = ${visit.id}`);
    expect(event!.type).toBe('activity.logged');
    expect(event!.payload.accountId).toBe(acc.A);
    expect([...event!.payload.contactIds].sort()).toEqual([ct.a1, ct.a2].sort());
    // repA took part: both of repA's links are touched; managerT1 was not there.
    expect(await touchOf(link.a1RepA)).toBe(new Date(occurredAt).toISOString());
    expect(await touchOf(link.a2RepA)).toBe(new Date(occurredAt).toISOString());
    expect(await touchOf(link.a1Manager)).toBeNull();
  });

  it('is idempotent with an Idempotency-Key', async () => {
    const before = await count('crm_activities');
    const body = { kind: 'note', subject: '内部备注', occurredAt: ago(2), accountId: acc.A };
    const first = await repA.post('/api/v1/crm/activities', body, { 'idempotency-key': 'log-activity-0001' });
    const again = await repA.post('/api/v1/crm/activities', body, { 'idempotency-key': 'log-activity-0001' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await count('crm_activities')).toBe(before + 1);
  });

  it.each([
    ['a task without a due time', { kind: 'task', occurredAt: undefined }, 400, 'dueAt', 'v:required'],
    ['a reminder after the due time', { kind: 'task', occurredAt: undefined, dueAt: ahead(24), remindAt: ahead(25) }, 400, 'remindAt', 'v:remind_after_due'],
    ['a call without its time', { occurredAt: undefined }, 400, 'occurredAt', 'v:required'],
    ['a call in the future', { occurredAt: ahead(2) }, 400, 'occurredAt', 'v:occurred_in_future'],
    ['a due time on a meeting', { kind: 'meeting', dueAt: ahead(2) }, 400, 'dueAt', 'v:task_only'],
    ['a contact of another account', { contactIds: [ct.a1, ct.b1] }, 422, 'contactIds.1', 'v:same_account_contact'],
    ['a deal of another account the caller cannot see', { opportunityId: 'DEAL_B' }, 422, 'opportunityId', 'v:uuid'],
    ['an account the caller cannot see', { accountId: acc.D }, 422, 'accountId', 'v:uuid'],
    ['an unknown kind', { kind: 'lunch' }, 400, 'kind', undefined],
  ])('%s is refused with its field path, and nothing is stored', async (_name, patch, status, path, message) => {
    const body: Record<string, unknown> = { ...patch };
    if (body['opportunityId'] === 'DEAL_B') body['opportunityId'] = dealB;
    const before = { activities: await count('crm_activities'), links: await count('crm_activity_contacts'), events: await count('outbox_events') };
    const res = await repA.post('/api/v1/crm/activities', { kind: 'call', subject: '电话', occurredAt: ago(1), accountId: acc.A, ...body });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const err = res.json().errors.find((e: { path: string }) => e.path === path);
    expect(err, res.body).toBeDefined();
    if (message) expect(err.message).not.toBe('');
    expect({ activities: await count('crm_activities'), links: await count('crm_activity_contacts'), events: await count('outbox_events') }).toEqual(before);
  });

  it('a deal of the same account is required: another account’s deal the caller can see is refused', async () => {
    const director = await t.as('director');
    const res = await director.post('/api/v1/crm/activities', { kind: 'call', subject: '电话', occurredAt: ago(1), accountId: acc.A, opportunityId: dealB });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'opportunityId', message: expect.any(String) }]);
  });

  it('an archived account takes no new activities (409), and nothing is stored', async () => {
    const before = await count('crm_activities');
    const res = await repA.post('/api/v1/crm/activities', { kind: 'call', subject: '电话', occurredAt: ago(1), accountId: acc.archived });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe('crm.account_archived');
    expect(await count('crm_activities')).toBe(before);
  });

  it('an account-team member without a sales role logs their own visit; on an account they cannot read it is an invalid reference', async () => {
    const engineer = await t.as('engineer');
    const visit = await log(engineer, { kind: 'visit', subject: '现场调研', contactIds: [ct.a2] });
    expect(visit.ownerId).toBe(t.fixture.users.engineer);
    const res = await engineer.post('/api/v1/crm/activities', { kind: 'visit', subject: '现场调研', occurredAt: ago(1), accountId: acc.D });
    expect(res.statusCode).toBe(422);
  });

  it('a rep cannot log for a colleague (403); their manager can log for them', async () => {
    const before = await count('crm_activities');
    const res = await repA.post('/api/v1/crm/activities', { kind: 'call', subject: '代记', occurredAt: ago(1), accountId: acc.A, ownerId: t.fixture.users.repB });
    expect(res.statusCode, res.body).toBe(403);
    expect(await count('crm_activities')).toBe(before);
    const forRep = await log('managerT1', { subject: '替 repA 补记', ownerId: t.fixture.users.repA });
    expect(forRep).toMatchObject({ ownerId: t.fixture.users.repA, ownerName: '测试repA' });
  });

  it('finance reads every account but logs nothing (403), and nothing is stored', async () => {
    const before = await count('crm_activities');
    const res = await (await t.as('finance')).post('/api/v1/crm/activities', { kind: 'call', subject: '催款', occurredAt: ago(1), accountId: acc.A });
    expect(res.statusCode).toBe(403);
    expect(await count('crm_activities')).toBe(before);
  });
});

describe('reading activities', () => {
  let id = '';
  beforeAll(async () => {
    id = (await log(repA, { kind: 'meeting', subject: '需求评审会', occurredAt: ago(5), contactIds: [ct.a1] })).id;
  });

  it.each<[FixtureUser, number]>([
    ['repA', 200],
    ['managerT1', 200],
    ['director', 200],
    ['exec', 200],
    ['finance', 200],
    // Shared through the account team.
    ['engineer', 200],
    // Same team, but the account is repA's alone.
    ['repB', 404],
    ['repC', 404],
    ['repD', 404],
  ])('%s → %i, and the list agrees', async (who, status) => {
    const client = await t.as(who);
    const res = await client.get(`/api/v1/crm/activities/${id}`);
    expect(res.statusCode, res.body).toBe(status);
    const list = await client.get(`/api/v1/crm/activities?limit=200`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.some((a: { id: string }) => a.id === id)).toBe(status === 200);
  });

  it('filters by account, deal, contact, kind and owner; pages through in a stable order without repeats', async () => {
    const byContact = (await repA.get(`/api/v1/crm/activities?contactId=${ct.a1}`)).json().items as { id: string; contacts: { id: string }[] }[];
    expect(byContact.length).toBeGreaterThan(0);
    expect(byContact.every((a) => a.contacts.some((c) => c.id === ct.a1))).toBe(true);
    const byDeal = (await repA.get(`/api/v1/crm/activities?opportunityId=${dealA}`)).json().items as { opportunityId: string }[];
    expect(byDeal.length).toBeGreaterThan(0);
    expect(byDeal.every((a) => a.opportunityId === dealA)).toBe(true);
    const meetings = (await repA.get(`/api/v1/crm/activities?kind=meeting&accountId=${acc.A}`)).json().items as { id: string; kind: string }[];
    expect(meetings.map((a) => a.id)).toContain(id);
    expect(meetings.every((a) => a.kind === 'meeting')).toBe(true);
    const engineers = (await repA.get(`/api/v1/crm/activities?ownerId=${t.fixture.users.engineer}`)).json().items as { ownerId: string }[];
    expect(engineers.length).toBeGreaterThan(0);
    expect(engineers.every((a) => a.ownerId === t.fixture.users.engineer)).toBe(true);

    const all = (await repA.get(`/api/v1/crm/activities?accountId=${acc.A}&limit=200`)).json().items as { id: string; occurredAt: string | null; dueAt: string | null }[];
    const at = (a: { occurredAt: string | null; dueAt: string | null }) => Date.parse((a.occurredAt ?? a.dueAt)!);
    for (let i = 1; i < all.length; i++) expect(at(all[i - 1]!)).toBeGreaterThanOrEqual(at(all[i]!));
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await repA.get(`/api/v1/crm/activities?accountId=${acc.A}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      walked.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.map((a) => a.id));
    expect((await repA.get(`/api/v1/crm/activities?cursor=bogus`)).statusCode).toBe(400);
  });
});

describe('changing an activity', () => {
  it('the owner edits it; a stale version is 409 with the current one', async () => {
    const a = await log(repA, { subject: '初次电话', contactIds: [ct.a2] });
    const res = await repA.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, subject: '初次电话（补充）', body: '约下周拜访' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ subject: '初次电话（补充）', body: '约下周拜访', version: 2 });
    const stale = await repA.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, subject: '旧版本' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().currentVersion).toBe(2);
    expect((await activityRow(a.id)).row).toMatchObject({ subject: '初次电话（补充）', version: 2 });
  });

  it.each<[FixtureUser, number]>([
    // Reads the account through its team, but the activity is repA's.
    ['engineer', 403],
    ['finance', 403],
    ['repB', 404],
    ['repD', 404],
  ])('%s cannot change, complete or delete repA’s activity (%i), and nothing changes', async (who, status) => {
    const a = await log(repA, { kind: 'task', occurredAt: undefined, subject: '准备报价', dueAt: ahead(48), contactIds: [ct.a1] });
    const before = await activityRow(a.id);
    const events = await count('outbox_events');
    const client = await t.as(who);
    expect((await client.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, subject: '改掉', contactIds: [] })).statusCode).toBe(status);
    expect((await client.post(`/api/v1/crm/activities/${a.id}/complete`, { version: 1 })).statusCode).toBe(status);
    expect((await client.post(`/api/v1/crm/activities/${a.id}/reopen`, { version: 1 })).statusCode).toBe(status);
    expect((await client.delete(`/api/v1/crm/activities/${a.id}?version=1`)).statusCode).toBe(status);
    expect(await activityRow(a.id)).toEqual(before);
    expect(await count('outbox_events')).toBe(events);
  });

  it('a manager changes their rep’s activity; handing it to another person needs write scope there too', async () => {
    const a = await log(repA, { subject: '电话回访' });
    const manager = await t.as('managerT1');
    const res = await manager.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, subject: '电话回访（经理补充）' });
    expect(res.statusCode, res.body).toBe(200);
    const toRepD = await manager.patch(`/api/v1/crm/activities/${a.id}`, { version: 2, ownerId: t.fixture.users.repD });
    expect(toRepD.statusCode).toBe(403);
    expect((await activityRow(a.id)).row).toMatchObject({ owner_id: t.fixture.users.repA, version: 2 });
  });

  it('moving it to another account needs that account’s deal and contacts; after the move it follows the new account', async () => {
    const a = await log(repA, { subject: '误记的电话', opportunityId: dealA, contactIds: [ct.a1] });
    const director = await t.as('director');
    const before = await activityRow(a.id);
    const keepsDeal = await director.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, accountId: acc.B });
    expect(keepsDeal.statusCode).toBe(422);
    expect(keepsDeal.json().errors[0].path).toBe('opportunityId');
    const keepsContacts = await director.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, accountId: acc.B, opportunityId: null });
    expect(keepsContacts.statusCode).toBe(422);
    expect(keepsContacts.json().errors[0].path).toBe('contactIds');
    expect(await activityRow(a.id)).toEqual(before);

    const res = await director.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, accountId: acc.B, opportunityId: dealB, contactIds: [ct.b1] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accountId: acc.B, accountName: '乙能源', opportunityId: dealB, contacts: [{ id: ct.b1, name: '王处' }] });
    // repA reads A, not B: the activity went with its account.
    expect((await repA.get(`/api/v1/crm/activities/${a.id}`)).statusCode).toBe(404);
    // Moving it off the contact gave repA's link back its previous touch.
    expect(Date.parse((await touchOf(link.a1RepA))!)).toBeLessThan(Date.parse(a.occurredAt as string));
  });

  it('turning a logged call into a task needs a due time (400) and changes nothing', async () => {
    const a = await log(repA, { subject: '电话' });
    const before = await activityRow(a.id);
    const res = await repA.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, kind: 'task' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['dueAt', 'occurredAt']);
    expect(await activityRow(a.id)).toEqual(before);
  });
});

describe('tasks and reminders', () => {
  it('an open task whose reminder has come, or that is overdue, is in its owner’s reminders until done', async () => {
    const remindNow = await log(repA, { kind: 'task', occurredAt: undefined, subject: '发送报价单', dueAt: ahead(24), remindAt: ago(1) });
    const overdue = await log(repA, { kind: 'task', occurredAt: undefined, subject: '确认合同条款', dueAt: ago(2) });
    const later = await log(repA, { kind: 'task', occurredAt: undefined, subject: '季度回访', dueAt: ahead(24 * 30), remindAt: ahead(24 * 29) });
    const reminders = (await repA.get('/api/v1/crm/tasks/reminders')).json() as { items: { id: string }[]; total: number };
    const ids = reminders.items.map((a) => a.id);
    // Soonest due first: the overdue one, then the one due tomorrow.
    expect(ids.indexOf(overdue.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(overdue.id)).toBeLessThan(ids.indexOf(remindNow.id));
    expect(ids).not.toContain(later.id);
    expect(reminders.total).toBe(ids.length);
    // Someone else's reminders never show repA's tasks.
    expect(((await (await t.as('managerT1')).get('/api/v1/crm/tasks/reminders')).json().items as { id: string }[]).map((a) => a.id)).not.toContain(overdue.id);

    const open = (await repA.get('/api/v1/crm/activities?openTasks=true&limit=200')).json().items as { id: string; dueAt: string; kind: string; doneAt: null }[];
    expect(open.every((a) => a.kind === 'task' && a.doneAt === null)).toBe(true);
    for (let i = 1; i < open.length; i++) expect(Date.parse(open[i - 1]!.dueAt)).toBeLessThanOrEqual(Date.parse(open[i]!.dueAt));

    const done = await repA.post(`/api/v1/crm/activities/${overdue.id}/complete`, { version: 1 });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ version: 2, doneAt: expect.any(String) });
    expect(((await repA.get('/api/v1/crm/tasks/reminders')).json().items as { id: string }[]).map((a) => a.id)).not.toContain(overdue.id);
    const [event] = await t.rows<{ type: string }>(sql`SELECT type FROM outbox_events WHERE aggregate_id = ${overdue.id} ORDER BY id DESC LIMIT 1`);
    expect(event!.type).toBe('activity.completed');

    const again = await repA.post(`/api/v1/crm/activities/${overdue.id}/complete`, { version: 2 });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('crm.task_already_done');

    // Reopened (completed by mistake): open and due again, back among the reminders, audited, on the timeline's feed.
    const stale = await repA.post(`/api/v1/crm/activities/${overdue.id}/reopen`, { version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('platform.version_conflict');
    const reopened = await repA.post(`/api/v1/crm/activities/${overdue.id}/reopen`, { version: 2 });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect(reopened.json()).toMatchObject({ version: 3, doneAt: null });
    expect(((await repA.get('/api/v1/crm/tasks/reminders')).json().items as { id: string }[]).map((a) => a.id)).toContain(overdue.id);
    const [reopenEvent] = await t.rows<{ type: string }>(sql`SELECT type FROM outbox_events WHERE aggregate_id = ${overdue.id} ORDER BY id DESC LIMIT 1`);
    expect(reopenEvent!.type).toBe('activity.reopened');
    const [audit] = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_id = ${overdue.id} ORDER BY id DESC LIMIT 1`);
    expect(audit!.action).toBe('reopen');
    // An open task cannot be reopened, and nothing changes.
    const before = await activityRow(overdue.id);
    const twice = await repA.post(`/api/v1/crm/activities/${overdue.id}/reopen`, { version: 3 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('crm.task_not_done');
    expect(await activityRow(overdue.id)).toEqual(before);
  });

  it('only a task can be completed (422), and nothing changes', async () => {
    const call = await log(repA, { subject: '电话' });
    const before = await activityRow(call.id);
    const res = await repA.post(`/api/v1/crm/activities/${call.id}/complete`, { version: 1 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('crm.activity_not_task');
    const reopen = await repA.post(`/api/v1/crm/activities/${call.id}/reopen`, { version: 1 });
    expect(reopen.statusCode).toBe(422);
    expect(reopen.json().code).toBe('crm.activity_not_task');
    expect(await activityRow(call.id)).toEqual(before);
  });
});

describe('last touch follows the activities', () => {
  it('a later call moves it, deleting that call moves it back, a note or a task never moves it', async () => {
    const first = await log(repA, { kind: 'visit', occurredAt: ago(24 * 10), contactIds: [ct.a2] });
    void first;
    const baseline = await touchOf(link.a2RepA);
    const later = await log(repA, { occurredAt: ago(0.5), contactIds: [ct.a2] });
    expect(await touchOf(link.a2RepA)).toBe(new Date(later.occurredAt as string).toISOString());
    await log(repA, { kind: 'note', occurredAt: ago(0.1), contactIds: [ct.a2] });
    await log(repA, { kind: 'task', occurredAt: undefined, dueAt: ahead(1), contactIds: [ct.a2] });
    expect(await touchOf(link.a2RepA)).toBe(new Date(later.occurredAt as string).toISOString());

    // A delete with a stale version is 409 and changes nothing.
    expect((await repA.delete(`/api/v1/crm/activities/${later.id}?version=7`)).statusCode).toBe(409);
    const del = await repA.delete(`/api/v1/crm/activities/${later.id}?version=1`);
    expect(del.statusCode, del.body).toBe(200);
    expect((await repA.get(`/api/v1/crm/activities/${later.id}`)).statusCode).toBe(404);
    expect(await touchOf(link.a2RepA)).toBe(baseline);
    const [audit] = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_id = ${later.id} ORDER BY id DESC LIMIT 1`);
    expect(audit!.action).toBe('delete');
  });

  it('editing the time or the contacts recomputes both the old and the new links', async () => {
    const a = await log(repA, { occurredAt: ago(0.2), contactIds: [ct.a1] });
    expect(await touchOf(link.a1RepA)).toBe(new Date(a.occurredAt as string).toISOString());
    const beforeA2 = await touchOf(link.a2RepA);
    const moved = await repA.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, contactIds: [ct.a2], occurredAt: ago(0.1) });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await touchOf(link.a2RepA)).toBe(new Date(moved.json().occurredAt).toISOString());
    expect(Date.parse((await touchOf(link.a2RepA))!)).toBeGreaterThan(Date.parse(beforeA2!));
    expect(Date.parse((await touchOf(link.a1RepA))!)).toBeLessThan(Date.parse(a.occurredAt as string));
  });

  it('a touch counts for the owner: handing the activity to the manager moves it to the manager’s link; the link version is untouched', async () => {
    const manager = await t.as('managerT1');
    const version = (await t.rows<{ version: number }>(sql`SELECT version FROM crm_coverage WHERE id = ${link.a1Manager}`))[0]!.version;
    const a = await log(repA, { kind: 'meeting', occurredAt: ago(0.05), contactIds: [ct.a1] });
    expect(await touchOf(link.a1Manager)).toBeNull();
    const res = await manager.patch(`/api/v1/crm/activities/${a.id}`, { version: 1, ownerId: t.fixture.users.managerT1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(await touchOf(link.a1Manager)).toBe(new Date(a.occurredAt as string).toISOString());
    expect(Date.parse((await touchOf(link.a1RepA))!)).toBeLessThan(Date.parse(a.occurredAt as string));
    expect((await t.rows<{ version: number }>(sql`SELECT version FROM crm_coverage WHERE id = ${link.a1Manager}`))[0]!.version).toBe(version);
  });

  it('a new coverage link starts from the activities already logged', async () => {
    const director = await t.as('director');
    const call = await log(director, { occurredAt: ago(3), contactIds: [ct.a2] });
    const res = await repA.post(`/api/v1/crm/accounts/${acc.A}/coverage`, { contactId: ct.a2, userId: t.fixture.users.director, relationshipRole: 'executive_sponsor', strength: 3 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().lastTouchAt).toBe(new Date(call.occurredAt as string).toISOString());
  });
});
