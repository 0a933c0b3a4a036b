import type { PriceBookList, Product } from '../../../../server/modules/catalog/contract.ts';
import type { ContractDetail, ContractPage, ListContractsQuery } from '../../../../server/modules/contracts/contract.ts';
import type {
  AcceptedQuote,
  AcceptVersionBody,
  ApprovalPreview,
  ApprovalRequestDetail,
  ApprovalRequestPage,
  ApproveBody,
  ListApprovalsQuery,
  PricePreview,
  PricePreviewBody,
  RecallBody,
  RejectBody,
  SubmitVersionBody,
} from '../../../../server/modules/quotes/approval-contract.ts';
import type {
  CreateQuoteBody,
  ListQuotesQuery,
  QuoteDetail,
  QuoteExplanation,
  QuotePage,
  UpdateQuoteVersionBody,
} from '../../../../server/modules/quotes/contract.ts';
import type { Page } from '../../../../shared/api.ts';
import type { Locale } from '../../../../shared/i18n/resources.ts';
import { api, buildUrl } from '../../../http/api-client.ts';

/** Quotes, approvals and contracts as the web calls them, typed by the server's contracts. */
const base = '/api/v1/quotes';
const enc = (value: string) => encodeURIComponent(value);

export type QuoteFilters = Partial<Pick<ListQuotesQuery, 'opportunityId' | 'ownerId'>>;
export type ApprovalFilters = Partial<Pick<ListApprovalsQuery, 'status' | 'quoteId'>> & { mine?: boolean };
export type ContractFilters = Partial<Pick<ListContractsQuery, 'accountId' | 'opportunityId' | 'ownerId' | 'status'>>;

/** The address of a version's PDF: inline for the preview, `download` for an attachment. */
export function quotePdfUrl(versionId: string, locale: Locale, download = false): string {
  return buildUrl(`${base}/versions/${enc(versionId)}/pdf`, { locale, download: download ? '1' : undefined });
}

export const quotesApi = {
  list: (filters: QuoteFilters & { cursor?: string | undefined; limit?: number }, signal?: AbortSignal) => api.get<QuotePage>(base, filters, signal),
  get: (id: string, signal?: AbortSignal) => api.get<QuoteDetail>(`${base}/${enc(id)}`, undefined, signal),
  create: (body: CreateQuoteBody, idempotencyKey?: string) => api.create<QuoteDetail>(base, body, idempotencyKey),
  updateVersion: (versionId: string, body: UpdateQuoteVersionBody) => api.patch<QuoteDetail>(`${base}/versions/${enc(versionId)}`, body),
  newVersion: (quoteId: string, version: number, idempotencyKey?: string) => api.create<QuoteDetail>(`${base}/${enc(quoteId)}/versions`, { version }, idempotencyKey),
  send: (versionId: string, version: number) => api.post<QuoteDetail>(`${base}/versions/${enc(versionId)}/send`, { version }),
  explanation: (versionId: string, lineId: string | undefined, signal?: AbortSignal) =>
    api.get<QuoteExplanation>(`${base}/versions/${enc(versionId)}/explanation`, { lineId }, signal),
  /** A read that needs a body: a POST without an Idempotency-Key (nothing is created); `signal` drops a superseded one. */
  pricePreview: (body: PricePreviewBody, signal?: AbortSignal) => api.post<PricePreview>(`${base}/price-preview`, body, { signal }),
  approvalPreview: (versionId: string, signal?: AbortSignal) => api.get<ApprovalPreview>(`${base}/versions/${enc(versionId)}/approval-preview`, undefined, signal),
  submit: (versionId: string, body: SubmitVersionBody) => api.post<QuoteDetail>(`${base}/versions/${enc(versionId)}/submit`, body),
  accept: (versionId: string, body: AcceptVersionBody) => api.post<AcceptedQuote>(`${base}/versions/${enc(versionId)}/accept`, body),

  approvals: (filters: ApprovalFilters & { cursor?: string | undefined; limit?: number }, signal?: AbortSignal) => {
    const { mine, ...rest } = filters;
    return api.get<ApprovalRequestPage>(`${base}/approvals`, { ...rest, mine: mine === undefined ? undefined : String(mine) }, signal);
  },
  approval: (id: string, signal?: AbortSignal) => api.get<ApprovalRequestDetail>(`${base}/approvals/${enc(id)}`, undefined, signal),
  approve: (id: string, body: ApproveBody) => api.post<ApprovalRequestDetail>(`${base}/approvals/${enc(id)}/approve`, body),
  reject: (id: string, body: RejectBody) => api.post<ApprovalRequestDetail>(`${base}/approvals/${enc(id)}/reject`, body),
  recall: (id: string, body: RecallBody) => api.post<ApprovalRequestDetail>(`${base}/approvals/${enc(id)}/recall`, body),

  contracts: (filters: ContractFilters & { cursor?: string | undefined; limit?: number }, signal?: AbortSignal) =>
    api.get<ContractPage>('/api/v1/contracts', filters, signal),
  contract: (id: string, signal?: AbortSignal) => api.get<ContractDetail>(`/api/v1/contracts/${enc(id)}`, undefined, signal),

  products: (q: string | undefined, signal?: AbortSignal) => api.get<Page<Product>>('/api/v1/catalog/products', { q, limit: 200, active: 'true' }, signal),
  allProducts: (signal?: AbortSignal) => api.get<Page<Product>>('/api/v1/catalog/products', { limit: 200 }, signal),
  priceBooks: (signal?: AbortSignal) => api.get<PriceBookList>('/api/v1/catalog/price-books', undefined, signal),
};

export const quoteKeys = {
  all: ['cpq-quotes'] as const,
  lists: ['cpq-quotes', 'list'] as const,
  list: (filters: QuoteFilters) => ['cpq-quotes', 'list', filters] as const,
  quote: (id: string) => ['cpq-quotes', 'quote', id] as const,
  /** `revision`: the version row's `version` (a draft's explanations change with every save). */
  explanation: (versionId: string, revision: number, lineId: string) => ['cpq-quotes', 'explanation', versionId, revision, lineId] as const,
  preview: (body: unknown) => ['cpq-quotes', 'preview', body] as const,
  approvalPreview: (versionId: string) => ['cpq-quotes', 'approval-preview', versionId] as const,
  approvals: ['cpq-quotes', 'approvals'] as const,
  approvalList: (filters: ApprovalFilters) => ['cpq-quotes', 'approvals', 'list', filters] as const,
  approval: (id: string) => ['cpq-quotes', 'approvals', 'one', id] as const,
  /** Plain (not infinite) queries under the approvals prefix: their own keys, never shared with a list's. */
  pendingCount: ['cpq-quotes', 'approvals', 'pending-count'] as const,
  pendingOfQuote: (quoteId: string) => ['cpq-quotes', 'approvals', 'pending-of-quote', quoteId] as const,
  contracts: ['cpq-contracts'] as const,
  contractList: (filters: ContractFilters) => ['cpq-contracts', 'list', filters] as const,
  contract: (id: string) => ['cpq-contracts', 'one', id] as const,
  products: (q: string) => ['cpq-quotes', 'products', q] as const,
  allProducts: ['cpq-quotes', 'products', '*all*'] as const,
  priceBooks: ['cpq-quotes', 'price-books'] as const,
};
