import { definePermissions } from '../../platform/access.ts';

/**
 * Who sees and changes customers and deals. Reps work their own book; managers their subtree;
 * executives, deal desk and finance the whole company; service agents read every customer (they
 * answer whoever calls). Account-team members read the account and its deals whatever their
 * scope (sharing, in crm-access.ts).
 */
export const CrmPermissions = definePermissions({
  'crm.accounts.read': {
    admin: 'all',
    executive: 'all',
    deal_desk: 'all',
    finance: 'all',
    service_agent: 'all',
    sales_manager: 'subtree',
    project_manager: 'subtree',
    sales_rep: 'own',
  },
  'crm.accounts.write': { admin: 'all', sales_manager: 'subtree', sales_rep: 'own' },
  'crm.accounts.create': { admin: 'all', sales_manager: 'subtree', sales_rep: 'own' },
  'crm.opportunities.read': {
    admin: 'all',
    executive: 'all',
    deal_desk: 'all',
    finance: 'all',
    sales_manager: 'subtree',
    project_manager: 'subtree',
    sales_rep: 'own',
  },
  'crm.opportunities.write': { admin: 'all', sales_manager: 'subtree', sales_rep: 'own' },
  'crm.forecast.submit': { admin: 'all', executive: 'all', sales_manager: 'subtree' },
  'crm.settings.write': { admin: 'all' },
});
