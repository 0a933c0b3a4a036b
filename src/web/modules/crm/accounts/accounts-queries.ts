import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { type AccountFilters, accountKeys, accountsApi } from './accounts-api.ts';

export function useAccountList(filters: AccountFilters) {
  return useInfiniteQuery({
    queryKey: accountKeys.list(filters),
    queryFn: ({ pageParam, signal }) => accountsApi.list({ ...filters, cursor: pageParam, limit: 50 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useAccount(id: string | undefined) {
  return useQuery({ queryKey: accountKeys.account(id ?? ''), queryFn: ({ signal }) => accountsApi.get(id!, signal), enabled: !!id });
}

export function useHierarchy(id: string) {
  return useQuery({ queryKey: accountKeys.part(id, 'hierarchy'), queryFn: ({ signal }) => accountsApi.hierarchy(id, signal) });
}

export function useRollup(id: string) {
  return useQuery({ queryKey: accountKeys.part(id, 'rollup'), queryFn: ({ signal }) => accountsApi.rollup(id, signal) });
}

export function useTeam(id: string) {
  return useQuery({ queryKey: accountKeys.part(id, 'team'), queryFn: ({ signal }) => accountsApi.team(id, signal) });
}

export function useContacts(accountId: string | undefined) {
  return useQuery({
    queryKey: accountKeys.part(accountId ?? '', 'contacts'),
    queryFn: ({ signal }) => accountsApi.contacts(accountId!, signal),
    enabled: !!accountId,
  });
}

export function useContact(id: string) {
  return useQuery({ queryKey: accountKeys.contact(id), queryFn: ({ signal }) => accountsApi.contact(id, signal) });
}

export function useCoverage(accountId: string | undefined) {
  return useQuery({
    queryKey: accountKeys.part(accountId ?? '', 'coverage'),
    queryFn: ({ signal }) => accountsApi.coverage(accountId!, signal),
    enabled: !!accountId,
  });
}

export function useRelationshipMap(id: string) {
  return useQuery({ queryKey: accountKeys.part(id, 'map'), queryFn: ({ signal }) => accountsApi.relationshipMap(id, signal) });
}

export function useAccountGaps(id: string, staleDays: number) {
  return useQuery({ queryKey: accountKeys.part(id, 'gaps', staleDays), queryFn: ({ signal }) => accountsApi.accountGaps(id, staleDays, signal) });
}

export function useDeals(accountId: string | undefined) {
  return useInfiniteQuery({
    queryKey: accountKeys.part(accountId ?? '', 'deals'),
    queryFn: ({ pageParam, signal }) => accountsApi.deals(accountId!, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: !!accountId,
  });
}

export function useBookGaps(staleDays: number, ownerId: string | undefined) {
  return useInfiniteQuery({
    queryKey: accountKeys.bookGaps(staleDays, ownerId),
    queryFn: ({ pageParam, signal }) => accountsApi.bookGaps({ staleDays, ownerId, cursor: pageParam, limit: 20 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** After a change on an account's page: everything about the account (and the lists and gap reports) reloads. */
export function useRefreshAccount() {
  const queryClient = useQueryClient();
  return useCallback(
    (accountId: string) => {
      void queryClient.invalidateQueries({ queryKey: accountKeys.accountParts(accountId) });
      void queryClient.invalidateQueries({ queryKey: accountKeys.account(accountId) });
      void queryClient.invalidateQueries({ queryKey: ['crm', 'book-gaps'] });
      void queryClient.invalidateQueries({ queryKey: ['crm', 'contact'] });
      void queryClient.invalidateQueries({ queryKey: ['crm', 'accounts', 'list'] });
    },
    [queryClient],
  );
}
