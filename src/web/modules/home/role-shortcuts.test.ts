import { describe, expect, it } from 'vitest';
import { shortcutsFor } from './role-shortcuts.ts';

describe('shortcutsFor', () => {
  const ctx = { ownUnitId: 'u1', ledUnitId: 'u0' };

  it('gives a sales rep their team and the sales modules (not open yet)', () => {
    expect(shortcutsFor(['sales_rep'], ctx)).toEqual([
      { key: 'myTeam', to: '/users?unitId=u1', soon: false },
      { key: 'crm', to: '/crm', soon: true },
      { key: 'quotes', to: '/quotes', soon: true },
    ]);
  });

  it('merges roles without duplicates', () => {
    const keys = shortcutsFor(['project_manager', 'resource_manager'], ctx).map((s) => s.key);
    expect(keys).toEqual(['myTeam', 'mySubtree', 'delivery', 'resources']);
  });

  it('drops team links for someone without a unit', () => {
    expect(shortcutsFor(['engineer'], { ownUnitId: null, ledUnitId: null }).map((s) => s.key)).toEqual(['delivery']);
  });
});
