import type { ApiRouter } from '../../platform/http.ts';
import { IdParams, Ok, VersionQuery } from './account-contract.ts';
import { searchCrm } from './search-service.ts';
import { SearchQuery, SearchResult } from './search-contract.ts';
import { CreateViewBody, ListViewsQuery, SavedView, SavedViewList, UpdateViewBody } from './view-contract.ts';
import { createView, deleteView, listViews, updateView } from './view-service.ts';

const tags = ['crm'];

/** Saved views of the CRM lists, and the CRM-wide search. */
export function registerViewRoutes(router: ApiRouter): void {
  router.route({
    method: 'GET',
    url: '/api/v1/crm/views',
    summary: 'My saved views of a list, and those shared with a unit I am in (mine first, then by name)',
    tags,
    query: ListViewsQuery,
    response: SavedViewList,
    handler: (ctx, { query }) => listViews(ctx, query),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/views',
    summary: "Save a view (filters checked by the list's own query schema; sharing to a unit I belong to or head)",
    tags,
    idempotent: true,
    body: CreateViewBody,
    response: SavedView,
    handler: (ctx, { body }) => createView(ctx, body),
  });
  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/views/:id',
    summary: 'Rename, redefine, share or unshare my view (version)',
    tags,
    params: IdParams,
    body: UpdateViewBody,
    response: SavedView,
    handler: (ctx, { params, body }) => updateView(ctx, params.id, body),
  });
  router.route({
    method: 'DELETE',
    url: '/api/v1/crm/views/:id',
    summary: 'Delete my view (version)',
    tags,
    params: IdParams,
    query: VersionQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteView(ctx, params.id, query.version);
      return { ok: true as const };
    },
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/search',
    summary: 'Search accounts and contacts I can read by name (one Chinese character is enough), phone, email or USCC',
    tags,
    query: SearchQuery,
    response: SearchResult,
    handler: (ctx, { query }) => searchCrm(ctx, query),
  });
}
