import { CONTACT_LEVELS } from '../../../../server/modules/crm/account-contract.ts';

/**
 * The customer's people as the account page shows them: grouped by level (decision first), the
 * chain of whom a contact reports to, and the relationship map flattened into levels.
 */
export type ContactLevel = (typeof CONTACT_LEVELS)[number];

interface Levelled {
  id: string;
  name: string;
  level: ContactLevel;
  status: string;
}

/** Contacts by level, decision → management → execution; active before left, then by name. */
export function groupContactsByLevel<T extends Levelled>(contacts: readonly T[]): Record<ContactLevel, T[]> {
  const groups = { decision: [], management: [], execution: [] } as Record<ContactLevel, T[]>;
  for (const c of contacts) groups[c.level].push(c);
  for (const level of CONTACT_LEVELS) {
    groups[level].sort((a, b) => Number(a.status === 'left') - Number(b.status === 'left') || a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id));
  }
  return groups;
}

/**
 * Whom a contact reports to, nearest first. Stops at a contact not in the list (another account
 * or not loaded) and at a loop, which the server forbids but an old row could still hold.
 */
export function reportsToChain<T extends { id: string; reportsToId: string | null }>(contactId: string, contacts: readonly T[]): T[] {
  const byId = new Map(contacts.map((c) => [c.id, c]));
  const chain: T[] = [];
  const seen = new Set([contactId]);
  let next = byId.get(contactId)?.reportsToId ?? null;
  while (next !== null && !seen.has(next)) {
    const boss = byId.get(next);
    if (!boss) break;
    chain.push(boss);
    seen.add(next);
    next = boss.reportsToId;
  }
  return chain;
}

/**
 * Contacts a given contact may report to: anyone of the account except itself and the people
 * below it (who would make a loop).
 */
export function reportsToOptions<T extends { id: string; reportsToId: string | null }>(contactId: string | null, contacts: readonly T[]): T[] {
  if (contactId === null) return [...contacts];
  const below = new Set([contactId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of contacts) {
      if (c.reportsToId !== null && below.has(c.reportsToId) && !below.has(c.id)) {
        below.add(c.id);
        grew = true;
      }
    }
  }
  return contacts.filter((c) => !below.has(c.id));
}

interface MapNode {
  id: string;
  level: ContactLevel;
  children: MapNode[];
}

/** Every node of a forest with its depth, in display order (parents before children). */
export function flattenForest<T extends MapNode>(roots: readonly T[]): { node: T; depth: number }[] {
  const out: { node: T; depth: number }[] = [];
  const walk = (nodes: readonly T[], depth: number) => {
    for (const n of nodes) {
      out.push({ node: n, depth });
      walk(n.children as T[], depth + 1);
    }
  };
  walk(roots, 0);
  return out;
}

/** The ids of every node that has children (to open the whole tree at once). */
export function branchIds(roots: readonly { id: string; children: readonly { id: string; children: readonly unknown[] }[] }[]): string[] {
  const ids: string[] = [];
  const walk = (nodes: readonly { id: string; children: readonly unknown[] }[]) => {
    for (const n of nodes) {
      if (n.children.length > 0) {
        ids.push(n.id);
        walk(n.children as { id: string; children: readonly unknown[] }[]);
      }
    }
  };
  walk(roots);
  return ids;
}

/** Whole days from an instant to `now` (null for never); a touch in the future counts as today. */
export function daysSince(iso: string | null, now: Date): number | null {
  if (iso === null) return null;
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return null;
  return Math.max(0, Math.floor((now.getTime() - then) / 86_400_000));
}
