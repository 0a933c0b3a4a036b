import type { ApiRouter } from '../../platform/http.ts';
import {
  CreateQuoteBody,
  CreateQuoteVersionBody,
  IdParams,
  ListQuotesQuery,
  QuoteDetail,
  QuoteExplanation,
  QuotePage,
  SendQuoteVersionBody,
  UpdateQuoteVersionBody,
} from './contract.ts';
import { createQuote, createQuoteVersion, getQuote, getVersionExplanation, listQuotes, sendQuoteVersion, updateQuoteVersion } from './service.ts';

const tags = ['quotes'];

/** Quotes of a deal and their versions: create, list, read, edit a draft, revise, send, explain. */
export function registerQuoteRoutes(router: ApiRouter): void {
  router.route({
    method: 'POST',
    url: '/api/v1/quotes',
    summary: 'Create a quote (v1, priced) for a deal the caller can change',
    tags,
    body: CreateQuoteBody,
    response: QuoteDetail,
    status: 201,
    idempotent: true,
    handler: (ctx, { body }) => createQuote(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes',
    summary: 'Quotes the caller can see, newest first (by deal or owner; cursor)',
    tags,
    query: ListQuotesQuery,
    response: QuotePage,
    handler: (ctx, { query }) => listQuotes(ctx, query),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/:id',
    summary: 'One quote with all its versions',
    tags,
    params: IdParams,
    response: QuoteDetail,
    handler: (ctx, { params }) => getQuote(ctx, params.id),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/:id/versions',
    summary: 'Start the next version from the latest (required to change a sent or approved one)',
    tags,
    params: IdParams,
    body: CreateQuoteVersionBody,
    response: QuoteDetail,
    status: 201,
    idempotent: true,
    handler: (ctx, { params, body }) => createQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/quotes/versions/:id',
    summary: 'Change a draft version’s lines or header; re-priced on every save',
    tags,
    params: IdParams,
    body: UpdateQuoteVersionBody,
    response: QuoteDetail,
    handler: (ctx, { params, body }) => updateQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/quotes/versions/:id/send',
    summary: 'Send a draft version (it is frozen; earlier sent versions are superseded)',
    tags,
    params: IdParams,
    body: SendQuoteVersionBody,
    response: QuoteDetail,
    handler: (ctx, { params, body }) => sendQuoteVersion(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/quotes/versions/:id/explanation',
    summary: 'Every line’s price explanation and rule versions, as priced when the version was saved',
    tags,
    params: IdParams,
    response: QuoteExplanation,
    handler: (ctx, { params }) => getVersionExplanation(ctx, params.id),
  });
}
