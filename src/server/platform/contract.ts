import { z } from 'zod';
import { Id, PageQuery, Timestamp, pageSchema } from '../../shared/api.ts';

/** The platform's own API (audit log, event deliveries), shared by server and web. */
export const AuditEntry = z.object({
  id: Id,
  at: Timestamp,
  actorId: Id.nullable(),
  /** The actor's Chinese name, and English name when they have one (the UI picks by language). */
  actorName: z.string().nullable(),
  actorNameEn: z.string().nullable(),
  requestId: z.string().nullable(),
  entityType: z.string(),
  entityId: Id,
  action: z.string(),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditPage = pageSchema(AuditEntry);
export type AuditPage = z.infer<typeof AuditPage>;

export const ListAuditQuery = PageQuery.extend({
  entityType: z.string().max(60).optional(),
  entityId: Id.optional(),
  actorId: Id.optional(),
}).strict();
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

export const EntityHistoryParams = z.strictObject({ entityType: z.string().min(1).max(60), entityId: Id });

export const OutboxDelivery = z.object({
  eventId: Id,
  eventType: z.string(),
  aggregateType: z.string(),
  aggregateId: Id,
  handler: z.string(),
  status: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int(),
  nextAttemptAt: Timestamp,
  lastError: z.string().nullable(),
  occurredAt: Timestamp,
});
export const OutboxPage = pageSchema(OutboxDelivery);
export const ListOutboxQuery = PageQuery.extend({ status: z.enum(['pending', 'delivered', 'dead']).optional() }).strict();
export const RetryDeliveryParams = z.strictObject({ eventId: Id, handler: z.string().min(1).max(200) });
