import { definePermissions, grantEveryRole } from '../../platform/access.ts';

/**
 * The catalog is reference data: everyone signed in reads products and price books (sellers quote
 * from them); the deal desk and admins maintain them. Standard costs reveal margins, so only the
 * roles that approve or account for margins see them (others get `cost: null`).
 */
export const CatalogPermissions = definePermissions({
  'catalog.read': grantEveryRole('all'),
  'catalog.write': { admin: 'all', deal_desk: 'all' },
  'catalog.costs.read': { admin: 'all', deal_desk: 'all', finance: 'all', executive: 'all' },
  'catalog.contract_prices.write': { admin: 'all', deal_desk: 'all' },
});
