/**
 * The modules of Throughline, in the order of the line. Importing this file registers every
 * module's error codes, permissions and event subscriptions; app.ts mounts their routes.
 */
import type { ApiRouter } from '../platform/http.ts';
import { registerEntityReader } from '../platform/admin-routes.ts';
import { registerCalendarRoutes } from './calendar/routes.ts';
import { canReadAssignment, canReadCalendar, canReadLeave } from './calendar/service.ts';
import { registerCatalogRoutes } from './catalog/routes.ts';
import { canReadContractPrice, canReadPriceBook, canReadProduct, canReadProductGroup } from './catalog/service.ts';
import { registerContractRoutes } from './contracts/routes.ts';
import { canReadContract, canReadContractAmendment } from './contracts/service.ts';
import { canReadAccount } from './crm/account-service.ts';
import { canReadActivity } from './crm/activity-service.ts';
import { canReadContact } from './crm/contact-service.ts';
import { canReadCoverage } from './crm/coverage-service.ts';
import { canReadCustomerGroup } from './crm/customer-group-service.ts';
import { canReadImport } from './crm/import-service.ts';
import { canReadOpportunity } from './crm/opportunity-service.ts';
import { registerAccountRoutes } from './crm/routes-accounts.ts';
import { registerActivityRoutes } from './crm/routes-activities.ts';
import { registerCustomFieldRoutes } from './crm/routes-custom-fields.ts';
import { registerImportRoutes } from './crm/routes-import.ts';
import { registerOpportunityRoutes } from './crm/routes-opportunities.ts';
import { registerViewRoutes } from './crm/routes-views.ts';
import { canReadSavedView } from './crm/view-service.ts';
import type { AuthSettings } from './org/auth-service.ts';
import { registerOrgRoutes } from './org/routes.ts';
import { canReadUser } from './org/service.ts';
import { registerPricingRoutes } from './pricing/routes.ts';
import { canReadRule } from './pricing/rule-service.ts';
import { registerQuoteRoutes } from './quotes/routes.ts';
import { canReadApprovalRequest, canReadDelegation } from './quotes/approval-service.ts';
import { canReadQuote, canReadQuoteVersion } from './quotes/service.ts';

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
  registerCustomFieldRoutes(router);
  registerEntityReader('opportunity', canReadOpportunity);
  registerViewRoutes(router);
  registerEntityReader('saved_view', canReadSavedView);
  registerActivityRoutes(router);
  registerEntityReader('activity', canReadActivity);
  registerImportRoutes(router);
  registerEntityReader('import_job', canReadImport);
  registerCatalogRoutes(router);
  registerEntityReader('product_group', canReadProductGroup);
  registerEntityReader('product', canReadProduct);
  registerEntityReader('price_book', canReadPriceBook);
  registerEntityReader('contract_price', canReadContractPrice);
  registerPricingRoutes(router);
  registerEntityReader('pricing_rule', canReadRule);
  registerQuoteRoutes(router);
  registerEntityReader('quote', canReadQuote);
  registerEntityReader('quote_version', canReadQuoteVersion);
  registerEntityReader('quote_approval', canReadApprovalRequest);
  registerEntityReader('quote_approval_delegation', canReadDelegation);
  registerContractRoutes(router);
  registerEntityReader('contract', canReadContract);
  registerEntityReader('contract_amendment', canReadContractAmendment);
}
