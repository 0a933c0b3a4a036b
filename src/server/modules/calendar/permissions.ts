import { definePermissions, grantEveryRole } from '../../platform/access.ts';

const everyone = grantEveryRole('all');

/** A person's own leave and capacity; managers see their subtree's; admins and executives everyone's. */
const peopleTime = {
  admin: 'all',
  executive: 'all',
  resource_manager: 'subtree',
  sales_manager: 'subtree',
  project_manager: 'subtree',
  deal_desk: 'own',
  finance: 'own',
  sales_rep: 'own',
  engineer: 'own',
  service_agent: 'own',
} as const;

/**
 * Who may see and change working calendars. Everyone reads calendars and their assignments (when
 * the company works is not a secret). Admins edit everything; resource managers (department heads)
 * edit the calendars their subtree owns, assign calendars to units and people of their subtree, and
 * keep their people's leave. Scopes are checked against the calendar's owner unit, the assigned
 * unit (or the person's home unit), and the person's home unit.
 */
export const CalendarPermissions = definePermissions({
  'calendar.read': everyone,
  'calendar.write': { admin: 'all', resource_manager: 'subtree' },
  'calendar.assign': { admin: 'all', resource_manager: 'subtree' },
  'calendar.leave.read': peopleTime,
  'calendar.leave.write': { admin: 'all', resource_manager: 'subtree' },
  'calendar.capacity.read': peopleTime,
});
