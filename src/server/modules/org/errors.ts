import { defineErrors } from '../../platform/errors.ts';

export const OrgErrors = defineErrors('org', {
  invalid_credentials: { status: 401 },
  unit_cycle: { status: 422 },
  unit_kind_order: { status: 422 },
  unit_not_empty: { status: 409 },
  manager_cycle: { status: 422 },
  email_taken: { status: 409 },
  password_too_weak: { status: 422 },
  wrong_password: { status: 422 },
  last_admin: { status: 409 },
  token_revoked: { status: 401 },
  effective_date_order: { status: 422 },
  invalid_tax_id: { status: 422 },
});
