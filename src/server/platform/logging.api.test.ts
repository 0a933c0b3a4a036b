import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { type TestApp, FIXTURE_PASSWORD, createTestApp, sql } from '../testing/test-app.ts';
import { nextNumber } from './numbers.ts';
import { withTx } from './db.ts';

/** Structured logs carry requests and errors, never passwords, session tokens or CSRF tokens. */
let t: TestApp;
let app: App;
const lines: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  // A second app on the same database, logging everything at trace level into `lines`.
  app = await buildApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'trace' }), database: t.database, logStream });
  await app.server.ready();
});
afterAll(async () => {
  await app.server.close();
  await t.close();
});

describe('logs', () => {
  it('never contain passwords, session cookies or CSRF tokens', async () => {
    const wrong = await app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.fixture.emails.repA, password: 'Wrong-Secret-42' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.fixture.emails.repA, password: FIXTURE_PASSWORD } });
    const session = ok.cookies.find((c) => c.name === 'tl_session')!.value;
    const csrf = (ok.json() as { csrfToken: string }).csrfToken;
    await app.server.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie: `tl_session=${session}`, 'x-csrf-token': csrf }, payload: { locale: 'en' } });
    await app.server.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: `tl_session=${session}`, authorization: 'Bearer tl_not-a-real-token' } });
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(4);
    expect(log).toContain('"reqId"');
    for (const secret of ['Wrong-Secret-42', FIXTURE_PASSWORD, session, csrf, 'tl_not-a-real-token']) expect(log).not.toContain(secret);
  });
});

describe('human numbers', () => {
  it('count up per prefix and year without gaps, in the transaction that takes them', async () => {
    const a = await withTx(t.database.db, (tx) => nextNumber(tx, 'Q', 2026));
    const b = await withTx(t.database.db, (tx) => nextNumber(tx, 'Q', 2026));
    const other = await withTx(t.database.db, (tx) => nextNumber(tx, 'Q', 2027));
    expect([a, b, other]).toEqual(['Q-2026-000001', 'Q-2026-000002', 'Q-2027-000001']);
    // A rolled-back transaction gives its number back.
    await expect(
      withTx(t.database.db, async (tx) => {
        await nextNumber(tx, 'Q', 2026);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await withTx(t.database.db, (tx) => nextNumber(tx, 'Q', 2026))).toBe('Q-2026-000003');
    const [row] = await t.rows<{ last_value: number }>(sql`SELECT last_value FROM number_sequences WHERE prefix = 'Q' AND year = 2026`);
    expect(row!.last_value).toBe(3);
  });

  it('pad to the width and grow past it rather than cut', async () => {
    await t.rows(sql`INSERT INTO number_sequences (prefix, year, last_value) VALUES ('W', 2026, 998)`);
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(await withTx(t.database.db, (tx) => nextNumber(tx, 'W', 2026, 3)));
    expect(taken).toEqual(['W-2026-999', 'W-2026-1000', 'W-2026-1001']);
    expect(await withTx(t.database.db, (tx) => nextNumber(tx, 'W', 2027, 4))).toBe('W-2027-0001');
  });
});
