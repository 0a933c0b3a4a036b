import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp, sql } from '../testing/test-app.ts';
import { writeAuditSql } from './audit.ts';
import { withTx } from './db.ts';
import { publishEvent, publishEventSql, subscribe } from './outbox.ts';

const seen: string[] = [];
let failuresLeft = 0;
subscribe('test.pinged', 'test.record_ping', async (tx, event) => {
  // Idempotent by construction: the effect is keyed by the event id.
  await tx.execute(sql`INSERT INTO number_sequences (prefix, year, last_value) VALUES (${'ping-' + event.id.slice(0, 8)}, 1, 1) ON CONFLICT DO NOTHING`);
  seen.push(event.id);
});
subscribe('test.pinged', 'test.flaky', async () => {
  if (failuresLeft > 0) {
    failuresLeft--;
    throw new Error('downstream unavailable');
  }
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function publish(): Promise<string> {
  return withTx(t.database.db, (tx) =>
    publishEvent(tx, { actorId: null, requestId: 'req-1' }, { type: 'test.pinged', aggregateType: 'test', aggregateId: t.fixture.users.repA, payload: { n: 1 } }),
  );
}

describe('outbox', () => {
  it('an event written in a rolled-back transaction is never delivered', async () => {
    await expect(
      withTx(t.database.db, async (tx) => {
        await publishEvent(tx, { actorId: null, requestId: null }, { type: 'test.pinged', aggregateType: 'test', aggregateId: t.fixture.users.repA, payload: {} });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await t.rows(sql`SELECT 1 FROM outbox_events`)).toHaveLength(0);
  });

  it('delivers each event once to every subscribed handler, and marks it delivered', async () => {
    const id = await publish();
    await t.app.outbox.drain();
    expect(seen.filter((s) => s === id)).toHaveLength(1);
    const states = await t.rows<{ handler: string; status: string; attempts: number }>(
      sql`SELECT handler, status, attempts FROM outbox_deliveries WHERE event_id = ${id} ORDER BY handler`,
    );
    expect(states).toEqual([
      { handler: 'test.flaky', status: 'delivered', attempts: 1 },
      { handler: 'test.record_ping', status: 'delivered', attempts: 1 },
    ]);
    await t.app.outbox.drain();
    expect(seen.filter((s) => s === id)).toHaveLength(1);
  });

  it('an event and an audit row written as CTEs of one statement: delivered like publishEvent, gone with a failed statement', async () => {
    const source = { actorId: t.fixture.users.repA, requestId: 'req-cte' };
    const statement = (prefix: string, fail: boolean) => {
      const event = publishEventSql(
        source,
        { type: 'test.pinged', aggregateType: 'test', aggregateId: t.fixture.users.repA, payload: sql`jsonb_build_object('n', n.last_value)` },
        { name: 'ev', from: sql`n` },
      );
      const audit = writeAuditSql(
        source,
        { entityType: 'test', entityId: t.fixture.users.repA, action: 'ping', changes: sql`jsonb_build_object('n', jsonb_build_array(NULL, n.last_value))` },
        { name: 'au', from: sql`n` },
      );
      return {
        id: event.id,
        run: () =>
          t.database.db.execute(sql`WITH n AS (INSERT INTO number_sequences (prefix, year, last_value) VALUES (${prefix}, 1, 41) RETURNING last_value),
                ${event.ctes}, ${audit}
                SELECT ${fail ? sql`1 / 0` : sql`1`} AS ok FROM n`),
      };
    };
    const failing = statement('cte-fail', true);
    await expect(failing.run()).rejects.toThrow();
    expect(await t.rows(sql`SELECT 1 FROM outbox_events WHERE id = ${failing.id}`)).toHaveLength(0);
    expect(await t.rows(sql`SELECT 1 FROM audit_log WHERE request_id = 'req-cte'`)).toHaveLength(0);
    expect(await t.rows(sql`SELECT 1 FROM number_sequences WHERE prefix = 'cte-fail'`)).toHaveLength(0);

    const ok = statement('cte-ok', false);
    await ok.run();
    const [event] = await t.rows<{ type: string; payload: unknown; actor_id: string; request_id: string }>(
      sql`SELECT type, payload, actor_id, request_id FROM outbox_events WHERE id = ${ok.id}`,
    );
    expect(event).toEqual({ type: 'test.pinged', payload: { n: 41 }, actor_id: t.fixture.users.repA, request_id: 'req-cte' });
    const [audit] = await t.rows<{ entity_type: string; action: string; changes: unknown; actor_id: string }>(
      sql`SELECT entity_type, action, changes, actor_id FROM audit_log WHERE request_id = 'req-cte'`,
    );
    expect(audit).toEqual({ entity_type: 'test', action: 'ping', changes: { n: [null, 41] }, actor_id: t.fixture.users.repA });
    // One delivery per subscribed handler, as publishEvent writes them; the dispatcher delivers it.
    await t.app.outbox.drain();
    expect(seen.filter((s) => s === ok.id)).toHaveLength(1);
    const states = await t.rows<{ handler: string; status: string }>(sql`SELECT handler, status FROM outbox_deliveries WHERE event_id = ${ok.id} ORDER BY handler`);
    expect(states).toEqual([
      { handler: 'test.flaky', status: 'delivered' },
      { handler: 'test.record_ping', status: 'delivered' },
    ]);
  });

  it('a failing handler is retried with backoff, its error visible to admins, without holding back the others', async () => {
    failuresLeft = 1;
    const id = await publish();
    // A fixed clock: the backoff is measured from the failed attempt, not from wall time.
    const failedAt = new Date(Date.now() + 1000);
    await t.app.outbox.drain(() => failedAt);
    const [flaky] = await t.rows<{ status: string; attempts: number; last_error: string; next_attempt_at: Date }>(
      sql`SELECT status, attempts, last_error, next_attempt_at FROM outbox_deliveries WHERE event_id = ${id} AND handler = 'test.flaky'`,
    );
    expect(flaky).toMatchObject({ status: 'pending', attempts: 1, last_error: 'downstream unavailable' });
    // First retry after 2 s.
    expect(new Date(flaky!.next_attempt_at).getTime()).toBe(failedAt.getTime() + 2000);
    expect(seen).toContain(id);

    const admin = await t.as('admin');
    const list = (await admin.get('/api/v1/admin/outbox?status=pending')).json();
    expect(list.items).toContainEqual(expect.objectContaining({ eventId: id, handler: 'test.flaky', lastError: 'downstream unavailable', eventType: 'test.pinged' }));
    const rep = await t.as('repA');
    expect((await rep.get('/api/v1/admin/outbox')).statusCode).toBe(403);

    // Not due yet one second later: nothing is attempted; an admin retry makes it due and it goes through.
    await t.app.outbox.drain(() => new Date(failedAt.getTime() + 1000));
    expect((await t.rows<{ attempts: number }>(sql`SELECT attempts FROM outbox_deliveries WHERE event_id = ${id} AND handler = 'test.flaky'`))[0]!.attempts).toBe(1);
    const retry = await admin.post(`/api/v1/admin/outbox/${id}/test.flaky/retry`);
    expect(retry.statusCode).toBe(200);
    await t.app.outbox.drain();
    const [after] = await t.rows<{ status: string; attempts: number }>(
      sql`SELECT status, attempts FROM outbox_deliveries WHERE event_id = ${id} AND handler = 'test.flaky'`,
    );
    expect(after).toEqual({ status: 'delivered', attempts: 2 });
  });

  it('after ten failures a delivery is dead, kept for an admin', async () => {
    failuresLeft = 100;
    const id = await publish();
    for (let i = 0; i < 10; i++) {
      // Pretend time has passed: make the delivery due again.
      await t.database.db.execute(sql`UPDATE outbox_deliveries SET next_attempt_at = now() - interval '1 second' WHERE event_id = ${id} AND status = 'pending'`);
      await t.app.outbox.drain();
    }
    const [row] = await t.rows<{ status: string; attempts: number }>(
      sql`SELECT status, attempts FROM outbox_deliveries WHERE event_id = ${id} AND handler = 'test.flaky'`,
    );
    expect(row).toEqual({ status: 'dead', attempts: 10 });
    failuresLeft = 0;
  });
});
