import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureUser, type TestApp, FIXTURE_PASSWORD, createTestApp, sql } from '../../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_FAILURES: '3' });
});
afterAll(() => t.close());

async function visibleIds(who: FixtureUser): Promise<string[]> {
  const c = await t.as(who);
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await c.get(`/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode).toBe(200);
    const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((u) => u.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids.sort();
}

const ids = (...who: FixtureUser[]) => who.map((w) => t.fixture.users[w]).sort();

async function snapshot(id: string) {
  const [row] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM users WHERE id = ${id}`);
  return row;
}

describe('users: reads by role and scope', () => {
  it('a rep sees their team only; a team manager the team; a director the department subtree; admin and exec everyone', async () => {
    expect(await visibleIds('repA')).toEqual(ids('managerT1', 'repA', 'repB'));
    expect(await visibleIds('managerT1')).toEqual(ids('managerT1', 'repA', 'repB'));
    expect(await visibleIds('director')).toEqual(ids('director', 'managerT1', 'repA', 'repB', 'repC'));
    const all = (await t.rows<{ id: string }>(sql`SELECT id FROM users`)).map((r) => r.id).sort();
    expect(await visibleIds('admin')).toEqual(all);
    expect(await visibleIds('exec')).toEqual(all);
    expect(await visibleIds('engineer')).toEqual(ids('engineer'));
  });

  it('cursor pages are stable and complete in every sort', async () => {
    const admin = await t.as('admin');
    for (const sort of ['name', '-name', 'email', '-email', 'createdAt', '-createdAt']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await admin.get(`/api/v1/users?limit=3&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe((await t.rows(sql`SELECT id FROM users`)).length);
    }
  });

  it('a read outside scope is 404, never a leak; the record is unchanged', async () => {
    const rep = await t.as('repA');
    const before = await snapshot(t.fixture.users.repD);
    const res = await rep.get(`/api/v1/users/${t.fixture.users.repD}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('platform.not_found');
    const missing = await rep.get('/api/v1/users/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().title).toBe(res.json().title);
    expect(await snapshot(t.fixture.users.repD)).toEqual(before);
  });

  it('filters: unit (with or without subunits), role, active, search', async () => {
    const admin = await t.as('admin');
    const inT1 = (await admin.get(`/api/v1/users?unitId=${t.fixture.units.t1}`)).json().items.map((u: { id: string }) => u.id).sort();
    expect(inT1).toEqual(ids('managerT1', 'repA', 'repB'));
    const underSales1 = (await admin.get(`/api/v1/users?unitId=${t.fixture.units.sales1}&includeSubunits=true`)).json();
    expect(underSales1.items.map((u: { id: string }) => u.id).sort()).toEqual(ids('director', 'managerT1', 'repA', 'repB', 'repC'));
    const reps = (await admin.get('/api/v1/users?role=sales_rep&limit=200')).json().items.map((u: { roles: string[] }) => u.roles);
    expect(reps.every((r: string[]) => r.includes('sales_rep'))).toBe(true);
    const search = (await admin.get(`/api/v1/users?q=${encodeURIComponent('testrepd')}`)).json().items;
    expect(search).toEqual([]);
    const byEmail = (await admin.get('/api/v1/users?q=repd@')).json().items.map((u: { id: string }) => u.id);
    expect(byEmail).toEqual(ids('repD'));
    // LIKE wildcards in the search are literal characters.
    expect((await admin.get('/api/v1/users?q=%25')).json().items).toEqual([]);
  });
});

describe('users: writes by role', () => {
  it('a rep cannot create a user (403) and nothing is created', async () => {
    const rep = await t.as('repA');
    const count = (await t.rows(sql`SELECT id FROM users`)).length;
    const res = await rep.post('/api/v1/users', { email: 'x@fixture.test', nameZh: '新人' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('platform.forbidden');
    expect((await t.rows(sql`SELECT id FROM users`)).length).toBe(count);
  });

  it('a rep editing a visible colleague gets 403; an invisible one 404; both unchanged', async () => {
    const rep = await t.as('repA');
    for (const [target, status] of [
      ['repB', 403],
      ['repD', 404],
    ] as const) {
      const before = await snapshot(t.fixture.users[target]);
      const res = await rep.patch(`/api/v1/users/${t.fixture.users[target]}`, { version: before!['version'], title: 'hacked' });
      expect(res.statusCode).toBe(status);
      expect(await snapshot(t.fixture.users[target])).toEqual(before);
    }
  });

  it('admin creates a user, who can sign in; the change is audited', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/users', {
      email: 'new.hire@fixture.test',
      nameZh: '新员工',
      nameEn: 'New Hire',
      roles: ['sales_rep'],
      unitId: t.fixture.units.t2,
      managerId: t.fixture.users.director,
      password: 'Welcome-2026-abc',
    });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({ email: 'new.hire@fixture.test', roles: ['sales_rep'], version: 1 });
    expect(user).not.toHaveProperty('passwordHash');
    const login = await t.anon().post('/api/v1/auth/login', { email: 'NEW.HIRE@fixture.test', password: 'Welcome-2026-abc' });
    expect(login.statusCode).toBe(200);
    const [audit] = await t.rows<{ action: string; actor_id: string; changes: Record<string, unknown> }>(
      sql`SELECT action, actor_id, changes FROM audit_log WHERE entity_id = ${user.id} AND action = 'create'`,
    );
    expect(audit).toMatchObject({ action: 'create', actor_id: t.fixture.users.admin });
    expect(audit!.changes['passwordHash']).toEqual(['[redacted]', '[redacted]']);
  });

  it('duplicate email (any case) → 409 org.email_taken', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/users', { email: 'REPA@fixture.test', nameZh: '重复' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org.email_taken');
  });

  it('a weak password → 422 with the field', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/users', { email: 'weak@fixture.test', nameZh: '弱', password: 'abcdefghij' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'org.password_too_weak', errors: [{ path: 'password' }] });
  });

  it('a reporting loop → 422 org.manager_cycle, nothing changed', async () => {
    const admin = await t.as('admin');
    const before = await snapshot(t.fixture.users.director);
    const res = await admin.patch(`/api/v1/users/${t.fixture.users.director}`, { version: before!['version'], managerId: t.fixture.users.repA });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('org.manager_cycle');
    expect(await snapshot(t.fixture.users.director)).toEqual(before);
  });

  it('the last admin cannot lose the role (409)', async () => {
    const admin = await t.as('admin');
    const before = await snapshot(t.fixture.users.admin);
    const res = await admin.patch(`/api/v1/users/${t.fixture.users.admin}`, { version: before!['version'], roles: ['executive'] });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org.last_admin');
    expect(await snapshot(t.fixture.users.admin)).toEqual(before);
  });

  it('a move is effective-dated: the chain as of an earlier date still shows the old manager', async () => {
    const admin = await t.as('admin');
    const before = await snapshot(t.fixture.users.repC);
    const res = await admin.patch(`/api/v1/users/${t.fixture.users.repC}`, {
      version: before!['version'],
      unitId: t.fixture.units.t1,
      managerId: t.fixture.users.managerT1,
      effectiveDate: '2026-06-01',
    });
    expect(res.statusCode).toBe(200);
    const then = (await admin.get(`/api/v1/users/${t.fixture.users.repC}/chain?asOf=2026-03-01`)).json();
    expect(then.unitId).toBe(t.fixture.units.t2);
    expect(then.managers.map((m: { userId: string }) => m.userId)).toEqual(ids('director').concat(ids('exec')));
    const now = (await admin.get(`/api/v1/users/${t.fixture.users.repC}/chain?asOf=2026-07-01`)).json();
    expect(now.unitId).toBe(t.fixture.units.t1);
    expect(now.managers.map((m: { userId: string }) => m.userId)).toEqual([
      t.fixture.users.managerT1,
      t.fixture.users.director,
      t.fixture.users.exec,
    ]);
    expect(now.units.map((u: { unitId: string }) => u.unitId)).toEqual([
      t.fixture.units.t1,
      t.fixture.units.sales1,
      t.fixture.units.bg1,
      t.fixture.units.company,
    ]);
    // A change dated before the current assignment started is refused.
    const stale = await admin.patch(`/api/v1/users/${t.fixture.users.repC}`, {
      version: res.json().version,
      title: 'earlier',
      effectiveDate: '2026-05-01',
    });
    expect(stale.statusCode).toBe(422);
    expect(stale.json().code).toBe('org.effective_date_order');
  });
});

describe('org units', () => {
  it('everyone reads the chart; as of a date it shows the tree of that date', async () => {
    const rep = await t.as('repD');
    const tree = (await rep.get('/api/v1/org/units')).json();
    expect(tree.units.length).toBeGreaterThanOrEqual(9);
    const t1 = tree.units.find((u: { id: string }) => u.id === t.fixture.units.t1);
    expect(t1).toMatchObject({ parentId: t.fixture.units.sales1, kind: 'team' });
  });

  it('a rep cannot create units (403); admin can, with kind order and cycle checks', async () => {
    const rep = await t.as('repA');
    const denied = await rep.post('/api/v1/org/units', { code: 'X1', kind: 'team', nameZh: '新组', parentId: t.fixture.units.sales1 });
    expect(denied.statusCode).toBe(403);
    expect(await t.rows(sql`SELECT 1 FROM org_units WHERE code = 'X1'`)).toHaveLength(0);

    const admin = await t.as('admin');
    const badKind = await admin.post('/api/v1/org/units', { code: 'X2', kind: 'department', nameZh: '部门', parentId: t.fixture.units.t1 });
    expect(badKind.statusCode).toBe(422);
    expect(badKind.json().code).toBe('org.unit_kind_order');

    const created = await admin.post('/api/v1/org/units', { code: 'X3', kind: 'team', nameZh: '新组', parentId: t.fixture.units.sales2 });
    expect(created.statusCode).toBe(201);

    const sales1 = (await admin.get('/api/v1/org/units')).json().units.find((u: { id: string }) => u.id === t.fixture.units.bg1);
    const cycle = await admin.patch(`/api/v1/org/units/${t.fixture.units.bg1}`, { version: sales1.version, parentId: t.fixture.units.sales1 });
    expect(cycle.statusCode).toBe(422);
    expect(['org.unit_cycle', 'org.unit_kind_order']).toContain(cycle.json().code);
  });

  it('moving a team moves its people into the new subtree for access', async () => {
    const admin = await t.as('admin');
    const tree = (await admin.get('/api/v1/org/units')).json();
    const x3 = tree.units.find((u: { code: string }) => u.code === 'X3');
    const person = await admin.post('/api/v1/users', { email: 'x3.rep@fixture.test', nameZh: '组员', unitId: x3.id, roles: ['sales_rep'] });
    expect(person.statusCode).toBe(201);
    expect(await visibleIds('director')).not.toContain(person.json().id);
    const moved = await admin.patch(`/api/v1/org/units/${x3.id}`, { version: x3.version, parentId: t.fixture.units.sales1 });
    expect(moved.statusCode).toBe(200);
    expect(await visibleIds('director')).toContain(person.json().id);
    // Created and moved on the same day: the dated history holds one link, to the new parent.
    const parents = await t.rows<{ parent_id: string; valid_to: string | null }>(
      sql`SELECT parent_id, valid_to FROM org_unit_parents WHERE unit_id = ${x3.id}`,
    );
    expect(parents).toEqual([{ parent_id: t.fixture.units.sales1, valid_to: null }]);
  });
});

describe('authentication', () => {
  it('wrong password → 401; after the limit → 429 with Retry-After, even with the right password', async () => {
    const anon = t.anon({ 'accept-language': 'en' });
    for (let i = 0; i < 3; i++) {
      const res = await anon.post('/api/v1/auth/login', { email: t.fixture.emails.finance, password: 'wrong-password-1' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'org.invalid_credentials', title: 'Email or password is wrong' });
    }
    const blocked = await anon.post('/api/v1/auth/login', { email: t.fixture.emails.finance, password: FIXTURE_PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an unknown email and a wrong password read the same', async () => {
    const a = await t.anon().post('/api/v1/auth/login', { email: 'nobody@fixture.test', password: 'whatever-123' });
    const b = await t.anon().post('/api/v1/auth/login', { email: t.fixture.emails.repB, password: 'whatever-123' });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json().title).toBe(b.json().title);
  });

  it('logout ends the session', async () => {
    const rep = await t.as('repB');
    expect((await rep.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await rep.post('/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await rep.get('/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('session info lists permissions with scopes; language is kept per user', async () => {
    const rep = await t.as('repB');
    const info = (await rep.get('/api/v1/auth/session')).json();
    expect(info.permissions).toMatchObject({ 'users.read': 'team', 'org.units.read': 'all' });
    expect(info.permissions).not.toHaveProperty('users.write');
    const res = await rep.patch('/api/v1/me', { locale: 'en' });
    expect(res.json().locale).toBe('en');
    const problem = await rep.get(`/api/v1/users/${t.fixture.users.repD}`);
    expect(problem.json().title).toBe('Not found');
  });

  it('changing the password ends other sessions, keeps this one', async () => {
    const first = await t.as('engineer');
    const second = await t.as('engineer');
    const wrong = await second.post('/api/v1/me/password', { currentPassword: 'nope-nope-1', newPassword: 'Another-Pass-2026' });
    expect(wrong.statusCode).toBe(422);
    const ok = await second.post('/api/v1/me/password', { currentPassword: FIXTURE_PASSWORD, newPassword: 'Another-Pass-2026' });
    expect(ok.statusCode).toBe(200);
    expect((await first.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await second.get('/api/v1/auth/session')).statusCode).toBe(200);
    // Restore for later tests in this file.
    await second.post('/api/v1/me/password', { currentPassword: 'Another-Pass-2026', newPassword: FIXTURE_PASSWORD });
  });

  it('API tokens: issued by admin, act as the user within their scope, stored hashed, revocable', async () => {
    const admin = await t.as('admin');
    const issued = await admin.post(`/api/v1/users/${t.fixture.users.repA}/api-tokens`, { name: 'crm sync' });
    expect(issued.statusCode).toBe(201);
    const { token, id } = issued.json();
    expect(token).toMatch(/^tl_/);
    const stored = await t.rows<{ token_hash: string }>(sql`SELECT token_hash FROM api_tokens WHERE id = ${id}`);
    expect(stored[0]!.token_hash).not.toContain(token);
    const bearer = t.anon({ authorization: `Bearer ${token}` });
    const list = (await bearer.get('/api/v1/users?limit=200')).json().items.map((u: { id: string }) => u.id).sort();
    const team = (await t.rows<{ id: string }>(sql`SELECT id FROM users WHERE unit_id = ${t.fixture.units.t1}`)).map((r) => r.id).sort();
    expect(list).toEqual(team);
    expect(list).not.toContain(t.fixture.users.repD);
    // A token needs no CSRF header (no cookie), but its writes are still authorized by role.
    const write = await bearer.post('/api/v1/users', { email: 'viatoken@fixture.test', nameZh: '令牌' });
    expect(write.statusCode).toBe(403);
    const listed = (await admin.get(`/api/v1/users/${t.fixture.users.repA}/api-tokens`)).json().items;
    expect(listed[0]).not.toHaveProperty('token');
    expect((await admin.delete(`/api/v1/users/${t.fixture.users.repA}/api-tokens/${id}`)).statusCode).toBe(200);
    const revoked = await bearer.get('/api/v1/users');
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('org.token_revoked');
  });

  it('a rep cannot issue tokens (403), nor see tokens of someone outside their scope (404)', async () => {
    const rep = await t.as('repA');
    expect((await rep.post(`/api/v1/users/${t.fixture.users.repB}/api-tokens`, { name: 'x' })).statusCode).toBe(403);
    expect((await rep.get(`/api/v1/users/${t.fixture.users.repD}/api-tokens`)).statusCode).toBe(404);
    expect(await t.rows(sql`SELECT 1 FROM api_tokens WHERE name = 'x'`)).toHaveLength(0);
  });
});

describe('audit log', () => {
  it('admins read it with before/after; others get 403', async () => {
    const admin = await t.as('admin');
    const before = await snapshot(t.fixture.users.repB);
    await admin.patch(`/api/v1/users/${t.fixture.users.repB}`, { version: before!['version'], title: '高级客户经理' });
    const res = await admin.get(`/api/v1/audit?entityType=user&entityId=${t.fixture.users.repB}`);
    expect(res.statusCode).toBe(200);
    const entry = res.json().items[0];
    expect(entry).toMatchObject({ action: 'update', actorId: t.fixture.users.admin, actorName: '测试admin', actorNameEn: 'Test admin' });
    expect(entry.changes.title).toEqual([before!['title'], '高级客户经理']);
    expect(entry.requestId).toBeTruthy();
    const rep = await t.as('repA');
    expect((await rep.get('/api/v1/audit')).statusCode).toBe(403);
  });

  it("a record's history is readable by whoever may read the record, 404 for others", async () => {
    const director = await t.as('director');
    const ok = await director.get(`/api/v1/audit/user/${t.fixture.users.repB}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().items.length).toBeGreaterThan(0);
    const outsider = await t.as('repD');
    expect((await outsider.get(`/api/v1/audit/user/${t.fixture.users.repB}`)).statusCode).toBe(404);
    expect((await outsider.get(`/api/v1/audit/unknown_type/${t.fixture.users.repB}`)).statusCode).toBe(404);
  });
});

describe('effective-dated reorganisation', () => {
  it('the chart as of a date shows where a unit sat then', async () => {
    const admin = await t.as('admin');
    const tree = (await admin.get('/api/v1/org/units')).json();
    const t2 = tree.units.find((u: { id: string }) => u.id === t.fixture.units.t2);
    const moved = await admin.patch(`/api/v1/org/units/${t2.id}`, {
      version: t2.version,
      parentId: t.fixture.units.sales2,
      effectiveDate: '2026-06-01',
    });
    expect(moved.statusCode).toBe(200);
    const parentOn = async (date: string) =>
      (await admin.get(`/api/v1/org/units?asOf=${date}`)).json().units.find((u: { id: string }) => u.id === t2.id).parentId;
    expect(await parentOn('2026-03-01')).toBe(t.fixture.units.sales1);
    expect(await parentOn('2026-07-01')).toBe(t.fixture.units.sales2);
    // Today's access follows today's tree.
    const director = await t.as('director');
    const seen = (await director.get(`/api/v1/users?unitId=${t.fixture.units.t2}`)).json().items;
    expect(seen).toEqual([]);
  });

  it('a future-dated move is refused (scheduled reorganisations are not supported yet)', async () => {
    const admin = await t.as('admin');
    const tree = (await admin.get('/api/v1/org/units')).json();
    const t3 = tree.units.find((u: { id: string }) => u.id === t.fixture.units.t3);
    const res = await admin.patch(`/api/v1/org/units/${t3.id}`, { version: t3.version, parentId: t.fixture.units.sales1, effectiveDate: '2999-01-01' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('org.effective_date_order');
  });
});
