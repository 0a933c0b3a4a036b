import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { orgApi, orgKeys, type UserFilters } from './org-api.ts';
import { buildUnitForest, type UnitForest } from './org-tree.ts';

export const USERS_PAGE_SIZE = 50;

export function useOrgTree(asOf?: string) {
  return useQuery({
    queryKey: orgKeys.tree(asOf),
    queryFn: ({ signal }) => orgApi.orgTree(asOf, signal),
    staleTime: 60_000,
  });
}

/** The org chart as a tree (today's unless `asOf`); undefined while loading. */
export function useUnitForest(asOf?: string): { forest: UnitForest | undefined; query: ReturnType<typeof useOrgTree> } {
  const query = useOrgTree(asOf);
  const forest = useMemo(() => (query.data ? buildUnitForest(query.data.units) : undefined), [query.data]);
  return { forest, query };
}

export function useUsersList(filters: UserFilters, pageSize = USERS_PAGE_SIZE, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: [...orgKeys.users(filters), pageSize],
    queryFn: ({ pageParam, signal }) => orgApi.listUsers({ ...filters, limit: pageSize, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useUser(id: string | null | undefined, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: orgKeys.user(id ?? ''),
    queryFn: ({ signal }) => orgApi.user(id!, signal),
    enabled: !!id && (opts.enabled ?? true),
  });
}

export function useChain(id: string | undefined, asOf?: string) {
  return useQuery({
    queryKey: orgKeys.chain(id ?? '', asOf),
    queryFn: ({ signal }) => orgApi.chain(id!, asOf, signal),
    enabled: !!id,
  });
}
