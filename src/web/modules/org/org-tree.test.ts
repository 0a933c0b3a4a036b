import { describe, expect, it } from 'vitest';
import type { OrgUnit } from '../../../server/modules/org/contract.ts';
import { buildUnitForest, flattenForest, unitPath } from './org-tree.ts';

const unit = (id: string, parentId: string | null, kind: OrgUnit['kind'], memberCount: number, code = id): OrgUnit => ({
  id,
  code,
  kind,
  nameZh: id,
  nameEn: null,
  parentId,
  headUserId: null,
  active: true,
  memberCount,
  version: 1,
});

describe('buildUnitForest', () => {
  const forest = buildUnitForest([
    unit('t1', 'd1', 'team', 4),
    unit('co', null, 'company', 1),
    unit('d1', 'bg', 'department', 1),
    unit('bg', 'co', 'business_group', 1),
    unit('fin', 'co', 'department', 2),
  ]);

  it('nests units and counts whole subtrees', () => {
    expect(forest.roots.map((r) => r.unit.id)).toEqual(['co']);
    expect(forest.byId.get('co')!.subtreeCount).toBe(9);
    expect(forest.byId.get('bg')!.subtreeCount).toBe(6);
  });

  it('orders business groups before departments', () => {
    expect(forest.byId.get('co')!.children.map((c) => c.unit.id)).toEqual(['bg', 'fin']);
    expect(flattenForest(forest).map((n) => n.unit.id)).toEqual(['co', 'bg', 'd1', 't1', 'fin']);
  });

  it('gives the path from the top to a unit', () => {
    expect(unitPath(forest, 't1').map((u) => u.id)).toEqual(['co', 'bg', 'd1', 't1']);
    expect(unitPath(forest, 'missing')).toEqual([]);
  });
});
