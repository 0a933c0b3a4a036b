import type { LightMyRequestResponse } from 'fastify';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { getPublishedRuleCache } from './rule-cache.ts';

/**
 * Pricing rules as stored data: compiled at save (CEL errors with line and column, unknown fields,
 * tiers out of order), versions (a published version never changes), publish with the shadow
 * analysis, the compiled-rule cache that catches up rule by rule, and the what-if tester.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
const ids = { group: '', sub: '', erp: '', book: '', gov: '', govAccount: '', vol: '', govRule: '' };

type Created = { id: string; version: number } & Record<string, unknown>;

async function created(res: LightMyRequestResponse): Promise<Created> {
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Created;
}

async function ruleCount(): Promise<number> {
  const [row] = await t.rows<{ n: number }>(sql`SELECT (SELECT count(*) FROM pricing_rules) + (SELECT count(*) FROM pricing_rule_versions) AS n`);
  return Number(row!.n);
}

const volumeTiers = {
  scope: { product: { kind: 'group', groupId: '' } },
  action: { type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'percent', bands: [{ fromQty: 10, percent: '5' }, { fromQty: 50, percent: '10' }] },
  phase: 'SYSTEM',
  priority: 10,
  combine: 'compound',
};

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.as('admin');
  repA = await t.as('repA');
  ids.group = (await created(await admin.post('/api/v1/catalog/product-groups', { code: 'SW', nameZh: '软件' }))).id;
  ids.sub = (await created(await admin.post('/api/v1/catalog/product-groups', { code: 'SW-SUB', nameZh: '订阅', parentId: ids.group }))).id;
  ids.erp = (
    await created(
      await admin.post('/api/v1/catalog/products', { sku: 'ERP-SUB', nameZh: 'ERP 用户订阅', kind: 'subscription', termMonths: 12, unit: '用户', taxPercent: '6', groupId: ids.sub }),
    )
  ).id;
  const book = await created(await admin.post('/api/v1/catalog/price-books', { code: 'CN', nameZh: '人民币价格表', currency: 'CNY', validFrom: '2026-01-01' }));
  ids.book = book.id;
  const entries = await admin.patch(`/api/v1/catalog/price-books/${book.id}/entries`, { version: book.version, currency: 'CNY', entries: [{ productId: ids.erp, unitPrice: '1200' }] });
  expect(entries.statusCode, entries.body).toBe(200);
  ids.gov = (await created(await admin.post('/api/v1/crm/customer-groups', { code: 'GOV', nameZh: '政府机关' }))).id;
  ids.govAccount = (await created(await repA.post('/api/v1/crm/accounts', { nameZh: '测试省财政厅', kind: 'government', customerGroupId: ids.gov, confirmSimilar: true }))).id;
  volumeTiers.scope.product.groupId = ids.group;
});

afterAll(async () => {
  await t?.close();
});

describe('saving a rule compiles it', () => {
  it('returns a CEL syntax error with its line and column, and stores nothing', async () => {
    const res = await admin.post('/api/v1/pricing/rules', {
      code: 'BAD-1',
      name: '坏条件',
      definition: { ...volumeTiers, condition: 'line.quantity >= 10 &&\n  customer.kind == ' },
    });
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(body.code).toBe('pricing.invalid_rule');
    expect(body.errors[0].path).toBe('definition.condition');
    expect(body.line).toBe(2);
    expect(body.errors[0].message).toMatch(/^第 2 行第 \d+ 列：/);
    expect(await ruleCount()).toBe(0);
  });

  it('refuses a field the documented context does not have, with its position', async () => {
    const res = await admin.post('/api/v1/pricing/rules', { code: 'BAD-2', name: 'typo', definition: { ...volumeTiers, condition: 'customer.regoin == "330000"' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'pricing.invalid_rule', line: 1, column: expect.any(Number) });
    expect(res.json().issues[0].message).toContain('regoin');
  });

  it('refuses tiers that are not ascending, with the band path', async () => {
    const res = await admin.post('/api/v1/pricing/rules', {
      code: 'BAD-3',
      name: 'tiers',
      definition: { ...volumeTiers, action: { ...volumeTiers.action, bands: [{ fromQty: 50, percent: '10' }, { fromQty: 10, percent: '5' }] } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'definition.action.bands.1.fromQty' })]);
    expect(await ruleCount()).toBe(0);
  });

  it('forbids a seller to write rules (403), storing nothing', async () => {
    const res = await repA.post('/api/v1/pricing/rules', { code: 'R-REP', name: 'x', definition: volumeTiers });
    expect(res.statusCode).toBe(403);
    expect(await ruleCount()).toBe(0);
  });
});

describe('versions', () => {
  it('publishes a draft; editing a published rule starts v2 and leaves v1 as it was', async () => {
    const rule = await created(await admin.post('/api/v1/pricing/rules', { code: 'R-VOL', name: '批量折扣', definition: volumeTiers }));
    ids.vol = rule.id;
    expect(rule).toMatchObject({ draftVersion: 1, publishedVersion: null, versions: [{ number: 1, status: 'draft' }] });
    const published = await admin.post(`/api/v1/pricing/rules/${rule.id}/publish`, { version: rule.version });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json().rule).toMatchObject({ publishedVersion: 1, draftVersion: null });
    const v1 = published.json().rule;

    const edited = { ...volumeTiers, action: { ...volumeTiers.action, bands: [{ fromQty: 10, percent: '6' }, { fromQty: 50, percent: '12' }] } };
    const draft = await admin.patch(`/api/v1/pricing/rules/${rule.id}/draft`, { version: v1.version, name: '批量折扣 2027', definition: edited });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json()).toMatchObject({ publishedVersion: 1, draftVersion: 2 });
    const [stored] = await t.rows<{ definition: { action: { bands: { percent: string }[] } }; status: string }>(
      sql`SELECT definition, status FROM pricing_rule_versions WHERE rule_id = ${rule.id} AND number = 1`,
    );
    expect(stored!.status).toBe('published');
    expect(stored!.definition.action.bands.map((b) => b.percent)).toEqual(['5', '10']);

    const stale = await admin.patch(`/api/v1/pricing/rules/${rule.id}/draft`, { version: v1.version, name: 'stale', definition: edited });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().currentVersion).toBe(draft.json().version);
    const [name] = await t.rows<{ name: string }>(sql`SELECT name FROM pricing_rule_versions WHERE rule_id = ${rule.id} AND number = 2`);
    expect(name!.name).toBe('批量折扣 2027');

  });

  it('reports at publish that a rule can never apply where a stronger one always wins', async () => {
    const strong = await created(
      await admin.post('/api/v1/pricing/rules', {
        code: 'R3',
        name: '渠道统一折扣',
        definition: { scope: { product: { kind: 'all' } }, action: { type: 'percentDiscount', percent: '3' }, phase: 'CHANNEL', priority: 100 },
      }),
    );
    expect((await admin.post(`/api/v1/pricing/rules/${strong.id}/publish`, { version: strong.version })).statusCode).toBe(200);
    const weak = await created(
      await admin.post('/api/v1/pricing/rules', {
        code: 'R7',
        name: '软件渠道折扣',
        definition: { scope: { product: { kind: 'group', groupId: ids.group } }, action: { type: 'percentDiscount', percent: '5' }, phase: 'CHANNEL', priority: 10 },
      }),
    );
    const check = await admin.post(`/api/v1/pricing/rules/${weak.id}/check`);
    expect(check.statusCode, check.body).toBe(200);
    expect(await t.rows(sql`SELECT 1 FROM pricing_rules WHERE id = ${weak.id} AND published_version IS NULL`)).toHaveLength(1);
    const res = await admin.post(`/api/v1/pricing/rules/${weak.id}/publish`, { version: weak.version });
    expect(res.statusCode, res.body).toBe(200);
    const finding = res.json().findings.find((f: { code: string }) => f.code === 'never_applies');
    expect(finding).toMatchObject({ ruleId: weak.id, byRuleId: strong.id, severity: 'warning' });
    expect(check.json().findings.map((f: { code: string }) => f.code)).toContain('never_applies');
    // Archive R3 so it does not discount the what-if lines below.
    const r3 = (await admin.get(`/api/v1/pricing/rules/${strong.id}`)).json();
    expect((await admin.post(`/api/v1/pricing/rules/${strong.id}/archive`, { version: r3.version })).statusCode).toBe(200);
    const r7 = (await admin.get(`/api/v1/pricing/rules/${weak.id}`)).json();
    expect((await admin.post(`/api/v1/pricing/rules/${weak.id}/archive`, { version: r7.version })).statusCode).toBe(200);
  });
});

describe('what-if', () => {
  const sample = () => ({ priceBookId: ids.book, currency: 'CNY', pricingDate: '2026-06-01', accountId: ids.govAccount, lines: [{ id: 'L1', productId: ids.erp, quantity: 60 }] });

  it('prices a sample quote with the explanation and the rule versions used', async () => {
    const gov = await created(
      await admin.post('/api/v1/pricing/rules', {
        code: 'R-GOV',
        name: '政府客户折扣',
        definition: {
          scope: { product: { kind: 'all' }, customer: { kind: 'customerGroup', groupId: ids.gov } },
          action: { type: 'percentDiscount', percent: '8' },
          phase: 'SYSTEM',
          priority: 5,
          combine: 'compound',
        },
      }),
    );
    ids.govRule = gov.id;
    expect((await admin.post(`/api/v1/pricing/rules/${gov.id}/publish`, { version: gov.version })).statusCode).toBe(200);

    const res = await repA.post('/api/v1/pricing/what-if', sample());
    expect(res.statusCode, res.body).toBe(200);
    const line = res.json().lines[0];
    // 1200 × (1 − 10 %) volume band from 50 × (1 − 8 %) government = 993.6; × 60 = 59 616.00
    expect(line.net).toEqual({ amount: '59616.00', currency: 'CNY' });
    // 6 % VAT on the rounded net: 3 576.96
    expect(line.tax).toEqual({ amount: '3576.96', currency: 'CNY' });
    expect(line.rulesUsed).toEqual(
      expect.arrayContaining([
        { ruleId: ids.vol, code: 'R-VOL', version: 1, isDraft: false },
        { ruleId: ids.govRule, code: 'R-GOV', version: 1, isDraft: false },
      ]),
    );
    const applied = line.explanation.filter((s: { type: string }) => s.type === 'applied');
    expect(applied.map((s: { ruleId: string }) => s.ruleId).sort()).toEqual([ids.vol, ids.govRule].sort());
    expect(applied.some((s: { text: string }) => s.text.includes('R-GOV'))).toBe(true);
  });

  it('prices with a chosen draft in place of the published version (rule writers only)', async () => {
    const denied = await repA.post('/api/v1/pricing/what-if', { ...sample(), draftRuleIds: [ids.vol] });
    expect(denied.statusCode).toBe(403);
    const res = await admin.post('/api/v1/pricing/what-if', { ...sample(), draftRuleIds: [ids.vol] });
    expect(res.statusCode, res.body).toBe(200);
    const line = res.json().lines[0];
    // draft v2: 12 % from 50 → 1200 × 0.88 × 0.92 = 971.52; × 60 = 58 291.20
    expect(line.net.amount).toBe('58291.20');
    expect(line.rulesUsed).toContainEqual({ ruleId: ids.vol, code: 'R-VOL', version: 2, isDraft: true });
    // The published set is untouched afterwards.
    const again = await admin.post('/api/v1/pricing/what-if', sample());
    expect(again.json().lines[0].net.amount).toBe('59616.00');
  });

  it('refuses a currency other than the price book, and a zero quantity', async () => {
    const usd = await repA.post('/api/v1/pricing/what-if', { ...sample(), currency: 'USD' });
    expect(usd.statusCode).toBe(422);
    expect(usd.json().code).toBe('pricing.currency_mismatch');
    const zero = await repA.post('/api/v1/pricing/what-if', { ...sample(), lines: [{ productId: ids.erp, quantity: 0 }] });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().errors).toEqual([expect.objectContaining({ path: 'lines.0.quantity' })]);
  });
});

describe('compiled-rule cache', () => {
  it('recompiles only the rule a publish touches', async () => {
    const cache = getPublishedRuleCache(t.database.db);
    const before = await cache.getRuleSet(t.database.db);
    const govCompiled = before.getRule(ids.govRule);
    const volCompiled = before.getRule(ids.vol);
    expect(volCompiled?.version).toBe(1);
    const stats = { ...cache.stats };

    const rule = (await admin.get(`/api/v1/pricing/rules/${ids.vol}`)).json();
    const res = await admin.post(`/api/v1/pricing/rules/${ids.vol}/publish`, { version: rule.version });
    expect(res.statusCode, res.body).toBe(200);

    const after = await cache.getRuleSet(t.database.db);
    expect(after).toBe(before);
    expect(after.getRule(ids.vol)?.version).toBe(2);
    expect(after.getRule(ids.govRule)).toBe(govCompiled); // untouched: same compiled object
    expect(cache.stats.fullLoads).toBe(stats.fullLoads);
    expect(cache.stats.upserts).toBeGreaterThan(stats.upserts);
    const [v1] = await t.rows<{ status: string }>(sql`SELECT status FROM pricing_rule_versions WHERE rule_id = ${ids.vol} AND number = 1`);
    expect(v1!.status).toBe('superseded');

    const priced = await repA.post('/api/v1/pricing/what-if', {
      priceBookId: ids.book,
      currency: 'CNY',
      pricingDate: '2026-06-01',
      accountId: ids.govAccount,
      lines: [{ productId: ids.erp, quantity: 60 }],
    });
    expect(priced.json().lines[0].net.amount).toBe('58291.20');
  });
});

describe('rules as XLSX', () => {
  it('exports, reports every bad row on a dry run, imports all or nothing as new drafts', async () => {
    const exported = await repA.get('/api/v1/pricing/rules/export.xlsx');
    expect(exported.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.rawPayload as unknown as ExcelJS.Buffer);
    const rules = wb.getWorksheet('Rules')!;
    const header = (rules.getRow(1).values as unknown[]).map(String);
    const col = (name: string) => header.indexOf(name);
    const rowOf = (code: string) => [...Array(rules.rowCount).keys()].map((i) => rules.getRow(i + 1)).find((r) => r.getCell(1).value === code)!;
    expect(rowOf('R-GOV').getCell(col('Customer')).value).toBe('GOV');
    expect(rowOf('R-VOL').getCell(col('Tier mode')).value).toBe('range');
    expect(wb.getWorksheet('Tiers')!.rowCount).toBe(3);
    const toBase64 = async () => Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');

    const same = await admin.post('/api/v1/pricing/rules/import', { fileBase64: await toBase64(), dryRun: true });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ created: 0, updated: 0, unchanged: 2, issues: [] });

    rowOf('R-GOV').getCell(col('Percent')).value = 9;
    const added = rules.addRow([]);
    for (const [name, value] of Object.entries({ Code: 'R-NEW', Name: '华东大客户', Phase: 'SYSTEM', Priority: 1, 'Product scope': 'all', Condition: 'customer.region == ', Action: 'percentDiscount', Percent: 2 })) {
      added.getCell(col(name)).value = value;
    }
    const before = await ruleCount();
    const dry = await admin.post('/api/v1/pricing/rules/import', { fileBase64: await toBase64(), dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().issues).toEqual([expect.objectContaining({ sheet: 'Rules', row: added.number, column: 'Condition', message: expect.stringMatching(/^第 1 行第 \d+ 列/) })]);
    const refused = await admin.post('/api/v1/pricing/rules/import', { fileBase64: await toBase64(), dryRun: false });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('pricing.invalid_import');
    expect(await ruleCount()).toBe(before);

    added.getCell(col('Condition')).value = 'customer.region == "310000"';
    const done = await admin.post('/api/v1/pricing/rules/import', { fileBase64: await toBase64(), dryRun: false });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ applied: true, created: 1, updated: 1, unchanged: 1 });
    const gov = (await admin.get(`/api/v1/pricing/rules/${ids.govRule}`)).json();
    expect(gov).toMatchObject({ publishedVersion: 1, draftVersion: 2 });
    expect(gov.versions.find((v: { number: number }) => v.number === 1).definition.action.percent).toBe('8');
    expect(gov.versions.find((v: { number: number }) => v.number === 2).definition.action.percent).toBe('9');
  });
});
