import { definePermissions } from '../../platform/access.ts';

/**
 * Pricing rules decide what every seller may quote, so the deal desk and admins write and publish
 * them; sellers, their managers, executives and finance read them (and the explanation of a price)
 * and may run the what-if tester against published rules. Drafts in a what-if need the write grant.
 */
export const PricingPermissions = definePermissions({
  'pricing.rules.read': {
    admin: 'all',
    deal_desk: 'all',
    executive: 'all',
    finance: 'all',
    sales_manager: 'all',
    sales_rep: 'all',
  },
  'pricing.rules.write': { admin: 'all', deal_desk: 'all' },
});
