import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../shared/api.ts';
import { assertCan, definePermissions, whereAll } from './access.ts';
import type { ServiceContext } from './context.ts';
import {
  type AuditEntry,
  AuditPage,
  EntityHistoryParams,
  ListAuditQuery,
  ListOutboxQuery,
  OutboxDelivery,
  OutboxPage,
  RetryDeliveryParams,
} from './contract.ts';
import type { Db } from './db.ts';
import { notFound } from './errors.ts';
import type { ApiRouter } from './http.ts';
import { decodeCursor, encodeCursor, toPage } from './pagination.ts';
import { auditLog, outboxDeliveries, outboxEvents } from './schema.ts';

export const PlatformPermissions = definePermissions({
  'audit.read_all': { admin: 'all' },
  'outbox.admin': { admin: 'all' },
});

/**
 * Who may read a record's history: the module that owns the entity type answers "can this actor
 * see that record?" — the same rule as reading the record itself.
 */
export type EntityReader = (ctx: ServiceContext, entityId: string) => Promise<boolean>;
const entityReaders = new Map<string, EntityReader>();

export function registerEntityReader(entityType: string, reader: EntityReader): void {
  entityReaders.set(entityType, reader);
}

export type NameResolver = (db: Db, ids: readonly string[]) => Promise<Map<string, { nameZh: string; nameEn: string | null }>>;

async function listAudit(ctx: ServiceContext, q: ListAuditQuery, names: NameResolver, extra?: SQL): Promise<Page<AuditEntry>> {
  let after: SQL | undefined;
  if (q.cursor) {
    const [id] = decodeCursor('audit', q.cursor, 1);
    after = lt(auditLog.id, String(id));
  }
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      whereAll(
        q.entityType ? eq(auditLog.entityType, q.entityType) : undefined,
        q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
        q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
        extra,
        after,
      ),
    )
    // Ids are time-ordered (UUID v7): newest first without a separate timestamp index.
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const nameMap = await names(
    ctx.db,
    rows.map((r) => r.actorId).filter((x): x is string => !!x),
  );
  return toPage(
    rows,
    q.limit,
    (r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorName: r.actorId ? (nameMap.get(r.actorId)?.nameZh ?? null) : null,
      actorNameEn: r.actorId ? (nameMap.get(r.actorId)?.nameEn ?? null) : null,
      requestId: r.requestId,
      entityType: r.entityType,
      entityId: r.entityId,
      action: r.action,
      changes: r.changes,
    }),
    (r) => encodeCursor('audit', [r.id]),
  );
}

export function registerPlatformRoutes(router: ApiRouter, deps: { names: NameResolver; drainOutbox: () => void }): void {
  router.route({
    method: 'GET',
    url: '/api/v1/audit',
    summary: 'The audit log, newest first (admins)',
    tags: ['platform'],
    query: ListAuditQuery,
    response: AuditPage,
    handler: (ctx, { query }) => {
      assertCan(ctx.actor, PlatformPermissions['audit.read_all']);
      return listAudit(ctx, query, deps.names);
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/audit/:entityType/:entityId',
    summary: "One record's history, for anyone who may read the record",
    tags: ['platform'],
    params: EntityHistoryParams,
    query: ListAuditQuery.pick({ limit: true, cursor: true }),
    response: AuditPage,
    handler: async (ctx, { params, query }) => {
      const reader = entityReaders.get(params.entityType);
      const isAdmin = ctx.actor.roles.includes('admin');
      if (!isAdmin && (!reader || !(await reader(ctx, params.entityId)))) throw notFound(params.entityType);
      return listAudit(ctx, { ...query, entityType: params.entityType, entityId: params.entityId }, deps.names);
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/admin/outbox',
    summary: 'Event deliveries and their state (admins): what failed, how often, why',
    tags: ['platform'],
    query: ListOutboxQuery,
    response: OutboxPage,
    handler: async (ctx, { query }) => {
      assertCan(ctx.actor, PlatformPermissions['outbox.admin']);
      let after: SQL | undefined;
      if (query.cursor) {
        const [eventId, handler] = decodeCursor('outbox', query.cursor, 2);
        after = sql`(${outboxDeliveries.eventId}, ${outboxDeliveries.handler}) < (${String(eventId)}, ${String(handler)})`;
      }
      const rows = await ctx.db
        .select({ d: outboxDeliveries, e: outboxEvents })
        .from(outboxDeliveries)
        .innerJoin(outboxEvents, eq(outboxEvents.id, outboxDeliveries.eventId))
        .where(and(query.status ? eq(outboxDeliveries.status, query.status) : undefined, after))
        .orderBy(desc(outboxDeliveries.eventId), desc(outboxDeliveries.handler))
        .limit(query.limit + 1);
      return toPage(
        rows,
        query.limit,
        (r) => ({
          eventId: r.d.eventId,
          eventType: r.e.type,
          aggregateType: r.e.aggregateType,
          aggregateId: r.e.aggregateId,
          handler: r.d.handler,
          status: r.d.status,
          attempts: r.d.attempts,
          nextAttemptAt: r.d.nextAttemptAt.toISOString(),
          lastError: r.d.lastError,
          occurredAt: r.e.occurredAt.toISOString(),
        }),
        (r) => encodeCursor('outbox', [r.d.eventId, r.d.handler]),
      );
    },
  });

  router.route({
    method: 'POST',
    url: '/api/v1/admin/outbox/:eventId/:handler/retry',
    summary: 'Retry a failed or dead delivery now (admins)',
    tags: ['platform'],
    params: RetryDeliveryParams,
    response: OutboxDelivery.pick({ eventId: true, handler: true, status: true, attempts: true }),
    handler: async (ctx, { params }) => {
      assertCan(ctx.actor, PlatformPermissions['outbox.admin']);
      const [row] = await ctx.db
        .update(outboxDeliveries)
        .set({ status: 'pending', nextAttemptAt: ctx.now })
        .where(and(eq(outboxDeliveries.eventId, params.eventId), eq(outboxDeliveries.handler, params.handler)))
        .returning();
      if (!row) throw notFound('event delivery');
      deps.drainOutbox();
      return { eventId: row.eventId, handler: row.handler, status: row.status, attempts: row.attempts };
    },
  });
}

