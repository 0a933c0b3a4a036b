import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from './db.ts';
import { newId } from './ids.ts';
import { auditLog } from './schema.ts';

export interface AuditEntry {
  entityType: string;
  entityId: string;
  action: string;
  changes: Record<string, [unknown, unknown]>;
}

export interface AuditSource {
  actorId: string | null;
  requestId: string | null;
}

/** Fields never written to the audit log, whatever the entity. */
const SECRET_FIELDS = new Set(['passwordHash', 'password', 'tokenHash', 'secret']);

/** The changed fields between two versions of a record, as { field: [before, after] }. */
export function diffRecords(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  ignore: readonly string[] = ['version', 'updatedAt', 'createdAt'],
): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    changes[k] = SECRET_FIELDS.has(k) ? ['[redacted]', '[redacted]'] : [b, a];
  }
  return changes;
}

/** Write audit rows inside the caller's transaction (never after it: a change and its audit commit together). */
export async function writeAudit(tx: Tx, source: AuditSource, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await tx.insert(auditLog).values(
    list.map((e) => ({
      id: newId(),
      actorId: source.actorId,
      requestId: source.requestId,
      entityType: e.entityType,
      entityId: e.entityId,
      action: e.action,
      changes: e.changes,
    })),
  );
}

/**
 * writeAudit for a write that is one SQL statement: the audit row as a data-modifying CTE named
 * `name`, to put in the caller's `WITH` (the row commits with the change or not at all). `changes`
 * is SQL yielding jsonb and may read the CTEs named in `from` (e.g. a number the statement assigns).
 */
export function writeAuditSql(source: AuditSource, entry: Omit<AuditEntry, 'changes'> & { changes: SQL }, opts: { name: string; from?: SQL }): SQL {
  return sql`${sql.raw(opts.name)} AS (
      INSERT INTO audit_log (id, actor_id, request_id, entity_type, entity_id, action, changes)
      SELECT ${newId()}::uuid, ${source.actorId}::uuid, ${source.requestId}::text, ${entry.entityType}, ${entry.entityId}::uuid, ${entry.action}, ${entry.changes}
      ${opts.from ? sql`FROM ${opts.from}` : sql``})`;
}
