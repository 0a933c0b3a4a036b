import type { ProductGroup } from '../../../../server/modules/catalog/contract.ts';

/**
 * The product-group tree for the products page and the group pickers, built from the flat list the
 * API returns (parentId). Siblings sort by code; a group whose parent is missing becomes a root,
 * and a loop in the data is cut where it closes so the tree always renders.
 */
export interface GroupNode {
  key: string;
  value: string;
  title: string;
  code: string;
  children: GroupNode[];
}

export function groupName(group: Pick<ProductGroup, 'nameZh' | 'nameEn'>, locale: string): string {
  return locale === 'en' && group.nameEn ? group.nameEn : group.nameZh;
}

export function buildGroupTree(groups: readonly ProductGroup[], locale: string): GroupNode[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const children = new Map<string | null, ProductGroup[]>();
  for (const g of groups) {
    const parent = g.parentId && byId.has(g.parentId) ? g.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), g]);
  }
  const seen = new Set<string>();
  const build = (parent: string | null): GroupNode[] =>
    (children.get(parent) ?? [])
      .filter((g) => !seen.has(g.id))
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((g) => {
        seen.add(g.id);
        return { key: g.id, value: g.id, title: `${groupName(g, locale)} (${g.code})`, code: g.code, children: build(g.id) };
      });
  return build(null);
}

/** A group's path from the root, e.g. "Software licences / ERP", for table cells. */
export function groupPath(groupId: string | null, groups: readonly ProductGroup[], locale: string): string {
  if (!groupId) return '';
  const byId = new Map(groups.map((g) => [g.id, g]));
  const names: string[] = [];
  const seen = new Set<string>();
  for (let at = byId.get(groupId); at && !seen.has(at.id); at = at.parentId ? byId.get(at.parentId) : undefined) {
    seen.add(at.id);
    names.unshift(groupName(at, locale));
  }
  return names.join(' / ');
}
