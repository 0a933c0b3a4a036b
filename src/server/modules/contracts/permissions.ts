import { definePermissions } from '../../platform/access.ts';

/**
 * Who sees and changes contracts. A contract is read like the deal it closed: reps their own,
 * managers their subtree, executives, deal desk and finance the whole company (finance bills
 * every contract). Project managers read every contract: the PM who delivers one usually sits in a
 * delivery department outside the seller's subtree, and the delivery module (projects, members)
 * that could narrow this to "contracts I deliver" does not exist yet; a contract carries what the
 * customer pays, not our cost or margin, so nothing a PM should not see. Revisit with projects.
 * Amendments change signed terms and the billing schedule: deal desk and finance (and admin),
 * never the seller alone.
 */
export const ContractPermissions = definePermissions({
  'contracts.read': {
    admin: 'all',
    executive: 'all',
    finance: 'all',
    deal_desk: 'all',
    project_manager: 'all',
    sales_manager: 'subtree',
    sales_rep: 'own',
  },
  'contracts.amend': { admin: 'all', deal_desk: 'all', finance: 'all' },
});
