import { describe, expect, it } from 'vitest';
import type { Account } from '../../../../server/modules/crm/account-contract.ts';
import { createAccountBody, duplicateOf, hasAccountChanges, newAccountDefaults, similarCandidates, toAccountFormValues, updateAccountBody } from './account-form-values.ts';

const account: Account = {
  id: '00000000-0000-4000-8000-000000000001',
  nameZh: '云澜测试集团',
  nameEn: null,
  shortName: '云测',
  uscc: null,
  kind: 'enterprise',
  industry: null,
  provinceCode: null,
  cityCode: null,
  address: null,
  website: null,
  tier: 'standard',
  customerGroupId: null,
  status: 'prospect',
  parentId: null,
  ownerId: '00000000-0000-4000-8000-000000000009',
  ownerName: '王经理',
  unitId: '00000000-0000-4000-8000-000000000010',
  tags: ['能源'],
  notes: null,
  custom: {},
  archivedAt: null,
  version: 3,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

describe('createAccountBody', () => {
  it('trims, leaves out empty inputs and keeps the parent', () => {
    const body = createAccountBody({ ...newAccountDefaults('p1'), nameZh: '  新客户  ', uscc: ' ', website: ' https://x.cn ' });
    expect(body).toEqual({ nameZh: '新客户', kind: 'enterprise', status: 'prospect', tier: 'standard', tags: [], website: 'https://x.cn', parentId: 'p1' });
  });

  it('asks for the similar-name override only when told to', () => {
    expect(createAccountBody({ ...newAccountDefaults(), nameZh: 'A' }).confirmSimilar).toBeUndefined();
    expect(createAccountBody({ ...newAccountDefaults(), nameZh: 'A' }, true).confirmSimilar).toBe(true);
  });
});

describe('updateAccountBody', () => {
  it('sends nothing but the version when nothing changed', () => {
    const body = updateAccountBody(account, toAccountFormValues(account));
    expect(body).toEqual({ version: 3 });
    expect(hasAccountChanges(body)).toBe(false);
  });

  it('sends changed fields, and null for a cleared one', () => {
    const body = updateAccountBody(account, { ...toAccountFormValues(account), shortName: '', tier: 'key', tags: ['能源', '央企'] });
    expect(body).toEqual({ version: 3, shortName: null, tier: 'key', tags: ['能源', '央企'] });
    expect(hasAccountChanges(body)).toBe(true);
  });
});

describe('409 documents', () => {
  it('reads the account a duplicate USCC names', () => {
    expect(duplicateOf({ code: 'crm.duplicate_uscc', existingAccountId: 'a1', existingName: '甲公司' })).toEqual({ id: 'a1', name: '甲公司' });
    expect(duplicateOf({ code: 'crm.duplicate_uscc' })).toBeNull();
  });

  it('reads the similar-name candidates and skips malformed ones', () => {
    const candidates = similarCandidates({ candidates: [{ id: 'a1', nameZh: '甲公司', reason: 'similar_name', similarity: 0.6 }, { id: 3 }, null] });
    expect(candidates.map((c) => c.id)).toEqual(['a1']);
    expect(similarCandidates({})).toEqual([]);
  });
});
