import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, buildUrl, onSessionLost, setCsrfToken } from './api-client.ts';
import { ApiProblem } from './api-problem.ts';

type Call = { url: string; init: RequestInit };
let calls: Call[];
let responses: Response[];

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const problem = (status: number, code: string, extra: object = {}) =>
  json(status, { type: `urn:throughline:problem:${code}`, title: `T ${code}`, status, code, requestId: 'r1', ...extra }, 'application/problem+json');
const header = (c: Call, name: string) => new Headers(c.init.headers).get(name);

beforeEach(() => {
  calls = [];
  responses = [];
  setCsrfToken('tok-1');
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new TypeError('network down');
    return next;
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('api client', () => {
  it('builds query strings without empty values', () => {
    expect(buildUrl('/api/v1/users', { q: 'wang', unitId: undefined, active: false, cursor: '', limit: 50 })).toBe('/api/v1/users?q=wang&active=false&limit=50');
  });

  it('sends cookies and the UI language; no CSRF header on GET', async () => {
    responses.push(json(200, { items: [], nextCursor: null }));
    await api.get('/api/v1/users');
    expect(calls[0]!.init.credentials).toBe('include');
    expect(header(calls[0]!, 'accept-language')).toMatch(/^(zh-CN|en)$/);
    expect(header(calls[0]!, 'x-csrf-token')).toBeNull();
  });

  it('sends the CSRF token on unsafe methods and a fresh Idempotency-Key per creating POST', async () => {
    responses.push(json(201, { id: 'a' }), json(201, { id: 'b' }), json(200, { ok: true }));
    await api.create('/api/v1/users', { email: 'a@b.c' });
    await api.create('/api/v1/users', { email: 'a@b.c' });
    await api.patch('/api/v1/users/x', { version: 1 });
    expect(calls.map((c) => header(c, 'x-csrf-token'))).toEqual(['tok-1', 'tok-1', 'tok-1']);
    const [k1, k2] = calls.map((c) => header(c, 'idempotency-key'));
    expect(k1).toMatch(/^[0-9a-f-]{36}$/);
    expect(k2).not.toBe(k1);
    expect(header(calls[2]!, 'idempotency-key')).toBeNull();
    expect(calls[0]!.init.body).toBe('{"email":"a@b.c"}');
  });

  it('turns problem+json into an ApiProblem with field errors', async () => {
    responses.push(problem(400, 'platform.validation', { detail: 'd', errors: [{ path: 'email', message: 'bad' }] }));
    const err = await api.create('/api/v1/users', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiProblem);
    expect(err).toMatchObject({ status: 400, code: 'platform.validation', title: 'T platform.validation', detail: 'd', errors: [{ path: 'email', message: 'bad' }] });
  });

  it('refreshes the CSRF token once on csrf_failed and retries', async () => {
    responses.push(problem(403, 'platform.csrf_failed'), json(200, { csrfToken: 'tok-2' }), json(200, { ok: true }));
    await expect(api.patch('/api/v1/me', { locale: 'en' })).resolves.toEqual({ ok: true });
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/me', '/api/v1/auth/session', '/api/v1/me']);
    expect(header(calls[2]!, 'x-csrf-token')).toBe('tok-2');
  });

  it('reports a 401 of a signed-in call as a lost session, but not a failed sign-in', async () => {
    const lost = vi.fn();
    const off = onSessionLost(lost);
    responses.push(problem(401, 'platform.session_expired'), problem(401, 'org.invalid_credentials'));
    await expect(api.get('/api/v1/users')).rejects.toBeInstanceOf(ApiProblem);
    await expect(api.post('/api/v1/auth/login', {}, { unauthorizedIsAnswer: true })).rejects.toMatchObject({ code: 'org.invalid_credentials' });
    expect(lost).toHaveBeenCalledTimes(1);
    off();
  });

  it('passes the caller’s AbortSignal to fetch on GET and POST; a call made without one gets none', async () => {
    responses.push(json(200, { items: [] }), json(200, { priced: [] }), json(200, { ok: true }));
    const forGet = new AbortController();
    const forPost = new AbortController();
    await api.get('/api/v1/quotes', { limit: 1 }, forGet.signal);
    await api.post('/api/v1/quotes/price-preview', { lines: [] }, { signal: forPost.signal });
    await api.post('/api/v1/auth/logout');
    expect(calls.map((c) => c.init.signal)).toEqual([forGet.signal, forPost.signal, undefined]);
  });

  it('an aborted call rejects with the abort, not a network problem, and reports nothing', async () => {
    // A fetch that answers only when told to, and honours its signal as browsers do.
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Promise<Response>((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error));
      });
    });
    const lost = vi.fn();
    const off = onSessionLost(lost);
    const controller = new AbortController();
    const pending = api.post('/api/v1/quotes/price-preview', { lines: [] }, { signal: controller.signal });
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApiProblem);
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(calls).toHaveLength(1);
    expect(lost).not.toHaveBeenCalled();
    off();
  });

  it('makes a readable problem of a network failure', async () => {
    const err = await api.get('/api/v1/users').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'client.network' });
    expect((err as ApiProblem).title.length).toBeGreaterThan(0);
  });
});
