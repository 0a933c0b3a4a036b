import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp, sql } from '../testing/test-app.ts';

/** The shared HTTP conventions, exercised through the org module's routes. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const problemType = (res: { headers: Record<string, unknown> }) => String(res.headers['content-type']);

async function userRow(id: string) {
  const [row] = await t.rows<{ title: string; version: number; name_zh: string }>(
    sql`SELECT title, version, name_zh FROM users WHERE id = ${id}`,
  );
  return row!;
}

describe('problem+json for bad input, and nothing changes', () => {
  it('malformed JSON → 400 platform.malformed_json', async () => {
    const admin = await t.as('admin');
    const before = await userRow(t.fixture.users.repA);
    const res = await admin.patch(`/api/v1/users/${t.fixture.users.repA}`, '{"version": 1, "title": ', {
      'content-type': 'application/json',
    });
    expect(res.statusCode).toBe(400);
    expect(problemType(res)).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'platform.malformed_json', type: 'urn:throughline:problem:platform.malformed_json' });
    expect(await userRow(t.fixture.users.repA)).toEqual(before);
  });

  it('wrong types → 400 with a path per field, in the user language', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/users', { email: 'not-an-email', nameZh: 42, roles: ['wizard'] });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('platform.validation');
    const paths = body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['email', 'nameZh', 'roles.0']);
    // The fixture admin's locale is zh-CN: messages come in Chinese.
    expect(body.title).toBe('请求内容不正确');
    expect(body.errors.find((e: { path: string }) => e.path === 'email').message).toBe('必须是邮箱地址');
  });

  it('unknown fields on writes are refused with their path', async () => {
    const admin = await t.as('admin');
    const before = await userRow(t.fixture.users.repB);
    const res = await admin.patch(`/api/v1/users/${t.fixture.users.repB}`, { version: before.version, title: 'x', isRoot: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'isRoot', message: '不是已知字段' }]);
    expect(await userRow(t.fixture.users.repB)).toEqual(before);
  });

  it('a body over 1 MiB → 413', async () => {
    const admin = await t.as('admin');
    const res = await admin.post('/api/v1/users', { email: 'big@fixture.test', nameZh: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('platform.payload_too_large');
    const rows = await t.rows(sql`SELECT 1 FROM users WHERE email = 'big@fixture.test'`);
    expect(rows).toHaveLength(0);
  });

  it('an invalid cursor → 400 platform.invalid_cursor', async () => {
    const admin = await t.as('admin');
    for (const cursor of ['garbage', Buffer.from('["email","x","y"]').toString('base64url')]) {
      const res = await admin.get(`/api/v1/users?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('platform.invalid_cursor');
    }
  });

  it('a stale version → 409 with the current version, and nothing changes', async () => {
    const admin = await t.as('admin');
    const before = await userRow(t.fixture.users.repC);
    const res = await admin.patch(`/api/v1/users/${t.fixture.users.repC}`, { version: before.version + 5, title: 'stale' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'platform.version_conflict', currentVersion: before.version });
    expect(await userRow(t.fixture.users.repC)).toEqual(before);
  });

  it('unknown API routes → 404 problem; signed-out calls → 401 problem', async () => {
    const res = await t.anon().get('/api/v1/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('platform.route_not_found');
    const users = await t.anon({ 'accept-language': 'en-US,en;q=0.9' }).get('/api/v1/users');
    expect(users.statusCode).toBe(401);
    expect(problemType(users)).toContain('application/problem+json');
    expect(users.json()).toMatchObject({ code: 'platform.unauthenticated', title: 'Please sign in' });
  });
});

describe('Idempotency-Key on creating POSTs', () => {
  it('the same key and body replays the stored response; another body gets 422', async () => {
    const admin = await t.as('admin');
    const body = { email: 'idem@fixture.test', nameZh: '幂等', roles: ['sales_rep'], unitId: t.fixture.units.t3 };
    const key = 'key-0001-idempotent';
    const first = await admin.post('/api/v1/users', body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const again = await admin.post('/api/v1/users', { ...body }, { 'idempotency-key': key });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const rows = await t.rows(sql`SELECT id FROM users WHERE email = 'idem@fixture.test'`);
    expect(rows).toHaveLength(1);

    const other = await admin.post('/api/v1/users', { ...body, email: 'idem2@fixture.test' }, { 'idempotency-key': key });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('platform.idempotency_key_reused');
    expect(await t.rows(sql`SELECT id FROM users WHERE email = 'idem2@fixture.test'`)).toHaveLength(0);
  });

  it('a failed request frees its key for a corrected retry', async () => {
    const admin = await t.as('admin');
    const key = 'key-0002-retry-after-failure';
    const bad = await admin.post('/api/v1/users', { email: 'retry@fixture.test', nameZh: '重试', password: 'short' }, { 'idempotency-key': key });
    expect(bad.statusCode).toBe(422);
    const good = await admin.post('/api/v1/users', { email: 'retry@fixture.test', nameZh: '重试', password: 'short' }, { 'idempotency-key': key });
    // Same body, same failure: the key did not store the error as a success.
    expect(good.statusCode).toBe(422);
    const fixed = await admin.post('/api/v1/users', { email: 'retry@fixture.test', nameZh: '重试' }, { 'idempotency-key': 'key-0003-fixed-body' });
    expect(fixed.statusCode).toBe(201);
  });
});

describe('sessions and CSRF', () => {
  it('a forged session cookie is no session (401)', async () => {
    const res = await t.anon({ cookie: 'tl_session=forged-value' }).get('/api/v1/users');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('platform.unauthenticated');
  });

  it('an expired session → 401 platform.session_expired', async () => {
    const rep = await t.as('repA');
    await t.database.db.execute(sql`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = ${t.fixture.users.repA}`);
    const res = await rep.get('/api/v1/users');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('platform.session_expired');
  });

  it('a cookie-authenticated write without the CSRF token → 403 and nothing changes', async () => {
    const admin = await t.as('admin');
    const before = await userRow(t.fixture.users.repB);
    const res = await t.app.server.inject({
      method: 'PATCH',
      url: `/api/v1/users/${t.fixture.users.repB}`,
      headers: { cookie: admin.cookie! },
      payload: { version: before.version, title: 'csrf' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('platform.csrf_failed');
    const wrong = await admin.patch(`/api/v1/users/${t.fixture.users.repB}`, { version: before.version, title: 'csrf' }, { 'x-csrf-token': 'wrong' });
    expect(wrong.statusCode).toBe(403);
    expect(await userRow(t.fixture.users.repB)).toEqual(before);
  });
});

describe('operational endpoints', () => {
  it('/health, /ready and the OpenAPI document', async () => {
    expect((await t.anon().get('/health')).json()).toEqual({ status: 'ok' });
    expect((await t.anon().get('/ready')).json()).toMatchObject({ status: 'ready' });
    const doc = (await t.anon().get('/api/docs')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/users/{id}');
    expect(doc.paths['/api/v1/users'].post.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(doc.components.schemas.Problem.properties.code.enum).toContain('platform.version_conflict');
  });

  it('every response carries a request id, and problems repeat it', async () => {
    const res = await t.anon().get('/api/v1/users');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.json().requestId).toBe(res.headers['x-request-id']);
  });
});
