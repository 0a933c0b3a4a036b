import { defineErrors } from '../../platform/errors.ts';

/** Error codes of pricing-rule storage and the what-if tester. */
export const PricingErrors = defineErrors('pricing', {
  invalid_rule: { status: 422 },
  code_taken: { status: 409 },
  no_draft: { status: 409 },
  rule_archived: { status: 409 },
  currency_mismatch: { status: 422 },
  price_book_not_valid: { status: 422 },
  invalid_import: { status: 422 },
});
