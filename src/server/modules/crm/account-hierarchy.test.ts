import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FlatNode, type TreeNode, buildVisibleTree, flattenTree, wouldCreateCycle } from './account-hierarchy.ts';

const parents = (m: Record<string, string | null>) => (id: string) => m[id];

describe('wouldCreateCycle', () => {
  //   g ── s1 ── s1a
  //    └── s2
  const tree = { g: null, s1: 'g', s1a: 's1', s2: 'g' };

  it('refuses a node under itself or its descendants, allows anything else', () => {
    expect(wouldCreateCycle('g', 'g', parents(tree))).toBe(true);
    expect(wouldCreateCycle('g', 's1a', parents(tree))).toBe(true);
    expect(wouldCreateCycle('s1', 's1a', parents(tree))).toBe(true);
    expect(wouldCreateCycle('s1a', 's2', parents(tree))).toBe(false);
    expect(wouldCreateCycle('s2', 's1a', parents(tree))).toBe(false);
    expect(wouldCreateCycle('g', null, parents(tree))).toBe(false);
  });

  it('ends on a loop already in the data', () => {
    expect(wouldCreateCycle('x', 'a', parents({ a: 'b', b: 'a', x: null }))).toBe(false);
  });

  it('agrees with "is the node an ancestor-or-self of the new parent" on random forests', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 25 }), fc.nat(), fc.nat(), (raw, a, b) => {
        // Node i's parent is a smaller index (or none): always a forest.
        const parent = new Map(raw.map((p, i) => [`n${i}`, i === 0 || p % (i + 1) === i ? null : `n${p % i}`]));
        const id = `n${a % raw.length}`;
        const newParent = `n${b % raw.length}`;
        const ancestorsOrSelf = new Set<string>();
        for (let cur: string | null | undefined = newParent; cur; cur = parent.get(cur)) ancestorsOrSelf.add(cur);
        expect(wouldCreateCycle(id, newParent, (x) => parent.get(x))).toBe(ancestorsOrSelf.has(id));
      }),
    );
  });
});

type N = FlatNode & { name: string };
const node = (id: string, parentId: string | null, visible = true): N => ({ id, parentId, visible, name: id.toUpperCase() });

function shape(n: TreeNode<N> | null): unknown {
  if (!n) return null;
  const label = n.visible ? n.name : `(${n.id})`;
  return n.children.length ? { [label]: n.children.map(shape) } : label;
}

describe('buildVisibleTree', () => {
  it('keeps hidden nodes only as placeholders on the way to visible ones', () => {
    const nodes = [node('g', null), node('s1', 'g'), node('s1a', 's1'), node('s2', 'g', false), node('s2a', 's2'), node('s3', 'g', false), node('s3a', 's3', false)];
    expect(shape(buildVisibleTree(nodes, 'g'))).toEqual({ G: [{ S1: ['S1A'] }, { '(s2)': ['S2A'] }] });
    const placeholder = buildVisibleTree(nodes, 'g')!.children[1]!;
    expect(placeholder).toEqual({ id: 's2', parentId: 'g', visible: false, children: [expect.objectContaining({ id: 's2a', name: 'S2A' })] });
    expect(placeholder).not.toHaveProperty('name');
  });

  it('returns null when nothing is visible or the root is unknown; survives a loop in the data', () => {
    expect(buildVisibleTree([node('g', null, false), node('a', 'g', false)], 'g')).toBeNull();
    expect(buildVisibleTree([node('g', null)], 'missing')).toBeNull();
    const loop = [node('a', 'b'), node('b', 'a')];
    expect(flattenTree(buildVisibleTree(loop, 'a')).map((n) => n.id)).toEqual(['a', 'b']);
  });

  it('every visible node below the root appears exactly once, and no hidden leaf does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 30 }), (raw) => {
        const nodes = raw.map(([p, visible], i) => node(`n${i}`, i === 0 ? null : `n${p % i}`, visible));
        const tree = buildVisibleTree(nodes, 'n0');
        const flat = flattenTree(tree);
        const ids = flat.map((n) => n.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.filter((id) => nodes.find((n) => n.id === id)!.visible).sort()).toEqual(
          nodes.filter((n) => n.visible).map((n) => n.id).sort(),
        );
        for (const n of flat) if (!n.visible) expect(n.children.length).toBeGreaterThan(0);
      }),
    );
  });
});
