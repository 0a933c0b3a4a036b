import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import type { User } from '../../../../server/modules/org/contract.ts';
import { createBody, hasChanges, toFormValues, updateBody } from './user-form-values.ts';

const user: User = {
  id: '3b96fa8a-e1ae-4dbc-8f30-f703c4c23112',
  email: 'rep@yunlan.demo',
  nameZh: '王伟',
  nameEn: 'Wei Wang',
  phone: null,
  title: '客户经理',
  locale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  unitId: '676840f4-becd-49cf-bdcc-5974aaaa139a',
  managerId: null,
  roles: ['sales_rep'],
  active: true,
  lastLoginAt: null,
  version: 3,
  createdAt: '2026-11-25T02:48:21.159Z',
  updatedAt: '2026-11-25T02:48:21.159Z',
};

describe('user form bodies', () => {
  it('PATCHes only what changed, with the loaded version', () => {
    const body = updateBody(user, { ...toFormValues(user), title: '高级客户经理', nameEn: '' });
    expect(body).toEqual({ version: 3, title: '高级客户经理', nameEn: null });
  });

  it('sees no change when the form is untouched, roles order aside', () => {
    const body = updateBody(user, { ...toFormValues(user), effectiveDate: dayjs('2026-11-01') });
    expect(hasChanges(body)).toBe(false);
    expect(body).toEqual({ version: 3 });
  });

  it('sends the effective date with a placement change', () => {
    const body = updateBody(user, { ...toFormValues(user), unitId: null, effectiveDate: dayjs('2026-11-01') });
    expect(body).toEqual({ version: 3, unitId: null, effectiveDate: '2026-11-01' });
  });

  it('leaves empty optional fields out of a create', () => {
    const body = createBody({ ...toFormValues(user), email: ' new@yunlan.demo ', phone: '  ', password: '' });
    expect(body).toEqual({
      email: 'new@yunlan.demo',
      nameZh: '王伟',
      nameEn: 'Wei Wang',
      title: '客户经理',
      roles: ['sales_rep'],
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      unitId: user.unitId,
    });
  });
});
