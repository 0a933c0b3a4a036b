/**
 * Trees of the CRM's own records (account groups, customer groups): cycle checks and building the
 * visible part of a subtree. Pure: the services load the rows and call these.
 */

export { wouldCreateCycle } from '../../../shared/tree.ts';

export interface FlatNode {
  id: string;
  parentId: string | null;
  /** May the reader see this node's details? */
  visible: boolean;
}

export type TreeNode<T extends FlatNode> =
  | (T & { visible: true; children: TreeNode<T>[] })
  | { id: string; parentId: string | null; visible: false; children: TreeNode<T>[] };

/**
 * The tree under `rootId` as the reader may see it. A node the reader may not see is dropped with
 * its whole branch when nothing below it is visible; when something below it is visible it stays
 * as a bare placeholder (id only), so the visible nodes keep their true place in the group without
 * the hidden one's details leaking. Children keep the order of `nodes`. Returns null when nothing
 * in the subtree is visible.
 */
export function buildVisibleTree<T extends FlatNode>(nodes: readonly T[], rootId: string): TreeNode<T> | null {
  const byParent = new Map<string, T[]>();
  const byId = new Map<string, T>();
  for (const n of nodes) {
    byId.set(n.id, n);
    if (n.parentId !== null) {
      const list = byParent.get(n.parentId) ?? [];
      list.push(n);
      byParent.set(n.parentId, list);
    }
  }
  const root = byId.get(rootId);
  if (!root) return null;
  const onPath = new Set<string>();
  const build = (n: T): TreeNode<T> | null => {
    if (onPath.has(n.id)) return null;
    onPath.add(n.id);
    const children: TreeNode<T>[] = [];
    for (const c of byParent.get(n.id) ?? []) {
      const sub = build(c);
      if (sub) children.push(sub);
    }
    onPath.delete(n.id);
    if (n.visible) return { ...n, visible: true, children };
    if (children.length === 0) return null;
    return { id: n.id, parentId: n.parentId, visible: false, children };
  };
  return build(root);
}

/** Every node of a tree, depth first (for counting and tests). */
export function flattenTree<T extends FlatNode>(node: TreeNode<T> | null): TreeNode<T>[] {
  if (!node) return [];
  return [node, ...node.children.flatMap((c) => flattenTree(c))];
}
