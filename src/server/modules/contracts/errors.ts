import { defineErrors } from '../../platform/errors.ts';

/** Error codes of contracts and their amendments. */
export const ContractErrors = defineErrors('contracts', {
  invalid_billing_plan: { status: 422 },
  already_signed: { status: 409 },
  contract_closed: { status: 409 },
  no_change: { status: 422 },
  below_billed: { status: 422 },
  no_lines: { status: 422 },
  date_before_start: { status: 422 },
});
