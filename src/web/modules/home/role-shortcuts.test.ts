import { describe, expect, it } from 'vitest';
import { shortcutsFor } from './role-shortcuts.ts';

describe('shortcutsFor', () => {
  const ctx = { ownUnitId: 'u1', ledUnitId: 'u0' };

  it('gives a sales rep their pipeline, their quotes and their team', () => {
    expect(shortcutsFor(['sales_rep'], ctx)).toEqual([
      { key: 'crm', to: '/crm/pipeline', soon: false },
      { key: 'quotes', to: '/cpq/quotes', soon: false },
      { key: 'myTeam', to: '/users?unitId=u1', soon: false },
    ]);
  });

  it('opens quotes for every role that had them as not open yet, approvals for managers and the deal desk, contracts for finance', () => {
    const of = (role: Parameters<typeof shortcutsFor>[0][number]) => shortcutsFor([role], ctx);
    expect(of('sales_manager')).toEqual([
      { key: 'crm', to: '/crm/pipeline', soon: false },
      { key: 'approvals', to: '/cpq/approvals', soon: false },
      { key: 'quotes', to: '/cpq/quotes', soon: false },
      { key: 'mySubtree', to: '/users?unitId=u0&includeSubunits=true', soon: false },
      { key: 'performance', to: '/performance', soon: true },
    ]);
    expect(of('deal_desk').map((s) => [s.key, s.to, s.soon])).toEqual([
      ['approvals', '/cpq/approvals', false],
      ['quotes', '/cpq/quotes', false],
      ['crm', '/crm/accounts', false],
      ['orgChart', '/org', false],
    ]);
    expect(of('finance').map((s) => [s.key, s.to, s.soon])).toEqual([
      ['contracts', '/cpq/contracts', false],
      ['quotes', '/cpq/quotes', false],
      ['orgChart', '/org', false],
      ['billing', '/performance', true],
    ]);
    // Nobody is sent to the old address any more, and no role's quotes are "not open".
    const roles = ['sales_rep', 'sales_manager', 'executive', 'admin', 'project_manager', 'resource_manager', 'engineer', 'service_agent', 'finance', 'deal_desk'] as const;
    const all = roles.flatMap((r) => of(r));
    expect(all.filter((s) => s.to === '/quotes' || (s.key === 'quotes' && s.soon))).toEqual([]);
    // Approvals and contracts only where they are someone's daily work.
    expect(roles.filter((r) => of(r).some((s) => s.key === 'approvals'))).toEqual(['sales_manager', 'deal_desk']);
    expect(roles.filter((r) => of(r).some((s) => s.key === 'contracts'))).toEqual(['finance']);
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
