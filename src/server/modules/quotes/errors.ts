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
});
