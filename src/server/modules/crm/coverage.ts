import { wouldCreateCycle } from '../../../shared/tree.ts';

/**
 * The relationship map: the customer's people (who reports to whom, at which level) against ours
 * (who covers whom, how strongly, how recently). The rules say where a deal is exposed: a
 * decision-maker nobody knows, known only by junior staff, or not spoken to in weeks.
 *
 * Pure: the service loads an account's contacts and coverage links and our people's seniority
 * (derived by the caller from roles and titles); `now` is a parameter.
 */

export const CONTACT_LEVELS = ['decision', 'management', 'execution'] as const;
export type ContactLevel = (typeof CONTACT_LEVELS)[number];

export const CONTACT_STATUSES = ['active', 'left'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** Our side, most senior first. Anyone below 'manager' counts as junior for coverage. */
export const SENIORITIES = ['executive', 'manager', 'individual'] as const;
export type Seniority = (typeof SENIORITIES)[number];

export interface CoverageContact {
  id: string;
  accountId: string;
  level: ContactLevel;
  reportsToId: string | null;
  status: ContactStatus;
}

export interface CoverageLink {
  ourUserId: string;
  contactId: string;
  /** 1 (met once) … 5 (trusted advisor). */
  strength: number;
  /** Last meeting, call or message; an instant as a Date or ISO string. */
  lastTouchAt: Date | string | null;
}

export interface OurPerson {
  userId: string;
  seniority: Seniority;
}

export type CoverageErrorCode = 'crm.contact_cycle' | 'crm.invalid_coverage_options';

export class CoverageError extends Error {
  constructor(
    readonly code: CoverageErrorCode,
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    super(`${code}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`);
    this.name = 'CoverageError';
  }
}

// ── Reporting lines ─────────────────────────────────────────────────────────────────────────────

type ReportingLine = Pick<CoverageContact, 'id' | 'reportsToId'>;

export interface ContactNode<C extends ReportingLine> {
  contact: C;
  children: ContactNode<C>[];
}

/**
 * Would setting `contactId`'s manager to `newReportsToId` close a loop? Walks up from the new
 * manager; a loop already in the data stops the walk instead of hanging it.
 */
export function wouldCreateContactCycle(
  contacts: readonly ReportingLine[],
  contactId: string,
  newReportsToId: string | null,
): boolean {
  const managerOf = new Map(contacts.map((c) => [c.id, c.reportsToId]));
  return wouldCreateCycle(contactId, newReportsToId, (id) => managerOf.get(id));
}

/**
 * The org chart of the customer as a forest, children in input order. A manager outside the list
 * (another account, a deleted contact) makes a root. People who left stay in place, so the chart
 * keeps its shape; the UI greys them. A cycle is refused, naming the contacts on it.
 */
export function buildContactTree<C extends ReportingLine>(contacts: readonly C[]): ContactNode<C>[] {
  const nodes = new Map<string, ContactNode<C>>();
  for (const c of contacts) nodes.set(c.id, { contact: c, children: [] });

  // Three-colour walk: 1 = on the current path, 2 = known to reach a root.
  const state = new Map<string, 1 | 2>();
  for (const c of contacts) {
    const path: string[] = [];
    let cur: string | null = c.id;
    while (cur !== null && nodes.has(cur) && state.get(cur) !== 2) {
      if (state.get(cur) === 1) {
        const loop = path.slice(path.indexOf(cur));
        throw new CoverageError('crm.contact_cycle', { contactIds: loop.join(',') });
      }
      state.set(cur, 1);
      path.push(cur);
      cur = nodes.get(cur)!.contact.reportsToId;
    }
    for (const id of path) state.set(id, 2);
  }

  const roots: ContactNode<C>[] = [];
  for (const c of contacts) {
    const node = nodes.get(c.id)!;
    const parent = c.reportsToId === null ? undefined : nodes.get(c.reportsToId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

// ── Coverage ────────────────────────────────────────────────────────────────────────────────────

export type CoverageGapKind = 'uncovered' | 'covered_by_junior_only' | 'stale';

export interface CoverageOptions {
  now: Date;
  /** A decision-maker not touched for longer than this is stale. */
  staleDays: number;
  /** Links weaker than this do not count as coverage (default 1: any link counts). */
  minStrength?: number;
}

export interface Coverer {
  userId: string;
  seniority: Seniority;
  strength: number;
  lastTouchAt: string | null;
}

export interface CoverageGap {
  contactId: string;
  accountId: string;
  /** 'uncovered' alone, or 'covered_by_junior_only' and/or 'stale'. */
  gaps: CoverageGapKind[];
  /** Who covers the contact, most senior first, then strongest. */
  coveredBy: Coverer[];
  /** The most recent touch by anyone counted, ISO 8601. */
  lastTouchAt: string | null;
  /** Whole days since that touch; null if never touched. */
  daysSinceTouch: number | null;
}

const DAY_MS = 86_400_000;
const RANK: Record<Seniority, number> = { executive: 0, manager: 1, individual: 2 };

function toMs(value: Date | string | null): number | null {
  if (value === null) return null;
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Links that count as coverage, per contact: from one of `ourPeople` (people who left our company
 * are simply not passed in) and at least `minStrength` strong.
 */
function countedLinks(
  coverage: readonly CoverageLink[],
  ourPeople: readonly OurPerson[],
  minStrength: number,
): Map<string, { link: CoverageLink; seniority: Seniority }[]> {
  const seniorityOf = new Map(ourPeople.map((p) => [p.userId, p.seniority]));
  const byContact = new Map<string, { link: CoverageLink; seniority: Seniority }[]>();
  for (const link of coverage) {
    const seniority = seniorityOf.get(link.ourUserId);
    if (seniority === undefined || link.strength < minStrength) continue;
    const list = byContact.get(link.contactId) ?? [];
    list.push({ link, seniority });
    byContact.set(link.contactId, list);
  }
  return byContact;
}

function assertOptions(minStrength: number, staleDays?: number): void {
  if (!Number.isFinite(minStrength)) throw new CoverageError('crm.invalid_coverage_options', { field: 'minStrength' });
  if (staleDays !== undefined && !(Number.isFinite(staleDays) && staleDays >= 0)) {
    throw new CoverageError('crm.invalid_coverage_options', { field: 'staleDays' });
  }
}

/**
 * The exposed decision-makers: every active decision-level contact that is uncovered, covered only
 * by people below manager, or not touched within `staleDays` (touched exactly `staleDays` ago still
 * counts as fresh). Contacts without a gap are left out. Ordered uncovered → junior-only → stale,
 * then by input order.
 */
export function computeCoverageGaps(
  contacts: readonly CoverageContact[],
  coverage: readonly CoverageLink[],
  ourPeople: readonly OurPerson[],
  options: CoverageOptions,
): CoverageGap[] {
  const minStrength = options.minStrength ?? 1;
  assertOptions(minStrength, options.staleDays);
  const links = countedLinks(coverage, ourPeople, minStrength);
  const nowMs = options.now.getTime();
  const cutoff = nowMs - options.staleDays * DAY_MS;
  const out: CoverageGap[] = [];

  for (const contact of contacts) {
    if (contact.level !== 'decision' || contact.status !== 'active') continue;
    const mine = links.get(contact.id) ?? [];
    const coveredBy: Coverer[] = mine
      .map(({ link, seniority }) => {
        const ms = toMs(link.lastTouchAt);
        return { userId: link.ourUserId, seniority, strength: link.strength, lastTouchAt: ms === null ? null : new Date(ms).toISOString() };
      })
      .sort((a, b) => RANK[a.seniority] - RANK[b.seniority] || b.strength - a.strength);
    const touches = mine.map(({ link }) => toMs(link.lastTouchAt)).filter((ms): ms is number => ms !== null);
    const last = touches.length > 0 ? Math.max(...touches) : null;

    const gaps: CoverageGapKind[] = [];
    if (coveredBy.length === 0) gaps.push('uncovered');
    else {
      if (coveredBy.every((c) => RANK[c.seniority] > RANK.manager)) gaps.push('covered_by_junior_only');
      if (last === null || last < cutoff) gaps.push('stale');
    }
    if (gaps.length === 0) continue;
    out.push({
      contactId: contact.id,
      accountId: contact.accountId,
      gaps,
      coveredBy,
      lastTouchAt: last === null ? null : new Date(last).toISOString(),
      // A touch "in the future" (clock skew, a planned meeting logged early) counts as today.
      daysSinceTouch: last === null ? null : Math.floor(Math.max(0, nowMs - last) / DAY_MS),
    });
  }
  const severity = (g: CoverageGap) => (g.gaps.includes('uncovered') ? 0 : g.gaps.includes('covered_by_junior_only') ? 1 : 2);
  return out
    .map((g, i) => ({ g, i }))
    .sort((a, b) => severity(a.g) - severity(b.g) || a.i - b.i)
    .map(({ g }) => g);
}

export interface LevelCoverage {
  /** Active contacts at this level. */
  active: number;
  covered: number;
  uncovered: number;
}

export interface AccountCoverageSummary {
  accountId: string;
  byLevel: Record<ContactLevel, LevelCoverage>;
  /** Contacts who left the customer: not counted in byLevel. */
  left: number;
}

/** Covered / uncovered counts per level for each account, accounts in order of first appearance. */
export function summarizeCoverage(
  contacts: readonly CoverageContact[],
  coverage: readonly CoverageLink[],
  ourPeople: readonly OurPerson[],
  options: Pick<CoverageOptions, 'minStrength'> = {},
): AccountCoverageSummary[] {
  const minStrength = options.minStrength ?? 1;
  assertOptions(minStrength);
  const links = countedLinks(coverage, ourPeople, minStrength);
  const byAccount = new Map<string, AccountCoverageSummary>();
  for (const c of contacts) {
    let summary = byAccount.get(c.accountId);
    if (!summary) {
      const empty = (): LevelCoverage => ({ active: 0, covered: 0, uncovered: 0 });
      summary = { accountId: c.accountId, byLevel: { decision: empty(), management: empty(), execution: empty() }, left: 0 };
      byAccount.set(c.accountId, summary);
    }
    if (c.status !== 'active') {
      summary.left++;
      continue;
    }
    const level = summary.byLevel[c.level];
    level.active++;
    if (links.has(c.id)) level.covered++;
    else level.uncovered++;
  }
  return [...byAccount.values()];
}
