/**
 * The modules of Throughline, in the order of the line. Importing this file registers every
 * module's error codes, permissions and event subscriptions; app.ts mounts their routes.
 */
import type { ApiRouter } from '../platform/http.ts';
import { registerEntityReader } from '../platform/admin-routes.ts';
import { registerCalendarRoutes } from './calendar/routes.ts';
import { canReadAssignment, canReadCalendar, canReadLeave } from './calendar/service.ts';
import { canReadAccount } from './crm/account-service.ts';
import { canReadContact } from './crm/contact-service.ts';
import { canReadCoverage } from './crm/coverage-service.ts';
import { canReadCustomerGroup } from './crm/customer-group-service.ts';
import { canReadOpportunity } from './crm/opportunity-service.ts';
import { registerAccountRoutes } from './crm/routes-accounts.ts';
import { registerOpportunityRoutes } from './crm/routes-opportunities.ts';
import type { AuthSettings } from './org/auth-service.ts';
import { registerOrgRoutes } from './org/routes.ts';
import { canReadUser } from './org/service.ts';

export interface ModuleSettings extends AuthSettings {
  cookieSecure: boolean;
}

export function registerModules(router: ApiRouter, settings: ModuleSettings): void {
  registerOrgRoutes(router, settings);
  registerEntityReader('user', canReadUser);
  registerCalendarRoutes(router);
  registerEntityReader('calendar', canReadCalendar);
  registerEntityReader('calendar_assignment', canReadAssignment);
  registerEntityReader('leave', canReadLeave);
  registerAccountRoutes(router);
  registerEntityReader('account', canReadAccount);
  registerEntityReader('contact', canReadContact);
  registerEntityReader('coverage', canReadCoverage);
  registerEntityReader('customer_group', canReadCustomerGroup);
  registerOpportunityRoutes(router);
  registerEntityReader('opportunity', canReadOpportunity);
}
