import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { COMPANY_PROFILE_ID } from './schema.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const URL = '/api/v1/org/company-profile';

const FILLED = {
  addressZh: '浙江省杭州市西湖区文三路 100 号',
  addressEn: '100 Wensan Road, Xihu District, Hangzhou',
  phone: '0571-8600 0000',
  email: 'sales@example.com',
  website: 'https://www.example.com',
  taxId: '91330100799655058B',
  bankName: '招商银行杭州分行',
  bankAccount: '5719 0000 0000 0001',
};

async function stored() {
  const [row] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM org_company_profile`);
  return row!;
}

async function auditCount(): Promise<number> {
  const [row] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'org_company_profile'`);
  return row!.n;
}

describe('company profile', () => {
  it('starts as the one empty row of the migration, read by any signed-in user with the root unit’s names', async () => {
    const rows = await t.rows(sql`SELECT id FROM org_company_profile`);
    expect(rows).toEqual([{ id: COMPANY_PROFILE_ID }]);
    const [company] = await t.rows<{ name_zh: string; name_en: string | null }>(
      sql`SELECT name_zh, name_en FROM org_units WHERE id = ${t.fixture.units.company}`,
    );
    for (const who of ['admin', 'repA', 'engineer'] as const) {
      const res = await (await t.as(who)).get(URL);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        nameZh: company!.name_zh,
        nameEn: company!.name_en,
        addressZh: '',
        addressEn: null,
        phone: '',
        taxId: null,
        version: 1,
        updatedBy: null,
      });
    }
    expect((await t.anon().get(URL)).statusCode).toBe(401);
  });

  it('a non-admin’s PUT is 403 and changes nothing', async () => {
    const before = await stored();
    const audits = await auditCount();
    for (const who of ['finance', 'exec', 'repA'] as const) {
      const res = await (await t.as(who)).put(URL, { ...FILLED, version: 1 });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('platform.forbidden');
    }
    expect(await stored()).toEqual(before);
    expect(await auditCount()).toBe(audits);
    expect((await (await t.as('repA')).get(URL)).json()).toMatchObject({ addressZh: '', version: 1 });
  });

  it('a credit code with a wrong check character is 422 org.invalid_tax_id on taxId, in the user’s language (zh-CN); nothing changes', async () => {
    const before = await stored();
    const audits = await auditCount();
    const admin = await t.as('admin');
    const res = await admin.put(URL, { ...FILLED, taxId: '91330100799655058C', version: 1 });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const problem = res.json();
    expect(problem.code).toBe('org.invalid_tax_id');
    expect(problem.title).toBe('税号不是有效的统一社会信用代码');
    expect(problem.errors).toEqual([{ path: 'taxId', message: expect.stringContaining('校验码不正确') }]);
    // The same code in lower case is the same code: still refused.
    const lower = await admin.put(URL, { ...FILLED, taxId: '91330100799655058c', version: 1 });
    expect(lower.statusCode).toBe(422);
    expect(lower.json().errors[0].path).toBe('taxId');
    expect(await stored()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('other bad input is refused with field paths and changes nothing', async () => {
    const before = await stored();
    const admin = await t.as('admin');
    const res = await admin.put(URL, {
      ...FILLED,
      addressZh: '   ',
      email: 'not-an-email',
      website: 'ftp://files.example.com',
      taxId: 'X'.repeat(41),
      version: 1,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('platform.validation');
    const paths = (res.json().errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['addressZh', 'email', 'taxId', 'website']);
    const missing = await admin.put(URL, { addressZh: 'x', version: 1 });
    expect(missing.statusCode).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('an admin replaces the profile: trimmed values, the code in upper case, the version bumped, an audit row of the change', async () => {
    const admin = await t.as('admin');
    const res = await admin.put(URL, { ...FILLED, addressZh: `  ${FILLED.addressZh} `, taxId: '91330100799655058b', version: 1 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ...FILLED, version: 2, updatedBy: t.fixture.users.admin });
    expect((await (await t.as('repA')).get(URL)).json()).toEqual(body);

    const [audit] = await t.rows<{ action: string; actor_id: string; changes: Record<string, [unknown, unknown]> }>(
      sql`SELECT action, actor_id, changes FROM audit_log WHERE entity_type = 'org_company_profile' AND entity_id = ${COMPANY_PROFILE_ID}`,
    );
    expect(audit).toMatchObject({ action: 'update', actor_id: t.fixture.users.admin });
    expect(audit!.changes['taxId']).toEqual([null, '91330100799655058B']);
    expect(audit!.changes['addressZh']).toEqual(['', FILLED.addressZh]);

    // Emptying optional fields: null is stored, not ''.
    const cleared = await admin.put(URL, { ...FILLED, addressEn: null, email: null, website: null, taxId: null, bankName: null, bankAccount: null, version: 2 });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ addressEn: null, email: null, taxId: null, bankAccount: null, version: 3 });
    // Another country's tax number is kept as typed.
    const foreign = await admin.put(URL, { ...FILLED, taxId: 'DE123456789', version: 3 });
    expect(foreign.json()).toMatchObject({ taxId: 'DE123456789', version: 4 });
  });

  it('a stale version is 409 with the current version; nothing changes', async () => {
    const before = await stored();
    const audits = await auditCount();
    const res = await (await t.as('admin')).put(URL, { ...FILLED, addressZh: '过期的地址', version: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'platform.version_conflict', currentVersion: before['version'] });
    expect(await stored()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('both routes are in the OpenAPI document', async () => {
    const doc = (await t.anon().get('/api/docs')).json();
    expect(Object.keys(doc.paths[URL])).toEqual(expect.arrayContaining(['get', 'put']));
  });
});
