import { definePermissions, grantEveryRole } from '../../platform/access.ts';

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
  /**
   * Logging calls, visits and tasks on an account the actor can read: everyone who meets customers
   * logs their own; a manager changes those of their subtree. Reading follows the account.
   */
  'crm.activities.write': {
    admin: 'all',
    sales_manager: 'subtree',
    sales_rep: 'own',
    executive: 'own',
    project_manager: 'own',
    engineer: 'own',
    service_agent: 'own',
  },
  'crm.settings.write': { admin: 'all' },
  /**
   * CSV/XLSX imports (import-service.ts): whoever creates CRM records may import them (each row
   * still passes the entity's own create check); the scope says whose import jobs one may read.
   */
  'crm.imports': { admin: 'all', sales_manager: 'subtree', sales_rep: 'own' },
  /**
   * Saved views of the lists: everyone keeps their own (view-service.ts); an admin manages anyone's.
   * Reading follows visibility (own, or shared to a unit above one's home unit), not a scope.
   */
  'crm.views.write': { ...grantEveryRole('own'), admin: 'all' },
});
