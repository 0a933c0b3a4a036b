import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { seedCatalog } from '../catalog/seed-catalog.ts';
import { ensureDefaultPipeline } from '../crm/pipeline-service.ts';
import { seedQuotes } from './seed-quotes.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
});

afterAll(async () => {
  await t?.close();
});

describe('demo quotes', () => {
  it('quotes the open deals through the service under the demo approval policy: one accepted into a contract, one waiting for approval, one draft', async () => {
    const repA = await t.as('repA');
    const account = (await repA.post('/api/v1/crm/accounts', { nameZh: '演示报价客户', kind: 'enterprise', confirmSimilar: true })).json();
    const today = localDate(new Date(), 'Asia/Shanghai');
    for (const name of ['演示商机一', '演示商机二', '演示商机三']) {
      const res = await repA.post('/api/v1/crm/opportunities', { name, accountId: account.id, amount: { amount: '50000.00', currency: 'CNY' }, expectedCloseDate: today });
      expect(res.statusCode, res.body).toBe(201);
    }
    const catalog = await seedCatalog(t.database.db);
    const { rows } = await seedQuotes(t.database.db, {
      admin: { id: t.fixture.users.admin, unitId: t.fixture.units.company, roles: ['admin'] },
      priceBookId: catalog.priceBookIds.CNY,
      productIds: catalog.productIds,
      // The demo price books are valid in 2026.
      now: new Date('2026-06-01T04:00:00Z'),
    });
    expect(rows).toEqual({ quotes: 3, quote_versions: 3, quotes_sent: 1, quotes_in_approval: 1, contracts: 1 });
    const versions = await t.rows<{ status: string; grand: string; lines: number }>(
      sql`SELECT status, totals -> 'grandTotal' ->> 'amount' AS grand, jsonb_array_length(priced)::int AS lines FROM quote_versions ORDER BY status`,
    );
    // The first was approved at once, sent and accepted; the second (15 % off a line) waits for repA's manager; the third is a draft.
    expect(versions.map((v) => v.status)).toEqual(['accepted', 'draft', 'in_approval']);
    for (const v of versions) {
      expect(Number(v.grand)).toBeGreaterThan(0);
      expect(v.lines).toBeGreaterThanOrEqual(3);
    }
    const pending = await t.rows<{ pending_for: string[] }>(sql`SELECT pending_for FROM quote_approvals WHERE status = 'pending'`);
    expect(pending).toEqual([{ pending_for: [t.fixture.users.managerT1] }]);
    const events = await t.rows<{ type: string; n: number }>(
      sql`SELECT type, count(*)::int AS n FROM outbox_events WHERE type IN ('quote.sent', 'quote.accepted', 'contract.signed', 'quote.approval_requested') GROUP BY type ORDER BY type`,
    );
    expect(events).toEqual([
      { type: 'contract.signed', n: 1 },
      { type: 'quote.accepted', n: 1 },
      { type: 'quote.approval_requested', n: 1 },
      { type: 'quote.sent', n: 1 },
    ]);
  });
});
