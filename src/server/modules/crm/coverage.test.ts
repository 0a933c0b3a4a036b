import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CoverageError,
  buildContactTree,
  computeCoverageGaps,
  summarizeCoverage,
  wouldCreateContactCycle,
  type ContactLevel,
  type ContactNode,
  type CoverageContact,
  type CoverageLink,
  type OurPerson,
} from './coverage.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-30T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

function contact(id: string, level: ContactLevel, reportsToId: string | null = null, extra: Partial<CoverageContact> = {}): CoverageContact {
  return { id, accountId: 'acme', level, reportsToId, status: 'active', ...extra };
}

function shape(nodes: ContactNode<CoverageContact>[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.contact.id]: shape(n.children) } : n.contact.id));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof CoverageError) return e.code;
    throw e;
  }
}

describe('reporting lines', () => {
  const CHART = [
    contact('ceo', 'decision'),
    contact('cto', 'decision', 'ceo'),
    contact('cfo', 'decision', 'ceo'),
    contact('devlead', 'management', 'cto'),
    contact('dev', 'execution', 'devlead', { status: 'left' }),
    contact('buyer', 'execution', 'someone-at-the-parent-company'),
  ];

  it('builds a forest; an unknown manager makes a root; people who left keep their place', () => {
    expect(shape(buildContactTree(CHART))).toEqual([{ ceo: [{ cto: [{ devlead: ['dev'] }] }, 'cfo'] }, 'buyer']);
  });

  it('refuses a cycle, naming the contacts on it', () => {
    const looped = [contact('a', 'decision', 'c'), contact('b', 'management', 'a'), contact('c', 'execution', 'b'), contact('x', 'execution', 'a')];
    try {
      buildContactTree(looped);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'crm.contact_cycle' });
      expect(((e as CoverageError).params.contactIds as string).split(',').sort()).toEqual(['a', 'b', 'c']);
    }
    expect(codeOf(() => buildContactTree([contact('self', 'decision', 'self')]))).toBe('crm.contact_cycle');
  });

  it('detects a move that would close a loop, at any depth', () => {
    expect(wouldCreateContactCycle(CHART, 'ceo', 'dev')).toBe(true); // dev → devlead → cto → ceo
    expect(wouldCreateContactCycle(CHART, 'cto', 'cto')).toBe(true);
    expect(wouldCreateContactCycle(CHART, 'cfo', 'devlead')).toBe(false);
    expect(wouldCreateContactCycle(CHART, 'cfo', null)).toBe(false);
    expect(wouldCreateContactCycle(CHART, 'cfo', 'stranger')).toBe(false);
    // A loop already in the data does not hang the check.
    expect(wouldCreateContactCycle([contact('p', 'decision', 'q'), contact('q', 'decision', 'p')], 'z', 'p')).toBe(false);
  });

  // Random forests: contact i reports to one of contacts 0…i−1 or to nobody.
  const forestArb = fc.array(fc.nat(), { minLength: 1, maxLength: 40 }).map((picks) =>
    picks.map((p, i) => contact(`c${i}`, 'execution', i === 0 || p % (i + 1) === i ? null : `c${p % i}`)),
  );

  it('property: every contact appears exactly once in the forest, under its manager', () => {
    fc.assert(
      fc.property(forestArb, (contacts) => {
        const seen: string[] = [];
        const walk = (nodes: ContactNode<CoverageContact>[], parent: string | null) => {
          for (const n of nodes) {
            seen.push(n.contact.id);
            expect(n.contact.reportsToId).toBe(parent);
            walk(n.children, n.contact.id);
          }
        };
        walk(buildContactTree(contacts), null);
        expect(seen.sort()).toEqual(contacts.map((c) => c.id).sort());
      }),
    );
  });

  it('property: wouldCreateContactCycle is true exactly when the resulting chart cannot be built', () => {
    fc.assert(
      fc.property(forestArb, fc.nat(), fc.nat(), (contacts, a, b) => {
        const who = contacts[a % contacts.length]!.id;
        const manager = contacts[b % contacts.length]!.id;
        const moved = contacts.map((c) => (c.id === who ? { ...c, reportsToId: manager } : c));
        expect(wouldCreateContactCycle(contacts, who, manager)).toBe(codeOf(() => buildContactTree(moved)) === 'crm.contact_cycle');
      }),
    );
  });
});

describe('coverage gaps', () => {
  const PEOPLE: OurPerson[] = [
    { userId: 'boss', seniority: 'executive' },
    { userId: 'mgr', seniority: 'manager' },
    { userId: 'rep', seniority: 'individual' },
    { userId: 'rep2', seniority: 'individual' },
  ];
  const CONTACTS = [
    contact('d1', 'decision'), // nobody
    contact('d2', 'decision'), // a rep, recently
    contact('d3', 'decision'), // a manager, 40 days ago
    contact('d4', 'decision'), // the boss, recently: fine
    contact('d5', 'decision', null, { status: 'left' }), // gone: not our problem any more
    contact('m1', 'management'), // not a decision-maker
    contact('d6', 'decision'), // two reps, never touched
    contact('d7', 'decision'), // only someone who left our company
    contact('d8', 'decision'), // a manager, but a weak link
  ];
  const link = (ourUserId: string, contactId: string, strength: number, lastTouchAt: Date | string | null): CoverageLink => ({
    ourUserId,
    contactId,
    strength,
    lastTouchAt,
  });
  const LINKS = [
    link('rep', 'd2', 4, daysAgo(3)),
    link('mgr', 'd3', 3, daysAgo(40)),
    link('boss', 'd4', 5, daysAgo(1).toISOString()),
    link('rep', 'd4', 2, daysAgo(60)),
    link('rep', 'd6', 2, null),
    link('rep2', 'd6', 3, null),
    link('former-employee', 'd7', 5, daysAgo(1)),
    link('mgr', 'd8', 1, daysAgo(2)),
  ];

  it('worked example: the exposed decision-makers, most severe first', () => {
    const gaps = computeCoverageGaps(CONTACTS, LINKS, PEOPLE, { now: NOW, staleDays: 30, minStrength: 2 });
    expect(gaps.map((g) => [g.contactId, g.gaps])).toEqual([
      ['d1', ['uncovered']],
      ['d7', ['uncovered']], // links from people not passed in do not count
      ['d8', ['uncovered']], // strength 1 < minStrength 2
      ['d2', ['covered_by_junior_only']],
      ['d6', ['covered_by_junior_only', 'stale']], // never touched is stale
      ['d3', ['stale']], // 40 days > 30
    ]);
    expect(gaps.find((g) => g.contactId === 'd3')).toMatchObject({
      coveredBy: [{ userId: 'mgr', seniority: 'manager', strength: 3, lastTouchAt: daysAgo(40).toISOString() }],
      lastTouchAt: daysAgo(40).toISOString(),
      daysSinceTouch: 40,
    });
    expect(gaps.find((g) => g.contactId === 'd6')).toMatchObject({
      coveredBy: [{ userId: 'rep2', strength: 3 }, { userId: 'rep', strength: 2 }], // strongest first among equals
      lastTouchAt: null,
      daysSinceTouch: null,
    });
  });

  it('any link counts by default, and the freshest touch of anyone decides staleness', () => {
    const gaps = computeCoverageGaps(CONTACTS, LINKS, PEOPLE, { now: NOW, staleDays: 30 });
    expect(gaps.find((g) => g.contactId === 'd8')).toBeUndefined(); // manager, touched 2 days ago
    // d4: the rep's 60-day-old touch does not make it stale: the boss touched yesterday.
    expect(gaps.find((g) => g.contactId === 'd4')).toBeUndefined();
  });

  it('a touch exactly staleDays ago is still fresh; a millisecond earlier is stale', () => {
    const c = [contact('d', 'decision')];
    const at = (ms: number) => computeCoverageGaps(c, [link('mgr', 'd', 3, new Date(ms))], PEOPLE, { now: NOW, staleDays: 30 });
    expect(at(NOW.getTime() - 30 * DAY)).toEqual([]);
    expect(at(NOW.getTime() - 30 * DAY - 1)[0]?.gaps).toEqual(['stale']);
    // A touch logged in the future counts as today.
    expect(at(NOW.getTime() + DAY)).toEqual([]);
  });

  it('refuses nonsense options', () => {
    expect(codeOf(() => computeCoverageGaps([], [], [], { now: NOW, staleDays: -1 }))).toBe('crm.invalid_coverage_options');
    expect(codeOf(() => computeCoverageGaps([], [], [], { now: NOW, staleDays: Number.NaN }))).toBe('crm.invalid_coverage_options');
  });

  it('property: uncovered excludes the other gaps, only active decision-makers appear, severity order holds', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const arb = fc.record({
      contacts: fc.uniqueArray(
        fc.record({
          id: fc.constantFrom(...ids),
          level: fc.constantFrom<ContactLevel>('decision', 'management', 'execution'),
          status: fc.constantFrom('active' as const, 'left' as const),
        }),
        { selector: (c) => c.id },
      ),
      links: fc.array(
        fc.record({
          ourUserId: fc.constantFrom('boss', 'mgr', 'rep', 'ghost'),
          contactId: fc.constantFrom(...ids),
          strength: fc.integer({ min: 1, max: 5 }),
          lastTouchAt: fc.option(fc.integer({ min: 0, max: 100 }).map(daysAgo)),
        }),
        { maxLength: 12 },
      ),
    });
    fc.assert(
      fc.property(arb, ({ contacts, links }) => {
        const full = contacts.map((c) => ({ ...c, accountId: 'acme', reportsToId: null }));
        const gaps = computeCoverageGaps(full, links, PEOPLE, { now: NOW, staleDays: 30 });
        let lastSeverity = 0;
        for (const g of gaps) {
          const c = full.find((x) => x.id === g.contactId)!;
          expect(c.level === 'decision' && c.status === 'active').toBe(true);
          expect(g.gaps.length).toBeGreaterThan(0);
          if (g.gaps.includes('uncovered')) expect(g.gaps).toEqual(['uncovered']);
          expect(g.coveredBy.length === 0).toBe(g.gaps.includes('uncovered'));
          const severity = g.gaps.includes('uncovered') ? 0 : g.gaps.includes('covered_by_junior_only') ? 1 : 2;
          expect(severity).toBeGreaterThanOrEqual(lastSeverity);
          lastSeverity = severity;
        }
      }),
    );
  });
});

describe('summarizeCoverage', () => {
  it('counts covered and uncovered active contacts per level and account', () => {
    const contacts = [
      contact('d1', 'decision'),
      contact('d2', 'decision'),
      contact('m1', 'management'),
      contact('e1', 'execution', null, { status: 'left' }),
      contact('x1', 'decision', null, { accountId: 'globex' }),
    ];
    const people: OurPerson[] = [{ userId: 'rep', seniority: 'individual' }];
    const links: CoverageLink[] = [
      { ourUserId: 'rep', contactId: 'd1', strength: 1, lastTouchAt: null },
      { ourUserId: 'rep', contactId: 'm1', strength: 4, lastTouchAt: null },
      { ourUserId: 'rep', contactId: 'e1', strength: 4, lastTouchAt: null },
      { ourUserId: 'ghost', contactId: 'x1', strength: 5, lastTouchAt: null },
    ];
    expect(summarizeCoverage(contacts, links, people)).toEqual([
      {
        accountId: 'acme',
        byLevel: {
          decision: { active: 2, covered: 1, uncovered: 1 },
          management: { active: 1, covered: 1, uncovered: 0 },
          execution: { active: 0, covered: 0, uncovered: 0 },
        },
        left: 1,
      },
      {
        accountId: 'globex',
        byLevel: {
          decision: { active: 1, covered: 0, uncovered: 1 },
          management: { active: 0, covered: 0, uncovered: 0 },
          execution: { active: 0, covered: 0, uncovered: 0 },
        },
        left: 0,
      },
    ]);
    // With a stricter bar, d1's strength-1 link no longer counts.
    expect(summarizeCoverage(contacts, links, people, { minStrength: 2 })[0]!.byLevel.decision).toEqual({ active: 2, covered: 0, uncovered: 2 });
  });
});
