import { type SQL, and, asc, eq, lte, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Tx } from './db.ts';
import { newId } from './ids.ts';
import { outboxDeliveries, outboxEvents } from './schema.ts';

/**
 * The hand-offs of the line. A change writes its event in its own transaction (publishEvent);
 * the dispatcher later delivers it at least once to every handler subscribed at publish time.
 * A handler runs in a transaction that also marks its delivery done, so a database-only handler
 * takes effect exactly once; handlers must still be idempotent (a crash between effect and
 * commit cannot happen, but a handler with outside effects may see an event twice).
 */
export interface DomainEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: P;
  actorId: string | null;
  requestId: string | null;
  occurredAt: Date;
}

export type EventHandler = (tx: Tx, event: DomainEvent) => Promise<void>;

interface Subscription {
  name: string;
  eventType: string;
  handle: EventHandler;
}

const subscriptions = new Map<string, Subscription[]>();
const handlerNames = new Set<string>();

/** Subscribe a named, idempotent handler to an event type. Names are stable: deliveries refer to them. */
export function subscribe(eventType: string, name: string, handle: EventHandler): void {
  if (handlerNames.has(name)) throw new Error(`event handler ${name} subscribed twice`);
  handlerNames.add(name);
  const list = subscriptions.get(eventType) ?? [];
  list.push({ name, eventType, handle });
  subscriptions.set(eventType, list);
}

function findHandler(name: string): Subscription | undefined {
  for (const list of subscriptions.values()) {
    const s = list.find((x) => x.name === name);
    if (s) return s;
  }
  return undefined;
}

export interface NewEvent {
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

export async function publishEvent(
  tx: Tx,
  source: { actorId: string | null; requestId: string | null },
  event: NewEvent,
): Promise<string> {
  const id = newId();
  await tx.insert(outboxEvents).values({
    id,
    type: event.type,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    payload: event.payload,
    actorId: source.actorId,
    requestId: source.requestId,
  });
  const subs = subscriptions.get(event.type) ?? [];
  if (subs.length > 0) {
    await tx.insert(outboxDeliveries).values(subs.map((s) => ({ eventId: id, handler: s.name })));
  }
  return id;
}

/**
 * publishEvent for a write that is one SQL statement: the event and its deliveries as two
 * data-modifying CTEs (`<name>` and `<name>_deliveries`) to put in the caller's `WITH`. A statement
 * commits or fails as a whole, so the event is written with its change or not at all, as with
 * publishEvent in a transaction, without the BEGIN/COMMIT round trips. `payload` is SQL yielding
 * jsonb and may read the statement's other CTEs named in `from` (e.g. a number the statement assigns).
 */
export function publishEventSql(
  source: { actorId: string | null; requestId: string | null },
  event: Omit<NewEvent, 'payload'> & { payload: SQL },
  opts: { name: string; from?: SQL },
): { id: string; ctes: SQL } {
  const id = newId();
  const handlers = (subscriptions.get(event.type) ?? []).map((s) => s.name);
  const name = sql.raw(opts.name);
  const deliveries = sql.raw(`${opts.name}_deliveries`);
  const ctes = sql`${name} AS (
      INSERT INTO outbox_events (id, type, aggregate_type, aggregate_id, payload, actor_id, request_id)
      SELECT ${id}::uuid, ${event.type}, ${event.aggregateType}, ${event.aggregateId}::uuid, ${event.payload}, ${source.actorId}::uuid, ${source.requestId}::text
      ${opts.from ? sql`FROM ${opts.from}` : sql``}
      RETURNING id),
    ${deliveries} AS (
      INSERT INTO outbox_deliveries (event_id, handler)
      SELECT ${name}.id, h.handler FROM ${name}, unnest(${`{${handlers.map((h) => JSON.stringify(h)).join(',')}}`}::text[]) AS h(handler))`;
  return { id, ctes };
}

const MAX_ATTEMPTS = 10;

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Ask for a delivery round soon (after a request that published events commits). */
  nudge(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.drain()
        .catch((err: unknown) => this.log.error({ err }, 'outbox round failed'))
        .finally(() => {
          if (!this.stopped) this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Deliver everything due now; returns how many deliveries were attempted. Tests call it directly. */
  async drain(now: () => Date = () => new Date()): Promise<number> {
    if (this.running) return this.running;
    this.running = this.deliverDue(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async deliverDue(now: () => Date): Promise<number> {
    let attempted = 0;
    for (;;) {
      const due = await this.db
        .select({ eventId: outboxDeliveries.eventId, handler: outboxDeliveries.handler })
        .from(outboxDeliveries)
        .where(and(eq(outboxDeliveries.status, 'pending'), lte(outboxDeliveries.nextAttemptAt, now())))
        .orderBy(asc(outboxDeliveries.nextAttemptAt), asc(outboxDeliveries.eventId))
        .limit(100);
      if (due.length === 0) return attempted;
      for (const d of due) {
        attempted++;
        await this.deliverOne(d.eventId, d.handler, now);
      }
      if (due.length < 100) return attempted;
    }
  }

  private async deliverOne(eventId: string, handlerName: string, now: () => Date): Promise<void> {
    const sub = findHandler(handlerName);
    try {
      await this.db.transaction(async (tx) => {
        // Claim the row; another instance working on it makes us skip (PostgreSQL scale-out).
        const claimed = await tx.execute(
          sql`SELECT 1 FROM outbox_deliveries WHERE event_id = ${eventId} AND handler = ${handlerName}
              AND status = 'pending' FOR UPDATE SKIP LOCKED`,
        );
        if ((claimed as unknown as { rows: unknown[] }).rows.length === 0) return;
        if (!sub) throw new Error(`no handler named ${handlerName} is registered`);
        const [row] = await tx.select().from(outboxEvents).where(eq(outboxEvents.id, eventId));
        if (!row) throw new Error(`event ${eventId} is missing`);
        await sub.handle(tx, row as DomainEvent);
        await tx
          .update(outboxDeliveries)
          .set({ status: 'delivered', deliveredAt: now(), attempts: sql`${outboxDeliveries.attempts} + 1`, lastError: null })
          .where(and(eq(outboxDeliveries.eventId, eventId), eq(outboxDeliveries.handler, handlerName)));
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ eventId, handler: handlerName, err: message }, 'event delivery failed');
      await this.db
        .update(outboxDeliveries)
        .set({
          attempts: sql`${outboxDeliveries.attempts} + 1`,
          lastError: message.slice(0, 2000),
          status: sql`CASE WHEN ${outboxDeliveries.attempts} + 1 >= ${MAX_ATTEMPTS} THEN 'dead' ELSE 'pending' END`,
          // Back off 2, 4, 8 … seconds, at most 2,048 s (~34 min) between attempts.
          nextAttemptAt: sql`${now().toISOString()}::timestamptz + make_interval(secs => power(2, least(11, ${outboxDeliveries.attempts} + 1)))`,
        })
        .where(and(eq(outboxDeliveries.eventId, eventId), eq(outboxDeliveries.handler, handlerName)));
    }
  }
}
