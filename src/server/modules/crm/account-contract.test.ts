import { describe, expect, it } from 'vitest';
import * as contract from './account-contract.ts';
import * as schema from './schema.ts';

describe('account contract', () => {
  it('repeats the enums of schema.ts exactly (the web must not import Drizzle)', () => {
    expect(contract.ACCOUNT_KINDS).toEqual(schema.ACCOUNT_KINDS);
    expect(contract.ACCOUNT_STATUSES).toEqual(schema.ACCOUNT_STATUSES);
    expect(contract.ACCOUNT_TIERS).toEqual(schema.ACCOUNT_TIERS);
    expect(contract.TEAM_ROLES).toEqual(schema.TEAM_ROLES);
    expect(contract.CONTACT_LEVELS).toEqual(schema.CONTACT_LEVELS);
    expect(contract.CONTACT_STATUSES).toEqual(schema.CONTACT_STATUSES);
    expect(contract.INFLUENCES).toEqual(schema.INFLUENCES);
  });

  it('accepts WeChat IDs as WeChat does, and refuses the rest', () => {
    for (const ok of ['zhang_ke2026', 'abc-def', 'A12345']) expect(contract.WechatId.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['1abc234', 'abc', 'a'.repeat(21), '张三abcdef', 'abc def']) expect(contract.WechatId.safeParse(bad).success, bad).toBe(false);
  });
});
