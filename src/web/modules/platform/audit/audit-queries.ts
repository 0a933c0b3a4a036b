import { useInfiniteQuery } from '@tanstack/react-query';
import { type AuditFilters, platformApi, platformKeys } from '../platform-api.ts';

export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: platformKeys.audit(filters),
    queryFn: ({ pageParam, signal }) => platformApi.audit({ ...filters, limit: 50, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useEntityHistory(entityType: string, entityId: string) {
  return useInfiniteQuery({
    queryKey: platformKeys.history(entityType, entityId),
    queryFn: ({ pageParam, signal }) => platformApi.history(entityType, entityId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
