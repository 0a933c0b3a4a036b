import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureUser, type TestApp, createTestApp, sql } from '../../testing/test-app.ts';

/**
 * Saved views: private and shared, who sees what, who may change what, and that a view holds only
 * filters the list accepts.
 *
 *   company ─ bg1 ─ sales1 (director, head) ─ t1 (managerT1, repA, repB)
 *           │                                └ t2 (repC)
 *           └ bg2 ─ sales2 ─ t3 (repD)
 * A view shared to a unit reaches everyone whose home unit is in that unit's subtree.
 */

let t: TestApp;

type Row = { id: string; name: string; version: number; shared_unit_id: string | null; definition: unknown };

async function viewRow(id: string): Promise<Row | undefined> {
  const [row] = await t.rows<Row>(sql`SELECT id, name, version, shared_unit_id, definition FROM crm_saved_views WHERE id = ${id}`);
  return row;
}

async function viewCount(): Promise<number> {
  const [row] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM crm_saved_views`);
  return row!.n;
}

async function create(who: FixtureUser, body: Record<string, unknown>) {
  const res = await (await t.as(who)).post('/api/v1/crm/views', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; sharedUnitId: string | null };
}

async function listNames(who: FixtureUser, entity = 'account'): Promise<string[]> {
  const res = await (await t.as(who)).get(`/api/v1/crm/views?entity=${entity}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { name: string }[]).map((v) => v.name);
}

beforeAll(async () => {
  t = await createTestApp();
  await t.rows(sql`UPDATE org_units SET head_user_id = ${t.fixture.users.director} WHERE id = ${t.fixture.units.sales1}`);
});
afterAll(async () => {
  await t.close();
});

describe('creating a view', () => {
  it('saves a private view with its definition, owner and version; the Idempotency-Key replays it', async () => {
    const repA = await t.as('repA');
    const body = {
      entity: 'account',
      name: '我的政府客户',
      definition: { filters: { kind: 'government', status: 'customer', includeArchived: 'false' }, sort: '-createdAt', columns: ['nameZh', 'ownerName', 'nameZh'] },
    };
    const headers = { 'idempotency-key': 'create-view-0001' };
    const first = await repA.post('/api/v1/crm/views', body, headers);
    expect(first.statusCode, first.body).toBe(201);
    const again = await repA.post('/api/v1/crm/views', body, headers);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(first.json()).toMatchObject({
      entity: 'account',
      name: '我的政府客户',
      ownerId: t.fixture.users.repA,
      ownerName: expect.any(String),
      sharedUnitId: null,
      sharedUnitName: null,
      mine: true,
      version: 1,
      // Columns are kept once each, in order.
      definition: { filters: { kind: 'government', status: 'customer', includeArchived: 'false' }, sort: '-createdAt', columns: ['nameZh', 'ownerName'] },
    });
    const rows = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM crm_saved_views WHERE name = '我的政府客户'`);
    expect(rows[0]!.n).toBe(1);
    const audit = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_type = 'saved_view' AND entity_id = ${first.json().id}`);
    expect(audit.map((a) => a.action)).toEqual(['create']);
  });

  it('accepts the filters of each list as the list takes them (a stage list for deals)', async () => {
    const view = await create('repA', {
      entity: 'opportunity',
      name: '本季重点商机',
      definition: { filters: { stage: 'solution,negotiation', closeFrom: '2026-10-01', closeTo: '2026-12-31' }, sort: '-amount' },
    });
    expect((await viewRow(view.id))!.definition).toEqual({
      filters: { stage: 'solution,negotiation', closeFrom: '2026-10-01', closeTo: '2026-12-31' },
      sort: '-amount',
    });
    await create('repA', { entity: 'contact', name: '决策层', definition: { filters: { level: 'decision' } } });
    expect(await listNames('repA', 'contact')).toEqual(['决策层']);
  });

  it.each([
    ['an unknown filter', { filters: { colour: 'red' } }, 'definition.filters.colour'],
    ['a value the list refuses', { filters: { status: 'sleeping' } }, 'definition.filters.status'],
    ['a sort the list does not offer', { filters: {}, sort: 'revenue' }, 'definition.sort'],
    ['a paging parameter', { filters: { limit: '10' } }, 'definition.filters.limit'],
    ['a bad column name', { filters: {}, columns: ['name zh'] }, 'definition.columns.0'],
  ])('refuses %s with its field path, and saves nothing', async (_what, definition, path) => {
    const before = await viewCount();
    const res = await (await t.as('repA')).post('/api/v1/crm/views', { entity: 'account', name: '坏视图', definition });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('platform.validation');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await viewCount()).toBe(before);
  });

  it('words the field messages in the caller’s language (their own setting)', async () => {
    await t.rows(sql`UPDATE users SET locale = 'en' WHERE id = ${t.fixture.users.repD}`);
    const body = { entity: 'account', name: '坏视图', definition: { filters: { status: 'sleeping' } } };
    const en = (await (await t.as('repD')).post('/api/v1/crm/views', body)).json().errors[0].message as string;
    const zh = (await (await t.as('repA')).post('/api/v1/crm/views', body)).json().errors[0].message as string;
    await t.rows(sql`UPDATE users SET locale = 'zh-CN' WHERE id = ${t.fixture.users.repD}`);
    expect(en).toMatch(/[a-z]/);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('takes custom-field filters the list takes, checked against the field definitions', async () => {
    const define = await (await t.as('admin')).post('/api/v1/crm/custom-fields', {
      entity: 'account',
      key: 'segment',
      type: 'single_select',
      label: { zh: '细分市场', en: 'Segment' },
      options: [
        { key: 'bank', label: { zh: '银行', en: 'Bank' } },
        { key: 'insurer', label: { zh: '保险', en: 'Insurer' } },
      ],
    });
    expect(define.statusCode, define.body).toBe(201);
    const view = await create('repA', { entity: 'account', name: '银行客户', definition: { filters: { 'cf.segment': 'bank', status: 'customer' } } });
    expect((await viewRow(view.id))!.definition).toEqual({ filters: { 'cf.segment': 'bank', status: 'customer' } });
    const before = await viewCount();
    const repA = await t.as('repA');
    const unknownKey = await repA.post('/api/v1/crm/views', { entity: 'account', name: '坏字段', definition: { filters: { 'cf.nope': 'x' } } });
    expect(unknownKey.statusCode).toBe(400);
    expect(unknownKey.json().errors.map((e: { path: string }) => e.path)).toEqual(['definition.filters.cf.nope']);
    const badOption = await repA.post('/api/v1/crm/views', { entity: 'account', name: '坏选项', definition: { filters: { 'cf.segment': 'farmer' } } });
    expect(badOption.statusCode).toBe(400);
    expect(badOption.json().errors.map((e: { path: string }) => e.path)).toEqual(['definition.filters.cf.segment']);
    // The field is for accounts: a contact view may not use it.
    const otherEntity = await repA.post('/api/v1/crm/views', { entity: 'contact', name: '错对象字段', definition: { filters: { 'cf.segment': 'bank' } } });
    expect(otherEntity.statusCode).toBe(400);
    expect(await viewCount()).toBe(before);
  });

  it('checks a filter against the entity it is for (a deal filter is not an account filter)', async () => {
    const res = await (await t.as('repA')).post('/api/v1/crm/views', { entity: 'account', name: '错对象', definition: { filters: { stage: 'solution' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'definition.filters.stage' })]);
  });
});

describe('sharing and visibility', () => {
  it('a view shared to my team reaches my team, not the team next door nor the head above', async () => {
    const view = await create('repA', { entity: 'account', name: 'T1 共享', definition: { filters: { tier: 'key' } }, sharedUnitId: t.fixture.units.t1 });
    expect(view.sharedUnitId).toBe(t.fixture.units.t1);
    const seenByRepB = (await (await t.as('repB')).get('/api/v1/crm/views?entity=account')).json().items as { name: string; mine: boolean; sharedUnitName: string }[];
    expect(seenByRepB.find((v) => v.name === 'T1 共享')).toMatchObject({ mine: false, sharedUnitName: expect.any(String) });
    expect(await listNames('repC')).not.toContain('T1 共享');
    expect(await listNames('director')).not.toContain('T1 共享');
    expect(await listNames('repD')).not.toContain('T1 共享');
    // Private views stay private.
    expect(await listNames('repB')).not.toContain('我的政府客户');
  });

  it('a view shared to a unit above my team (one I belong to) reaches its whole subtree', async () => {
    await create('repA', { entity: 'account', name: '销售一部共享', definition: { filters: {} }, sharedUnitId: t.fixture.units.sales1 });
    for (const who of ['repB', 'repC', 'managerT1', 'director'] as const) expect(await listNames(who)).toContain('销售一部共享');
    for (const who of ['repD', 'engineer', 'exec'] as const) expect(await listNames(who)).not.toContain('销售一部共享');
  });

  it('lists my views first, then the shared ones, each by name', async () => {
    await create('repB', { entity: 'account', name: 'A 我的', definition: { filters: {} } });
    const items = (await (await t.as('repB')).get('/api/v1/crm/views?entity=account')).json().items as { name: string; mine: boolean }[];
    const firstShared = items.findIndex((v) => !v.mine);
    expect(items.slice(0, firstShared).every((v) => v.mine)).toBe(true);
    expect(items.slice(firstShared).every((v) => !v.mine)).toBe(true);
    expect(items[0]!.name).toBe('A 我的');
  });

  it('refuses sharing to a unit I neither belong to nor head (403), and saves nothing', async () => {
    const before = await viewCount();
    const res = await (await t.as('repA')).post('/api/v1/crm/views', { entity: 'account', name: '越权', definition: { filters: {} }, sharedUnitId: t.fixture.units.t2 });
    expect(res.statusCode).toBe(403);
    expect(await viewCount()).toBe(before);
  });

  it('lets the head of a department share to a team below it; an unknown unit is 422', async () => {
    const view = await create('director', { entity: 'account', name: 'T2 下发', definition: { filters: {} }, sharedUnitId: t.fixture.units.t2 });
    expect(view.sharedUnitId).toBe(t.fixture.units.t2);
    expect(await listNames('repC')).toContain('T2 下发');
    const res = await (await t.as('director')).post('/api/v1/crm/views', {
      entity: 'account',
      name: '无此部门',
      definition: { filters: {} },
      sharedUnitId: '00000000-0000-4000-8000-000000000000',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('sharedUnitId');
  });

  it('requires the entity when listing', async () => {
    const res = await (await t.as('repA')).get('/api/v1/crm/views');
    expect(res.statusCode).toBe(400);
  });
});

describe('changing and deleting', () => {
  it('the owner renames and redefines with the version; a stale version is 409', async () => {
    const repA = await t.as('repA');
    const view = await create('repA', { entity: 'account', name: '改名前', definition: { filters: { status: 'prospect' } } });
    const res = await repA.patch(`/api/v1/crm/views/${view.id}`, { version: 1, name: '改名后', definition: { filters: { status: 'customer' }, sort: 'name' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: '改名后', version: 2, definition: { filters: { status: 'customer' }, sort: 'name' } });
    const stale = await repA.patch(`/api/v1/crm/views/${view.id}`, { version: 1, name: '过期' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'platform.version_conflict', currentVersion: 2 });
    expect(await viewRow(view.id)).toMatchObject({ name: '改名后', version: 2 });
  });

  it('a bad definition on update is 400 and changes nothing', async () => {
    const view = await create('repA', { entity: 'opportunity', name: '商机视图', definition: { filters: {} } });
    const res = await (await t.as('repA')).patch(`/api/v1/crm/views/${view.id}`, { version: 1, definition: { filters: { closeFrom: '2026-13-45' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('definition.filters.closeFrom');
    expect(await viewRow(view.id)).toMatchObject({ version: 1, definition: { filters: {} } });
  });

  it('someone who sees a shared view may not change or delete it (403); the view is unchanged', async () => {
    const view = await create('repA', { entity: 'account', name: '只读共享', definition: { filters: {} }, sharedUnitId: t.fixture.units.t1 });
    const repB = await t.as('repB');
    expect((await repB.patch(`/api/v1/crm/views/${view.id}`, { version: 1, name: '被改' })).statusCode).toBe(403);
    expect((await repB.delete(`/api/v1/crm/views/${view.id}?version=1`)).statusCode).toBe(403);
    expect(await viewRow(view.id)).toMatchObject({ name: '只读共享', version: 1 });
  });

  it("another person's private view does not exist for me (404); it is unchanged", async () => {
    const view = await create('repA', { entity: 'account', name: '私有', definition: { filters: {} } });
    for (const who of ['repC', 'managerT1', 'director'] as const) {
      const client = await t.as(who);
      expect((await client.patch(`/api/v1/crm/views/${view.id}`, { version: 1, name: '偷改' })).statusCode).toBe(404);
      expect((await client.delete(`/api/v1/crm/views/${view.id}?version=1`)).statusCode).toBe(404);
    }
    expect(await viewRow(view.id)).toMatchObject({ name: '私有', version: 1, shared_unit_id: null });
  });

  it('the owner may not move the share to a unit outside their reach (403), but may unshare', async () => {
    const view = await create('repA', { entity: 'account', name: '换共享', definition: { filters: {} }, sharedUnitId: t.fixture.units.t1 });
    const res = await (await t.as('repA')).patch(`/api/v1/crm/views/${view.id}`, { version: 1, sharedUnitId: t.fixture.units.t3 });
    expect(res.statusCode).toBe(403);
    expect(await viewRow(view.id)).toMatchObject({ version: 1, shared_unit_id: t.fixture.units.t1 });
    const unshare = await (await t.as('repA')).patch(`/api/v1/crm/views/${view.id}`, { version: 1, sharedUnitId: null });
    expect(unshare.statusCode).toBe(200);
    expect(await listNames('repB')).not.toContain('换共享');
  });

  it('an admin may change and delete anyone’s view', async () => {
    const view = await create('repD', { entity: 'account', name: '管理员可改', definition: { filters: {} } });
    const admin = await t.as('admin');
    const res = await admin.patch(`/api/v1/crm/views/${view.id}`, { version: 1, name: '管理员已改' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ mine: false, ownerId: t.fixture.users.repD });
    expect((await admin.delete(`/api/v1/crm/views/${view.id}?version=2`)).statusCode).toBe(200);
    expect(await viewRow(view.id)).toBeUndefined();
  });

  it('the owner deletes with the version: a stale one is 409, then the view and its visibility are gone, with an audit row', async () => {
    const view = await create('repA', { entity: 'account', name: '将删除', definition: { filters: {} }, sharedUnitId: t.fixture.units.t1 });
    const repA = await t.as('repA');
    expect((await repA.delete(`/api/v1/crm/views/${view.id}?version=7`)).statusCode).toBe(409);
    expect(await viewRow(view.id)).toBeDefined();
    const res = await repA.delete(`/api/v1/crm/views/${view.id}?version=1`);
    expect(res.statusCode, res.body).toBe(200);
    expect(await viewRow(view.id)).toBeUndefined();
    expect(await listNames('repB')).not.toContain('将删除');
    const audit = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_type = 'saved_view' AND entity_id = ${view.id} ORDER BY at`);
    expect(audit.map((a) => a.action)).toEqual(['create', 'delete']);
  });
});
