import { defineErrors } from '../../platform/errors.ts';

/**
 * Error codes of accounts, customer groups, account teams, contacts and coverage. The opportunity
 * side of the CRM defines its own `crm.*` codes in its own file; docs/errors.md lists both.
 */
export const AccountErrors = defineErrors('crm', {
  invalid_uscc: { status: 422 },
  duplicate_uscc: { status: 409 },
  similar_account: { status: 409 },
  account_cycle: { status: 422 },
  invalid_region: { status: 422 },
  account_archived: { status: 409 },
  customer_group_cycle: { status: 422 },
  customer_group_code_taken: { status: 409 },
  team_member_exists: { status: 409 },
  team_owner_required: { status: 409 },
  contact_cycle: { status: 422 },
  duplicate_coverage: { status: 409 },
});
