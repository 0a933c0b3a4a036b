import type { Role } from '../../../shared/roles.ts';
import type homeZh from '../../i18n/locales/zh-CN/home.json';

/** Home shortcuts per role. The CRM and CPQ are open; business modules of later releases are listed but marked as not open. */
export type ShortcutKey = Exclude<keyof typeof homeZh.shortcuts, 'title' | 'soon'>;

export interface Shortcut {
  key: ShortcutKey;
  to: string;
  soon: boolean;
}

export interface ShortcutContext {
  /** The unit to open "my team" on: the user's own unit. */
  ownUnitId: string | null;
  /** The unit to open "people I manage" on: the first unit the user heads, else their own. */
  ledUnitId: string | null;
}

type Def = { key: ShortcutKey; soon?: true; to: (c: ShortcutContext) => string | null };

const ORG_CHART: Def = { key: 'orgChart', to: () => '/org' };
const MY_TEAM: Def = { key: 'myTeam', to: (c) => (c.ownUnitId ? `/users?unitId=${c.ownUnitId}` : null) };
const MY_SUBTREE: Def = { key: 'mySubtree', to: (c) => (c.ledUnitId ? `/users?unitId=${c.ledUnitId}&includeSubunits=true` : null) };
const soon = (key: ShortcutKey, to: string): Def => ({ key, soon: true, to: () => to });
// Sellers land on their deals; everyone else who looks at customers starts from the accounts.
const CRM_DEALS: Def = { key: 'crm', to: () => '/crm/pipeline' };
const CRM_ACCOUNTS: Def = { key: 'crm', to: () => '/crm/accounts' };
const QUOTES: Def = { key: 'quotes', to: () => '/cpq/quotes' };
// The inbox opens on the requests waiting for the caller: managers approve their sellers' discounts, the deal desk its steps.
const APPROVALS: Def = { key: 'approvals', to: () => '/cpq/approvals' };
const CONTRACTS: Def = { key: 'contracts', to: () => '/cpq/contracts' };

const BY_ROLE: Record<Role, Def[]> = {
  sales_rep: [CRM_DEALS, QUOTES, MY_TEAM],
  sales_manager: [CRM_DEALS, APPROVALS, QUOTES, soon('performance', '/performance'), MY_SUBTREE],
  executive: [soon('dashboard', '/performance'), CRM_ACCOUNTS, ORG_CHART],
  admin: [{ key: 'allPeople', to: () => '/users' }, { key: 'audit', to: () => '/admin/audit' }, { key: 'outbox', to: () => '/admin/outbox' }, ORG_CHART],
  project_manager: [soon('delivery', '/delivery'), MY_TEAM],
  resource_manager: [soon('resources', '/delivery'), MY_SUBTREE],
  engineer: [soon('delivery', '/delivery'), MY_TEAM],
  service_agent: [soon('service', '/service'), MY_TEAM],
  finance: [soon('billing', '/performance'), CONTRACTS, QUOTES, ORG_CHART],
  deal_desk: [APPROVALS, QUOTES, CRM_ACCOUNTS, ORG_CHART],
};

export function shortcutsFor(roles: readonly Role[], ctx: ShortcutContext): Shortcut[] {
  const out = new Map<ShortcutKey, Shortcut>();
  for (const role of roles) {
    for (const def of BY_ROLE[role]) {
      const to = def.to(ctx);
      if (to && !out.has(def.key)) out.set(def.key, { key: def.key, to, soon: !!def.soon });
    }
  }
  if (out.size === 0) out.set('orgChart', { key: 'orgChart', to: '/org', soon: false });
  // Open entries first, then the ones that arrive later.
  return [...out.values()].sort((a, b) => Number(a.soon) - Number(b.soon));
}
