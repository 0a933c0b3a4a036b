import { describe, expect, it } from 'vitest';
import { paramsFromView, viewDefinitionFromParams } from './saved-view-params.ts';

describe('saved account views', () => {
  it('keeps the list filters and sort of the address, nothing else', () => {
    const def = viewDefinitionFromParams(new URLSearchParams('status=customer&tier=key&tab=x&sort=-createdAt&q='));
    expect(def).toEqual({ filters: { status: 'customer', tier: 'key' }, sort: '-createdAt' });
    expect(viewDefinitionFromParams(new URLSearchParams('kind=government'))).toEqual({ filters: { kind: 'government' } });
  });

  it('round-trips through the address; the default sort is left out', () => {
    const params = paramsFromView({ filters: { status: 'customer', tag: ['a', 'b'] }, sort: 'name' });
    expect(params.toString()).toBe('status=customer&tag=a%2Cb');
    expect(viewDefinitionFromParams(paramsFromView({ filters: { ownerId: 'u1' }, sort: '-name' }))).toEqual({ filters: { ownerId: 'u1' }, sort: '-name' });
  });
});
