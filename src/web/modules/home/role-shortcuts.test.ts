import { describe, expect, it } from 'vitest';
import { shortcutsFor } from './role-shortcuts.ts';

describe('shortcutsFor', () => {
  const ctx = { ownUnitId: 'u1', ledUnitId: 'u0' };

  it('gives a sales rep their pipeline and team, then the modules not open yet', () => {
    expect(shortcutsFor(['sales_rep'], ctx)).toEqual([
      { key: 'crm', to: '/crm/pipeline', soon: false },
      { key: 'myTeam', to: '/users?unitId=u1', soon: false },
      { key: 'quotes', to: '/quotes', soon: true },
    ]);
  });

  it('opens the CRM for every role that has it: sellers on the pipeline, others on the accounts', () => {
    const crm = (role: Parameters<typeof shortcutsFor>[0][number]) => shortcutsFor([role], ctx).find((s) => s.key === 'crm');
    expect(crm('sales_manager')).toEqual({ key: 'crm', to: '/crm/pipeline', soon: false });
    expect(crm('executive')).toEqual({ key: 'crm', to: '/crm/accounts', soon: false });
    expect(crm('deal_desk')).toEqual({ key: 'crm', to: '/crm/accounts', soon: false });
    // The first role listing a shortcut decides where it goes.
    expect(shortcutsFor(['executive', 'sales_rep'], ctx).find((s) => s.key === 'crm')?.to).toBe('/crm/accounts');
  });

  it('merges roles without duplicates', () => {
    const keys = shortcutsFor(['project_manager', 'resource_manager'], ctx).map((s) => s.key);
    expect(keys).toEqual(['myTeam', 'mySubtree', 'delivery', 'resources']);
  });

  it('drops team links for someone without a unit', () => {
    expect(shortcutsFor(['engineer'], { ownUnitId: null, ledUnitId: null }).map((s) => s.key)).toEqual(['delivery']);
  });
});
