import type { z } from 'zod';
import type { AuditPage, ListAuditQuery, OutboxDelivery, OutboxPage } from '../../../server/platform/contract.ts';
import { api } from '../../http/api-client.ts';

/** The platform's endpoints (audit log, event deliveries), typed by the server's contract. */
export type OutboxDeliveryRow = z.infer<typeof OutboxDelivery>;
export type OutboxPageData = z.infer<typeof OutboxPage>;
export type OutboxStatus = OutboxDeliveryRow['status'];
export type AuditFilters = Partial<Pick<ListAuditQuery, 'entityType' | 'entityId' | 'actorId'>>;

export const platformApi = {
  audit: (filters: AuditFilters & { limit?: number; cursor?: string | undefined }, signal?: AbortSignal) =>
    api.get<AuditPage>('/api/v1/audit', { ...filters }, signal),
  history: (entityType: string, entityId: string, cursor?: string, signal?: AbortSignal) =>
    api.get<AuditPage>(`/api/v1/audit/${encodeURIComponent(entityType)}/${encodeURIComponent(entityId)}`, { cursor, limit: 50 }, signal),
  outbox: (status: OutboxStatus | undefined, cursor?: string, limit = 50, signal?: AbortSignal) =>
    api.get<OutboxPageData>('/api/v1/admin/outbox', { status, cursor, limit }, signal),
  retry: (eventId: string, handler: string) =>
    api.post<Pick<OutboxDeliveryRow, 'eventId' | 'handler' | 'status' | 'attempts'>>(
      `/api/v1/admin/outbox/${encodeURIComponent(eventId)}/${encodeURIComponent(handler)}/retry`,
    ),
};

export const platformKeys = {
  audit: (filters: AuditFilters) => ['platform', 'audit', filters] as const,
  history: (entityType: string, entityId: string) => ['platform', 'history', entityType, entityId] as const,
  outbox: (status: OutboxStatus | undefined) => ['platform', 'outbox', status ?? 'all'] as const,
};
