import { currentLocale, i18n } from '../i18n/i18n.ts';
import { ApiProblem, looksLikeProblem } from './api-problem.ts';
import { newIdempotencyKey } from './idempotency-key.ts';

/**
 * The one way the web talks to the API. Every call:
 * - sends the session cookie (credentials) and the UI language (Accept-Language, so problems
 *   of signed-out calls such as a failed login come back in the language on screen);
 * - sends `X-CSRF-Token` on unsafe methods (POST/PATCH/PUT/DELETE); on a 403 `csrf_failed` it
 *   fetches a fresh token from the session once and retries;
 * - sends `Idempotency-Key` on creating POSTs (`api.create`): one fresh key per user action;
 * - turns every failure into an `ApiProblem` (problem+json, or a client-made one for network errors);
 * - reports a 401 on a call made while signed in to the session listener (→ login page).
 */
export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
  /** A 401 here is an answer (wrong password, not signed in yet), not a lost session. */
  unauthorizedIsAnswer?: boolean;
}

let csrfToken: string | null = null;
let sessionLostListener: ((problem: ApiProblem) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a signed-in call gets 401 (session expired or ended elsewhere). */
export function onSessionLost(listener: (problem: ApiProblem) => void): () => void {
  sessionLostListener = listener;
  return () => {
    if (sessionLostListener === listener) sessionLostListener = null;
  };
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readPayload(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (text === '') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function problemFrom(res: Response, payload: unknown): ApiProblem {
  if (looksLikeProblem(payload)) return new ApiProblem(payload);
  return new ApiProblem({
    type: 'about:blank',
    title: i18n.t('common:problems.unexpectedTitle'),
    status: res.status,
    detail: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
    code: 'client.unexpected',
  });
}

function networkProblem(): ApiProblem {
  return new ApiProblem({
    type: 'about:blank',
    title: i18n.t('common:problems.networkTitle'),
    detail: i18n.t('common:problems.networkDetail'),
    status: 0,
    code: 'client.network',
  });
}

async function refreshCsrfToken(): Promise<void> {
  const res = await fetch('/api/v1/auth/session', { credentials: 'include', headers: { Accept: 'application/json' } });
  if (!res.ok) return;
  const info = (await res.json()) as { csrfToken?: string | null };
  csrfToken = info.csrfToken ?? null;
}

async function request<T>(method: Method, path: string, opts: RequestOptions = {}, isRetry = false): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': currentLocale(),
  };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'include',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw networkProblem();
  }
  const payload = await readPayload(res);
  if (res.ok) return payload as T;

  const problem = problemFrom(res, payload);
  if (problem.code === 'platform.csrf_failed' && !isRetry) {
    await refreshCsrfToken();
    return request<T>(method, path, opts, true);
  }
  if (problem.status === 401 && !opts.unauthorizedIsAnswer) sessionLostListener?.(problem);
  throw problem;
}

export const api = {
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return request<T>('GET', path, { query, signal });
  },
  /** A creating POST: carries an Idempotency-Key (fresh unless the caller passes the action's key). */
  create<T>(path: string, body: unknown, idempotencyKey: string = newIdempotencyKey()): Promise<T> {
    return request<T>('POST', path, { body, idempotencyKey });
  },
  /**
   * A POST that performs an action rather than creating a record (sign in, retry…), or a read that
   * needs a body (a price preview): `signal` aborts it when its answer is no longer wanted.
   */
  post<T>(path: string, body?: unknown, opts: Pick<RequestOptions, 'unauthorizedIsAnswer' | 'signal'> = {}): Promise<T> {
    return request<T>('POST', path, { body, ...opts });
  },
  patch<T>(path: string, body: unknown): Promise<T> {
    return request<T>('PATCH', path, { body });
  },
  /** A whole-record replacement (e.g. the company profile, with its version). */
  put<T>(path: string, body: unknown): Promise<T> {
    return request<T>('PUT', path, { body });
  },
  delete<T>(path: string): Promise<T> {
    return request<T>('DELETE', path);
  },
  /** A GET whose 401 means "not signed in" rather than "session lost". */
  probe<T>(path: string, signal?: AbortSignal): Promise<T> {
    return request<T>('GET', path, { signal, unauthorizedIsAnswer: true });
  },
};
