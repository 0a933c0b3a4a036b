import { defineErrors } from '../../platform/errors.ts';

/** Error codes of the catalog: product groups, products and bundles, price books, contracted prices. */
export const CatalogErrors = defineErrors('catalog', {
  group_cycle: { status: 422 },
  code_taken: { status: 409 },
  sku_taken: { status: 409 },
  invalid_bundle: { status: 422 },
  invalid_tiers: { status: 422 },
  currency_mismatch: { status: 422 },
  product_inactive: { status: 422 },
  invalid_import: { status: 422 },
});
