import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../../server/modules/crm/account-contract.ts';
import { createContactBody, newContactDefaults, toContactFormValues, updateContactBody } from './contact-form-values.ts';

const contact: Contact = {
  id: 'c1',
  accountId: 'a1',
  name: '李总',
  title: '总经理',
  department: null,
  level: 'decision',
  reportsToId: null,
  phones: ['13800000000'],
  emails: [],
  wechatId: null,
  influence: 'neutral',
  status: 'active',
  ownerId: 'u1',
  custom: {},
  version: 2,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

describe('contact bodies', () => {
  it('create: trims, drops empty inputs and blank list entries', () => {
    expect(createContactBody({ ...newContactDefaults('management'), name: ' 王处 ', title: ' ', phones: ['  ', '010-1234'], reportsToId: 'c9' })).toEqual({
      name: '王处',
      level: 'management',
      influence: 'neutral',
      status: 'active',
      phones: ['010-1234'],
      emails: [],
      reportsToId: 'c9',
    });
  });

  it('edit: only the changed fields, null for a cleared one', () => {
    expect(updateContactBody(contact, toContactFormValues(contact))).toEqual({ version: 2 });
    expect(updateContactBody(contact, { ...toContactFormValues(contact), title: '', phones: [], influence: 'champion' })).toEqual({
      version: 2,
      title: null,
      phones: [],
      influence: 'champion',
    });
  });
});
