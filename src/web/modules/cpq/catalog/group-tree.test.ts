import { describe, expect, it } from 'vitest';
import type { ProductGroup } from '../../../../server/modules/catalog/contract.ts';
import { buildGroupTree, groupPath } from './group-tree.ts';

const at = '2026-11-01T00:00:00.000Z';
const g = (id: string, code: string, parentId: string | null, nameEn: string | null = code): ProductGroup => ({
  id,
  code,
  nameZh: `组${code}`,
  nameEn,
  parentId,
  version: 1,
  createdAt: at,
  updatedAt: at,
});

describe('buildGroupTree', () => {
  it('nests children under parents, siblings by code, names in the reader language', () => {
    const tree = buildGroupTree([g('2', 'SW-HCM', '1'), g('1', 'SW', null), g('3', 'SW-ERP', '1'), g('4', 'HW', null, null)], 'en');
    expect(tree.map((n) => n.code)).toEqual(['HW', 'SW']);
    expect(tree[1]!.children.map((n) => n.code)).toEqual(['SW-ERP', 'SW-HCM']);
    // No English name: the Chinese one stands in.
    expect(tree[0]!.title).toBe('组HW (HW)');
    expect(buildGroupTree([g('1', 'SW', null)], 'zh-CN')[0]!.title).toBe('组SW (SW)');
  });

  it('makes a group with a missing parent a root and survives a loop in the data', () => {
    const orphan = buildGroupTree([g('5', 'X', 'gone')], 'en');
    expect(orphan.map((n) => n.code)).toEqual(['X']);
    // a → b → a: neither is a root, so neither shows; nothing hangs.
    expect(buildGroupTree([g('a', 'A', 'b'), g('b', 'B', 'a')], 'en')).toEqual([]);
  });
});

describe('groupPath', () => {
  it('joins the names from the root down', () => {
    const groups = [g('1', 'SW', null, 'Software'), g('3', 'SW-ERP', '1', 'ERP')];
    expect(groupPath('3', groups, 'en')).toBe('Software / ERP');
    expect(groupPath(null, groups, 'en')).toBe('');
  });
});
