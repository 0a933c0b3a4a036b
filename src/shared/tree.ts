/**
 * Would making `parentId` the parent of `id` close a loop? True when `id` is `parentId` itself or one
 * of its ancestors. `parentOf` returns a node's parent (null at a root, undefined when unknown). A
 * loop already present in the data (written around a service) ends the walk instead of hanging it.
 * One rule for every tree of the line: org units, managers, accounts, customer and product groups,
 * a customer's reporting lines.
 */
export function wouldCreateCycle(id: string, parentId: string | null, parentOf: (id: string) => string | null | undefined): boolean {
  const seen = new Set<string>();
  for (let cur: string | null | undefined = parentId; cur; cur = parentOf(cur)) {
    if (cur === id) return true;
    if (seen.has(cur)) return false;
    seen.add(cur);
  }
  return false;
}
