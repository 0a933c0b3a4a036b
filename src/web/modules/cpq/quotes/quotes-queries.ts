import { keepPreviousData, queryOptions, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { Product } from '../../../../server/modules/catalog/contract.ts';
import type { PricePreviewBody } from '../../../../server/modules/quotes/approval-contract.ts';
import type { QuoteDetail } from '../../../../server/modules/quotes/contract.ts';
import { useDebouncedValue } from '../../../components/use-debounced-value.ts';
import { type ApprovalFilters, type ContractFilters, type QuoteFilters, quoteKeys, quotesApi } from './quotes-api.ts';

const PAGE_SIZE = 50;

export function useQuoteList(filters: QuoteFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: quoteKeys.list(filters),
    queryFn: ({ pageParam, signal }) => quotesApi.list({ ...filters, limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** One line's stored explanation of a saved version (fetched when its drawer opens). */
export function useLineExplanation(source: { versionId: string; revision: number; lineId: string } | null) {
  return useQuery({
    queryKey: quoteKeys.explanation(source?.versionId ?? '', source?.revision ?? 0, source?.lineId ?? ''),
    queryFn: ({ signal }) => quotesApi.explanation(source!.versionId, source!.lineId, signal),
    enabled: source !== null,
    staleTime: Infinity,
  });
}

export function useQuote(id: string | undefined) {
  return useQuery({ queryKey: quoteKeys.quote(id ?? ''), queryFn: ({ signal }) => quotesApi.get(id!, signal), enabled: !!id });
}

/** Every product (the demo catalog is small; a picker searches on the server), by id for labels. */
export function useProductMap(): Map<string, Product> {
  const all = useQuery({ queryKey: quoteKeys.allProducts, queryFn: ({ signal }) => quotesApi.allProducts(signal), staleTime: 5 * 60_000 });
  return useMemo(() => new Map((all.data?.items ?? []).map((p) => [p.id, p])), [all.data]);
}

export function usePriceBooks() {
  return useQuery({ queryKey: quoteKeys.priceBooks, queryFn: ({ signal }) => quotesApi.priceBooks(signal), staleTime: 5 * 60_000 });
}

/**
 * The price preview of one body. The query function hands TanStack Query's signal to the request:
 * when the editor moves on to another body, the query of the old one loses its last observer and
 * Query aborts its request, so a superseded preview stops costing the server (and can never land
 * after a newer one).
 */
export function pricePreviewQuery(body: PricePreviewBody | null) {
  return queryOptions({
    queryKey: quoteKeys.preview(body),
    queryFn: ({ signal }) => quotesApi.pricePreview(body!, signal),
    enabled: body !== null && body.lines.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
}

/**
 * Live prices while editing: the body is debounced (one call per pause in typing), and the last
 * answer stays on screen while the next one loads so the figures do not flicker.
 */
export function usePricePreview(body: PricePreviewBody | null, delayMs = 400) {
  const debounced = useDebouncedValue(body, delayMs);
  return useQuery(pricePreviewQuery(debounced));
}

export function useApprovalPreview(versionId: string | null) {
  return useQuery({
    queryKey: quoteKeys.approvalPreview(versionId ?? ''),
    queryFn: ({ signal }) => quotesApi.approvalPreview(versionId!, signal),
    enabled: !!versionId,
    staleTime: 0,
  });
}

export function useApprovalList(filters: ApprovalFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: quoteKeys.approvalList(filters),
    queryFn: ({ pageParam, signal }) => quotesApi.approvals({ ...filters, limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The pending requests I can act on, for the navigation badge (refreshed every minute). */
export function usePendingApprovalCount(enabled: boolean) {
  const q = useQuery({
    queryKey: quoteKeys.pendingCount,
    queryFn: ({ signal }) => quotesApi.approvals({ status: 'pending', mine: true, limit: 200 }, signal),
    enabled,
    refetchInterval: 60_000,
    retry: false,
  });
  return q.data ? q.data.items.length : undefined;
}

export function useApproval(id: string | undefined) {
  return useQuery({ queryKey: quoteKeys.approval(id ?? ''), queryFn: ({ signal }) => quotesApi.approval(id!, signal), enabled: !!id });
}

/** The pending request of a version in approval (for recall and the link to it). */
export function usePendingRequestOf(quoteId: string, enabled: boolean) {
  return useQuery({
    queryKey: quoteKeys.pendingOfQuote(quoteId),
    queryFn: ({ signal }) => quotesApi.approvals({ status: 'pending', quoteId, limit: 10 }, signal),
    enabled,
  });
}

export function useContractList(filters: ContractFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: quoteKeys.contractList(filters),
    queryFn: ({ pageParam, signal }) => quotesApi.contracts({ ...filters, limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useContract(id: string | undefined) {
  return useQuery({ queryKey: quoteKeys.contract(id ?? ''), queryFn: ({ signal }) => quotesApi.contract(id!, signal), enabled: !!id });
}

/** After any change to a quote: its detail from the answer, and everything derived from it refreshed. */
export function useQuoteChanged(): (quote: QuoteDetail) => void {
  const client = useQueryClient();
  return useCallback(
    (quote: QuoteDetail) => {
      client.setQueryData(quoteKeys.quote(quote.id), quote);
      void client.invalidateQueries({ queryKey: quoteKeys.lists });
      void client.invalidateQueries({ queryKey: quoteKeys.approvals });
      void client.invalidateQueries({ queryKey: ['cpq-quotes', 'approval-preview'] });
      void client.invalidateQueries({ queryKey: quoteKeys.contracts });
      // The deal's stage and amount can follow a quote (accepted → closed-won).
      void client.invalidateQueries({ queryKey: ['crm-deals'] });
    },
    [client],
  );
}
