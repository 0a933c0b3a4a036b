import { definePermissions } from '../../platform/access.ts';

/**
 * Who sees and changes quotes. A quote is read like its deal: reps their own, managers their
 * subtree, executives, deal desk and finance the whole company. Reps and managers write the quotes
 * of the deals they write; deal desk works every quote. Pricing a line below its floor by hand
 * needs `quotes.floor_override` (deal desk, admin), unless the approval policy routes below-floor lines
 * to an approver. Approving is not a permission: the seller's management chain and the deal desk and
 * finance role holders act on the steps the policy requires (approval-service.ts).
 */
export const QuotePermissions = definePermissions({
  'quotes.read': {
    admin: 'all',
    executive: 'all',
    deal_desk: 'all',
    finance: 'all',
    sales_manager: 'subtree',
    project_manager: 'subtree',
    sales_rep: 'own',
  },
  'quotes.write': { admin: 'all', deal_desk: 'all', sales_manager: 'subtree', sales_rep: 'own' },
  'quotes.floor_override': { admin: 'all', deal_desk: 'all' },
  /** The approval policy and anyone's delegations; everyone may delegate their own approvals. */
  'quotes.approval_policy.write': { admin: 'all', deal_desk: 'all', finance: 'all' },
});
