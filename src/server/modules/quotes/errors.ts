import { defineErrors } from '../../platform/errors.ts';

/** Error codes of quotes and their versions. */
export const QuoteErrors = defineErrors('quotes', {
  version_not_editable: { status: 409 },
  draft_exists: { status: 409 },
  quote_closed: { status: 409 },
  currency_mismatch: { status: 422 },
  price_book_not_valid: { status: 422 },
  pricing_failed: { status: 422 },
  below_floor: { status: 422 },
  valid_until_before_pricing_date: { status: 422 },
  not_an_approver: { status: 403 },
  not_submitter: { status: 403 },
  not_pending: { status: 409 },
  step_not_current: { status: 409 },
  version_mismatch: { status: 409 },
  no_approver: { status: 422 },
  no_exchange_rate: { status: 422 },
  approval_required: { status: 409 },
  version_in_approval: { status: 409 },
  not_acceptable: { status: 409 },
  version_expired: { status: 422 },
  deal_has_accepted_quote: { status: 409 },
});
