import { describe, expect, it } from 'vitest';
import type { CompanyProfile } from '../../../../server/modules/org/contract.ts';
import { checkCompanyProfile, toFields, toFormValues } from './company-profile-values.ts';

const EMPTY: CompanyProfile = {
  nameZh: '云澜软件',
  nameEn: 'Yunlan Software',
  addressZh: '',
  addressEn: null,
  phone: '',
  email: null,
  website: null,
  taxId: null,
  bankName: null,
  bankAccount: null,
  version: 1,
  updatedAt: '2026-11-25T00:00:00.000Z',
  updatedBy: null,
};

describe('company profile form values', () => {
  it('show nulls as empty inputs, and send empty optional inputs as null', () => {
    const values = toFormValues(EMPTY);
    expect(values).toEqual({ addressZh: '', addressEn: '', phone: '', email: '', website: '', taxId: '', bankName: '', bankAccount: '' });
    expect(toFields({ ...values, addressZh: '杭州', phone: '0571-8600 0000', bankName: '  ' })).toEqual({
      addressZh: '杭州',
      addressEn: null,
      phone: '0571-8600 0000',
      email: null,
      website: null,
      taxId: null,
      bankName: null,
      bankAccount: null,
    });
  });

  it('build the PUT body with the version read, trimmed', () => {
    const res = checkCompanyProfile({ ...toFormValues(EMPTY), addressZh: ' 杭州 ', phone: '0571-8600 0000', taxId: '91330100799655058b' }, 3, 'zh-CN');
    expect(res).toEqual({
      ok: true,
      body: expect.objectContaining({ addressZh: '杭州', taxId: '91330100799655058b', version: 3 }),
    });
  });

  it('report problems per field: required fields in the user’s language, the credit code by its catalogue key', () => {
    const res = checkCompanyProfile({ ...toFormValues(EMPTY), taxId: '91330100799655058C', website: 'www.example.com' }, 1, 'en');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect([...res.errors.keys()].sort()).toEqual(['addressZh', 'phone', 'taxId', 'website']);
    expect(res.errors.get('taxId')).toEqual(['v:tax_id_check_digit']);
    expect(res.errors.get('website')).toEqual(['v:url']);
    expect(res.errors.get('addressZh')![0]).toMatch(/>=1|at least|too small/i);
  });
});
