import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/roles.ts';
import type { DemoCompany } from '../../demo/company.ts';
import { withTx } from '../../platform/db.ts';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { type ActivitySeedResult, seedActivities } from './seed-activities.ts';
import { seedAccounts } from './seed-accounts.ts';
import { seedOpportunities } from './seed-opportunities.ts';

/** The demo activities agree with the seeded coverage and read back through the API and the timeline. */

const NOW = new Date('2026-06-30T04:00:00Z');
let t: TestApp;
let seeded: ActivitySeedResult;
beforeAll(async () => {
  t = await createTestApp();
  const users = await t.rows<{ id: string; email: string; name_zh: string; name_en: string; title: string; unit_id: string; manager_id: string | null; roles: Role[] }>(
    sql`SELECT id, email, name_zh, name_en, title, unit_id, manager_id, roles FROM users WHERE unit_id IS NOT NULL`,
  );
  const company = {
    units: [],
    logins: [],
    users: users.map((u) => ({ id: u.id, email: u.email, nameZh: u.name_zh, nameEn: u.name_en, title: u.title, unitId: u.unit_id, managerId: u.manager_id, roles: u.roles })),
  } as DemoCompany;
  seeded = await withTx(t.database.db, async (tx) => {
    const customers = await seedAccounts(tx, company.users, { scale: 'small', now: NOW });
    await seedOpportunities(tx, company, { accountIds: customers.accountIds, count: 30, today: '2026-06-30' });
    return seedActivities(tx, company, { now: NOW });
  });
});
afterAll(() => t.close());

describe('seeded demo activities', () => {
  it('inserts every generated row, with a touch behind every seeded last touch', async () => {
    for (const [table, n] of Object.entries(seeded.rows)) {
      const [r] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`);
      expect(r!.n, table).toBe(n);
    }
    expect(seeded.rows.crm_activities).toBeGreaterThan(40);
    // Last touch is computed from activities: recomputing it changes nothing.
    const [drift] = await t.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM crm_coverage c
           WHERE c.last_touch_at IS DISTINCT FROM (
             SELECT max(a.occurred_at) FROM crm_activity_contacts ac JOIN crm_activities a ON a.id = ac.activity_id
              WHERE ac.contact_id = c.contact_id AND a.owner_id = c.user_id AND a.kind IN ('call', 'meeting', 'visit', 'email'))`,
    );
    expect(drift!.n).toBe(0);
    const kinds = await t.rows<{ kind: string }>(sql`SELECT DISTINCT kind FROM crm_activities ORDER BY kind`);
    expect(kinds.map((k) => k.kind)).toEqual(['call', 'email', 'meeting', 'note', 'task', 'visit']);
  });

  it('every activity is well formed, and open tasks and deal stages show on timelines', async () => {
    const bad = await t.rows(
      sql`SELECT id FROM crm_activities
           WHERE (kind = 'task' AND (due_at IS NULL OR occurred_at IS NOT NULL OR remind_at > due_at))
              OR (kind <> 'task' AND (occurred_at IS NULL OR due_at IS NOT NULL OR occurred_at > ${NOW.toISOString()}::timestamptz))`,
    );
    expect(bad).toEqual([]);
    const admin = await t.as('admin');
    const [account] = await t.rows<{ account_id: string }>(
      sql`SELECT o.account_id FROM crm_opportunities o JOIN crm_activities a ON a.account_id = o.account_id GROUP BY o.account_id LIMIT 1`,
    );
    const res = await admin.get(`/api/v1/crm/timeline?subjectType=account&subjectId=${account!.account_id}&limit=200`);
    expect(res.statusCode, res.body).toBe(200);
    const kinds = new Set((res.json().items as { kind: string }[]).map((e) => e.kind));
    expect(kinds.has('activity')).toBe(true);
    expect(kinds.has('opportunity.created')).toBe(true);
    const list = await admin.get(`/api/v1/crm/activities?accountId=${account!.account_id}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.length).toBeGreaterThan(0);
  });
});
