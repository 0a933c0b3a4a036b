/**
 * Pure rules of the org chart: which unit may sit under which, cycles, password strength.
 * No database, no HTTP: the service feeds these the rows it loaded.
 */
import type { UNIT_KINDS } from './schema.ts';

export type UnitKind = (typeof UNIT_KINDS)[number];

const KIND_RANK: Record<UnitKind, number> = { company: 0, business_group: 1, department: 2, team: 3 };

/** A child must be of a lower kind than its parent (a team under a department, never the reverse); only a company is a root. */
export function isAllowedParentKind(child: UnitKind, parent: UnitKind | null): boolean {
  if (parent === null) return child === 'company';
  return KIND_RANK[child] > KIND_RANK[parent];
}

export { wouldCreateCycle } from '../../../shared/tree.ts';

/** At least 10 characters with a letter and a digit; not the email's local part. */
export function isStrongPassword(password: string, email?: string): boolean {
  if (password.length < 10 || password.length > 200) return false;
  if (!/\p{L}/u.test(password) || !/\d/.test(password)) return false;
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) return false;
  return true;
}

export interface ClosureRow {
  ancestorId: string;
  descendantId: string;
  depth: number;
}

/** Every (ancestor, descendant, depth) pair of a forest given as child → parent, including self pairs at depth 0. */
export function buildClosure(parents: ReadonlyMap<string, string | null>): ClosureRow[] {
  const rows: ClosureRow[] = [];
  for (const id of parents.keys()) {
    let cur: string | null | undefined = id;
    let depth = 0;
    const seen = new Set<string>();
    while (cur) {
      if (seen.has(cur)) break; // a loop in bad data must not hang the rebuild
      seen.add(cur);
      rows.push({ ancestorId: cur, descendantId: id, depth });
      cur = parents.get(cur) ?? null;
      depth++;
    }
  }
  return rows;
}
