import type { OrgUnit } from '../../../server/modules/org/contract.ts';

/** The flat unit list of GET /org/units as a tree, with headcounts of whole subtrees. */
export interface UnitNode {
  unit: OrgUnit;
  children: UnitNode[];
  /** Members of this unit and every unit below it. */
  subtreeCount: number;
}

export interface UnitForest {
  roots: UnitNode[];
  byId: ReadonlyMap<string, UnitNode>;
}

const KIND_ORDER: Record<OrgUnit['kind'], number> = { company: 0, business_group: 1, department: 2, team: 3 };

export function buildUnitForest(units: readonly OrgUnit[]): UnitForest {
  const byId = new Map<string, UnitNode>();
  for (const unit of units) byId.set(unit.id, { unit, children: [], subtreeCount: 0 });
  const roots: UnitNode[] = [];
  for (const node of byId.values()) {
    const parent = node.unit.parentId ? byId.get(node.unit.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const order = (a: UnitNode, b: UnitNode) =>
    KIND_ORDER[a.unit.kind] - KIND_ORDER[b.unit.kind] || a.unit.code.localeCompare(b.unit.code);
  const visit = (node: UnitNode): number => {
    node.children.sort(order);
    node.subtreeCount = node.unit.memberCount + node.children.reduce((sum, c) => sum + visit(c), 0);
    return node.subtreeCount;
  };
  roots.sort(order);
  roots.forEach(visit);
  return { roots, byId };
}

/** The units from the top of the tree down to `unitId` (inclusive). */
export function unitPath(forest: UnitForest, unitId: string | null | undefined): OrgUnit[] {
  const path: OrgUnit[] = [];
  let current = unitId ? forest.byId.get(unitId) : undefined;
  const seen = new Set<string>();
  while (current && !seen.has(current.unit.id)) {
    seen.add(current.unit.id);
    path.unshift(current.unit);
    current = current.unit.parentId ? forest.byId.get(current.unit.parentId) : undefined;
  }
  return path;
}

/** Every unit in the tree, depth-first in display order. */
export function flattenForest(forest: UnitForest): UnitNode[] {
  const out: UnitNode[] = [];
  const walk = (nodes: UnitNode[]) => {
    for (const n of nodes) {
      out.push(n);
      walk(n.children);
    }
  };
  walk(forest.roots);
  return out;
}
