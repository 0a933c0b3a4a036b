import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { Product } from '../../../../server/modules/catalog/contract.ts';
import { catalogApi, catalogKeys, type ProductFilters } from './catalog-api.ts';

export function useProductGroups() {
  return useQuery({ queryKey: catalogKeys.groups, queryFn: ({ signal }) => catalogApi.groups(signal), staleTime: 60_000 });
}

export function useProductList(filters: ProductFilters) {
  return useInfiniteQuery({
    queryKey: catalogKeys.products(filters),
    queryFn: ({ pageParam, signal }) => catalogApi.products({ ...filters, cursor: pageParam, limit: 100 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The whole catalog, page by page (a few hundred products at most), for pickers and SKU labels. */
export function useAllProducts() {
  return useQuery({
    queryKey: catalogKeys.allProducts,
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const items: Product[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 50; i++) {
        const page = await catalogApi.products({ limit: 200, cursor }, signal);
        items.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return items;
    },
  });
}

export function usePriceBooks() {
  return useQuery({ queryKey: catalogKeys.priceBooks, queryFn: ({ signal }) => catalogApi.priceBooks(signal) });
}

export function usePriceBook(id: string | undefined) {
  return useQuery({ queryKey: catalogKeys.priceBook(id ?? ''), queryFn: ({ signal }) => catalogApi.priceBook(id!, signal), enabled: !!id });
}

export function usePriceBookEntries(id: string | undefined) {
  return useQuery({ queryKey: catalogKeys.entries(id ?? ''), queryFn: ({ signal }) => catalogApi.entries(id!, signal), enabled: !!id });
}

export function useContractPrices(accountId: string | undefined, onDate: string | undefined) {
  return useQuery({
    queryKey: catalogKeys.contractPrices(accountId ?? '', onDate),
    queryFn: ({ signal }) => catalogApi.contractPrices(accountId!, onDate, signal),
    enabled: !!accountId,
  });
}
