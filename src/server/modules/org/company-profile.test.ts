import { describe, expect, it } from 'vitest';
import { DEMO_COMPANY_PROFILE } from '../../demo/company.ts';
import { CompanyProfileForm, UpdateCompanyProfileBody } from './contract.ts';

const VALID = {
  addressZh: '浙江省杭州市西湖区文三路 100 号',
  addressEn: null,
  phone: '0571-8600 0000',
  email: null,
  website: null,
  taxId: null,
  bankName: null,
  bankAccount: null,
};

const issues = (value: unknown) => {
  const res = CompanyProfileForm.safeParse(value);
  return res.success ? [] : res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('the company profile’s shared schemas', () => {
  it('accept the demo company’s profile (its made-up credit code carries a correct check character)', () => {
    expect(issues(DEMO_COMPANY_PROFILE)).toEqual([]);
  });

  it('trim text and refuse an address or phone left empty', () => {
    const parsed = CompanyProfileForm.parse({ ...VALID, addressZh: '  杭州  ', bankName: ' 招商银行 ' });
    expect(parsed.addressZh).toBe('杭州');
    expect(parsed.bankName).toBe('招商银行');
    expect(issues({ ...VALID, addressZh: '   ', phone: '' }).map((i) => i.path)).toEqual(['addressZh', 'phone']);
  });

  it('want an email, an http(s) website with a domain, and a tax id of at most 40 characters', () => {
    expect(issues({ ...VALID, email: 'sales@', website: 'ftp://files.example.com', taxId: 'X'.repeat(41) }).map((i) => i.path)).toEqual([
      'email',
      'website',
      'taxId',
    ]);
    expect(issues({ ...VALID, website: 'javascript:alert(1)' }).map((i) => i.path)).toEqual(['website']);
    expect(issues({ ...VALID, email: ' sales@example.com ', website: 'http://www.example.com/about' })).toEqual([]);
  });

  it('the form checks a credit code’s check character as the server does; the PUT body leaves that to the server (422)', () => {
    expect(issues({ ...VALID, taxId: '91330100799655058C' })).toEqual([{ path: 'taxId', message: 'v:tax_id_check_digit' }]);
    expect(issues({ ...VALID, taxId: '91330100799655058b' })).toEqual([]);
    expect(issues({ ...VALID, taxId: 'DE123456789' })).toEqual([]);
    expect(UpdateCompanyProfileBody.safeParse({ ...VALID, taxId: '91330100799655058C', version: 1 }).success).toBe(true);
  });

  it('the PUT body is a whole profile: every field present, no unknown ones', () => {
    const { bankAccount: _omitted, ...partial } = VALID;
    expect(UpdateCompanyProfileBody.safeParse({ ...partial, version: 1 }).success).toBe(false);
    expect(UpdateCompanyProfileBody.safeParse({ ...VALID, version: 1, nameZh: '改名' }).success).toBe(false);
  });
});
