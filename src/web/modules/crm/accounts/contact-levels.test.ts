import { describe, expect, it } from 'vitest';
import { branchIds, daysSince, flattenForest, groupContactsByLevel, reportsToChain, reportsToOptions } from './contact-levels.ts';

const c = (id: string, name: string, level: 'decision' | 'management' | 'execution', reportsToId: string | null = null, status = 'active') => ({
  id,
  name,
  level,
  reportsToId,
  status,
});

describe('groupContactsByLevel', () => {
  it('puts each contact under its level, active before left, then by name', () => {
    const groups = groupContactsByLevel([
      c('1', 'Zhou', 'execution'),
      c('2', 'Wang', 'decision', null, 'left'),
      c('3', 'Li', 'decision'),
      c('4', 'Chen', 'management'),
      c('5', 'An', 'decision'),
    ]);
    expect(groups.decision.map((x) => x.id)).toEqual(['5', '3', '2']);
    expect(groups.management.map((x) => x.id)).toEqual(['4']);
    expect(groups.execution.map((x) => x.id)).toEqual(['1']);
  });

  it('gives empty groups for levels nobody is at', () => {
    expect(groupContactsByLevel([c('1', 'A', 'management')])).toEqual({ decision: [], management: [c('1', 'A', 'management')], execution: [] });
  });
});

describe('reportsToChain', () => {
  const people = [c('ceo', 'CEO', 'decision'), c('vp', 'VP', 'management', 'ceo'), c('eng', 'Eng', 'execution', 'vp')];

  it('walks up to the top, nearest boss first', () => {
    expect(reportsToChain('eng', people).map((x) => x.id)).toEqual(['vp', 'ceo']);
    expect(reportsToChain('ceo', people)).toEqual([]);
  });

  it('stops at a loop and at someone not loaded', () => {
    const loop = [c('a', 'A', 'decision', 'b'), c('b', 'B', 'decision', 'a')];
    expect(reportsToChain('a', loop).map((x) => x.id)).toEqual(['b']);
    expect(reportsToChain('x', [c('x', 'X', 'execution', 'elsewhere')])).toEqual([]);
  });
});

describe('reportsToOptions', () => {
  it('leaves out the contact and everyone below it', () => {
    const people = [c('ceo', 'CEO', 'decision'), c('vp', 'VP', 'management', 'ceo'), c('eng', 'Eng', 'execution', 'vp'), c('cfo', 'CFO', 'decision', 'ceo')];
    expect(reportsToOptions('vp', people).map((x) => x.id)).toEqual(['ceo', 'cfo']);
    expect(reportsToOptions(null, people)).toHaveLength(4);
  });
});

describe('forest helpers', () => {
  const forest = [
    { id: 'r', level: 'decision' as const, children: [{ id: 'm', level: 'management' as const, children: [{ id: 'e', level: 'execution' as const, children: [] }] }] },
    { id: 'r2', level: 'decision' as const, children: [] },
  ];

  it('flattens parents before children with their depth', () => {
    expect(flattenForest(forest).map((x) => `${x.node.id}:${x.depth}`)).toEqual(['r:0', 'm:1', 'e:2', 'r2:0']);
  });

  it('lists the nodes that have children', () => {
    expect(branchIds(forest)).toEqual(['r', 'm']);
  });
});

describe('daysSince', () => {
  const now = new Date('2026-11-25T08:00:00Z');
  it('counts whole days and treats never as null', () => {
    expect(daysSince('2026-11-15T09:00:00Z', now)).toBe(9); // 9 days 23 hours
    expect(daysSince('2026-11-25T07:00:00Z', now)).toBe(0);
    expect(daysSince('2026-11-26T07:00:00Z', now)).toBe(0);
    expect(daysSince(null, now)).toBeNull();
  });
});
