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
  it('quotes the open deals through the service: priced, numbered, every other one sent with its event', async () => {
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
    expect(rows).toEqual({ quotes: 3, quote_versions: 3, quotes_sent: 2 });
    const versions = await t.rows<{ status: string; grand: string; lines: number }>(
      sql`SELECT status, totals -> 'grandTotal' ->> 'amount' AS grand, jsonb_array_length(priced)::int AS lines FROM quote_versions ORDER BY status`,
    );
    expect(versions.map((v) => v.status)).toEqual(['draft', 'sent', 'sent']);
    for (const v of versions) {
      expect(Number(v.grand)).toBeGreaterThan(0);
      expect(v.lines).toBeGreaterThanOrEqual(3);
    }
    const events = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'quote.sent'`);
    expect(events[0]!.n).toBe(2);
  });
});
