import { definePermissions, grantEveryRole } from '../../platform/access.ts';

const everyone = grantEveryRole('all');

/**
 * Who may see and change the org chart and people. The chart's structure is public inside the
 * company; people are seen by scope: a rep sees their team, a manager their subtree.
 */
export const OrgPermissions = definePermissions({
  'org.units.read': everyone,
  'org.units.write': { admin: 'all' },
  'users.read': {
    admin: 'all',
    executive: 'all',
    deal_desk: 'all',
    finance: 'all',
    sales_manager: 'subtree',
    resource_manager: 'subtree',
    project_manager: 'subtree',
    sales_rep: 'team',
    engineer: 'team',
    service_agent: 'team',
  },
  'users.write': { admin: 'all' },
  'users.tokens': { admin: 'all' },
  /** The company profile is printed on every document: everyone reads it, admins keep it. */
  'org.company_profile.read': everyone,
  'org.company_profile.write': { admin: 'all' },
});
