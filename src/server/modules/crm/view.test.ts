import { describe, expect, it } from 'vitest';
import { checkViewDefinition, normalizeViewDefinition, parseViewDefinition, viewPathOfQueryPath } from './view.ts';

describe('checkViewDefinition', () => {
  it('accepts what the entity’s list accepts', () => {
    expect(checkViewDefinition('account', { filters: { status: 'customer', includeSubunits: 'true' }, sort: '-createdAt' }, 'en')).toEqual([]);
    expect(checkViewDefinition('opportunity', { filters: { stage: 'solution,negotiation' }, sort: 'closeDate' }, 'en')).toEqual([]);
    expect(checkViewDefinition('contact', { filters: { level: 'decision' } }, 'en')).toEqual([]);
  });

  it('reports filters and sorts the list refuses at their body path', () => {
    const errors = checkViewDefinition('account', { filters: { status: 'asleep' }, sort: 'amount' }, 'en');
    expect(errors.map((e) => e.path).sort()).toEqual(['definition.filters.status', 'definition.sort']);
    expect(checkViewDefinition('account', { filters: { colour: 'red' } }, 'en')).toEqual([{ path: 'definition.filters.colour', message: 'v:unknown_field' }]);
  });

  it('passes custom-field parameters through to the service, refusing other unknown ones', () => {
    const res = parseViewDefinition('opportunity', { filters: { 'cf.budget.gte': '1000', 'cf.size': 'large' } }, 'en');
    expect(res).toEqual({
      ok: true,
      query: expect.objectContaining({
        customFilters: [
          { key: 'budget', op: 'gte', value: '1000' },
          { key: 'size', op: 'eq', value: 'large' },
        ],
      }),
    });
    expect(checkViewDefinition('account', { filters: { 'cf.Bad-Key': 'x' } }, 'en')).toEqual([{ path: 'definition.filters.cf.Bad-Key', message: 'v:unknown_field' }]);
  });

  it('maps the list’s query paths to the view’s body paths', () => {
    expect(viewPathOfQueryPath('query.cf.size')).toBe('definition.filters.cf.size');
    expect(viewPathOfQueryPath('query.sort')).toBe('definition.sort');
  });

  it('keeps paging out of a view', () => {
    expect(checkViewDefinition('contact', { filters: { cursor: 'abc' } }, 'en')).toEqual([{ path: 'definition.filters.cursor', message: 'v:unknown_field' }]);
    expect(checkViewDefinition('account', { filters: { sort: 'name' } }, 'en')).toEqual([{ path: 'definition.filters.sort', message: 'v:unknown_field' }]);
  });

  it('words the list’s own messages in the given language', () => {
    const [en] = checkViewDefinition('account', { filters: { tier: 'gold' } }, 'en');
    const [zh] = checkViewDefinition('account', { filters: { tier: 'gold' } }, 'zh-CN');
    expect(en!.message).not.toBe(zh!.message);
    expect(zh!.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('normalizeViewDefinition', () => {
  it('keeps each column once and leaves out what was not given', () => {
    expect(normalizeViewDefinition({ filters: {}, columns: ['a', 'b', 'a'] })).toEqual({ filters: {}, columns: ['a', 'b'] });
    expect(normalizeViewDefinition({ filters: { q: '星河' } })).toEqual({ filters: { q: '星河' } });
  });
});
