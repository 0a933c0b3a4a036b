import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/roles.ts';
import { withTx } from '../../platform/db.ts';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { type AccountSeedResult, seedAccounts } from './seed-accounts.ts';

/** The demo accounts go into the database as generated (both drivers) and read back through the API. */

let t: TestApp;
let seeded: AccountSeedResult;
beforeAll(async () => {
  t = await createTestApp();
  const users = await t.rows<{ id: string; unit_id: string; manager_id: string | null; roles: Role[] }>(
    sql`SELECT id, unit_id, manager_id, roles FROM users WHERE unit_id IS NOT NULL`,
  );
  seeded = await withTx(t.database.db, (tx) =>
    seedAccounts(
      tx,
      users.map((u) => ({ id: u.id, unitId: u.unit_id, managerId: u.manager_id, roles: u.roles })),
      { scale: 'small', now: new Date('2026-06-30T04:00:00Z') },
    ),
  );
});
afterAll(() => t.close());

describe('seeded demo accounts', () => {
  it('inserts every generated row, arrays and timestamps intact', async () => {
    for (const [table, n] of Object.entries(seeded.rows)) {
      const [r] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`);
      expect(r!.n, table).toBe(n);
    }
    expect(seeded.rows['crm_accounts']).toBe(40);
    expect(seeded.accountIds).toHaveLength(40);
    const [withTags] = await t.rows<{ tags: string[] }>(sql`SELECT tags FROM crm_accounts WHERE cardinality(tags) > 0 LIMIT 1`);
    expect(Array.isArray(withTags!.tags)).toBe(true);
    const [phone] = await t.rows<{ phones: string[] }>(sql`SELECT phones FROM crm_contacts WHERE cardinality(phones) > 0 LIMIT 1`);
    expect(phone!.phones[0]).toMatch(/^\+86 13\d \d{4} \d{4}$/);
  });

  it('reads back through the API: lists, the provincial government’s group, a relationship map, a gap report', async () => {
    const admin = await t.as('admin');
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await admin.get(`/api/v1/crm/accounts?limit=15${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      ids.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids.sort()).toEqual([...seeded.accountIds].sort());

    const [gov] = (await admin.get(`/api/v1/crm/accounts?q=${encodeURIComponent('浙江省人民政府')}`)).json().items;
    const h = (await admin.get(`/api/v1/crm/accounts/${gov.id}/hierarchy`)).json();
    expect(h.tree.children.map((c: { nameZh: string }) => c.nameZh).sort()).toEqual(
      ['浙江省交通运输厅', '浙江省卫生健康委员会', '浙江省大数据发展管理局', '浙江省教育厅', '浙江省财政厅'].sort(),
    );
    const rollup = (await admin.get(`/api/v1/crm/accounts/${gov.id}/group-rollup`)).json();
    expect(rollup.accounts.total).toBe(6);

    const map = (await admin.get(`/api/v1/crm/accounts/${gov.id}/relationship-map`)).json();
    expect(map.roots.length).toBeGreaterThan(0);
    expect(map.roots.every((r: { level: string }) => r.level === 'decision')).toBe(true);

    const director = await t.as('director');
    const gaps = await director.get('/api/v1/crm/coverage-gaps?staleDays=90&asOf=2026-06-30T04:00:00Z');
    expect(gaps.statusCode).toBe(200);
    const repA = await t.as('repA');
    const mine = (await repA.get('/api/v1/crm/accounts?limit=200')).json().items;
    expect(mine.every((a: { ownerId: string }) => a.ownerId === t.fixture.users.repA)).toBe(true);
  });
});
