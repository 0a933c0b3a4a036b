import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ListAccountsQuery, ListContactsQuery } from './account-contract.ts';
import { CreateCustomFieldBody, parseCustomFieldSort, withCustomFieldFilters } from './custom-field-contract.ts';
import { customFieldSqlExpression } from './custom-fields.ts';
import { ListOpportunitiesQuery } from './opportunity-contract.ts';

describe('list queries with custom-field parameters', () => {
  const accounts = withCustomFieldFilters(ListAccountsQuery);

  it('collects cf.<key>[.<op>] parameters and keeps the known ones typed', () => {
    const q = accounts.parse({ 'cf.tier': 'gold,silver', 'cf.score.gte': '10', 'cf.score.lt': '20', status: 'customer', limit: '5' });
    expect(q).toMatchObject({ status: 'customer', limit: 5, sort: 'name' });
    expect(q.customFilters).toEqual([
      { key: 'tier', op: 'eq', value: 'gold,silver' },
      { key: 'score', op: 'gte', value: '10' },
      { key: 'score', op: 'lt', value: '20' },
    ]);
  });

  it('accepts a built-in or a custom sort, and refuses anything else by its name', () => {
    expect(accounts.parse({ sort: '-createdAt' }).sort).toBe('-createdAt');
    expect(accounts.parse({ sort: '-cf.score' }).sort).toBe('-cf.score');
    expect(withCustomFieldFilters(ListContactsQuery).parse({ sort: 'cf.channel' }).sort).toBe('cf.channel');
    expect(withCustomFieldFilters(ListOpportunitiesQuery).parse({}).sort).toBe('-amount');
    const paths = (input: Record<string, unknown>) => {
      const res = accounts.safeParse(input);
      expect(res.success).toBe(false);
      return res.error!.issues.map((i) => i.path.join('.')).sort();
    };
    expect(paths({ sort: 'cf.Bad', 'cf.y': ['a', 'b'] })).toEqual(['cf.y', 'sort']);
    expect(paths({ 'cf.Upper': '1', 'cf.x.between': '1', other: '1' })).toEqual(['cf.Upper', 'cf.x.between', 'other']);
  });

  it('stays describable in the OpenAPI document (its known parameters listed)', () => {
    const js = z.toJSONSchema(accounts, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as { properties?: Record<string, unknown> };
    expect(Object.keys(js.properties ?? {})).toEqual(expect.arrayContaining(['q', 'status', 'sort', 'limit', 'cursor']));
  });

  it('reads the direction of a custom sort', () => {
    expect(parseCustomFieldSort('-cf.score')).toEqual({ key: 'score', descending: true });
    expect(parseCustomFieldSort('cf.score')).toEqual({ key: 'score', descending: false });
    expect(parseCustomFieldSort('-amount')).toBeNull();
  });
});

describe('sortable fields', () => {
  it('spells one expression per type, the key a checked literal', () => {
    const col = '"crm_accounts"."custom"';
    expect(customFieldSqlExpression(col, { key: 'score', type: 'number' })).toEqual({ text: `(("crm_accounts"."custom"->>'score')::numeric)`, cast: 'numeric' });
    expect(customFieldSqlExpression(col, { key: 'budget', type: 'decimal_money' }).text).toBe(`(("crm_accounts"."custom"->'budget'->>'amount')::numeric)`);
    expect(customFieldSqlExpression(col, { key: 'signed_on', type: 'date' })).toEqual({ text: `(("crm_accounts"."custom"->>'signed_on') COLLATE "C")`, cast: 'text' });
    expect(() => customFieldSqlExpression(col, { key: "x'); DROP TABLE crm_accounts; --", type: 'text' })).toThrow();
  });

  it('may be asked for every type but multi select', () => {
    const body = (type: string, extra: Record<string, unknown> = {}) =>
      CreateCustomFieldBody.safeParse({ entity: 'account', key: 'f', type, label: { zh: 'f', en: 'f' }, sortable: true, ...extra });
    expect(body('number').success).toBe(true);
    expect(body('single_select', { options: [{ key: 'a', label: { zh: 'a', en: 'a' } }] }).success).toBe(true);
    const multi = body('multi_select', { options: [{ key: 'a', label: { zh: 'a', en: 'a' } }] });
    expect(multi.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['sortable', 'v:not_applicable']]);
  });
});
