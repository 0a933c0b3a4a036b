import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import zhValidation from '../../../shared/i18n/zh-CN/validation.json';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { failInterruptedImports, settleImports } from './import-service.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { computeUsccCheckChar } from '../../../shared/uscc.ts';

/**
 * CSV/XLSX import through the API: upload (encodings), dry run (every row's problems, references,
 * duplicates in the file and in the database), commit (batches through the API's services, a
 * failed batch rolled back), the error report, and who may see and run a job.
 */

let t: TestApp;
let repA: TestClient;
const today = localDate(new Date(), 'Asia/Shanghai');

/** A valid USCC: Hangzhou division code, a running number, its GB 32100 check character. */
function uscc(n: number): string {
  const first17 = `91330100${String(n).padStart(9, '0')}`;
  return first17 + computeUsccCheckChar(first17);
}

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');

/** GBK bytes of a text, from the platform's GB18030 decoder over every two-byte code. */
const gbkTable = (() => {
  const map = new Map<string, number[]>();
  const dec = new TextDecoder('gb18030');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && !map.has(ch)) map.set(ch, [lead, trail]);
    }
  }
  return map;
})();
const gbk = (text: string) => new Uint8Array([...text].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : gbkTable.get(ch)!)));

type Job = {
  id: string;
  status: string;
  version: number;
  encoding: string;
  columns: string[];
  sample: string[][];
  rowCount: number;
  suggestedMapping: Record<string, string>;
  processed: number;
  total: number;
  report: {
    valid: number;
    invalid: number;
    duplicates: number;
    warnings: number;
    toCreate: number;
    toUpdate: number;
    toSkip: number;
    errors: { row: number; column: string | null; field: string | null; severity: string; code: string; message: string }[];
  } | null;
  result: { created: number; updated: number; skipped: number; committedRows: number; error: { code: string; row: number | null; message: string } | null } | null;
};

async function upload(c: TestClient, entity: string, content: string | Uint8Array, fileName = 'data.csv', headers?: Record<string, string>) {
  return c.post('/api/v1/crm/imports', { entity, fileName, contentBase64: b64(content) }, headers);
}

async function uploaded(c: TestClient, entity: string, content: string | Uint8Array, fileName?: string): Promise<Job> {
  const res = await upload(c, entity, content, fileName);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function dryRun(c: TestClient, job: Job, dedupe = 'skip', mapping = job.suggestedMapping): Promise<Job> {
  const res = await c.post(`/api/v1/crm/imports/${job.id}/dry-run`, { version: job.version, mapping, dedupe });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Commit and wait for the background batches to end. */
async function commit(c: TestClient, job: Job, extra: Record<string, unknown> = {}): Promise<Job> {
  const res = await c.post(`/api/v1/crm/imports/${job.id}/commit`, { version: job.version, ...extra });
  expect(res.statusCode, res.body).toBe(202);
  expect(res.json().status).toBe('running');
  await settleImports();
  const after = await c.get(`/api/v1/crm/imports/${job.id}`);
  expect(after.statusCode).toBe(200);
  return after.json();
}

const count = async (q: ReturnType<typeof sql>) => (await t.rows<{ n: number }>(q))[0]!.n;

async function account(who: FixtureUser, body: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const res = await (await t.as(who)).post('/api/v1/crm/accounts', { kind: 'enterprise', confirmSimilar: true, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  repA = await t.as('repA');
});
afterAll(async () => {
  await settleImports();
  await t.close();
});

describe('upload', () => {
  it('reads a UTF-8 CSV: columns, a five-row sample, row count and a suggested mapping with field labels', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `样例公司${i},企业`).join('\n');
    const job = await uploaded(repA, 'account', `客户名称,客户类型\n${rows}\n`);
    expect(job).toMatchObject({ status: 'uploaded', encoding: 'utf-8', columns: ['客户名称', '客户类型'], rowCount: 7, processed: 0 });
    expect(job.sample).toHaveLength(5);
    expect(job.sample[0]).toEqual(['样例公司0', '企业']);
    expect(job.suggestedMapping).toEqual({ nameZh: '客户名称', kind: '客户类型' });
    const fields = (job as unknown as { fields: { field: string; required: boolean; labels: { zh: string } }[] }).fields;
    expect(fields.find((f) => f.field === 'uscc')).toEqual({ field: 'uscc', required: false, labels: { zh: '统一社会信用代码', en: 'USCC' } });
  });

  it('detects a GBK file and decodes its Chinese text', async () => {
    const job = await uploaded(repA, 'account', gbk('客户名称,客户类型\r\n杭州西湖测试有限公司,国有企业\r\n'));
    expect(job.encoding).toBe('gb18030');
    expect(job.sample).toEqual([['杭州西湖测试有限公司', '国有企业']]);
  });

  it('reads a UTF-8 file with a BOM (Excel "CSV UTF-8") without the BOM in the first header', async () => {
    const job = await uploaded(repA, 'account', `\uFEFF客户名称,客户类型\n甲,企业\n`);
    expect(job.encoding).toBe('utf-8-bom');
    expect(job.columns[0]).toBe('客户名称');
    expect(job.suggestedMapping['nameZh']).toBe('客户名称');
  });

  it('refuses bytes in no known encoding: 422 crm.import_encoding naming the encodings tried, in the caller language, and no job', async () => {
    const before = await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`);
    const res = await upload(repA, 'account', new Uint8Array([0xbf, 0xcd, 0x2c, 0xff, 0xfe, 0xff, 0x0a, 0x41, 0xff]));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.code).toBe('crm.import_encoding');
    expect(problem.triedEncodings).toEqual(['utf-8', 'gb18030']);
    expect(problem.detail).toContain('UTF-8, GB18030');
    expect(problem.detail).toMatch(/[\u4e00-\u9fff]/); // fixture users read Chinese
    expect(problem.errors).toEqual([{ path: 'contentBase64', message: expect.any(String) }]);
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`)).toBe(before);
  });

  it('refuses an empty file, a header without rows, a broken XLSX and an old .xls: 422, no job', async () => {
    const before = await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`);
    for (const [content, name, reason] of [
      ['客户名称\n', 'a.csv', 'empty'],
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'a.xlsx', 'xlsx'],
      [new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]), 'a.xls', 'xls'],
    ] as const) {
      const res = await upload(repA, 'account', content, name);
      expect(res.statusCode, name).toBe(422);
      expect(res.json()).toMatchObject({ code: 'crm.import_file_invalid', reason });
    }
    const bad = await repA.post('/api/v1/crm/imports', { entity: 'account', fileName: 'a.csv', contentBase64: '***' });
    expect(bad.statusCode).toBe(422);
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`)).toBe(before);
  });

  it('takes files above the app-wide 1 MiB body limit (the route allows 15 MiB)', async () => {
    const line = `${'很长的公司名称'.repeat(3)},企业\n`;
    const content = `客户名称,客户类型\n${line.repeat(Math.ceil((1.2 * 1024 * 1024) / Buffer.byteLength(line)))}`;
    const res = await upload(repA, 'account', content);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
  });

  it('honours Idempotency-Key: the same upload twice is one job', async () => {
    const before = await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`);
    const headers = { 'idempotency-key': 'import-upload-0001' };
    const first = await upload(repA, 'account', '客户名称,客户类型\n甲,企业\n', 'x.csv', headers);
    const second = await upload(repA, 'account', '客户名称,客户类型\n甲,企业\n', 'x.csv', headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`)).toBe(before + 1);
  });

  it('is refused to someone who may not create CRM records (403) and stores nothing', async () => {
    const before = await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`);
    const res = await upload(await t.as('engineer'), 'account', '客户名称,客户类型\n甲,企业\n');
    expect(res.statusCode).toBe(403);
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs`)).toBe(before);
  });
});

describe('accounts', () => {
  it('dry run lists every problem of every row with file row numbers; commit skips invalid rows only when asked', async () => {
    const existing = await account('repA', { nameZh: '已存在的导入测试客户', uscc: uscc(1) });
    const csv = [
      '客户名称,客户类型,统一社会信用代码,客户等级,备注',
      `导入甲科技有限公司,企业,${uscc(2)},重点,第一行`, // row 2: valid
      `导入乙,外星企业,12345,,`, // row 3: bad kind AND bad USCC
      `导入丙重复,企业,${uscc(2)},,`, // row 4: repeats row 2's USCC
      `导入丁,企业,${uscc(1)},,`, // row 5: USCC of an existing account
      `,企业,,,`, // row 6: no name
    ].join('\n');
    const job = await uploaded(repA, 'account', csv);
    const checked = await dryRun(repA, job, 'skip');
    expect(checked.status).toBe('validated');
    const r = checked.report!;
    expect(r).toMatchObject({ valid: 3, invalid: 2, duplicates: 2, toCreate: 1, toUpdate: 0, toSkip: 2 });
    const byRow = (row: number) => r.errors.filter((e) => e.row === row).map((e) => `${e.severity}:${e.field}:${e.code}`).sort();
    expect(byRow(2)).toEqual([]);
    expect(byRow(3)).toEqual(['error:kind:unknown_option', 'error:uscc:uscc_length']);
    expect(byRow(4)).toEqual(['info:uscc:import_duplicate_in_file']);
    expect(byRow(5)).toEqual(['info:uscc:import_duplicate_existing']);
    expect(byRow(6)).toEqual(['error:nameZh:invalid_type']);
    const row3 = r.errors.find((e) => e.row === 3 && e.field === 'kind')!;
    expect(row3.column).toBe('客户类型');
    expect(row3.message).toBe(zhValidation.unknown_option); // fixture users read Chinese
    expect(r.errors.find((e) => e.row === 5)!.message).toContain('已存在的导入测试客户');

    // Not without skipInvalid; nothing written.
    const refused = await repA.post(`/api/v1/crm/imports/${job.id}/commit`, { version: checked.version });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'crm.import_not_ready', reason: 'invalid_rows', count: 2 });
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh LIKE '导入%'`)).toBe(0);

    const done = await commit(repA, checked, { skipInvalid: true });
    expect(done).toMatchObject({ status: 'completed', processed: 1, total: 1 });
    expect(done.result).toMatchObject({ created: 1, updated: 0, skipped: 4, committedRows: 1, error: null });
    const [created] = await t.rows<{ id: string; owner_id: string; tier: string; notes: string; uscc: string }>(
      sql`SELECT id, owner_id, tier, notes, uscc FROM crm_accounts WHERE name_zh = '导入甲科技有限公司'`,
    );
    expect(created).toMatchObject({ owner_id: t.fixture.users.repA, tier: 'key', notes: '第一行', uscc: uscc(2) });
    // Through the API's service: audit, event and the owner on the account team.
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = ${created!.id} AND action = 'create'`)).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = ${created!.id} AND type = 'account.created'`)).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_account_team WHERE account_id = ${created!.id} AND role = 'account_lead'`)).toBe(1);
    const untouched = await t.rows<{ version: number }>(sql`SELECT version FROM crm_accounts WHERE id = ${existing.id}`);
    expect(untouched[0]!.version).toBe(existing.version);

    // A committed job cannot run again.
    const again = await repA.post(`/api/v1/crm/imports/${job.id}/commit`, { version: done.version });
    expect(again.statusCode).toBe(409);
  });

  it('dedupe update writes the mapped columns onto the existing account (same USCC); fail makes the row invalid', async () => {
    const existing = await account('repA', { nameZh: '更新模式测试客户', uscc: uscc(10), industry: '制造' });
    const csv = `客户名称,客户类型,统一社会信用代码,行业\n更新模式测试客户,企业,${uscc(10)},能源\n`;
    const failJob = await dryRun(repA, await uploaded(repA, 'account', csv), 'fail');
    expect(failJob.report).toMatchObject({ invalid: 1, duplicates: 1 });
    expect(failJob.report!.errors[0]).toMatchObject({ row: 2, field: 'uscc', severity: 'error', code: 'uscc_taken' });
    expect(failJob.report!.errors[0]!.message).toContain('更新模式测试客户');

    const job = await dryRun(repA, await uploaded(repA, 'account', csv), 'update');
    expect(job.report).toMatchObject({ invalid: 0, toUpdate: 1, toCreate: 0 });
    const done = await commit(repA, job);
    expect(done.result).toMatchObject({ created: 0, updated: 1, error: null });
    const [row] = await t.rows<{ industry: string; version: number }>(sql`SELECT industry, version FROM crm_accounts WHERE id = ${existing.id}`);
    expect(row).toEqual({ industry: '能源', version: existing.version + 1 });
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = ${existing.id} AND action = 'update'`)).toBe(1);
  });

  it('update refuses an existing account the importer may not change (same USCC, another rep’s)', async () => {
    await account('repD', { nameZh: '别人的客户', uscc: uscc(11) });
    const job = await dryRun(repA, await uploaded(repA, 'account', `客户名称,客户类型,统一社会信用代码\n别人的客户,企业,${uscc(11)}\n`), 'update');
    expect(job.report!.errors.map((e) => e.code)).toEqual(['import_duplicate_readonly']);
  });

  it('a similar existing name is a warning; the commit needs confirmSimilar', async () => {
    await account('repA', { nameZh: '杭州云帆信息技术有限公司' });
    const job = await dryRun(repA, await uploaded(repA, 'account', '客户名称,客户类型\n杭州云帆信息技术有限公司 ,企业\n'));
    expect(job.report).toMatchObject({ invalid: 0, warnings: 1, toCreate: 1 });
    expect(job.report!.errors[0]).toMatchObject({ row: 2, field: 'nameZh', severity: 'warning', code: 'similar_account' });
    const refused = await repA.post(`/api/v1/crm/imports/${job.id}/commit`, { version: job.version });
    expect(refused.json()).toMatchObject({ code: 'crm.import_not_ready', reason: 'similar_names' });
    const done = await commit(repA, job, { confirmSimilar: true });
    expect(done.result).toMatchObject({ created: 1, error: null });
  });

  it('two rows of the file with similar names: the later one is a warning, and the confirmed commit writes both', async () => {
    const csv = '客户名称,客户类型\n杭州云栖科技有限公司,企业\n杭州云栖科技股份有限公司,企业\n';
    const job = await dryRun(repA, await uploaded(repA, 'account', csv));
    expect(job.report).toMatchObject({ invalid: 0, warnings: 1, toCreate: 2 });
    expect(job.report!.errors).toHaveLength(1);
    expect(job.report!.errors[0]).toMatchObject({ row: 3, field: 'nameZh', severity: 'warning', code: 'similar_account' });
    expect(job.report!.errors[0]!.message).toContain('杭州云栖科技有限公司');
    const refused = await repA.post(`/api/v1/crm/imports/${job.id}/commit`, { version: job.version });
    expect(refused.json()).toMatchObject({ code: 'crm.import_not_ready', reason: 'similar_names', count: 1 });
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh LIKE '杭州云栖科技%'`)).toBe(0);
    const done = await commit(repA, job, { confirmSimilar: true });
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.result).toMatchObject({ created: 2, error: null });
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh LIKE '杭州云栖科技%'`)).toBe(2);
  });

  it('confirmSimilar covers the names the dry run warned about, not a similar account registered after it', async () => {
    const job = await dryRun(repA, await uploaded(repA, 'account', '客户名称,客户类型\n宁波海曙港务物流有限公司,企业\n'));
    expect(job.report).toMatchObject({ invalid: 0, warnings: 0, toCreate: 1 });
    await account('repB', { nameZh: '宁波海曙港务物流股份有限公司' });
    const done = await commit(repA, job, { confirmSimilar: true });
    expect(done).toMatchObject({ status: 'failed' });
    expect(done.result).toMatchObject({ created: 0, error: { code: 'crm.similar_account', row: 2 } });
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh = '宁波海曙港务物流有限公司'`)).toBe(0);
  });

  it('a rename onto a name similar to another account is a warning; the account’s own old name is not', async () => {
    await account('repA', { nameZh: '温州瓯江电子科技有限公司' });
    const mine = await account('repA', { nameZh: '改名前的客户名称', uscc: uscc(12) });
    const csv = `客户名称,客户类型,统一社会信用代码\n温州瓯江电子科技股份有限公司,企业,${uscc(12)}\n改名前的客户名称,企业,${uscc(13)}\n`;
    const job = await dryRun(repA, await uploaded(repA, 'account', csv), 'update');
    expect(job.report).toMatchObject({ invalid: 0, toUpdate: 1, toCreate: 1 });
    // Row 3 creates a name the updated account has now; row 2 renames it onto a name similar to another.
    expect(job.report!.errors.filter((e) => e.severity === 'warning').map((e) => e.row)).toEqual([2, 3]);
    const done = await commit(repA, job, { confirmSimilar: true });
    expect(done.result).toMatchObject({ created: 1, updated: 1, error: null });
    const [row] = await t.rows<{ name_zh: string }>(sql`SELECT name_zh FROM crm_accounts WHERE id = ${mine.id}`);
    expect(row!.name_zh).toBe('温州瓯江电子科技股份有限公司');
  });

  it('an owner column names a user by email or name within the importer’s scope', async () => {
    const director = await t.as('director');
    const csv = `客户名称,客户类型,负责人\n负责人测试一,企业,${t.fixture.emails.repA.toUpperCase()}\n负责人测试二,企业,测试repD\n负责人测试三,企业,nobody@fixture.test\n`;
    const job = await dryRun(director, await uploaded(director, 'account', csv));
    const codes = job.report!.errors.map((e) => `${e.row}:${e.field}:${e.code}`);
    expect(codes).toEqual(['3:owner:import_owner_scope', '4:owner:import_owner_unknown']);
    const done = await commit(director, job, { skipInvalid: true });
    expect(done.result).toMatchObject({ created: 1 });
    const [row] = await t.rows<{ owner_id: string; unit_id: string }>(sql`SELECT owner_id, unit_id FROM crm_accounts WHERE name_zh = '负责人测试一'`);
    expect(row).toEqual({ owner_id: t.fixture.users.repA, unit_id: t.fixture.units.t1 });
  });

  it('a batch that fails at commit rolls back whole and the job says what happened', async () => {
    const csv = `客户名称,客户类型,统一社会信用代码\n批次回滚一,企业,${uscc(20)}\n批次回滚二,企业,${uscc(21)}\n批次回滚三,企业,${uscc(22)}\n`;
    const job = await dryRun(repA, await uploaded(repA, 'account', csv));
    expect(job.report!.toCreate).toBe(3);
    // Between the dry run and the commit someone else registers row 3's company.
    await account('repB', { nameZh: '抢先登记的客户', uscc: uscc(22) });
    const done = await commit(repA, job);
    expect(done.status).toBe('failed');
    expect(done.result).toMatchObject({ created: 0, committedRows: 0, error: { code: 'crm.duplicate_uscc', row: 4 } });
    expect(done.result!.error!.message).toContain('抢先登记的客户');
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh LIKE '批次回滚%'`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'account.created' AND payload->>'nameZh' LIKE '批次回滚%'`)).toBe(0);
    const report = await repA.get(`/api/v1/crm/imports/${job.id}/errors?format=csv`);
    expect(report.body).toContain('批次回滚三');
  });

  it('with several batches, a failure in a later batch keeps the earlier batches and says how many rows they wrote', async () => {
    // 502 rows: batch 1 is rows 2–501 of the file, batch 2 rows 502–503.
    const lines = Array.from({ length: 502 }, (_, i) => `多批次${String(i).padStart(3, '0')},企业,${uscc(1000 + i)}`);
    const job = await dryRun(repA, await uploaded(repA, 'account', `客户名称,客户类型,统一社会信用代码\n${lines.join('\n')}\n`));
    expect(job.report!.toCreate).toBe(502);
    await account('repB', { nameZh: '抢先登记的第二家', uscc: uscc(1000 + 501) });
    const done = await commit(repA, job, { confirmSimilar: true });
    expect(done).toMatchObject({ status: 'failed', processed: 500, total: 502 });
    expect(done.result).toMatchObject({ created: 500, committedRows: 500, error: { code: 'crm.duplicate_uscc', row: 503, batch: 2 } });
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh LIKE '多批次%'`)).toBe(500);
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh = '多批次500'`)).toBe(0);

    // Checked again with dedupe=skip, the failed job resumes: the 500 written rows and the taken USCC are duplicates.
    const retry = await dryRun(repA, done, 'skip');
    expect(retry.report).toMatchObject({ invalid: 0, toCreate: 1, toSkip: 501 });
    const resumed = await commit(repA, retry, { confirmSimilar: true });
    expect(resumed.result).toMatchObject({ created: 1, error: null });
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_accounts WHERE name_zh LIKE '多批次%'`)).toBe(501);
  }, 120_000); // 500 creates through the account service: tens of seconds on the embedded database

  it('refuses a mapping with unknown columns or without a required field (422) and a stale version (409)', async () => {
    const job = await uploaded(repA, 'account', '客户名称,客户类型\n甲,企业\n');
    const bad = await repA.post(`/api/v1/crm/imports/${job.id}/dry-run`, { version: job.version, mapping: { nameZh: '不存在的列' }, dedupe: 'skip' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('crm.import_mapping_invalid');
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['mapping.kind', 'mapping.nameZh']);
    const stale = await repA.post(`/api/v1/crm/imports/${job.id}/dry-run`, { version: job.version + 5, mapping: job.suggestedMapping, dedupe: 'skip' });
    expect(stale.statusCode).toBe(409);
    const [row] = await t.rows<{ status: string; version: number }>(sql`SELECT status, version FROM crm_import_jobs WHERE id = ${job.id}`);
    expect(row).toEqual({ status: 'uploaded', version: job.version });
  });
});

describe('contacts', () => {
  it('resolve their account by name or USCC, dedupe on name/phone/email within the account', async () => {
    const a = await account('repA', { nameZh: '联系人导入测试客户', uscc: uscc(30) });
    const existing = await repA.post(`/api/v1/crm/accounts/${a.id}/contacts`, { name: '王总', level: 'decision', phones: ['13800000001'] });
    expect(existing.statusCode).toBe(201);
    await account('repD', { nameZh: '别组的联系人客户' });
    const csv = [
      '所属客户,姓名,层级,手机,邮箱',
      '联系人导入测试客户,李经理,管理层,13900000002,li@example.cn', // 2: new
      `${uscc(30)},王总秘书,执行层,+86 138 0000 0001,`, // 3: phone of 王总 → duplicate
      '联系人导入测试客户,赵工,执行层,13900000003,li@example.cn', // 4: email of row 2 → duplicate in file
      '不存在的客户,孙总,决策层,,', // 5: unknown account
      '别组的联系人客户,周总,决策层,,', // 6: not visible to repA
      '联系人导入测试客户,钱工,,abc,', // 7: no level, bad phone
    ].join('\n');
    const job = await dryRun(repA, await uploaded(repA, 'contact', csv));
    const codes = job.report!.errors.map((e) => `${e.row}:${e.field}:${e.code}`).sort();
    expect(codes).toEqual([
      '3:name:import_duplicate_existing',
      '4:name:import_duplicate_in_file',
      '5:account:import_account_unknown',
      '6:account:import_account_unknown',
      '7:level:invalid_value',
      '7:phones:phone',
    ]);
    const done = await commit(repA, job, { skipInvalid: true });
    expect(done.result).toMatchObject({ created: 1, error: null });
    const names = await t.rows<{ name: string }>(sql`SELECT name FROM crm_contacts WHERE account_id = ${a.id} ORDER BY name`);
    expect(names.map((n) => n.name).sort()).toEqual(['李经理', '王总'].sort());
  });
});

describe('opportunities', () => {
  it('import with the account by USCC, amount and date as typed, owner defaulting to the importer', async () => {
    await account('repA', { nameZh: '商机导入测试客户', uscc: uscc(40) });
    const csv = [
      '商机名称,客户名称,金额,币种,预计成交日期,赢率',
      `数据平台一期,${uscc(40)},"¥1,200,000.00",CNY,${today},`,
      `数据平台一期,商机导入测试客户,5,CNY,${today},`, // same name + account as row 2
      `运维外包,商机导入测试客户,12.345,CNY,下个月,`, // bad amount, bad date
    ].join('\n');
    const job = await dryRun(repA, await uploaded(repA, 'opportunity', csv));
    expect(job.report!.errors.map((e) => `${e.row}:${e.field}:${e.code}`).sort()).toEqual([
      '3:name:import_duplicate_in_file',
      '4:amount:currency_places',
      '4:expectedCloseDate:date',
    ]);
    const done = await commit(repA, job, { skipInvalid: true });
    expect(done.result).toMatchObject({ created: 1, error: null });
    const [deal] = await t.rows<{ id: string; amount: string; owner_id: string; expected_close_date: string }>(
      sql`SELECT id, amount::text, owner_id, expected_close_date::text FROM crm_opportunities WHERE name = '数据平台一期'`,
    );
    expect(deal).toMatchObject({ amount: '1200000.00', owner_id: t.fixture.users.repA, expected_close_date: today });
    expect(await count(sql`SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = ${deal!.id} AND type = 'opportunity.stage_changed'`)).toBe(1);

    // The same file again with dedupe=skip: the deal exists now, nothing new.
    const again = await dryRun(repA, await uploaded(repA, 'opportunity', csv), 'skip');
    expect(again.report).toMatchObject({ toCreate: 0, toSkip: 2 });
  });
});

describe('opportunity checks against the database', () => {
  it('the dry run finds what the deal service would refuse: unknown stage, lost stage, a closed stage’s probability, no exchange rate', async () => {
    await account('repA', { nameZh: '商机校验测试客户', uscc: uscc(41) });
    const csv = [
      '商机名称,客户名称,金额,币种,预计成交日期,阶段,赢率',
      `校验一,${uscc(41)},100,CNY,${today},solution,`, // 2: valid
      `校验二,${uscc(41)},100,CNY,${today},no_such_stage,`, // 3
      `校验三,${uscc(41)},100,CNY,${today},won,50`, // 4
      `校验四,${uscc(41)},100,CNY,${today},lost,`, // 5
      `校验五,${uscc(41)},100,USD,${today},,`, // 6: no USD rate
    ].join('\n');
    const job = await dryRun(repA, await uploaded(repA, 'opportunity', csv));
    expect(job.report!.errors.map((e) => `${e.row}:${e.field}:${e.code}`).sort()).toEqual([
      '3:stageKey:unknown_stage',
      '4:probability:won_probability',
      '5:stageKey:import_lost_stage',
      '6:currency:no_exchange_rate',
    ]);
    expect(job.report).toMatchObject({ valid: 1, invalid: 4, toCreate: 1 });
    const done = await commit(repA, job, { skipInvalid: true });
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.result).toMatchObject({ created: 1, error: null });
    const rows = await t.rows<{ name: string; stage_key: string }>(sql`SELECT name, stage_key FROM crm_opportunities WHERE name LIKE '校验%'`);
    expect(rows).toEqual([{ name: '校验一', stage_key: 'solution' }]);
  });

  it('an update checks the stage move from the deal’s current stage', async () => {
    await account('repA', { nameZh: '商机改阶段测试客户', uscc: uscc(42) });
    const first = await dryRun(repA, await uploaded(repA, 'opportunity', `商机名称,客户名称,金额,预计成交日期,阶段\n已赢的商机,${uscc(42)},100,${today},won\n`));
    expect((await commit(repA, first)).result).toMatchObject({ created: 1, error: null });
    // The default pipeline does not reopen a won deal.
    const job = await dryRun(repA, await uploaded(repA, 'opportunity', `商机名称,客户名称,金额,预计成交日期,阶段\n已赢的商机,${uscc(42)},100,${today},negotiation\n`), 'update');
    expect(job.report!.errors.filter((e) => e.severity === 'error').map((e) => `${e.row}:${e.field}:${e.code}`)).toEqual(['2:stageKey:stage_transition']);
    expect(job.report).toMatchObject({ invalid: 1, toUpdate: 0 });
  });
});

describe('contact checks against the database', () => {
  it('a user-reference custom field given by id must name an existing user', async () => {
    const admin = await t.as('admin');
    const def = await admin.post('/api/v1/crm/custom-fields', { entity: 'contact', key: 'liaison', type: 'user_ref', label: { zh: '对接人', en: 'Liaison' } });
    expect(def.statusCode, def.body).toBe(201);
    await account('repA', { nameZh: '对接人测试客户', uscc: uscc(43) });
    const csv = [
      '所属客户,姓名,层级,对接人',
      `${uscc(43)},对接甲,决策层,${t.fixture.users.repA}`,
      `${uscc(43)},对接乙,决策层,0b6f3c1e-1d1a-4c1e-9a3e-5a2b6c7d8e9f`,
    ].join('\n');
    const job = await dryRun(repA, await uploaded(repA, 'contact', csv));
    expect(job.report!.errors.map((e) => `${e.row}:${e.field}:${e.code}`)).toEqual(['3:custom.liaison:import_owner_unknown']);
    const done = await commit(repA, job, { skipInvalid: true });
    expect(done.result).toMatchObject({ created: 1, error: null });
  });
});

describe('interrupted imports', () => {
  /** A job as a server that stopped mid-commit leaves it: `running`, last heartbeat `minutesAgo` ago. */
  async function leftRunning(job: Job, processed: number, minutesAgo: number): Promise<void> {
    await t.rows(sql`UPDATE crm_import_jobs SET status = 'running', processed = ${processed}, version = version + 1,
                       updated_at = now() - make_interval(mins => ${minutesAgo}) WHERE id = ${job.id}`);
  }

  it('reading a job whose heartbeat stopped ends it failed (interrupted); a dry run with skip and a commit resume it', async () => {
    const csv = `客户名称,客户类型,统一社会信用代码\n中断测试甲,企业,${uscc(60)}\n中断测试乙,企业,${uscc(61)}\n`;
    const job = await dryRun(repA, await uploaded(repA, 'account', csv));
    await leftRunning(job, 0, 60);
    const read = (await repA.get(`/api/v1/crm/imports/${job.id}`)).json() as Job;
    expect(read).toMatchObject({ status: 'failed', processed: 0 });
    expect(read.result).toMatchObject({ created: 0, committedRows: 0, error: { code: 'crm.import_interrupted', row: null } });
    expect(read.result!.error!.message).toContain('0');
    expect(await count(sql`SELECT count(*)::int AS n FROM crm_import_jobs WHERE id = ${job.id} AND finished_at IS NOT NULL`)).toBe(1);

    const retry = await dryRun(repA, read, 'skip');
    expect(retry.report).toMatchObject({ toCreate: 2 });
    const done = await commit(repA, retry);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.result).toMatchObject({ created: 2, error: null });
  });

  it('says how many rows the committed batches wrote; the list ends such jobs too', async () => {
    const csv = `客户名称,客户类型,统一社会信用代码\n中断计数甲,企业,${uscc(62)}\n中断计数乙,企业,${uscc(63)}\n`;
    const job = await dryRun(repA, await uploaded(repA, 'account', csv));
    const done = await commit(repA, job);
    expect(done.result).toMatchObject({ created: 2 });
    // As if the server stopped after the batch but before the job was marked completed.
    await t.rows(sql`UPDATE crm_import_jobs SET result = NULL WHERE id = ${job.id}`);
    await leftRunning(done, 2, 60);
    const list = (await repA.get('/api/v1/crm/imports?limit=50')).json() as { items: Job[] };
    const listed = list.items.find((j) => j.id === job.id)!;
    expect(listed).toMatchObject({ status: 'failed', processed: 2 });
    expect(listed.result).toMatchObject({ created: 2, updated: 0, committedRows: 2, error: { code: 'crm.import_interrupted', batch: 1 } });
    expect(listed.result!.error!.message).toContain('2');
  });

  it('a running job with a recent heartbeat stays running until a server start on the embedded database', async () => {
    const job = await dryRun(repA, await uploaded(repA, 'account', `客户名称,客户类型\n心跳测试客户,企业\n`));
    await leftRunning(job, 0, 1);
    expect((await repA.get(`/api/v1/crm/imports/${job.id}`)).json()).toMatchObject({ status: 'running', result: null });
    // A server starting on the database: with the embedded one (one process per data directory) no
    // other process can be running the job, so it ends; with PostgreSQL another server might be.
    const booted = await buildApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), database: t.database, startOutbox: true });
    await booted.close();
    const after = (await repA.get(`/api/v1/crm/imports/${job.id}`)).json() as Job;
    if (t.database.kind === 'pglite') expect(after).toMatchObject({ status: 'failed', result: { committedRows: 0, error: { code: 'crm.import_interrupted' } } });
    else expect(after).toMatchObject({ status: 'running', result: null });
    await leftRunning(job, 0, 60);
    await failInterruptedImports(t.database.db);
    expect((await repA.get(`/api/v1/crm/imports/${job.id}`)).json()).toMatchObject({ status: 'failed', result: { error: { code: 'crm.import_interrupted' } } });
  });
});

describe('reading jobs and the error report', () => {
  let job: Job;
  beforeAll(async () => {
    job = await dryRun(repA, await uploaded(repA, 'account', '客户名称,客户类型\n报告甲,企业\n报告乙,外星\n', '客户清单.csv'));
  });

  it('the error report has the original rows with a problems column, as CSV (BOM) and XLSX', async () => {
    const csv = await repA.get(`/api/v1/crm/imports/${job.id}/errors?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('attachment;');
    expect(csv.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('客户清单-errors.csv')}`);
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('行号,客户名称,客户类型,问题');
    expect(lines[1]).toMatch(/^3,报告乙,外星,客户类型: /);

    const xlsx = await repA.get(`/api/v1/crm/imports/${job.id}/errors?format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(2).getCell(2).value).toBe('报告乙');
    expect(String(ws.getRow(2).getCell(4).value)).toContain('客户类型');
  });

  it('another rep gets 404 for the job, its report and its actions, and nothing changes', async () => {
    const repB = await t.as('repB');
    const before = await t.rows(sql`SELECT status, version, mapping FROM crm_import_jobs WHERE id = ${job.id}`);
    expect((await repB.get(`/api/v1/crm/imports/${job.id}`)).statusCode).toBe(404);
    expect((await repB.get(`/api/v1/crm/imports/${job.id}/errors`)).statusCode).toBe(404);
    expect((await repB.post(`/api/v1/crm/imports/${job.id}/dry-run`, { version: job.version, mapping: job.suggestedMapping, dedupe: 'skip' })).statusCode).toBe(404);
    expect((await repB.post(`/api/v1/crm/imports/${job.id}/commit`, { version: job.version, skipInvalid: true })).statusCode).toBe(404);
    expect(await t.rows(sql`SELECT status, version, mapping FROM crm_import_jobs WHERE id = ${job.id}`)).toEqual(before);
    const list = await repB.get('/api/v1/crm/imports');
    expect(list.json().items.map((j: { id: string }) => j.id)).not.toContain(job.id);
  });

  it('the rep’s manager reads the job but may not run it (403), and nothing changes', async () => {
    const manager = await t.as('managerT1');
    expect((await manager.get(`/api/v1/crm/imports/${job.id}`)).statusCode).toBe(200);
    const res = await manager.post(`/api/v1/crm/imports/${job.id}/commit`, { version: job.version, skipInvalid: true });
    expect(res.statusCode).toBe(403);
    const [row] = await t.rows<{ status: string }>(sql`SELECT status FROM crm_import_jobs WHERE id = ${job.id}`);
    expect(row!.status).toBe('validated');
  });

  it('lists my jobs newest first with a cursor', async () => {
    const first = await repA.get('/api/v1/crm/imports?limit=2');
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0].id).toBe(job.id);
    expect(page.items[0]).not.toHaveProperty('report');
    const next = await repA.get(`/api/v1/crm/imports?limit=2&cursor=${page.nextCursor}`);
    expect(next.json().items[0].id).not.toBe(page.items[0].id);
    expect(next.json().items[0].id).not.toBe(page.items[1].id);
  });
});

describe('custom fields', () => {
  it('import as custom.<key> columns matched by their labels, checked like the API, and export back', async () => {
    const admin = await t.as('admin');
    const define = async (body: Record<string, unknown>) => {
      const res = await admin.post('/api/v1/crm/custom-fields', { entity: 'account', ...body });
      expect(res.statusCode, res.body).toBe(201);
    };
    await define({
      key: 'segment',
      type: 'single_select',
      label: { zh: '行业分类', en: 'Segment' },
      options: [
        { key: 'gov', label: { zh: '政府', en: 'Government' } },
        { key: 'fin', label: { zh: '金融', en: 'Finance' } },
      ],
    });
    await define({ key: 'budget', type: 'decimal_money', label: { zh: '年度预算', en: 'Budget' } });
    await define({ key: 'since', type: 'date', label: { zh: '合作开始', en: 'Customer since' } });

    const csv = ['客户名称,客户类型,行业分类,年度预算,合作开始', '自定义字段甲,企业,金融,"1,000.50",2024/7/1', '自定义字段乙,企业,外星,abc,昨天'].join('\n');
    const job = await uploaded(repA, 'account', csv);
    expect(job.suggestedMapping).toMatchObject({ 'custom.segment': '行业分类', 'custom.budget': '年度预算', 'custom.since': '合作开始' });
    const fields = (job as unknown as { fields: { field: string }[] }).fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['custom.segment', 'custom.budget', 'custom.since']));
    const checked = await dryRun(repA, job);
    expect(checked.report!.errors.map((e) => `${e.row}:${e.field}:${e.code}`).sort()).toEqual([
      '3:custom.budget:decimal_string',
      '3:custom.segment:unknown_option',
      '3:custom.since:date',
    ]);
    const done = await commit(repA, checked, { skipInvalid: true });
    expect(done.result).toMatchObject({ created: 1, error: null });
    const [row] = await t.rows<{ custom: Record<string, unknown> }>(sql`SELECT custom FROM crm_accounts WHERE name_zh = '自定义字段甲'`);
    expect(row!.custom).toEqual({ segment: 'fin', budget: { amount: '1000.50', currency: 'CNY' }, since: '2024-07-01' });

    const exported = await repA.get(`/api/v1/crm/exports/accounts?columns=nameZh,custom.segment,custom.budget,custom.since&q=${encodeURIComponent('自定义字段')}`);
    expect(exported.statusCode).toBe(200);
    expect(exported.rawPayload.subarray(3).toString('utf8').trim().split('\r\n')).toEqual(['客户名称,行业分类,年度预算,合作开始', '自定义字段甲,金融,CNY 1000.50,2024-07-01']);
  });
});
