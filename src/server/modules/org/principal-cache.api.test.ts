import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { SESSION_COOKIE, createAuthenticator } from './auth-service.ts';
import { hashToken } from './password.ts';
import { PRINCIPAL_TTL_MS, invalidatePrincipals } from './principal-cache.ts';

/**
 * The authenticator's per-process principal cache (decision 0012). Through the app (cache on, as in
 * production): every change that alters who a request is takes effect on the very next request of
 * this process, although the principal was cached just before. With the authenticator alone and an
 * injected clock: what another process changes is seen once the TTL has passed, and expiry is still
 * checked on every request.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function issueToken(userId: string): Promise<string> {
  const admin = await t.as('admin');
  const res = await admin.post(`/api/v1/users/${userId}/api-tokens`, { name: 'cache test' });
  expect(res.statusCode).toBe(201);
  return (res.json() as { token: string }).token;
}

async function versionOf(userId: string): Promise<number> {
  const [row] = await t.rows<{ version: number }>(sql`SELECT version FROM users WHERE id = ${userId}`);
  return row!.version;
}

async function patchUser(userId: string, body: Record<string, unknown>): Promise<void> {
  const admin = await t.as('admin');
  const res = await admin.patch(`/api/v1/users/${userId}`, { version: await versionOf(userId), ...body });
  expect(res.statusCode).toBe(200);
}

function fakeRequest(headers: Record<string, string>, cookies: Record<string, string> = {}): FastifyRequest {
  return { headers, cookies, url: '/api/v1/users' } as unknown as FastifyRequest;
}

async function errorCode(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('principal cache: changes in this process apply to the next request', () => {
  it('a revoked token is refused at once, although it was just used', async () => {
    const token = await issueToken(t.fixture.users.repA);
    const bearer = t.anon({ authorization: `Bearer ${token}` });
    expect((await bearer.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await bearer.get('/api/v1/auth/session')).statusCode).toBe(200);
    const [row] = await t.rows<{ id: string }>(sql`SELECT id FROM api_tokens WHERE name = 'cache test' AND revoked_at IS NULL AND user_id = ${t.fixture.users.repA}`);
    const admin = await t.as('admin');
    expect((await admin.delete(`/api/v1/users/${t.fixture.users.repA}/api-tokens/${row!.id}`)).statusCode).toBe(200);
    const after = await bearer.get('/api/v1/auth/session');
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('org.token_revoked');
  });

  it('a logged-out session is refused at once, although it was just used', async () => {
    const rep = await t.as('repB');
    expect((await rep.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await rep.get('/api/v1/users')).statusCode).toBe(200);
    expect((await rep.post('/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await rep.get('/api/v1/users')).statusCode).toBe(401);
  });

  it('a role change takes effect on the next request, granted and withdrawn', async () => {
    const rep = await t.as('repC');
    const token = t.anon({ authorization: `Bearer ${await issueToken(t.fixture.users.repC)}` });
    for (const c of [rep, token]) expect((await c.get('/api/v1/auth/session')).json().permissions).not.toHaveProperty('users.write');
    await patchUser(t.fixture.users.repC, { roles: ['sales_rep', 'admin'] });
    for (const c of [rep, token]) expect((await c.get('/api/v1/auth/session')).json().permissions).toHaveProperty('users.write', 'all');
    await patchUser(t.fixture.users.repC, { roles: ['sales_rep'] });
    for (const c of [rep, token]) expect((await c.get('/api/v1/auth/session')).json().permissions).not.toHaveProperty('users.write');
  });

  it('a deactivated user is refused at once (token and session); reactivated, the token works again', async () => {
    const session = await t.as('repD');
    const token = t.anon({ authorization: `Bearer ${await issueToken(t.fixture.users.repD)}` });
    expect((await session.get('/api/v1/users')).statusCode).toBe(200);
    expect((await token.get('/api/v1/users')).statusCode).toBe(200);
    await patchUser(t.fixture.users.repD, { active: false });
    expect((await session.get('/api/v1/users')).statusCode).toBe(401);
    expect((await token.get('/api/v1/users')).statusCode).toBe(401);
    await patchUser(t.fixture.users.repD, { active: true });
    expect((await token.get('/api/v1/users')).statusCode).toBe(200);
  });

  it('a move to another unit changes the scope on the next request', async () => {
    const rep = await t.as('repC');
    const visible = async () => ((await rep.get('/api/v1/users?limit=200')).json().items as { id: string }[]).map((u) => u.id);
    expect(await visible()).not.toContain(t.fixture.users.repA);
    await patchUser(t.fixture.users.repC, { unitId: t.fixture.units.t1 });
    expect(await visible()).toContain(t.fixture.users.repA);
    await patchUser(t.fixture.users.repC, { unitId: t.fixture.units.t2 });
    expect(await visible()).not.toContain(t.fixture.users.repA);
  });

  it('a language change is the next response’s language', async () => {
    const rep = await t.as('repB');
    expect((await rep.get(`/api/v1/users/${t.fixture.users.repD}`)).json().title).toBe('未找到');
    expect((await rep.patch('/api/v1/me', { locale: 'en' })).statusCode).toBe(200);
    expect((await rep.get(`/api/v1/users/${t.fixture.users.repD}`)).json().title).toBe('Not found');
    expect((await rep.patch('/api/v1/me', { locale: 'zh-CN' })).statusCode).toBe(200);
  });
});

describe('principal cache: the authenticator alone, with an injected clock', () => {
  it('what another process changes is seen once the TTL has passed', async () => {
    const token = await issueToken(t.fixture.users.managerT1);
    let now = Date.now();
    const authenticate = createAuthenticator(t.database.db, { now: () => now });
    const req = fakeRequest({ authorization: `Bearer ${token}` });
    const first = await authenticate(req);
    expect(first?.actor.userId).toBe(t.fixture.users.managerT1);
    expect(first?.actor.subtreeUnitIds).toEqual([t.fixture.units.t1]);

    // Another process revokes the token (straight in the database: nothing invalidates this process's cache).
    await t.rows(sql`UPDATE api_tokens SET revoked_at = now() WHERE token_hash = ${hashToken(token)}`);
    now += PRINCIPAL_TTL_MS - 1;
    // Within the TTL this process still uses what it read: the documented bound of the staleness.
    expect((await authenticate(req))?.actor.userId).toBe(t.fixture.users.managerT1);
    now += 1;
    expect(await errorCode(authenticate(req))).toBe('org.token_revoked');
  });

  it('invalidatePrincipals() makes the next request read again, whatever the clock', async () => {
    const token = await issueToken(t.fixture.users.repB);
    const now = Date.now();
    const authenticate = createAuthenticator(t.database.db, { now: () => now });
    const req = fakeRequest({ authorization: `Bearer ${token}` });
    expect((await authenticate(req))?.actor.roles).toEqual(['sales_rep']);
    await t.rows(sql`UPDATE users SET roles = '{sales_rep,sales_manager}' WHERE id = ${t.fixture.users.repB}`);
    expect((await authenticate(req))?.actor.roles).toEqual(['sales_rep']);
    invalidatePrincipals();
    expect((await authenticate(req))?.actor.roles).toEqual(['sales_rep', 'sales_manager']);
    await t.rows(sql`UPDATE users SET roles = '{sales_rep}' WHERE id = ${t.fixture.users.repB}`);
    invalidatePrincipals();
  });

  it('a lookup that was running when a change committed is not kept', async () => {
    const token = await issueToken(t.fixture.users.repA);
    const now = Date.now();
    const authenticate = createAuthenticator(t.database.db, { now: () => now });
    const req = fakeRequest({ authorization: `Bearer ${token}` });
    const running = authenticate(req); // reads the token, still valid
    invalidatePrincipals(); // a revocation committed meanwhile…
    await t.rows(sql`UPDATE api_tokens SET revoked_at = now() WHERE token_hash = ${hashToken(token)}`);
    expect((await running)?.actor.userId).toBe(t.fixture.users.repA);
    // …so what the running lookup read was not stored: the next request reads the revocation.
    expect(await errorCode(authenticate(req))).toBe('org.token_revoked');
  });

  it('expiry is checked on every request, cached or not', async () => {
    const session = await t.as('finance');
    const cookie = session.cookie!.slice(`${SESSION_COOKIE}=`.length);
    let now = Date.now();
    await t.rows(sql`UPDATE sessions SET expires_at = ${new Date(now + 1000).toISOString()}::timestamptz WHERE token_hash = ${hashToken(cookie)}`);
    const authenticate = createAuthenticator(t.database.db, { now: () => now });
    const req = fakeRequest({}, { [SESSION_COOKIE]: cookie });
    expect((await authenticate(req))?.actor.userId).toBe(t.fixture.users.finance);
    now += 1500; // past the session's end, within the TTL
    expect(await errorCode(authenticate(req))).toBe('platform.session_expired');
    expect(await t.rows(sql`SELECT 1 FROM sessions WHERE token_hash = ${hashToken(cookie)}`)).toHaveLength(0);

    const token = await issueToken(t.fixture.users.finance);
    await t.rows(sql`UPDATE api_tokens SET expires_at = ${new Date(now + 1000).toISOString()}::timestamptz WHERE token_hash = ${hashToken(token)}`);
    const bearer = fakeRequest({ authorization: `Bearer ${token}` });
    expect((await authenticate(bearer))?.actor.userId).toBe(t.fixture.users.finance);
    now += 1500;
    expect(await errorCode(authenticate(bearer))).toBe('org.token_revoked');
  });

  it('with a TTL of 0 nothing is kept', async () => {
    const token = await issueToken(t.fixture.users.exec);
    const authenticate = createAuthenticator(t.database.db, { principalTtlMs: 0 });
    const req = fakeRequest({ authorization: `Bearer ${token}` });
    expect((await authenticate(req))?.actor.userId).toBe(t.fixture.users.exec);
    await t.rows(sql`UPDATE api_tokens SET revoked_at = now() WHERE token_hash = ${hashToken(token)}`);
    expect(await errorCode(authenticate(req))).toBe('org.token_revoked');
  });
});
