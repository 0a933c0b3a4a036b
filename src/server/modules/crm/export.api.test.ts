import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { type TestApp, type TestClient, createTestApp } from '../../testing/test-app.ts';
import { settleImports } from './import-service.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { newId } from '../../platform/ids.ts';
import { accounts } from './schema.ts';
import { computeUsccCheckChar } from '../../../shared/uscc.ts';

/**
 * Exports of the account, contact and deal lists: the caller's rows only, the list's filters,
 * chosen columns, headers in the caller's language, CSV with a BOM, XLSX that imports back.
 */

let t: TestApp;
let repA: TestClient;
let repB: TestClient;
const today = localDate(new Date(), 'Asia/Shanghai');

function uscc(n: number): string {
  const first17 = `91330100${String(n).padStart(9, '0')}`;
  return first17 + computeUsccCheckChar(first17);
}

function csvRows(body: Buffer): string[][] {
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return Papa.parse<string[]>(body.subarray(3).toString('utf8'), { skipEmptyLines: true }).data;
}

async function xlsxRows(body: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ExcelJS.Buffer);
  const rows: string[][] = [];
  wb.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
  return rows;
}

const accountIds: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  repA = await t.as('repA');
  repB = await t.as('repB');
  const mk = async (c: TestClient, body: Record<string, unknown>) => {
    const res = await c.post('/api/v1/crm/accounts', { kind: 'enterprise', confirmSimilar: true, ...body });
    expect(res.statusCode, res.body).toBe(201);
    accountIds[body['nameZh'] as string] = res.json().id;
    return res.json().id as string;
  };
  const a1 = await mk(repA, { nameZh: '导出甲公司', uscc: uscc(1), tier: 'key', tags: ['华东', '政企'], notes: '=1+1' });
  await mk(repA, { nameZh: '导出乙公司', kind: 'government', provinceCode: '330000', cityCode: '330100' });
  const b1 = await mk(repB, { nameZh: '导出丙公司（repB）', uscc: uscc(2) });
  const contact = async (c: TestClient, accountId: string, body: Record<string, unknown>) => {
    const res = await c.post(`/api/v1/crm/accounts/${accountId}/contacts`, body);
    expect(res.statusCode, res.body).toBe(201);
  };
  await contact(repA, a1, { name: '张总', level: 'decision', phones: ['+86 138 0000 0001'], emails: ['zhang@example.cn'] });
  await contact(repB, b1, { name: '李工', level: 'execution' });
  const deal = async (c: TestClient, accountId: string, name: string, amount: string) => {
    const res = await c.post('/api/v1/crm/opportunities', { name, accountId, amount: { amount, currency: 'CNY' }, expectedCloseDate: today });
    expect(res.statusCode, res.body).toBe(201);
  };
  await deal(repA, a1, '导出商机一', '1000.00');
  await deal(repA, a1, '导出商机二', '2500.50');
  await deal(repB, b1, '导出商机三（repB）', '9.00');
});
afterAll(async () => {
  await settleImports();
  await t.close();
});

describe('account export', () => {
  it('CSV with a BOM, Chinese headers for a Chinese reader, only the caller’s accounts, formula cells defused', async () => {
    const res = await repA.get('/api/v1/crm/exports/accounts?format=csv&columns=nameZh,uscc,kind,tier,tags,notes,owner');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="accounts-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = csvRows(res.rawPayload);
    expect(rows[0]).toEqual(['客户名称', '统一社会信用代码', '客户类型', '客户等级', '标签', '备注', '负责人']);
    expect(rows.slice(1)).toEqual([
      ['导出乙公司', '', '政府', '标准', '', '', '测试repA'],
      ['导出甲公司', uscc(1), '企业', '重点', '华东, 政企', "'=1+1", '测试repA'],
    ]);
  });

  it('English headers and enum keys for an English reader; the list filters apply', async () => {
    expect((await repA.patch('/api/v1/me', { locale: 'en' })).statusCode).toBe(200);
    try {
      const res = await repA.get('/api/v1/crm/exports/accounts?columns=nameZh,kind&kind=government');
      expect(res.statusCode).toBe(200);
      expect(csvRows(res.rawPayload)).toEqual([['Account name', 'Kind'], ['导出乙公司', 'government']]);
    } finally {
      expect((await repA.patch('/api/v1/me', { locale: 'zh-CN' })).statusCode).toBe(200);
    }
  });

  it('another rep exports only their own accounts', async () => {
    const rows = csvRows((await repB.get('/api/v1/crm/exports/accounts?columns=nameZh')).rawPayload);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['导出丙公司（repB）']);
  });

  it('an unknown column is a 400 naming it', async () => {
    const res = await repA.get('/api/v1/crm/exports/accounts?columns=nameZh,secret');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'query.columns.secret', message: expect.any(String) }]);
  });

  it('an XLSX export imports back: the suggested mapping takes every importable column and the rows match by USCC', async () => {
    const res = await repA.get('/api/v1/crm/exports/accounts?format=xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const rows = await xlsxRows(res.rawPayload);
    expect(rows[0]![0]).toBe('客户名称');
    expect(rows.slice(1).map((r) => r[0])).toEqual(['导出乙公司', '导出甲公司']);

    const up = await repA.post('/api/v1/crm/imports', { entity: 'account', fileName: 'accounts.xlsx', contentBase64: res.rawPayload.toString('base64') });
    expect(up.statusCode, up.body).toBe(201);
    const job = up.json();
    expect(job).toMatchObject({ format: 'xlsx', encoding: 'xlsx', rowCount: 2 });
    expect(Object.keys(job.suggestedMapping).sort()).toEqual(
      ['nameZh', 'nameEn', 'shortName', 'uscc', 'kind', 'industry', 'provinceCode', 'cityCode', 'address', 'website', 'tier', 'status', 'tags', 'notes', 'owner'].sort(),
    );
    const checked = await repA.post(`/api/v1/crm/imports/${job.id}/dry-run`, { version: job.version, mapping: job.suggestedMapping, dedupe: 'update' });
    expect(checked.statusCode, checked.body).toBe(200);
    const report = checked.json().report;
    // 甲 has a USCC: an update of itself. 乙 has none: a new account, warned as the same name.
    expect(report).toMatchObject({ invalid: 0, toUpdate: 1, toCreate: 1, warnings: 1 });
    expect(report.errors.find((e: { code: string }) => e.code === 'similar_account').row).toBe(2);
  });
});

describe('long lists', () => {
  it('pages through the whole list (more rows than one internal page) in CSV and XLSX', async () => {
    const values = Array.from({ length: 450 }, (_, i) => ({
      id: newId(),
      nameZh: `批量导出${String(i).padStart(3, '0')}`,
      kind: 'enterprise' as const,
      ownerId: t.fixture.users.repC,
      unitId: t.fixture.units.t2,
    }));
    await t.database.db.insert(accounts).values(values);
    const repC = await t.as('repC');
    const csv = csvRows((await repC.get('/api/v1/crm/exports/accounts?columns=nameZh')).rawPayload);
    expect(csv.slice(1).map((r) => r[0])).toEqual(values.map((v) => v.nameZh));
    const xlsx = await xlsxRows((await repC.get('/api/v1/crm/exports/accounts?format=xlsx&columns=nameZh,uscc')).rawPayload);
    expect(xlsx).toHaveLength(451);
    expect(xlsx.slice(1).map((r) => r[0])).toEqual(values.map((v) => v.nameZh));
  });
});

describe('contact export', () => {
  it('contacts of the accounts the caller can read, with their account; one account by id', async () => {
    const rows = csvRows((await repA.get('/api/v1/crm/exports/contacts?columns=account,name,level,phones,emails')).rawPayload);
    expect(rows).toEqual([
      ['所属客户', '姓名', '层级', '电话', '邮箱'],
      ['导出甲公司', '张总', '决策层', '+86 138 0000 0001', 'zhang@example.cn'],
    ]);
    expect((await repA.get(`/api/v1/crm/exports/contacts?accountId=${accountIds['导出丙公司（repB）']}`)).statusCode).toBe(404);
  });
});

describe('opportunity export', () => {
  it('the deals the caller can read, with the list filters and chosen columns, as XLSX', async () => {
    const res = await repA.get('/api/v1/crm/exports/opportunities?format=xlsx&columns=name,account,amount,currency&sort=amount');
    expect(res.statusCode).toBe(200);
    expect(await xlsxRows(res.rawPayload)).toEqual([
      ['商机名称', '客户名称', '金额', '币种'],
      ['导出商机一', '导出甲公司', '1000.00', 'CNY'],
      ['导出商机二', '导出甲公司', '2500.50', 'CNY'],
    ]);
    const filtered = await repA.get(`/api/v1/crm/exports/opportunities?columns=name&q=${encodeURIComponent('商机二')}`);
    expect(csvRows(filtered.rawPayload)).toEqual([['商机名称'], ['导出商机二']]);
  });

  it('someone with no CRM read grant exports only what is shared with them: here, nothing', async () => {
    const engineer = await t.as('engineer');
    for (const entity of ['accounts', 'contacts', 'opportunities']) {
      const res = await engineer.get(`/api/v1/crm/exports/${entity}?columns=name${entity === 'accounts' ? 'Zh' : ''}`);
      expect(res.statusCode, entity).toBe(200);
      expect(csvRows(res.rawPayload), entity).toHaveLength(1);
    }
  });
});

describe('custom-field filters and sorts', () => {
  it('accounts and deals export with the lists’ cf.<key> filters and sort=cf.<key>, as the lists return them', async () => {
    const admin = await t.as('admin');
    for (const body of [
      { entity: 'account', key: 'rating', type: 'number', label: { zh: '导出评分', en: 'Rating' } },
      { entity: 'opportunity', key: 'urgency', type: 'number', label: { zh: '紧急度', en: 'Urgency' } },
    ]) {
      const res = await admin.post('/api/v1/crm/custom-fields', body);
      expect(res.statusCode, res.body).toBe(201);
    }
    for (const [name, rating] of [['导出评分一', 5], ['导出评分二', 50], ['导出评分三', 20]] as const) {
      const res = await repA.post('/api/v1/crm/accounts', { kind: 'enterprise', confirmSimilar: true, nameZh: name, custom: { rating } });
      expect(res.statusCode, res.body).toBe(201);
    }
    const accountsCsv = await repA.get('/api/v1/crm/exports/accounts?columns=nameZh,custom.rating&cf.rating.gte=10&sort=-cf.rating');
    expect(accountsCsv.statusCode, accountsCsv.body).toBe(200);
    expect(csvRows(accountsCsv.rawPayload)).toEqual([
      ['客户名称', '导出评分'],
      ['导出评分二', '50'],
      ['导出评分三', '20'],
    ]);
    // The same rows, in the same order, as the list.
    const listed = await repA.get('/api/v1/crm/accounts?cf.rating.gte=10&sort=-cf.rating');
    expect(listed.json().items.map((a: { nameZh: string }) => a.nameZh)).toEqual(['导出评分二', '导出评分三']);

    for (const [name, urgency] of [['导出紧急一', 1], ['导出紧急二', 3], ['导出紧急三', 2]] as const) {
      const res = await repA.post('/api/v1/crm/opportunities', {
        name,
        accountId: accountIds['导出甲公司'],
        amount: { amount: '1.00', currency: 'CNY' },
        expectedCloseDate: today,
        custom: { urgency },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const deals = await repA.get('/api/v1/crm/exports/opportunities?format=xlsx&columns=name&cf.urgency.gt=1&sort=cf.urgency');
    expect(deals.statusCode, deals.body).toBe(200);
    expect((await xlsxRows(deals.rawPayload)).slice(1)).toEqual([['导出紧急三'], ['导出紧急二']]);

    // Unknown custom fields and parameters are refused as by the lists, naming the parameter.
    for (const [query, path] of [
      ['cf.nothing=1', 'query.cf.nothing'],
      ['sort=cf.nothing', 'query.sort'],
      ['nonsense=1', 'query.nonsense'],
    ] as const) {
      const res = await repA.get(`/api/v1/crm/exports/accounts?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });
});
