import type { ViewDefinition } from '../../../../server/modules/crm/view-contract.ts';

/**
 * Saved views of the accounts list: a view holds the list's query parameters as the endpoint takes
 * them, which are also the page's address parameters. These convert between the two.
 */
export const ACCOUNT_VIEW_PARAMS = ['q', 'kind', 'status', 'tier', 'ownerId'] as const;

export function viewDefinitionFromParams(params: URLSearchParams): ViewDefinition {
  const filters: Record<string, string> = {};
  for (const key of ACCOUNT_VIEW_PARAMS) {
    const v = params.get(key);
    if (v) filters[key] = v;
  }
  const sort = params.get('sort');
  return sort ? { filters, sort } : { filters };
}

/** The address parameters of a view: its filters (list values joined by commas) and sort; others are dropped. */
export function paramsFromView(definition: { filters: Record<string, string | string[]>; sort?: string | undefined }): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(definition.filters)) {
    const v = Array.isArray(value) ? value.join(',') : value;
    if (v !== '') params.set(key, v);
  }
  if (definition.sort && definition.sort !== 'name') params.set('sort', definition.sort);
  return params;
}
